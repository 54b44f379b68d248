// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/yaml_document.hpp"

#include <optional>
#include <stdexcept>

namespace ceslab::core {

int line_of(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.line >= 0 ? mark.line + 1 : 0;
}

YAML::Node load_single_list(std::string_view text, std::string_view key, const YamlFailure& fail) {
  // `fail` must not return; this guards against one that does.
  auto stop = [&](int line, const std::string& problem) {
    fail(line, problem);
    throw std::logic_error("YAML failure handler returned: " + problem);
  };
  const std::string name(key);
  const std::string article = (name.front() == 'e' || name.front() == 'a') ? "an" : "a";
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    stop(e.mark.line >= 0 ? e.mark.line + 1 : 0, "YAML syntax error: " + e.msg);
  }
  if (!root.IsDefined() || root.IsNull()) {
    stop(1, "empty document; expected a mapping with " + article + " '" + name + "' list");
  }
  if (!root.IsMap()) {
    stop(line_of(root), "top level must be a mapping with " + article + " '" + name + "' list");
  }
  std::optional<YAML::Node> found;
  for (const auto& kv : root) {
    const std::string k = kv.first.IsScalar() ? kv.first.Scalar() : std::string("<non-scalar>");
    if (k != name) stop(line_of(kv.first), "unknown top-level key '" + k + "'");
    if (found) stop(line_of(kv.first), "duplicate top-level key '" + name + "'");
    found.emplace(kv.second);
  }
  if (!found || found->IsNull()) stop(line_of(root), "missing '" + name + "' list");
  if (!found->IsSequence()) stop(line_of(*found), "'" + name + "' must be a list");
  if (found->size() == 0) stop(line_of(*found), "'" + name + "' is empty");
  return *found;
}

}  // namespace ceslab::core
