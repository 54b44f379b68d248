// SPDX-License-Identifier: GPL-2.0-or-later
// Scenario files as a user writes them: what loads, what the world overlay
// makes of the default lab, and the file:line error for each kind of
// mistake (docs/scenarios.md).
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/runner/scenario.hpp"
#include "error_message.hpp"
#include "runner/no_email_case.hpp"

namespace ceslab::runner {
namespace {

const std::filesystem::path kFile = "/lab/causes/example.yaml";

Scenario parse(const std::string& yaml) {
  return parse_scenario(yaml, kFile, diagnosis::Catalog::builtin());
}

// The message of the ScenarioError `yaml` raises ("" when it loads).
std::string error_of(const std::string& yaml) {
  return test_support::error_message<ScenarioError>([&] { parse(yaml); });
}

const std::string kMinimal =
    test_support::no_email_scenario(R"(name: example
summary: alice has no e-mail.
source: MS-CRTD 2.28
)",
                                    R"(  fault: { error_code: CERTSRV_E_SUBJECT_EMAIL_REQUIRED }
  diagnosis:
    client_only: ca_subject_email_required
    with_server_events: { verdict: ca_subject_email_required, not: [ca_subject_upn_required] }
)");

TEST(ScenarioLoader, ReadsAMinimalScenarioOverTheDefaultLab) {
  const Scenario s = parse(kMinimal);
  EXPECT_EQ(s.id, "causes/example");
  EXPECT_EQ(s.group, "causes");
  ASSERT_EQ(s.steps.size(), 1u);
  EXPECT_EQ(s.steps[0].kind, StepKind::enroll);
  EXPECT_EQ(s.steps[0].template_name, "User");
  EXPECT_EQ(s.client.auth, core::AuthMode::username);
  EXPECT_EQ(s.client.account, "alice");
  EXPECT_EQ(s.expect.outcome, "failed");
  EXPECT_EQ(s.client_only.verdict, "ca_subject_email_required");
  EXPECT_EQ(s.with_server_events.not_causes, std::vector<std::string>{"ca_subject_upn_required"});
  // The overlay took alice's e-mail and kept the rest of her and of the lab.
  const mock::Account* alice = s.world.find_account("alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_FALSE(alice->email);
  EXPECT_EQ(alice->upn, "alice@lab.test");
  EXPECT_EQ(alice->password, "alice-password");
  EXPECT_EQ(s.world.templates.size(), mock::default_world().templates.size());
  EXPECT_EQ(s.world.ca.acl.size(), mock::default_world().ca.acl.size());
}

TEST(ScenarioLoader, OverlayMergesNamedEntriesAndReplacesOtherLists) {
  const Scenario s = parse(R"(name: example
summary: s
source: x
world:
  templates:
    - { name: User, min_key_size: 4096 }
    - { name: Extra, oid: 1.2.3.4 }
  ca:
    published_templates: [User]
    state: offline
  accounts:
    - { name: bob, password: b }
client: { account: bob }
steps:
  - enroll: { template: Extra }
expect:
  diagnosis: { client_only: unknown, with_server_events: unknown }
)");
  const mock::TemplateSettings* user = s.world.find_template("User");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->min_key_size, 4096u);
  EXPECT_EQ(user->major_version, 3u);  // the rest of the default User template
  ASSERT_NE(s.world.find_template("Extra"), nullptr);
  ASSERT_NE(s.world.find_template("WebServer"), nullptr);
  EXPECT_EQ(s.world.ca.published_templates, std::vector<std::string>{"User"});
  EXPECT_EQ(s.world.ca.state, mock::CaState::offline);
  EXPECT_EQ(s.world.ca.name, "Lab Issuing CA");  // untouched keys keep the default
  EXPECT_NE(s.world.find_account("alice"), nullptr);
  EXPECT_NE(s.world.find_account("bob"), nullptr);
}

TEST(ScenarioLoader, ReadsStepsClientSettingsAndStepExpectations) {
  const Scenario s = parse(R"(name: example
summary: s
source: [a, b]
client: { auth: kerberos, credential_guard: true, clock_skew_minutes: -7, channel_binding: false,
          key: ecdsa-p256, pkcs10: true, trust: system, certificate: foreign }
steps:
  - enroll:
      template: ManualApproval
      via: policy
      expect: { outcome: pending, exit_code: 3, request_id: present, http_status: 200, fault: none }
  - approve:
  - retrieve: { auth: username }
  - renew: { auth: cert, certificate: issued, key: rsa3072 }
  - policy: { url: "{base}/x" }
expect:
  events: [{ log: Application, source: S, id: 53 }]
  templates: 0
  diagnosis: { client_only: unknown, with_server_events: { verdict: unknown, tied: [user_not_delegable, ces_not_trusted_for_delegation], candidates: [user_not_delegable] } }
)");
  EXPECT_EQ(s.sources, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.client.auth, core::AuthMode::kerberos);
  EXPECT_TRUE(s.client.credential_guard);
  EXPECT_EQ(s.client.clock_skew_minutes, -7);
  EXPECT_FALSE(s.client.channel_binding);
  EXPECT_TRUE(s.client.pkcs10);
  EXPECT_EQ(s.client.trust, Trust::system);
  EXPECT_EQ(s.client.certificate, ClientCertificate::foreign);
  ASSERT_EQ(s.steps.size(), 5u);
  EXPECT_TRUE(s.steps[0].via_policy);
  ASSERT_TRUE(s.steps[0].expect);
  EXPECT_EQ(s.steps[0].expect->exit_code, 3);
  EXPECT_EQ(s.steps[0].expect->request_id, true);
  EXPECT_TRUE(s.steps[0].expect->no_fault);
  EXPECT_EQ(s.steps[1].kind, StepKind::approve);
  EXPECT_EQ(s.steps[2].auth, core::AuthMode::username);
  EXPECT_EQ(s.steps[3].certificate, ClientCertificate::issued);
  EXPECT_EQ(s.steps[4].url, "{base}/x");
  ASSERT_TRUE(s.expect.events);
  EXPECT_EQ(s.expect.events->front().id, 53);
  EXPECT_EQ(s.expect.templates, 0u);
  ASSERT_TRUE(s.with_server_events.tied);
  EXPECT_EQ(s.with_server_events.tied->size(), 2u);
  EXPECT_TRUE(s.uses_kerberos());
}

struct BadCase {
  const char* name;
  std::string from;  // text of kMinimal to replace
  std::string to;
  std::string message;  // expected in the error
  int line;             // expected file line
};

// Names the case in test listings instead of dumping its bytes.
void PrintTo(const BadCase& c, std::ostream* out) {
  *out << c.name;
}

class ScenarioErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ScenarioErrors, NameTheFileTheLineAndTheProblem) {
  const BadCase& c = GetParam();
  std::string yaml = kMinimal;
  const auto at = yaml.find(c.from);
  ASSERT_NE(at, std::string::npos) << c.from;
  yaml.replace(at, c.from.size(), c.to);
  const std::string error = error_of(yaml);
  EXPECT_NE(error.find(kFile.string() + ":" + std::to_string(c.line) + ":"), std::string::npos)
      << error;
  EXPECT_NE(error.find(c.message), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(
    Scenario, ScenarioErrors,
    ::testing::Values(
        BadCase{"UnknownTopLevelKey", "summary:", "sumary:", "unknown key 'sumary' in scenario", 2},
        BadCase{"UnknownCause", "client_only: ca_subject_email_required",
                "client_only: ca_subject_email_requird",
                "'ca_subject_email_requird' is no cause of the catalog", 13},
        BadCase{"UnknownAccount", "steps:", "client: { account: carol }\nsteps:",
                "the world has no account 'carol' (accounts: alice)", 7},
        BadCase{"UnknownTemplate", "template: User", "template: Usr",
                "the world has no template 'Usr' (templates: User, WebServer, ManualApproval)", 8},
        BadCase{"ReplayNeedsRecorded", "world:\n",
                "world:\n  replay: [{ path: '*', response: r.http }]\n",
                "only a scenario marked 'recorded: true' may use it", 5},
        BadCase{"UnknownStep", "- enroll:", "- enrol:", "unknown step 'enrol'", 8},
        BadCase{"UnknownStepKey", "{ template: User }", "{ template: User, tmpl: x }",
                "unknown key 'tmpl' in enroll step", 8},
        BadCase{"UnknownWorldKey", "- { name: alice, email: null }",
                "- { name: alice, emial: null }", "unknown key 'emial' in account", 6},
        BadCase{"NameDiffersFromFile", "name: example", "name: other",
                "name 'other' differs from the file's name 'example'", 1},
        BadCase{"UnknownErrorCode", "CERTSRV_E_SUBJECT_EMAIL_REQUIRED }",
                "CERTSRV_E_NO_SUCH_THING }", "'CERTSRV_E_NO_SUCH_THING' is no code", 11},
        BadCase{"BadOutcome", "outcome: failed", "outcome: broken",
                "'outcome' must be one of issued, pending, failed, answered", 10},
        BadCase{"MissingServerEventsVerdict",
                "    with_server_events: { verdict: ca_subject_email_required, not: "
                "[ca_subject_upn_required] }\n",
                "", "expect diagnosis needs 'with_server_events'", 13},
        BadCase{"TiedWithANamedVerdict", "not: [ca_subject_upn_required]",
                "tied: [ca_subject_upn_required]", "'tied' goes with verdict unknown", 14},
        BadCase{"NoSource", "source: MS-CRTD 2.28\n", "", "scenario needs 'source'", 1}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ScenarioLoader, LoadsEveryFileAndKeepsEveryError) {
  const auto dir = std::filesystem::temp_directory_path() / "ceslab-loader-test" / "causes";
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / (name + ".yaml")) << text;
    return dir / (name + ".yaml");
  };
  std::string good = kMinimal;
  good.replace(0, std::string("name: example").size(), "name: good");
  std::string bad = kMinimal;
  bad.replace(0, std::string("name: example").size(), "name: bad");
  bad.replace(bad.find("template: User"), 14, "template: Nope");
  const auto loaded =
      load_scenarios({write("good", good), write("bad", bad)}, diagnosis::Catalog::builtin());
  ASSERT_EQ(loaded.scenarios.size(), 1u);
  EXPECT_EQ(loaded.scenarios[0].id, "causes/good");
  ASSERT_EQ(loaded.errors.size(), 1u);
  EXPECT_NE(loaded.errors[0].find("bad.yaml:8: the world has no template 'Nope'"),
            std::string::npos)
      << loaded.errors[0];
  std::filesystem::remove_all(dir.parent_path());
}

TEST(ScenarioLoader, PatternsNameAnIdAGroupOrAShellPattern) {
  const Scenario s = parse(kMinimal);
  EXPECT_TRUE(matches(s, "causes/example"));
  EXPECT_TRUE(matches(s, "causes"));
  EXPECT_TRUE(matches(s, "*/ex*"));
  EXPECT_FALSE(matches(s, "baseline"));
  EXPECT_FALSE(matches(s, "causes/exam"));
}

TEST(ScenarioLoader, EveryBundledScenarioLoads) {
  const auto dir = bundled_scenarios_dir();
  ASSERT_FALSE(dir.empty());
  const auto files = scenario_files(dir);
  const auto loaded = load_scenarios(files, diagnosis::Catalog::builtin());
  for (const auto& e : loaded.errors) ADD_FAILURE() << e;
  EXPECT_EQ(loaded.scenarios.size(), files.size());
  EXPECT_GE(files.size(), 40u);
}

}  // namespace
}  // namespace ceslab::runner
