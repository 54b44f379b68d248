// SPDX-License-Identifier: GPL-2.0-or-later
// docs/mock-coverage.md is generated from the bundled scenarios
// (runner::coverage_markdown) and must be current; every catalog cause has a
// scenario that derives it from a world, or a reason in
// scenarios/not-reproduced.yaml. The generator itself on small scenarios.
//
// Regenerate the document:
//   CESLAB_UPDATE_DOCS=1 build/release/tests/ceslab_runner_tests --gtest_filter='Coverage.*'
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/runner/coverage.hpp"
#include "ceslab/runner/scenario.hpp"
#include "ceslab/runner/suite.hpp"
#include "generated_doc.hpp"
#include "mock_ces/lab_fixture.hpp"

namespace ceslab::runner {
namespace {

namespace fs = std::filesystem;

const fs::path kDocument =
    fs::path(CESLAB_FIXTURES_DIR) / ".." / ".." / "docs" / "mock-coverage.md";

std::vector<std::string> ids_of(const std::vector<Scenario>& scenarios) {
  std::vector<std::string> ids;
  for (const auto& s : scenarios) ids.push_back(s.id);
  return ids;
}

struct Bundled {
  std::vector<Scenario> scenarios;
  std::vector<NotReproduced> not_reproduced;
  KnownGaps known_gaps;
};

Bundled bundled() {
  const diagnosis::Catalog& catalog = diagnosis::Catalog::builtin();
  const fs::path dir = bundled_scenarios_dir();
  Bundled b;
  LoadedScenarios loaded = load_scenarios(scenario_files(dir), catalog);
  for (const auto& e : loaded.errors) ADD_FAILURE() << e;
  b.scenarios = std::move(loaded.scenarios);
  b.not_reproduced = load_not_reproduced(dir / "not-reproduced.yaml", catalog);
  b.known_gaps = load_known_gaps(dir / "known-gaps.yaml", ids_of(b.scenarios));
  return b;
}

TEST(Coverage, DocumentIsCurrent) {
  const Bundled b = bundled();
  ASSERT_FALSE(b.scenarios.empty()) << "no bundled scenarios under " << bundled_scenarios_dir();
  const std::string generated =
      coverage_markdown(b.scenarios, diagnosis::Catalog::builtin(), b.not_reproduced, b.known_gaps);
  test_support::expect_document_current(
      kDocument, generated, "what the scenarios give",
      "build/release/tests/ceslab_runner_tests --gtest_filter='Coverage.*'");
}

TEST(Coverage, EveryCauseHasAWorldOrAReason) {
  const Bundled b = bundled();
  for (const auto& problem :
       coverage_problems(b.scenarios, diagnosis::Catalog::builtin(), b.not_reproduced)) {
    ADD_FAILURE() << problem;
  }
}

// ---- the generator on scenarios of its own ---------------------------------

Scenario scenario(const std::string& id, const std::string& yaml) {
  return parse_scenario(yaml, fs::path("/lab") / (id + ".yaml"), diagnosis::Catalog::builtin());
}

const char* const kEmailRequired = R"(name: email
summary: alice has no e-mail address.
cause: ca_subject_email_required
source: [MS-CRTD 2.28]
world:
  ca: { state: online, acl: [{ principal: Authenticated Users, allow: [read, request] }] }
  accounts:
    - { name: alice, email: null }
client: { auth: username, key: rsa3072 }
steps:
  - enroll: { template: User }
expect:
  outcome: failed
  diagnosis:
    client_only: ca_subject_email_required
    with_server_events: { verdict: ca_subject_email_required, not: [ca_subject_upn_required] }
)";

TEST(Coverage, WorldSettingsAreTheOverlayByPath) {
  const Scenario s = scenario("causes/email", kEmailRequired);
  EXPECT_EQ(
      s.world_settings,
      (std::vector<std::string>{
          "ca.state: online", "ca.acl: [{principal: Authenticated Users, allow: [read, request]}]",
          "accounts[alice].email: null"}));
  const Scenario plain = scenario("baseline/plain", R"(name: plain
summary: s
source: [x]
steps:
  - enroll: { template: User }
expect:
  diagnosis: { client_only: unknown, with_server_events: unknown }
)");
  EXPECT_TRUE(plain.world_settings.empty());
}

TEST(Coverage, ARowPerScenarioUnderItsCause) {
  const std::vector<Scenario> scenarios = {scenario("causes/email", kEmailRequired)};
  const std::string md =
      coverage_markdown(scenarios, diagnosis::Catalog::builtin(),
                        {{"tls_name_mismatch", "no world names the TLS certificate"}},
                        {{"causes/email", "a reason"}});
  EXPECT_NE(md.find("| `ca_subject_email_required` | `causes/email` (known gap) | "
                    "`ca.state: online`<br>`ca.acl: [{principal: Authenticated Users, allow: "
                    "[read, request]}]`<br>`accounts[alice].email: null` | `auth: username`<br>"
                    "`key: rsa3072` | `enroll User` | `ca_subject_email_required` | "
                    "`ca_subject_email_required` (not: `ca_subject_upn_required`) |\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- `tls_name_mismatch`: no world names the TLS certificate\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("- `causes/email`: a reason\n"), std::string::npos) << md;
  EXPECT_NE(md.find("CESLAB_UPDATE_DOCS=1"), std::string::npos);
}

TEST(Coverage, ACauseWithoutAWorldNeedsAReasonAndOneWithAWorldNone) {
  const diagnosis::Catalog& catalog = diagnosis::Catalog::builtin();
  const std::vector<Scenario> scenarios = {scenario("causes/email", kEmailRequired)};
  const auto problems = coverage_problems(scenarios, catalog, {});
  // Every cause but the one the scenario reproduces lacks a reason.
  EXPECT_EQ(problems.size(), catalog.causes().size() - 1);
  for (const auto& p : problems) EXPECT_EQ(p.find("ca_subject_email_required"), std::string::npos);

  std::vector<NotReproduced> all;
  for (const auto& c : catalog.causes()) all.push_back({c.id, "why"});
  const auto both = coverage_problems(scenarios, catalog, all);
  ASSERT_EQ(both.size(), 1u);
  EXPECT_EQ(both[0].rfind("ca_subject_email_required: a scenario derives it", 0), 0u) << both[0];

  // A recorded scenario replays a cause; it does not derive it from a world.
  Scenario recorded = scenarios[0];
  recorded.recorded = true;
  EXPECT_EQ(coverage_problems({recorded}, catalog, all).size(), 0u);
}

TEST(Coverage, NotReproducedListIsChecked) {
  const fs::path file = fs::temp_directory_path() / "ceslab-not-reproduced-test.yaml";
  {
    std::ofstream out(file);
    out << "- cause: tls_name_mismatch\n  reason: why\n- cause: no_such_cause\n  reason: why\n";
  }
  try {
    load_not_reproduced(file, diagnosis::Catalog::builtin());
    ADD_FAILURE() << "an unknown cause was accepted";
  } catch (const ScenarioError& e) {
    EXPECT_NE(std::string(e.what()).find(":3: 'no_such_cause' is no cause"), std::string::npos)
        << e.what();
  }
  {
    std::ofstream out(file);
    out << "- cause: tls_name_mismatch\n";
  }
  EXPECT_THROW(load_not_reproduced(file, diagnosis::Catalog::builtin()), ScenarioError);
  fs::remove(file);
}

}  // namespace
}  // namespace ceslab::runner
