// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/world.hpp"

#include <gtest/gtest.h>

namespace ceslab::mock {
namespace {

std::string error_of(std::string_view yaml) {
  try {
    parse_world(yaml, "w.yaml");
  } catch (const WorldError& e) {
    return e.what();
  }
  return "";
}

TEST(World, DefaultLabHasAliceAndTheDocumentedTemplates) {
  const World w = default_world();
  const Account* alice = w.find_account("alice");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->password, "alice-password");
  EXPECT_EQ(alice->email, "alice@lab.test");
  EXPECT_EQ(alice->groups, std::vector<std::string>{"Domain Users"});
  const TemplateSettings* user = w.find_template("User");
  ASSERT_NE(user, nullptr);
  // The stock User template's msPKI-Certificate-Name-Flag (protocol.md 2.6).
  EXPECT_EQ(user->subject_name_flags(), 0xA6000000u);
  EXPECT_FALSE(user->enrollee_supplies_subject());
  const TemplateSettings* web = w.find_template("WebServer");
  ASSERT_NE(web, nullptr);
  EXPECT_TRUE(web->enrollee_supplies_subject());
  const TemplateSettings* approval = w.find_template("ManualApproval");
  ASSERT_NE(approval, nullptr);
  EXPECT_TRUE(approval->manager_approval);
  EXPECT_TRUE(w.is_published(*approval));
  EXPECT_EQ(w.find_template(user->oid), user);
}

TEST(World, FindsAccountsByEveryLogonForm) {
  const World w = default_world();
  EXPECT_NE(w.find_account("ALICE"), nullptr);
  EXPECT_NE(w.find_account("LAB\\alice"), nullptr);
  EXPECT_NE(w.find_account("alice@lab.test"), nullptr);
  EXPECT_EQ(w.find_account("OTHER\\alice"), nullptr);
  EXPECT_EQ(w.find_account("bob"), nullptr);
}

TEST(World, AccountStatesAreRead) {
  const World w = parse_world(
      "accounts:\n  - name: bob\n    not_delegable: true\n    disabled: true\n"
      "    password_expired: true\n  - name: carol\n",
      "w.yaml");
  const Account* bob = w.find_account("bob");
  ASSERT_NE(bob, nullptr);
  EXPECT_TRUE(bob->not_delegable);
  EXPECT_TRUE(bob->disabled);
  EXPECT_TRUE(bob->password_expired);
  const Account* carol = w.find_account("carol");
  ASSERT_NE(carol, nullptr);
  EXPECT_FALSE(carol->not_delegable || carol->disabled || carol->password_expired);
  EXPECT_NE(error_of("accounts:\n  - name: bob\n    password_expired: soon\n").find("w.yaml:3"),
            std::string::npos);
}

TEST(World, UnknownKeyIsNamedWithFileAndLine) {
  const std::string e = error_of("accounts:\n  - name: bob\n    emial: bob@lab.test\n");
  EXPECT_NE(e.find("w.yaml:3"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key 'emial'"), std::string::npos) << e;
}

TEST(World, WrongTypesAreRefused) {
  EXPECT_NE(error_of("accounts: alice\n").find("'accounts' must be a list"), std::string::npos);
  EXPECT_NE(error_of("templates:\n  - name: T\n    oid: 1.2\n    validity_days: soon\n")
                .find("w.yaml:4: 'validity_days' must be a whole number"),
            std::string::npos);
  EXPECT_NE(
      error_of("templates:\n  - name: T\n    oid: 1.2\n    name_flags: [SUBJECT_REQUIRE_MAIL]\n")
          .find("w.yaml:4: unknown msPKI-Certificate-Name-Flag name 'SUBJECT_REQUIRE_MAIL'"),
      std::string::npos);
  EXPECT_NE(error_of("ca:\n  name: CA\n  state: sleeping\n").find("'state' must be one of online"),
            std::string::npos);
  EXPECT_NE(error_of("ca:\n  name: CA\n  acl:\n    - {principal: X, allow: [enrol]}\n")
                .find("unknown right 'enrol' on the CA"),
            std::string::npos);
  EXPECT_NE(
      error_of("ca:\n  name: CA\n  edit_flags: [EDITF_RENEW]\n").find("unknown EditFlags name"),
      std::string::npos);
  EXPECT_NE(error_of("ces:\n  delegation: full\n").find("'delegation' must be one of none"),
            std::string::npos);
  EXPECT_NE(error_of("templates:\n  - name: T\n").find("template needs 'oid'"), std::string::npos);
}

TEST(World, DanglingTemplateReferencesAreRefused) {
  EXPECT_NE(error_of("ca:\n  name: CA\n  published_templates: [Nope]\n")
                .find("published template 'Nope' is not defined"),
            std::string::npos);
}

TEST(World, CaPolicySettingsAreRead) {
  const World w = parse_world(R"(
ca:
  name: CA
  enrollment_agent_restrictions:
    - { agent: helpdesk, templates: [T], allow: [Domain Users], deny: [Domain Admins] }
    - { agent: alice }
  key_archival:
    agents_to_use: 2
    recovery_agents: [{ status: valid }, { status: expired }, { status: valid }]
  enforce_x500_name_lengths: false
  signing_key: unavailable
templates:
  - { name: T, oid: 1.2, major_version: 100, minor_version: 4,
      ca_loaded_version: { major: 100, minor: 3 } }
)",
                              "w.yaml");
  ASSERT_TRUE(w.ca.enrollment_agent_restrictions);
  const auto& rules = *w.ca.enrollment_agent_restrictions;
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[0].agent, "helpdesk");
  EXPECT_EQ(rules[0].templates, std::vector<std::string>{"T"});
  EXPECT_EQ(rules[0].deny, std::vector<std::string>{"Domain Admins"});
  // An agent added in the dialog starts with "Everyone: Allow" for all templates.
  EXPECT_TRUE(rules[1].templates.empty());
  EXPECT_EQ(rules[1].allow, std::vector<std::string>{"Everyone"});
  ASSERT_TRUE(w.ca.key_archival);
  EXPECT_EQ(w.ca.key_archival->agents_to_use, 2u);
  EXPECT_EQ(w.ca.key_archival->valid_agents(), 2u);
  EXPECT_FALSE(w.ca.enforce_x500_name_lengths);
  EXPECT_FALSE(w.ca.signing_key_available);
  const TemplateSettings* t = w.find_template("T");
  ASSERT_NE(t, nullptr);
  ASSERT_TRUE(t->ca_loaded_version);
  EXPECT_EQ(t->ca_loaded_version->major, 100u);
  EXPECT_EQ(t->ca_loaded_version->minor, 3u);
}

TEST(World, CaPolicyDefaultsAreAHealthyCa) {
  const World w = default_world();
  EXPECT_FALSE(w.ca.enrollment_agent_restrictions);
  EXPECT_FALSE(w.ca.key_archival);
  EXPECT_TRUE(w.ca.enforce_x500_name_lengths);
  EXPECT_TRUE(w.ca.signing_key_available);
  EXPECT_FALSE(w.find_template("User")->ca_loaded_version);
}

TEST(World, BadCaPolicySettingsAreRefusedWithTheirLine) {
  EXPECT_NE(error_of("ca:\n  name: CA\n  enrollment_agent_restrictions:\n    - { agent: a, "
                     "templats: [T] }\n")
                .find("w.yaml:4: unknown key 'templats' in enrollment agent rule"),
            std::string::npos);
  EXPECT_NE(error_of("ca:\n  name: CA\n  enrollment_agent_restrictions:\n    - { allow: [X] }\n")
                .find("w.yaml:4: enrollment agent rule needs 'agent'"),
            std::string::npos);
  EXPECT_NE(error_of("ca:\n  name: CA\n  enrollment_agent_restrictions: alice\n")
                .find("w.yaml:3: 'enrollment_agent_restrictions' in ca must be a list"),
            std::string::npos);
  EXPECT_NE(error_of("ca:\n  name: CA\n  enrollment_agent_restrictions:\n    - { agent: a, "
                     "templates: [Nope] }\n")
                .find("w.yaml:4: enrollment agent template 'Nope' is not defined"),
            std::string::npos);
  EXPECT_NE(error_of("ca:\n  name: CA\n  key_archival:\n    recovery_agents: [{ status: "
                     "stale }]\n")
                .find("w.yaml:4: 'status' must be one of valid, expired, revoked"),
            std::string::npos);
  EXPECT_NE(error_of("ca:\n  name: CA\n  key_archival:\n    agents_to_use: 1\n")
                .find("w.yaml:4: 'recovery_agents' in ca key_archival must be a non-empty list"),
            std::string::npos);
  EXPECT_NE(error_of("ca:\n  name: CA\n  key_archival:\n    agents_to_use: 3\n"
                     "    recovery_agents: [{ status: valid }]\n")
                .find("w.yaml:4: 'agents_to_use' (3) exceeds the 1 listed recovery agents"),
            std::string::npos);
  EXPECT_NE(error_of("ca:\n  name: CA\n  key_archival:\n    agents_to_use: 0\n"
                     "    recovery_agents: [{ status: valid }]\n")
                .find("w.yaml:4: 'agents_to_use' must be at least 1"),
            std::string::npos);
  EXPECT_NE(error_of("ca:\n  name: CA\n  signing_key: lost\n")
                .find("w.yaml:3: 'signing_key' must be one of available, unavailable, not 'lost'"),
            std::string::npos);
  EXPECT_NE(error_of("ca:\n  name: CA\n  enforce_x500_name_lengths: sometimes\n")
                .find("w.yaml:3: 'enforce_x500_name_lengths' must be true or false"),
            std::string::npos);
  EXPECT_NE(error_of("templates:\n  - name: T\n    oid: 1.2\n    ca_loaded_version: { minor: 1 }\n")
                .find("w.yaml:4: template ca_loaded_version needs 'major'"),
            std::string::npos);
  EXPECT_NE(error_of("templates:\n  - name: T\n    oid: 1.2\n    ca_loaded_version: { major: "
                     "new }\n")
                .find("w.yaml:4: 'major' must be a whole number"),
            std::string::npos);
  EXPECT_NE(error_of("templates:\n  - name: T\n    oid: 1.2\n    ca_loaded_version: { major: 1, "
                     "patch: 2 }\n")
                .find("w.yaml:4: unknown key 'patch' in template ca_loaded_version"),
            std::string::npos);
}

TEST(World, ImplicitGroupsComeWithEveryAccount) {
  const World w = default_world();
  const auto groups = w.memberships(*w.find_account("alice"));
  for (const char* g : {"Everyone", "Authenticated Users", "Domain Users", "alice"}) {
    EXPECT_TRUE(groups.count(g)) << g;
  }
}

TEST(World, DefaultLabHostSettings) {
  const World w = default_world();
  EXPECT_EQ(w.ces.delegation, Delegation::constrained_protocol_transition);
  EXPECT_TRUE(w.ces.app_pool_privileges.count("SeImpersonatePrivilege"));
  EXPECT_FALSE(w.client.credential_guard);
  EXPECT_EQ(w.ca.config(), "ca.lab.test\\Lab Issuing CA");
  EXPECT_TRUE(w.ca.edit_flags.count("EDITF_ENABLEDEFAULTSMIME"));
  EXPECT_FALSE(w.ca.edit_flags.count("EDITF_ENABLERENEWONBEHALFOF"));
}

TEST(World, DuplicatesAreRefused) {
  EXPECT_NE(error_of("accounts:\n  - {name: a}\n  - {name: a}\n").find("listed twice"),
            std::string::npos);
}

TEST(World, BadYamlSaysWhere) {
  const std::string e = error_of("accounts: [\n");
  EXPECT_EQ(e.rfind("w.yaml:", 0), 0u) << e;
}

TEST(World, ScenarioFileContributesItsWorld) {
  const World w = parse_world("name: s\nworld:\n  accounts:\n    - {name: bob, password: pw}\n",
                              "scenario.yaml");
  ASSERT_NE(w.find_account("bob"), nullptr);
  EXPECT_EQ(w.find_account("bob")->email, std::nullopt);
}

TEST(World, MissingFileIsNamed) {
  try {
    load_world("/nonexistent/world.yaml");
    FAIL() << "no error";
  } catch (const WorldError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/world.yaml"), std::string::npos);
  }
}

}  // namespace
}  // namespace ceslab::mock
