// SPDX-License-Identifier: GPL-2.0-or-later
// What a run reports (docs/scenarios.md, "Reports"): the table a person
// reads, JSON for programs ("ceslab.run/1") and JUnit XML for CI servers.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ceslab/runner/suite.hpp"

namespace ceslab::runner {

inline constexpr std::string_view kRunSchema = "ceslab.run/1";

struct Summary {
  std::size_t passed = 0, failed = 0, xfailed = 0, xpassed = 0, skipped = 0;
  std::chrono::milliseconds seconds{};  // wall time of the run
  bool ok() const { return failed == 0 && xpassed == 0; }
};
Summary summarize(const std::vector<ScenarioResult>& results, std::chrono::milliseconds wall);

// One line per result: scenario, expected, verdict client only / with
// server events, result, time; then the diffs of each failure and where its
// artefacts are.
void print_table(std::ostream& out, const std::vector<ScenarioResult>& results);
// The field-by-field diff of one failed scenario, indented.
void print_failure(std::ostream& out, const ScenarioResult& result);
// "N passed, N failed" (then xfail/xpass/skipped counts when there are any).
std::string summary_line(const Summary& summary);

// {"schema", "scenarios": [{"name", "group", "expected", "expected_client_only",
//  "verdict": {"client_only", "with_server_events"}, "result", "seconds",
//  "reason", "error", "diffs": [{"step","field","expected","actual"}],
//  "artefacts"}], "summary": {...}}
nlohmann::ordered_json to_json(const std::vector<ScenarioResult>& results, const Summary& summary);
// A <testsuites> document: a <testsuite> per group, a <testcase> per
// scenario (classname = group); a FAIL or XPASS is a <failure> whose message
// is the first diff and whose text is the whole diff; SKIP and XFAIL are
// <skipped> with the reason.
std::string to_junit(const std::vector<ScenarioResult>& results, const Summary& summary);

}  // namespace ceslab::runner
