// SPDX-License-Identifier: GPL-2.0-or-later
// Running scenarios for real (client <-> mock over loopback TLS, the engine
// asked twice): a scenario that holds passes, a deliberately broken one
// fails with a field-by-field diff and its artefacts kept, the known-gaps
// manifest turns failures into XFAIL and passes into XPASS, and a shard
// split is stable.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/runner/reports.hpp"
#include "ceslab/runner/scenario.hpp"
#include "ceslab/runner/suite.hpp"
#include "mock_ces/lab_fixture.hpp"
#include "runner/no_email_case.hpp"

namespace ceslab::runner {
namespace {

namespace fs = std::filesystem;

using mock::testing::read_file;
using mock::testing::TempDir;

Scenario scenario(const std::string& id, const std::string& yaml) {
  const fs::path file = fs::path("/lab") / (id + ".yaml");
  return parse_scenario(yaml, file, diagnosis::Catalog::builtin());
}

// alice has no e-mail; the User template needs one (MS-CRTD 2.28,
// CT_FLAG_SUBJECT_REQUIRE_EMAIL; scenarios/causes/ca_subject_email_required.yaml).
std::string email_scenario(const std::string& name, const std::string& error_code,
                           const std::string& verdict) {
  return test_support::no_email_scenario("name: " + name + R"(
summary: alice has no e-mail.
source: MS-CRTD 2.28
)",
                                         R"(  http_status: 500
  fault: { code: Receiver, error_code: )" + error_code +
                                             R"(, invalid_request: true }
  request_id: present
  events:
    - { log: Application, source: Microsoft-Windows-CertificationAuthority, id: 53 }
  exit_code: 1
  diagnosis:
    client_only: )" + verdict + R"(
    with_server_events: )" + verdict + "\n");
}

const FieldDiff* diff_of(const ScenarioResult& r, const std::string& field) {
  for (const auto& d : r.diffs) {
    if (d.field == field) return &d;
  }
  return nullptr;
}

TEST(Suite, AScenarioThatHoldsPassesWithBothVerdicts) {
  const Scenario s = scenario(
      "causes/email",
      email_scenario("email", "CERTSRV_E_SUBJECT_EMAIL_REQUIRED", "ca_subject_email_required"));
  const auto results = run_suite({s}, SuiteOptions{});
  ASSERT_EQ(results.size(), 1u);
  const ScenarioResult& r = results[0];
  EXPECT_EQ(r.result, Result::pass) << r.error << (r.diffs.empty() ? "" : r.diffs[0].field);
  EXPECT_EQ(r.verdict_client_only, "ca_subject_email_required");
  EXPECT_EQ(r.verdict_with_events, "ca_subject_email_required");
  EXPECT_EQ(r.expected, "ca_subject_email_required");
}

TEST(Suite, ABrokenScenarioFailsFieldByFieldAndKeepsItsArtefacts) {
  TempDir out;
  // Deliberately wrong: the CA says CERTSRV_E_SUBJECT_EMAIL_REQUIRED, not
  // TEMPLATE_DENIED, and the engine names the e-mail cause.
  const Scenario s = scenario("causes/broken", email_scenario("broken", "CERTSRV_E_TEMPLATE_DENIED",
                                                              "template_enroll_denied"));
  SuiteOptions options;
  options.out_dir = out.path();
  const auto results = run_suite({s}, options);
  ASSERT_EQ(results.size(), 1u);
  const ScenarioResult& r = results[0];
  EXPECT_EQ(r.result, Result::fail);
  EXPECT_TRUE(r.error.empty()) << r.error;
  const FieldDiff* code = diff_of(r, "fault.error_code");
  ASSERT_NE(code, nullptr);
  EXPECT_EQ(code->step, "step 1 (enroll)");
  EXPECT_NE(code->expected.find("CERTSRV_E_TEMPLATE_DENIED"), std::string::npos);
  EXPECT_NE(code->actual.find("CERTSRV_E_SUBJECT_EMAIL_REQUIRED"), std::string::npos);
  const FieldDiff* verdict = diff_of(r, "verdict");
  ASSERT_NE(verdict, nullptr);
  EXPECT_EQ(verdict->step, "diagnosis (client only)");
  EXPECT_EQ(verdict->expected, "template_enroll_denied");
  EXPECT_EQ(verdict->actual, "ca_subject_email_required");
  // Only the fields that diverged: the outcome, status, events held.
  EXPECT_EQ(diff_of(r, "outcome"), nullptr);
  EXPECT_EQ(diff_of(r, "events"), nullptr);
  EXPECT_EQ(diff_of(r, "exit_code"), nullptr);

  // What the failure report points at.
  EXPECT_EQ(r.artefacts, out.path() / "causes_broken");
  const std::string diff = read_file(r.artefacts / "diff.txt");
  EXPECT_NE(diff.find("fault.error_code"), std::string::npos) << diff;
  const auto evidence = nlohmann::json::parse(read_file(r.artefacts / "client.evidence.json"));
  EXPECT_EQ(evidence["fault"]["error_code_name"], "CERTSRV_E_SUBJECT_EMAIL_REQUIRED");
  EXPECT_TRUE(evidence["server_events"].empty());
  const auto with_events =
      nlohmann::json::parse(read_file(r.artefacts / "evidence-with-server-events.json"));
  ASSERT_EQ(with_events["server_events"].size(), 1u);
  EXPECT_EQ(with_events["server_events"][0]["id"], 53);
  EXPECT_NE(read_file(r.artefacts / "events.jsonl").find("\"id\":53"), std::string::npos);
  EXPECT_NE(read_file(r.artefacts / "diagnosis-with-server-events.txt").find("Verdict: "),
            std::string::npos);
  // The redacted exchange: the request went out with alice's password,
  // which the capture must not hold.
  bool request_seen = false;
  for (const auto& f : fs::directory_iterator(r.artefacts / "capture")) {
    const std::string text = read_file(f.path());
    EXPECT_EQ(text.find("alice-password"), std::string::npos) << f.path();
    request_seen |= f.path().filename().string().find("request") != std::string::npos;
  }
  EXPECT_TRUE(request_seen);

  std::ostringstream printed;
  print_failure(printed, r);
  EXPECT_NE(printed.str().find("step 1 (enroll): fault.error_code"), std::string::npos)
      << printed.str();
  EXPECT_NE(printed.str().find(r.artefacts.string()), std::string::npos) << printed.str();
}

TEST(Suite, AStepThatFailsWithoutAnExpectationEndsTheScenarioThere) {
  const Scenario s = scenario("causes/early", R"(name: early
summary: the first step is refused although it should issue
source: x
world:
  accounts:
    - { name: alice, email: null }
steps:
  - enroll: { template: User }
  - renew:
expect:
  outcome: issued
  diagnosis: { client_only: unknown, with_server_events: unknown }
)");
  const auto results = run_suite({s}, SuiteOptions{});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result, Result::fail);
  ASSERT_EQ(results[0].diffs.size(), 1u);
  EXPECT_EQ(results[0].diffs[0].step, "step 1 (enroll)");
  EXPECT_EQ(results[0].diffs[0].field, "outcome");
  EXPECT_NE(results[0].diffs[0].actual.find("CERTSRV_E_SUBJECT_EMAIL_REQUIRED"), std::string::npos);
  EXPECT_TRUE(results[0].verdict_client_only.empty());  // the engine was not asked
}

