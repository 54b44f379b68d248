// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/world.hpp"
#include "error_message.hpp"

#include <gtest/gtest.h>

namespace ceslab::mock {
namespace {

std::string error_of(std::string_view yaml) {
  return test_support::error_message<WorldError>([&] { parse_world(yaml, "w.yaml"); });
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
  // The stock User template's msPKI-Certificate-Name-Flag (docs/protocol.md 2.6).
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

// A top-level key that is itself a mapping ("? dns: lab.test", YAML's
// complex key) is an unknown key named with its place, not a yaml-cpp
// conversion exception (found by the world_yaml fuzz target, issue 17).
TEST(World, MappingAsATopLevelKeyIsNamedWithFileAndLine) {
  const std::string e = error_of("domain:\n  netbios: LAB\n? dns: lab.test\n");
  EXPECT_NE(e.find("w.yaml:3"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key"), std::string::npos) << e;
}

// The site's https binding (docs/world.md, ces.tls_certificate).
TEST(World, TlsCertificateOfTheSiteIsRead) {
  EXPECT_EQ(default_world().ces.tls_certificate, TlsCertificate::valid);
  EXPECT_EQ(parse_world("ces:\n  tls_certificate: expired\n", "w.yaml").ces.tls_certificate,
            TlsCertificate::expired);
  EXPECT_EQ(parse_world("ces:\n  tls_certificate: wrong_name\n", "w.yaml").ces.tls_certificate,
            TlsCertificate::wrong_name);
  const std::string e = error_of("ces:\n  tls_certificate: revoked\n");
  EXPECT_NE(e.find("w.yaml:2"), std::string::npos) << e;
  EXPECT_NE(e.find("'tls_certificate' must be one of valid"), std::string::npos) << e;
}

// The binding quotas (docs/world.md, ces.quotas): WCF's defaults when left
// out, each key alone, and a quota below 1 refused at its line.
TEST(World, WcfQuotasAreRead) {
  EXPECT_EQ(default_world().ces.quotas.max_received_message_size, 65536u);
  EXPECT_EQ(default_world().ces.quotas.max_depth, 32u);
  const World w = parse_world("ces:\n  quotas: { max_received_message_size: 200000 }\n", "w.yaml");
  EXPECT_EQ(w.ces.quotas.max_received_message_size, 200000u);
  EXPECT_EQ(w.ces.quotas.max_depth, 32u);
  EXPECT_EQ(parse_world("ces:\n  quotas:\n    max_depth: 64\n", "w.yaml").ces.quotas.max_depth,
            64u);
  const std::string e = error_of("ces:\n  quotas:\n    max_depth: 0\n");
  EXPECT_NE(e.find("w.yaml:3"), std::string::npos) << e;
  EXPECT_NE(e.find("'max_depth' must be at least 1"), std::string::npos) << e;
  EXPECT_NE(error_of("ces:\n  quotas: { max_string_content_length: 8192 }\n")
                .find("unknown key 'max_string_content_length'"),
            std::string::npos);
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
accounts:
  - { name: alice }
  - { name: pat, groups: [helpdesk] }
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
  EXPECT_EQ(w.ca.config(), "ca.lab.test\\Lab Issuing CA");
  EXPECT_TRUE(w.ca.edit_flags.count("EDITF_ENABLEDEFAULTSMIME"));
  EXPECT_FALSE(w.ca.edit_flags.count("EDITF_ENABLERENEWONBEHALFOF"));
}

// ---- defaults: what a fresh Windows install has ---------------------------

TEST(WorldDefaults, OmittedCaAclAndEditFlagsAreAFreshEnterpriseCa) {
  const World w = parse_world("ca:\n  name: CA\n", "w.yaml");
  EXPECT_EQ(w.ca.edit_flags, fresh_enterprise_ca_edit_flags());
  // 0x0011014E: the seven flags, none of those that change behaviour.
  EXPECT_EQ(w.ca.edit_flags.size(), 7u);
  EXPECT_TRUE(w.ca.edit_flags.count("EDITF_ENABLECHASECLIENTDC"));
  EXPECT_FALSE(w.ca.edit_flags.count("EDITF_ENABLERENEWONBEHALFOF"));
  EXPECT_FALSE(w.ca.edit_flags.count("EDITF_ATTRIBUTESUBJECTALTNAME2"));
  ASSERT_FALSE(w.ca.acl.empty());
  const AccessEntry& users = w.ca.acl.front();
  EXPECT_EQ(users.principal, "Authenticated Users");
  EXPECT_TRUE(users.allow.count("request"));
  EXPECT_FALSE(users.allow.count("manage_ca"));
  // A world without a `ca:` section at all has the same CA.
  EXPECT_EQ(parse_world("", "w.yaml").ca.edit_flags, w.ca.edit_flags);
  EXPECT_EQ(parse_world("", "w.yaml").ca.acl.size(), w.ca.acl.size());
}

TEST(WorldDefaults, ExplicitlyEmptyListsStayEmpty) {
  const World w = parse_world(
      "ca:\n  name: CA\n  acl: []\n  edit_flags: []\ntemplates:\n  - { name: T, oid: 1.2, acl: [] "
      "}\n",
      "w.yaml");
  EXPECT_TRUE(w.ca.acl.empty());
  EXPECT_TRUE(w.ca.edit_flags.empty());
  EXPECT_TRUE(w.find_template("T")->acl.empty());
}

TEST(WorldDefaults, OmittedTemplateAclIsAFreshDuplicatedTemplate) {
  const World w = parse_world("templates:\n  - { name: T, oid: 1.2 }\n", "w.yaml");
  const std::vector<AccessEntry>& acl = w.find_template("T")->acl;
  ASSERT_EQ(acl.size(), 3u);
  EXPECT_EQ(acl[0].principal, "Authenticated Users");
  EXPECT_EQ(acl[0].allow, std::set<std::string>{"read"});  // read, not enroll
  EXPECT_EQ(acl[1].principal, "Domain Admins");
  EXPECT_TRUE(acl[1].allow.count("enroll"));
  EXPECT_EQ(acl[2].principal, "Enterprise Admins");
  EXPECT_TRUE(acl[2].allow.count("enroll"));
}

// ---- names are validated against the world -------------------------------

TEST(WorldNames, MisspelledPrivilegeIsRefusedWithTheChoices) {
  const std::string e = error_of(
      "ces:\n  app_pool:\n    identity: LAB\\svc-ces\n    privileges:\n"
      "      - SeChangeNotifyPrivilege\n      - SeImpersonatePrivlege\n");
  EXPECT_EQ(e.rfind("w.yaml:6: unknown privilege 'SeImpersonatePrivlege' in ces app_pool", 0), 0u)
      << e;
  EXPECT_NE(e.find("SeImpersonatePrivilege"), std::string::npos) << e;
  EXPECT_NE(e.find("SeTcbPrivilege"), std::string::npos) << e;
  const World w = parse_world(
      "ces:\n  app_pool:\n    privileges: [SeChangeNotifyPrivilege, SeImpersonatePrivilege]\n",
      "w.yaml");
  EXPECT_EQ(w.ces.app_pool_privileges,
            (std::set<std::string>{"SeChangeNotifyPrivilege", "SeImpersonatePrivilege"}));
  EXPECT_TRUE(parse_world("ces:\n  app_pool:\n    privileges: []\n", "w.yaml")
                  .ces.app_pool_privileges.empty());
}

TEST(WorldNames, PrincipalsAreResolvedInEveryFormWindowsAccepts) {
  const World w = parse_world(R"(
domain: { netbios: CORP, dns: corp.example }
accounts:
  - { name: pat, upn: patricia@corp.example, groups: ['CORP\helpdesk'] }
  - { name: kim }
ca:
  name: CA
  acl:
    - { principal: 'CORP\pat', allow: [read] }
    - { principal: kim@corp.example, allow: [read] }
    - { principal: patricia@corp.example, allow: [read] }
    - { principal: 'NT AUTHORITY\Authenticated Users', allow: [request] }
    - { principal: 'BUILTIN\Administrators', allow: [manage_ca] }
    - { principal: 'corp\HELPDESK', allow: [manage_certificates] }
    - { principal: 'CORP\svc-ces', allow: [read] }
  enrollment_agent_restrictions:
    - { agent: 'CORP\helpdesk', allow: ['CORP\Domain Users'], deny: [kim@corp.example] }
ces:
  app_pool: { identity: 'CORP\svc-ces' }
)",
                              "w.yaml");
  std::vector<std::string> names;
  for (const AccessEntry& e : w.ca.acl) names.push_back(e.principal);
  EXPECT_EQ(names, (std::vector<std::string>{"pat", "kim", "pat", "Authenticated Users",
                                             "Administrators", "helpdesk", "svc-ces"}));
  EXPECT_EQ(w.find_account("pat")->groups, std::vector<std::string>{"helpdesk"});
  const EnrollmentAgentRule& rule = w.ca.enrollment_agent_restrictions->front();
  EXPECT_EQ(rule.agent, "helpdesk");
  EXPECT_EQ(rule.allow, std::vector<std::string>{"Domain Users"});
  EXPECT_EQ(rule.deny, std::vector<std::string>{"kim"});
  EXPECT_TRUE(w.memberships(*w.find_account("pat")).count("helpdesk"));
}

TEST(WorldNames, UnknownPrincipalsAreRefusedAtTheirLineWithTheChoices) {
  const std::string base = "accounts:\n  - { name: pat, groups: [helpdesk] }\nca:\n  name: CA\n";
  // An unknown name in a deny entry is no longer ignored.
  std::string e = error_of(base +
                           "  acl:\n    - { principal: Authenticated Users, allow: [read] }\n"
                           "    - { principal: patt, deny: [request] }\n");
  EXPECT_EQ(e.rfind("w.yaml:7: unknown principal 'patt' in the CA acl", 0), 0u) << e;
  for (const char* known : {"pat", "helpdesk", "svc-ces", "Domain Users", "Everyone"}) {
    EXPECT_NE(e.find(known), std::string::npos) << known << " missing from: " << e;
  }
  // Another domain's account, by NetBIOS name or UPN suffix.
  e = error_of(base + "  acl: [{ principal: 'CORP\\pat', allow: [read] }]\n");
  EXPECT_EQ(e.rfind("w.yaml:5: unknown principal 'CORP\\pat' in the CA acl: 'CORP' is not the "
                    "world's domain",
                    0),
            0u)
      << e;
  e = error_of(base + "  acl: [{ principal: pat@corp.example, allow: [read] }]\n");
  EXPECT_NE(e.find("'corp.example' is not the world's domain (domain.dns lab.test)"),
            std::string::npos)
      << e;
  e = error_of(base +
               "templates:\n  - name: T\n    oid: 1.2\n    acl:\n"
               "      - { principal: Domain Usres, allow: [enroll] }\n");
  EXPECT_EQ(e.rfind("w.yaml:9: unknown principal 'Domain Usres' in the acl of template 'T'", 0), 0u)
      << e;
  e = error_of(base +
               "  enrollment_agent_restrictions:\n    - agent: pat\n"
               "      deny: [Domain Users, nobody]\n");
  EXPECT_EQ(e.rfind("w.yaml:7: unknown principal 'nobody' in an enrollment agent rule", 0), 0u)
      << e;
  e = error_of(base + "  enrollment_agent_restrictions:\n    - { agent: helpdsk }\n");
  EXPECT_EQ(e.rfind("w.yaml:6: unknown principal 'helpdsk' in an enrollment agent rule", 0), 0u)
      << e;
  // A group of another domain in an account's groups.
  e = error_of("accounts:\n  - { name: pat, groups: ['CORP\\helpdesk'] }\n");
  EXPECT_EQ(e.rfind("w.yaml:2: group 'CORP\\helpdesk': 'CORP' is not the world's domain", 0), 0u)
      << e;
}

// ---- client settings are not the world's ----------------------------------

TEST(World, ClientSettingsAreRefusedAndSaidWhereTheyGo) {
  const std::string e = error_of("ca:\n  name: CA\nclient:\n  clock_skew_minutes: 10\n");
  EXPECT_EQ(e.rfind("w.yaml:3: 'client' is not a world setting", 0), 0u) << e;
  EXPECT_NE(e.find("ceslab enroll --credential-guard"), std::string::npos) << e;
  EXPECT_NE(e.find("--clock-skew MINUTES"), std::string::npos) << e;
  EXPECT_NE(e.find("scenario's `client:` section"), std::string::npos) << e;
  // A scenario's own client: section, beside its world:, is not the world's.
  EXPECT_NO_THROW(parse_world("world:\n  ca: { name: CA }\nclient:\n  credential_guard: true\n",
                              "scenario.yaml"));
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
