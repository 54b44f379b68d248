// SPDX-License-Identifier: GPL-2.0-or-later
// What the HTML page tests show: real runs of two scenarios (one that holds,
// one deliberately broken) with their records, a hostile result whose name
// and error are markup, a failed load run on a clock of the test's own.
#pragma once

#include <string>
#include <vector>

#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/load/load_run.hpp"
#include "ceslab/runner/scenario.hpp"
#include "ceslab/runner/suite.hpp"
#include "load/fake_clock.hpp"
#include "runner/no_email_case.hpp"

namespace ceslab::report::testing {

// alice has no e-mail and the User template needs one; `error_code` and
// `verdict` are what the scenario expects (the right ones: it passes).
inline runner::Scenario email_scenario(const std::string& id, const std::string& error_code,
                                       const std::string& verdict) {
  const std::string yaml = test_support::no_email_scenario(
      "name: " + id + "\nsummary: alice has no e-mail.\nsource: MS-CRTD 2.28\n",
      "  fault: { code: Receiver, error_code: " + error_code +
          " }\n  exit_code: 1\n  diagnosis:\n    client_only: " + verdict +
          "\n    with_server_events: " + verdict + "\n");
  return runner::parse_scenario(yaml, "/lab/causes/" + id + ".yaml", diagnosis::Catalog::builtin());
}

// The two scenarios run for real with their records kept: [PASS, FAIL].
inline std::vector<runner::ScenarioResult> real_results() {
  runner::SuiteOptions options;
  options.jobs = 2;
  options.record = true;
  return runner::run_suite(
      {email_scenario("email", "CERTSRV_E_SUBJECT_EMAIL_REQUIRED", "ca_subject_email_required"),
       email_scenario("broken", "CERTSRV_E_TEMPLATE_DENIED", "template_enroll_denied")},
      options);
}

inline const std::string kHostileName = "<script>alert('id')</script>";
inline const std::string kHostileError = "fault text <script>alert(\"error\")</script> & more";

// A result whose name and error are markup, and which never ran.
inline runner::ScenarioResult hostile_result(runner::Result result) {
  runner::ScenarioResult r;
  r.id = kHostileName;
  r.group = "causes";
  r.expected = "<b>bold</b>";
  r.error = kHostileError;
  r.result = result;
  return r;
}

// 30 attempts, one worker, 100 to 190 ms each (4.35 s: five seconds of samples);
// every fifth fails with a cause whose text is markup.
inline load::LoadReport bench_report() {
  load::testing::FakeClock clock;
  load::LoadPlan plan;
  plan.count = 30;
  const load::Attempt attempt = [&clock](std::uint64_t i) {
    clock.advance(std::chrono::milliseconds(100 + 10 * static_cast<int>(i % 10)));
    load::AttemptResult r;
    r.status = i % 5 == 4 ? load::AttemptStatus::failed : load::AttemptStatus::issued;
    if (r.status == load::AttemptStatus::failed) {
      r.cause = "ca_subject_email_required";
      r.title = "<i>The template needs an e-mail</i>";
      r.message = "0x80094812 <CERTSRV_E_SUBJECT_EMAIL_REQUIRED>";
    }
    return r;
  };
  return load::run_load(plan, attempt, clock);
}

}  // namespace ceslab::report::testing
