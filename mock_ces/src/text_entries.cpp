// SPDX-License-Identifier: GPL-2.0-or-later
#include "text_entries.hpp"

#include <yaml-cpp/yaml.h>

namespace ceslab::mock {

void for_each_text_entry(const core::YamlReader& reader, std::string_view text,
                         std::string_view list_name, std::initializer_list<std::string_view> keys,
                         const std::function<void(const TextEntry&)>& take) {
  const YAML::Node list = reader.single_list(text, list_name);
  std::size_t index = 0;
  for (const auto& entry : list) {
    TextEntry e{reader.within(std::string(list_name) + "[" + std::to_string(index++) + "]"),
                core::line_of(entry),
                {}};
    if (!entry.IsMap()) e.reader.fail(e.line, "entry must be a mapping");
    e.reader.check_keys(entry, "", core::KeyNames(keys));
    for (const std::string_view key : keys) {
      const YAML::Node v = entry[std::string(key)];
      if (!v || !v.IsScalar() || v.Scalar().empty()) {
        e.reader.fail(e.line, "'" + std::string(key) + "' must be a non-empty string");
      }
      e.fields[std::string(key)] = v.Scalar();
    }
    take(e);
  }
}

}  // namespace ceslab::mock