TEST(Suite, KnownGapsTurnAFailureIntoXfailAndAPassIntoXpass) {
  const Scenario broken =
      scenario("causes/broken",
               email_scenario("broken", "CERTSRV_E_TEMPLATE_DENIED", "template_enroll_denied"));
  const Scenario holds = scenario(
      "causes/holds",
      email_scenario("holds", "CERTSRV_E_SUBJECT_EMAIL_REQUIRED", "ca_subject_email_required"));
  SuiteOptions options;
  options.jobs = 2;
  options.known_gaps = {{"causes/broken", "not modelled yet"}, {"causes/holds", "fixed?"}};
  const auto results = run_suite({broken, holds}, options);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].result, Result::xfail);
  EXPECT_EQ(results[0].reason, "not modelled yet");
  EXPECT_EQ(results[1].result, Result::xpass);
  const Summary summary = summarize(results, std::chrono::milliseconds(1));
  EXPECT_EQ(summary.xfailed, 1u);
  EXPECT_EQ(summary.xpassed, 1u);
  EXPECT_FALSE(summary.ok());  // an XPASS fails the run
  EXPECT_EQ(summary_line(summary),
            "0 passed, 1 failed (1 expected failures) (1 unexpectedly passed)");
}

TEST(Suite, KerberosScenariosAreSkippedWithoutKerberos) {
  const Scenario s = scenario("baseline/krb", R"(name: krb
summary: s
source: x
client: { auth: kerberos }
steps:
  - enroll: { template: User }
expect:
  outcome: issued
  diagnosis: { client_only: unknown, with_server_events: unknown }
)");
  SuiteOptions options;
  options.kerberos = false;
  const auto results = run_suite({s}, options);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].result, Result::skip);
  EXPECT_FALSE(results[0].failed());
}

