// SPDX-License-Identifier: GPL-2.0-or-later
// The entries of the mock's small data files (oid_names.yaml,
// windows_texts.yaml): a list of mappings whose every key is a non-empty
// string, checked the same way for each file.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/core/yaml_document.hpp"

namespace ceslab::mock {

struct TextEntry {
  int line = 0;
  std::string where;  // "oids[3]", for messages
  std::map<std::string, std::string> fields;
};

// Hands each entry of `list`, named "<list_name>[i]", to `take` in order once
// it is a mapping with exactly the keys `keys`, each a non-empty string;
// anything else goes to `fail`.
void for_each_text_entry(const YAML::Node& list, std::string_view list_name,
                         const std::vector<std::string>& keys, const core::YamlFailure& fail,
                         const std::function<void(const TextEntry&)>& take);

}  // namespace ceslab::mock
