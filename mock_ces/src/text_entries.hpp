// SPDX-License-Identifier: GPL-2.0-or-later
// The entries of the mock's small data files (oid_names.yaml,
// windows_texts.yaml): a non-empty list of mappings whose every key is a
// non-empty string, read with the one YAML reader (core/yaml_reader.hpp).
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "ceslab/core/yaml_reader.hpp"

namespace ceslab::mock {

struct TextEntry {
  core::YamlReader reader;  // fails with "<list>[i]: " and the entry's line
  int line = 0;
  std::map<std::string, std::string> fields;
};

// Hands each entry of the list under `list_name` in `text` to `take`, in
// order, once it is a mapping with exactly the keys `keys`, each a non-empty
// string; anything else fails as a core::DataFileError at its line.
void for_each_text_entry(const core::YamlReader& reader, std::string_view text,
                         std::string_view list_name, std::initializer_list<std::string_view> keys,
                         const std::function<void(const TextEntry&)>& take);

}  // namespace ceslab::mock
