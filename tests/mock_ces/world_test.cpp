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
  const CertificateTemplate* user = w.find_template("User");
  ASSERT_NE(user, nullptr);
  EXPECT_EQ(user->subject_source, SubjectSource::account);
  EXPECT_TRUE(user->require_email);
  const CertificateTemplate* web = w.find_template("WebServer");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(web->subject_source, SubjectSource::request);
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
  EXPECT_NE(error_of("templates:\n  - name: T\n    oid: 1.2\n    subject: {source: ad}\n")
                .find("subject source must be 'account' or 'request'"),
            std::string::npos);
  EXPECT_NE(error_of("templates:\n  - name: T\n").find("template needs 'oid'"), std::string::npos);
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
