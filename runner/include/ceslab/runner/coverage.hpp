// SPDX-License-Identifier: GPL-2.0-or-later
// docs/mock-coverage.md, generated from the scenarios: which world setting
// produces which catalog cause, and which causes no scenario derives from a
// world (with the reason, kept as data in scenarios/not-reproduced.yaml).
// The scenarios are the one place that says "setting -> cause"; this turns
// them into the table a reader looks for.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ceslab/runner/scenario.hpp"
#include "ceslab/runner/suite.hpp"

namespace ceslab::diagnosis {
class Catalog;
}

namespace ceslab::runner {

// A catalog cause no bundled scenario derives from a world, and why.
struct NotReproduced {
  std::string cause;
  std::string reason;
};

// Reads scenarios/not-reproduced.yaml (a list of {cause, reason}); a cause
// id the catalog lacks, a missing reason or an unknown key is an error
// (file:line). A missing file is an empty list.
std::vector<NotReproduced> load_not_reproduced(const std::filesystem::path& file,
                                               const diagnosis::Catalog& catalog);

// What keeps the document honest: every catalog cause has a scenario that
// derives it from a world (not `recorded`) or is listed as not reproduced,
// never both. One line per problem; empty when the two agree.
std::vector<std::string> coverage_problems(const std::vector<Scenario>& scenarios,
                                           const diagnosis::Catalog& catalog,
                                           const std::vector<NotReproduced>& not_reproduced);

// The Markdown of docs/mock-coverage.md: per catalog cause (catalog order)
// its scenarios with the world settings, the client settings, the steps and
// both expected verdicts; then the scenarios that reproduce no cause
// (baselines, look-alikes); then the causes not reproduced and why; then the
// known gaps. Deterministic: the same scenarios give the same bytes.
std::string coverage_markdown(const std::vector<Scenario>& scenarios,
                              const diagnosis::Catalog& catalog,
                              const std::vector<NotReproduced>& not_reproduced,
                              const KnownGaps& known_gaps);

}  // namespace ceslab::runner
