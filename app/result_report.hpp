// SPDX-License-Identifier: GPL-2.0-or-later
// How `run`, `run --target` and `conformance` end: the results as a table,
// the JSON and JUnit files asked for, and the summary line.
#pragma once

#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "ceslab/runner/reports.hpp"

namespace ceslab::app {

struct ReportedRun {
  std::vector<runner::ScenarioResult> results;
  runner::Summary summary;
  std::optional<int> interrupted;  // the signal that stopped the run
};

// Runs `run` so that a signal stops it (run_interruptible), times it, prints
// the table, writes `json`, `junit` and the `html` page when named, and
// prints the summary line without its end of line: the caller ends it
// (", interrupted ...").
ReportedRun run_and_report(
    const std::function<std::vector<runner::ScenarioResult>(std::stop_token)>& run,
    const std::string& json, const std::string& junit, const std::string& html = {});

}  // namespace ceslab::app
