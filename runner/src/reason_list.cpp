// SPDX-License-Identifier: GPL-2.0-or-later
#include "reason_list.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

#include "ceslab/runner/scenario.hpp"

namespace ceslab::runner {

std::vector<Reasoned> load_reason_list(const std::filesystem::path& file, const std::string& key,
                                       const NameCheck& valid) {
  std::vector<Reasoned> out;
  if (!std::filesystem::exists(file)) return out;
  const std::string source = file.string();
  auto fail = [&](const YAML::Node& at, const std::string& what) {
    throw ScenarioError(source + ":" + std::to_string(at.Mark().line + 1) + ": " + what);
  };
  YAML::Node root;
  try {
    root = YAML::LoadFile(source);
  } catch (const YAML::Exception& e) {
    throw ScenarioError(source + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (root.IsNull()) return out;
  const std::string shape = "{" + key + ", reason}";
  if (!root.IsSequence()) fail(root, "the file is a list of " + shape);
  std::set<std::string> seen;
  for (const auto& entry : root) {
    if (!entry.IsMap()) fail(entry, "an entry is a mapping " + shape);
    for (const auto& kv : entry) {
      const std::string k = kv.first.Scalar();
      if (k != key && k != "reason") {
        fail(kv.first, "unknown key '" + k + "' (known: " + key + ", reason)");
      }
    }
    const YAML::Node name = entry[key];
    const YAML::Node reason = entry["reason"];
    if (!name || !name.IsScalar() || !reason || !reason.IsScalar() || reason.Scalar().empty()) {
      fail(entry, "an entry needs '" + key + "' and a 'reason'");
    }
    if (const std::string problem = valid(name.Scalar()); !problem.empty()) fail(name, problem);
    if (!seen.insert(name.Scalar()).second) fail(name, "'" + name.Scalar() + "' is listed twice");
    out.push_back({name.Scalar(), reason.Scalar()});
  }
  return out;
}

}  // namespace ceslab::runner
