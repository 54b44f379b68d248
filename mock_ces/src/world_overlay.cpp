// SPDX-License-Identifier: GPL-2.0-or-later
#include "world_overlay.hpp"

#include <string>

namespace ceslab::mock {
namespace {

// Lists whose entries are identified by `name`: an overlay entry changes the
// default entry of the same name instead of replacing the whole list, so a
// scenario says "alice has no e-mail" without restating the lab.
bool is_named_list(const std::string& key) {
  return key == "accounts" || key == "templates";
}

std::string name_of(const YAML::Node& entry) {
  if (!entry.IsMap() || !entry["name"] || !entry["name"].IsScalar()) return {};
  return entry["name"].Scalar();
}

YAML::Node merge(const YAML::Node& base, const YAML::Node& over);

YAML::Node merge_named_list(const YAML::Node& base, const YAML::Node& over) {
  YAML::Node out(YAML::NodeType::Sequence);
  std::vector<bool> used(over.size(), false);
  for (const YAML::Node& entry : base) {
    const std::string name = name_of(entry);
    YAML::Node merged = YAML::Clone(entry);
    for (std::size_t i = 0; i < over.size(); ++i) {
      if (!name.empty() && name_of(over[i]) == name) {
        merged = merge(entry, over[i]);
        used[i] = true;
      }
    }
    out.push_back(merged);
  }
  for (std::size_t i = 0; i < over.size(); ++i) {
    if (!used[i]) out.push_back(YAML::Clone(over[i]));
  }
  return out;
}

YAML::Node merge(const YAML::Node& base, const YAML::Node& over) {
  if (!base.IsMap() || !over.IsMap()) return YAML::Clone(over);
  // Start from the overlay so the merged mapping carries its line.
  YAML::Node out = YAML::Clone(over);
  for (const auto& kv : over) {
    const std::string key = kv.first.Scalar();
    const YAML::Node from_base = base[key];
    if (!from_base) continue;
    if (is_named_list(key) && from_base.IsSequence() && kv.second.IsSequence()) {
      out[key] = merge_named_list(from_base, kv.second);
    } else {
      out[key] = merge(from_base, kv.second);
    }
  }
  for (const auto& kv : base) {
    const std::string key = kv.first.Scalar();
    if (!over[key]) out[key] = YAML::Clone(kv.second);
  }
  return out;
}

}  // namespace

YAML::Node overlay_world_node(const YAML::Node& base, const YAML::Node& overlay) {
  return merge(base, overlay);
}

}  // namespace ceslab::mock
