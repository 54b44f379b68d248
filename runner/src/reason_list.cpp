// SPDX-License-Identifier: GPL-2.0-or-later
#include "reason_list.hpp"

#include <yaml-cpp/yaml.h>

#include <set>

#include "ceslab/core/yaml_reader.hpp"

namespace ceslab::runner {

std::vector<Reasoned> load_reason_list(const std::filesystem::path& file, const std::string& key,
                                       const NameCheck& valid) {
  std::vector<Reasoned> out;
  if (!std::filesystem::exists(file)) return out;
  const core::YamlReader r(file.string());
  const YAML::Node root = r.parse(core::read_data_file(file));
  if (root.IsNull()) return out;
  const std::string shape = "{" + key + ", reason}";
  if (!root.IsSequence()) r.fail(root, "the file is a list of " + shape);
  std::set<std::string> seen;
  for (const auto& entry : root) {
    if (!entry.IsMap()) r.fail(entry, "an entry is a mapping " + shape);
    r.check_keys(entry, "", {key, "reason"});
    const YAML::Node name = entry[key];
    const YAML::Node reason = entry["reason"];
    if (!name || !name.IsScalar() || !reason || !reason.IsScalar() || reason.Scalar().empty()) {
      r.fail(entry, "an entry needs '" + key + "' and a 'reason'");
    }
    if (const std::string problem = valid(name.Scalar()); !problem.empty()) r.fail(name, problem);
    if (!seen.insert(name.Scalar()).second) {
      r.fail(name, "'" + name.Scalar() + "' is listed twice");
    }
    out.push_back({name.Scalar(), reason.Scalar()});
  }
  return out;
}

}  // namespace ceslab::runner
