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

// yaml-cpp keeps a node's mark (its line) only on the node it parsed: a
// copy made with YAML::Clone or a new node has none. So the merge adds the
// base's keys into the overlay's own nodes, which keep their lines for the
// world reader's errors.
YAML::Node merge(YAML::Node base, YAML::Node over);

YAML::Node merge_named_list(YAML::Node base, YAML::Node over) {
  YAML::Node out(YAML::NodeType::Sequence);
  std::vector<bool> used(over.size(), false);
  for (YAML::Node entry : base) {
    const std::string name = name_of(entry);
    YAML::Node merged = entry;
    for (std::size_t i = 0; i < over.size(); ++i) {
      if (!name.empty() && name_of(over[i]) == name) {
        merged = merge(entry, over[i]);
        used[i] = true;
      }
    }
    out.push_back(merged);
  }
  for (std::size_t i = 0; i < over.size(); ++i) {
    if (!used[i]) out.push_back(over[i]);
  }
  return out;
}

YAML::Node merge(YAML::Node base, YAML::Node over) {
  if (!base.IsMap() || !over.IsMap()) return over;
  std::vector<std::string> keys;
  for (const auto& kv : over) keys.push_back(kv.first.Scalar());
  for (const std::string& key : keys) {
    YAML::Node from_base = base[key];
    if (!from_base.IsDefined() || from_base.IsNull()) continue;
    YAML::Node value = over[key];
    if (is_named_list(key) && from_base.IsSequence() && value.IsSequence()) {
      over[key] = merge_named_list(from_base, value);
    } else if (from_base.IsMap() && value.IsMap()) {
      merge(from_base, value);  // in place: `value` is the overlay's own node
    }
  }
  for (const auto& kv : base) {
    const std::string key = kv.first.Scalar();
    bool present = false;
    for (const std::string& k : keys) present |= k == key;
    if (!present) over[key] = kv.second;
  }
  return over;
}

}  // namespace

YAML::Node overlay_world_node(const YAML::Node& base, const YAML::Node& overlay) {
  return merge(base, overlay);
}

}  // namespace ceslab::mock
