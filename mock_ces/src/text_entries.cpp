// SPDX-License-Identifier: GPL-2.0-or-later
#include "text_entries.hpp"

#include <algorithm>

namespace ceslab::mock {

void for_each_text_entry(const YAML::Node& list, std::string_view list_name,
                         const std::vector<std::string>& keys, const core::YamlFailure& fail,
                         const std::function<void(const TextEntry&)>& take) {
  std::string known;
  for (const std::string& k : keys) known += (known.empty() ? "" : ", ") + k;
  std::size_t index = 0;
  for (const auto& entry : list) {
    TextEntry e;
    e.where = std::string(list_name) + "[" + std::to_string(index++) + "]";
    e.line = core::line_of(entry);
    if (!entry.IsMap()) fail(e.line, e.where + " must be a mapping");
    for (const auto& kv : entry) {
      const std::string key = kv.first.Scalar();
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        fail(core::line_of(kv.first),
             e.where + ": unknown key '" + key + "' (known: " + known + ")");
      }
    }
    for (const std::string& key : keys) {
      const YAML::Node v = entry[key];
      if (!v || !v.IsScalar() || v.Scalar().empty()) {
        fail(e.line, e.where + ": '" + key + "' must be a non-empty string");
      }
      e.fields[key] = v.Scalar();
    }
    take(e);
  }
}

}  // namespace ceslab::mock
