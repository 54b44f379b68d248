// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <chrono>

#include "cases.hpp"
#include "ceslab/conformance/conformance.hpp"

namespace ceslab::conformance {

namespace {

using Clock = std::chrono::steady_clock;

// Every case in run order: the wire rules first, then each spec's, then the
// rules judged over every answer.
std::vector<Case> every_case() {
  std::vector<Case> out = wire_cases();
  for (auto part : {wstep_cases(), xcep_cases(), every_answer_cases()}) {
    std::move(part.begin(), part.end(), std::back_inserter(out));
  }
  return out;
}

bool applies(const CaseInfo& info, Service service) {
  return std::find(info.services.begin(), info.services.end(), service) != info.services.end();
}

runner::ScenarioResult result_of(const CaseInfo& info, Outcome outcome) {
  runner::ScenarioResult r;
  r.id = info.id;
  r.group = info.id.substr(0, info.id.find('/'));
  r.expected = info.section;
  r.result = outcome.result;
  r.diffs = std::move(outcome.diffs);
  if (outcome.result == runner::Result::fail) {
    r.error = info.rule;
  } else {
    r.reason = std::move(outcome.said);
  }
  return r;
}

}  // namespace

std::vector<CaseInfo> all_cases() {
  std::vector<CaseInfo> out;
  for (const Case& c : every_case()) out.push_back(c.info);
  return out;
}

std::vector<runner::ScenarioResult> run_conformance(const ConformanceOptions& options,
                                                    const ConformanceProgress& progress,
                                                    std::stop_token stop) {
  runner::TargetEndpoint endpoint = runner::parse_target(options.url);
  Probes probes(options, endpoint);
  std::vector<runner::ScenarioResult> results;
  for (const Case& c : every_case()) {
    if (stop.stop_requested()) break;
    if (!applies(c.info, endpoint.service)) continue;
    const auto start = Clock::now();
    Outcome outcome;
    try {
      outcome = c.check(probes);
    } catch (const NotSent& skipped) {
      outcome = {runner::Result::skip, skipped.why, {}};
    }
    runner::ScenarioResult r = result_of(c.info, std::move(outcome));
    r.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (progress.case_finished) progress.case_finished(r);
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace ceslab::conformance
