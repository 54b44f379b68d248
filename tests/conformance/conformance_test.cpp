// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab conformance` against the mock over real TLS on loopback: the
// faithful lab passes every case; a world with one planted wire deviation
// (world `wire_deviations`) fails exactly the cases that rule belongs to.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "ceslab/conformance/conformance.hpp"
#include "mock_ces/lab_fixture.hpp"

namespace ceslab::conformance {
namespace {

using core::AuthMode;
using core::Service;
using mock::MockServer;
using runner::Result;

struct CaseResults {
  std::vector<runner::ScenarioResult> results;

  std::set<std::string> with(Result r) const {
    std::set<std::string> out;
    for (const auto& c : results) {
      if (c.result == r) out.insert(c.id);
    }
    return out;
  }
  // Every failure with its diffs, for a readable assertion message.
  std::string failures() const {
    std::string out;
    for (const auto& c : results) {
      if (c.result != Result::fail) continue;
      out += c.id + ":";
      for (const auto& d : c.diffs) out += " [" + d.step + "] " + d.field + " = " + d.actual + ";";
      out += "\n";
    }
    return out;
  }
};

CaseResults check(const MockServer& server, Service service, bool credentials = true) {
  const client::UsernameAuthenticator alice(mock::testing::kAlice);
  ConformanceOptions options;
  options.url = server.endpoint_url(service, AuthMode::username);
  options.auth = credentials ? &alice : nullptr;
  options.tls = mock::testing::tls_for(server);
  options.issue_template = "User";
  options.pending_template = "ManualApproval";
  return {run_conformance(options)};
}

MockServer lab(const std::string& deviations = "") {
  mock::MockOptions options;
  if (!deviations.empty()) {
    options.world =
        mock::parse_world("world:\n  wire_deviations: [" + deviations + "]\n", "deviant.yaml");
  }
  return MockServer{std::move(options)};
}

std::set<std::string> ids_for(Service service) {
  std::set<std::string> out;
  for (const CaseInfo& c : all_cases()) {
    if (std::find(c.services.begin(), c.services.end(), service) != c.services.end()) {
      out.insert(c.id);
    }
  }
  return out;
}

TEST(Conformance, EveryCaseNamesItsSectionAndRule) {
  std::set<std::string> ids;
  for (const CaseInfo& c : all_cases()) {
    EXPECT_TRUE(ids.insert(c.id).second) << "twice: " << c.id;
    const bool names_a_spec = c.section.rfind("MS-", 0) == 0 || c.section.rfind("RFC ", 0) == 0 ||
                              c.section.rfind("SOAP ", 0) == 0 || c.section.rfind("WS-", 0) == 0;
    EXPECT_TRUE(names_a_spec) << c.id << ": " << c.section;
    EXPECT_FALSE(c.rule.empty()) << c.id;
    EXPECT_FALSE(c.services.empty()) << c.id;
  }
}

// docs/conformance.md lists every case with its section, as --list does.
TEST(Conformance, TheDocsListEveryCase) {
  const std::string doc = mock::testing::read_file(std::filesystem::path(CESLAB_FIXTURES_DIR) /
                                                   ".." / ".." / "docs" / "conformance.md");
  ASSERT_FALSE(doc.empty());
  for (const CaseInfo& c : all_cases()) {
    EXPECT_NE(doc.find("| `" + c.id + "` | " + c.section + " |"), std::string::npos) << c.id;
  }
}

TEST(Conformance, TheMockPassesEveryCesCase) {
  MockServer server = lab();
  server.start();
  const CaseResults run = check(server, Service::ces);
  EXPECT_EQ(run.with(Result::pass), ids_for(Service::ces)) << run.failures();
}

TEST(Conformance, TheMockPassesEveryCepCase) {
  MockServer server = lab();
  server.start();
  const CaseResults run = check(server, Service::cep);
  EXPECT_EQ(run.with(Result::pass), ids_for(Service::cep)) << run.failures();
}

// Without credentials only what needs none is sent; the rest is SKIP with
// the reason, and nothing fails.
TEST(Conformance, WithoutCredentialsTheCasesThatNeedThemAreSkipped) {
  MockServer server = lab();
  server.start();
  const CaseResults run = check(server, Service::ces, false);
  EXPECT_TRUE(run.with(Result::fail).empty()) << run.failures();
  std::set<std::string> need_none;
  for (const CaseInfo& c : all_cases()) {
    if (!c.needs_credentials && ids_for(Service::ces).count(c.id)) need_none.insert(c.id);
  }
  EXPECT_EQ(run.with(Result::pass), need_none);
  for (const auto& r : run.results) {
    if (r.result == Result::skip) {
      EXPECT_NE(r.reason.find("credentials"), std::string::npos) << r.id;
    }
  }
}

// Credentials the server refuses fail one case, with what came back; no
// rule is blamed for them: the other cases that need them are SKIP.
TEST(Conformance, RefusedCredentialsFailOneCaseAndSkipTheRest) {
  MockServer server = lab();
  server.start();
  const client::UsernameAuthenticator wrong({"alice", "not-her-password"});
  ConformanceOptions options;
  options.url = server.endpoint_url(Service::ces, AuthMode::username);
  options.auth = &wrong;
  options.tls = mock::testing::tls_for(server);
  options.issue_template = "User";
  options.pending_template = "ManualApproval";
  const CaseResults run{run_conformance(options)};
  EXPECT_EQ(run.with(Result::fail), std::set<std::string>{"auth/accepts-credentials"})
      << run.failures();
  const std::vector<CaseInfo> cases = all_cases();
  for (const auto& r : run.results) {
    const bool needs = std::any_of(cases.begin(), cases.end(), [&](const CaseInfo& c) {
      return c.id == r.id && c.needs_credentials && c.id != "auth/accepts-credentials";
    });
    if (!needs) continue;
    EXPECT_EQ(r.result, Result::skip) << r.id;
    EXPECT_EQ(r.reason.rfind("the credentials were refused (KET: HTTP 500 SOAP 1.2 Fault "
                             "Sender/InvalidSecurity)",
                             0),
              0u)
        << r.id << ": " << r.reason;
  }
}

// An authenticator that cannot authenticate at all (the seam's contract:
// AuthenticationUnavailable, e.g. a certificate mode without a key).
class Unavailable final : public client::Authenticator {
 public:
  core::AuthMode mode() const override { return core::AuthMode::certificate; }
  void apply(const std::string&, client::CallCredentials&) const override {
    throw client::AuthenticationUnavailable("no client certificate to present");
  }
};

TEST(Conformance, UnusableCredentialsFailOneCaseAndSkipTheRest) {
  MockServer server = lab();
  server.start();
  const Unavailable unavailable;
  ConformanceOptions options;
  options.url = server.endpoint_url(Service::cep, AuthMode::username);
  options.auth = &unavailable;
  options.tls = mock::testing::tls_for(server);
  const CaseResults run{run_conformance(options)};
  EXPECT_EQ(run.with(Result::fail), std::set<std::string>{"auth/accepts-credentials"})
      << run.failures();
  for (const auto& r : run.results) {
    if (r.result != Result::skip || r.id.rfind("xcep/", 0) != 0) continue;
    EXPECT_EQ(r.reason, "the credentials cannot be used: no client certificate to present") << r.id;
  }
  EXPECT_FALSE(run.with(Result::skip).empty());
}

// A case that can only be made with an option is SKIP without it.
TEST(Conformance, TheIssuingCasesWaitForTheirTemplates) {
  MockServer server = lab();
  server.start();
  const client::UsernameAuthenticator alice(mock::testing::kAlice);
  ConformanceOptions options;
  options.url = server.endpoint_url(Service::ces, AuthMode::username);
  options.auth = &alice;
  options.tls = mock::testing::tls_for(server);
  const CaseResults run{run_conformance(options)};
  EXPECT_EQ(run.with(Result::skip),
            (std::set<std::string>{"wstep/issue", "wstep/pending-and-query"}));
  EXPECT_TRUE(run.with(Result::fail).empty()) << run.failures();
}

struct Planted {
  std::string deviation;
  Service service;
  std::set<std::string> fails;
};

void PrintTo(const Planted& p, std::ostream* os) {
  *os << p.deviation;
}

class PlantedDeviation : public ::testing::TestWithParam<Planted> {};

TEST_P(PlantedDeviation, FailsExactlyItsCases) {
  const Planted& p = GetParam();
  MockServer server = lab(p.deviation);
  server.start();
  const CaseResults run = check(server, p.service);
  EXPECT_EQ(run.with(Result::fail), p.fails) << run.failures();
  EXPECT_TRUE(run.with(Result::skip).empty());
}

INSTANTIATE_TEST_SUITE_P(
    World, PlantedDeviation,
    ::testing::Values(
        Planted{"no_relates_to", Service::ces, {"wsa/relates-to"}},
        Planted{"no_relates_to", Service::cep, {"wsa/relates-to"}},
        // A third-party CES that writes RequestID 0 where no CA request exists.
        Planted{"request_id_without_ca", Service::ces, {"wstep/no-request-id-without-ca"}},
        // SOAP 1.1 faults: the envelope and media type rules, and the
        // unauthenticated answer, whose InvalidSecurity subcode SOAP 1.1
        // cannot carry.
        Planted{"soap11_faults",
                Service::ces,
                {"soap/envelope", "soap/content-type", "auth/refused-without-credentials"}},
        Planted{"nil_elements_omitted", Service::cep, {"xcep/nil-rules", "xcep/not-changed"}}),
    [](const auto& info) {
      return info.param.deviation + (info.param.service == Service::ces ? "_ces" : "_cep");
    });

TEST(WireDeviations, AnUnknownNameIsRefusedWithTheKnownOnes) {
  try {
    mock::parse_world("wire_deviations: [no_relatesto]\n", "deviant.yaml");
    FAIL() << "accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("deviant.yaml:1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no_relates_to"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ceslab::conformance