TEST(Suite, AStopRequestRunsNothingMore) {
  const Scenario s = scenario(
      "causes/email",
      email_scenario("email", "CERTSRV_E_SUBJECT_EMAIL_REQUIRED", "ca_subject_email_required"));
  std::stop_source stop;
  stop.request_stop();
  EXPECT_TRUE(run_suite({s, s}, SuiteOptions{}, {}, stop.get_token()).empty());
}

TEST(Shard, SplitsStablyAndCoversEveryScenarioOnce) {
  std::vector<Scenario> all;
  for (int i = 0; i < 10; ++i) {
    Scenario s;
    s.id = "g/s" + std::to_string(i);
    all.push_back(s);
  }
  std::vector<Scenario> reversed(all.rbegin(), all.rend());
  std::multiset<std::string> seen;
  for (unsigned i = 1; i <= 3; ++i) {
    const auto part = shard(all, i, 3);
    const auto again = shard(reversed, i, 3);  // input order does not matter
    ASSERT_EQ(part.size(), again.size());
    for (std::size_t k = 0; k < part.size(); ++k) EXPECT_EQ(part[k].id, again[k].id);
    for (const auto& s : part) seen.insert(s.id);
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 10u);
  EXPECT_THROW(shard(all, 0, 3), std::invalid_argument);
  EXPECT_THROW(shard(all, 4, 3), std::invalid_argument);
}

TEST(KnownGaps, TheManifestIsValidated) {
  TempDir dir;
  const fs::path file = dir.path() / "known-gaps.yaml";
  std::ofstream(file) << "- scenario: causes/a\n  reason: r\n- scenario: causes/zz\n  reason: r\n";
  try {
    load_known_gaps(file, {"causes/a"});
    FAIL() << "an unknown scenario id was accepted";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find("known-gaps.yaml:3: no bundled scenario is 'causes/zz'"),
              std::string::npos)
        << e.what();
  }
  std::ofstream(file) << "- scenario: causes/a\n  why: r\n";
  EXPECT_THROW(load_known_gaps(file, {"causes/a"}), ScenarioError);
  std::ofstream(file) << "- scenario: causes/a\n  reason: not yet\n";
  const KnownGaps gaps = load_known_gaps(file, {"causes/a"});
  EXPECT_EQ(gaps.at("causes/a"), "not yet");
}

TEST(KnownGaps, TheBundledManifestNamesBundledScenarios) {
  const fs::path dir = bundled_scenarios_dir();
  std::vector<std::string> ids;
  for (const auto& f : scenario_files(dir)) {
    ids.push_back(f.parent_path().filename().string() + "/" + f.stem().string());
  }
  EXPECT_NO_THROW(load_known_gaps(dir / "known-gaps.yaml", ids));
}

}  // namespace
}  // namespace ceslab::runner
