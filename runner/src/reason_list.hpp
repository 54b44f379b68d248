// SPDX-License-Identifier: GPL-2.0-or-later
// The runner's small lists of "this one, and why" (scenarios/known-gaps.yaml,
// scenarios/not-reproduced.yaml): a YAML list of {<key>, reason}, read with
// file:line errors for a wrong shape, an unknown key, a missing reason, an
// entry listed twice, or a name `valid` refuses.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace ceslab::runner {

struct Reasoned {
  std::string name;  // the value of the entry's key
  std::string reason;
};

// Returns what `valid(name)` says is wrong with a name, or "" when it is fine.
using NameCheck = std::function<std::string(const std::string& name)>;

// A missing file is an empty list. Throws ScenarioError.
std::vector<Reasoned> load_reason_list(const std::filesystem::path& file, const std::string& key,
                                       const NameCheck& valid);

}  // namespace ceslab::runner
