// SPDX-License-Identifier: GPL-2.0-or-later
// Pre-deployment validation (`ceslab run --target`) against the mock served
// in process with misconfigured worlds: each check's result, and for a
// failed one the cause the engine names from the client's evidence alone.
// The healthy lab passes every check, and without a template nothing that
// issues a certificate reaches the CA.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "ceslab/client/exchange_evidence.hpp"
#include "ceslab/core/evidence.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/diagnosis/engine.hpp"
#include "ceslab/mock/request_store.hpp"
#include "ceslab/mock/server.hpp"
#include "ceslab/runner/reports.hpp"
#include "ceslab/runner/target.hpp"
#include "mock_ces/lab_fixture.hpp"
#include "runner/no_email_case.hpp"

namespace ceslab::runner {
namespace {

namespace fs = std::filesystem;
using core::AuthMode;
using core::Service;
using mock::testing::TempDir;

// The default lab with `overlay` (a world mapping, docs/scenarios.md "The
// world") laid over it.
mock::World world(const std::string& overlay = "") {
  if (overlay.empty()) return mock::default_world();
  return mock::parse_world("world:\n" + overlay, "target_test");
}

struct Lab {
  explicit Lab(mock::World w = mock::default_world()) : server(options(std::move(w))) {
    server.start();
  }
  static mock::MockOptions options(mock::World w) {
    mock::MockOptions o;
    o.world = std::move(w);
    return o;
  }
  std::string url(core::Service service, AuthMode auth = AuthMode::username) const {
    return server.endpoint_url(service, auth);
  }
  std::size_t requests() const {
    return mock::RequestStore::open(server.state_dir() / "requests.db").list().size();
  }
  mock::MockServer server;
};

client::UsernameAuthenticator alice(const std::string& password = "alice-password") {
  return client::UsernameAuthenticator(client::UsernameCredentials{"alice", password});
}

struct Checks {
  std::vector<ScenarioResult> results;
  const ScenarioResult* find(const std::string& check) const {
    for (const auto& r : results) {
      if (r.id == "target/" + check) return &r;
    }
    return nullptr;
  }
  std::string ids() const {
    std::string out;
    for (const auto& r : results) out += r.id + " " + std::string(to_string(r.result)) + "\n";
    return out;
  }
  std::string table() const {
    std::ostringstream out;
    print_table(out, results);
    for (const auto& r : results) out << r.id << ": " << r.reason << "\n";
    return out.str();
  }
};

Checks check(const Lab& lab, const std::string& url, const client::Authenticator& auth,
             std::optional<std::string> template_name = std::nullopt, bool trust_lab = true,
             const fs::path& out = {}) {
  TargetOptions o;
  o.url = url;
  o.auth = &auth;
  if (trust_lab) o.tls.ca_files = {lab.server.ca_certificate_path().string()};
  o.tls.connect_timeout = std::chrono::seconds(5);
  o.tls.io_timeout = std::chrono::seconds(20);
  o.template_name = std::move(template_name);
  o.key = core::KeySpec::parse("ecdsa-p256");
  o.out_dir = out;
  return Checks{run_target_checks(o)};
}

// ---- the URL ---------------------------------------------------------------------

TEST(TargetUrl, ServiceAndModeComeFromThePathAsWindowsNamesThem) {
  const TargetEndpoint ces =
      parse_target("https://ces.lab.test/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES");
  EXPECT_EQ(ces.service, core::Service::ces);
  EXPECT_EQ(ces.mode, core::AuthMode::kerberos);
  const TargetEndpoint cep = parse_target(
      "https://ces.lab.test:8443/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP");
  EXPECT_EQ(cep.service, core::Service::cep);
  EXPECT_EQ(cep.mode, core::AuthMode::username);
  EXPECT_EQ(cep.parsed.port, 8443);
  const TargetEndpoint kbr = parse_target(
      "https://ces.lab.test/KeyBasedRenewal_ADPolicyProvider_CEP_Certificate/service.svc/cep");
  EXPECT_EQ(kbr.service, core::Service::cep);
  EXPECT_EQ(kbr.mode, core::AuthMode::certificate);
}

TEST(TargetUrl, AnythingElseIsRefusedSayingWhatIsExpected) {
  for (const char* bad : {
           "http://ces.lab.test/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES",  // not https
           "https://ces.lab.test/",                                                // no service
           "https://ces.lab.test/certsrv/service.svc/CES",                         // no _CES_<mode>
           "https://ces.lab.test/Lab_CES_Basic/service.svc/CES",                   // unknown mode
           "https://ces.lab.test/ADPolicyProvider_CEP_Kerberos/service.svc/CES",   // CEP app, CES
           "not a url",
       }) {
    try {
      parse_target(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const TargetError& e) {
      EXPECT_NE(std::string(e.what()).find("--target"), std::string::npos) << e.what();
    }
  }
}

// ---- a healthy lab -----------------------------------------------------------------

TEST(Target, HealthyCesPassesEveryCheckAndSendsNothingThatIssues) {
  // alice has no e-mail here, so an enrollment for User would be denied
  // (and logged by the CA): nothing of it may show without --template.
  Lab lab(world(test_support::kAliceWithoutEmail));
  const auto auth = alice();
  const Checks run = check(lab, lab.url(Service::ces), auth);
  ASSERT_EQ(run.results.size(), 3u) << run.ids();
  for (const auto& r : run.results) {
    EXPECT_EQ(r.result, Result::pass) << r.id << ": " << r.error << "\n" << run.table();
    EXPECT_TRUE(r.verdict_client_only.empty()) << r.id;
  }
  EXPECT_NE(run.find("tls")->reason.find("chain verified"), std::string::npos) << run.table();
  EXPECT_NE(run.find("authentication")->reason.find("InvalidSecurity"), std::string::npos)
      << run.table();
  EXPECT_NE(run.find("key-exchange")->reason.find("Xchg"), std::string::npos) << run.table();
  EXPECT_EQ(lab.requests(), 0u);
  EXPECT_TRUE(lab.server.events().events().empty()) << lab.server.events().events().front().message;
}

TEST(Target, HealthyCepWithTemplateListsThePolicyAndEnrollsThroughIt) {
  Lab lab;
  const auto auth = alice();
  TempDir out;
  const Checks run = check(lab, lab.url(Service::cep), auth, "User", true, out.path());
  ASSERT_EQ(run.results.size(), 4u) << run.ids();
  for (const auto& r : run.results) {
    EXPECT_EQ(r.result, Result::pass) << r.id << ": " << r.error << "\n" << run.table();
  }
  const std::string& policy = run.find("get-policies")->reason;
  EXPECT_NE(policy.find("3 template(s)"), std::string::npos) << policy;
  EXPECT_NE(policy.find("User is listed"), std::string::npos) << policy;
  EXPECT_NE(run.find("enroll")->reason.find("issued"), std::string::npos) << run.table();
  EXPECT_EQ(lab.requests(), 1u);
  // --out keeps the enrollment and each check's evidence.
  EXPECT_TRUE(fs::exists(out.path() / "cert.pem"));
  EXPECT_TRUE(fs::exists(out.path() / "key.pem"));
  std::ifstream in(out.path() / "enroll.evidence.json");
  core::Evidence e;
  core::from_json(nlohmann::json::parse(in), e);
  EXPECT_EQ(e.outcome, core::Outcome::issued);
  ASSERT_EQ(e.prior_exchanges.size(), 1u);
  EXPECT_EQ(e.prior_exchanges[0].operation, core::Operation::policy);
}

TEST(Target, CertificateEndpointAsksForAClientCertificateAndTakesAlices) {
  Lab lab(world("  ces:\n    endpoints: [{ auth: username_password }, { auth: certificate }]\n"));
  const client::EnrollResult first = mock::testing::enroll_alice(lab.server);
  ASSERT_EQ(first.status, client::EnrollStatus::issued) << mock::testing::first_message(first);
  const client::CertificateAuthenticator auth(core::share(first.certificate.get()),
                                              core::share(first.key.get()));
  const Checks run = check(lab, lab.url(Service::ces, AuthMode::certificate), auth);
  ASSERT_EQ(run.results.size(), 3u) << run.ids();
  for (const auto& r : run.results) {
    EXPECT_EQ(r.result, Result::pass) << r.id << ": " << r.error << "\n" << run.table();
  }
  EXPECT_NE(run.find("authentication")->reason.find("without credentials: HTTP 403"),
            std::string::npos)
      << run.table();
}

// ---- misconfigured worlds -------------------------------------------------------------

TEST(Target, TemplateNotPublishedOnTheCaIsDiagnosed) {
  Lab lab(world("  ca: { published_templates: [WebServer, ManualApproval] }\n"));
  const auto auth = alice();
  const Checks run = check(lab, lab.url(Service::ces), auth, "User");
  const ScenarioResult* enroll = run.find("enroll");
  ASSERT_NE(enroll, nullptr) << run.ids();
  EXPECT_EQ(enroll->result, Result::fail);
  EXPECT_EQ(enroll->verdict_client_only, "template_not_on_ca") << run.table();
  EXPECT_TRUE(enroll->verdict_with_events.empty());
  EXPECT_NE(enroll->error.find("CERTSRV_E_UNSUPPORTED_CERT_TYPE"), std::string::npos)
      << enroll->error;
  // The checks before it are fine: the problem is the template alone.
  EXPECT_EQ(run.find("authentication")->result, Result::pass) << run.table();
  EXPECT_EQ(run.find("key-exchange")->result, Result::pass) << run.table();
}

TEST(Target, AccountWithoutEmailIsDiagnosed) {
  Lab lab(world(test_support::kAliceWithoutEmail));
  const auto auth = alice();
  const Checks run = check(lab, lab.url(Service::ces), auth, "User");
  const ScenarioResult* enroll = run.find("enroll");
  ASSERT_NE(enroll, nullptr) << run.ids();
  EXPECT_EQ(enroll->result, Result::fail);
  EXPECT_EQ(enroll->verdict_client_only, "ca_subject_email_required") << run.table();
  ASSERT_FALSE(enroll->diffs.empty());
  EXPECT_EQ(enroll->diffs[0].expected, "issued or pending");
}

TEST(Target, UntrustedServerCertificateStopsBeforeAnythingIsSent) {
  Lab lab;
  const auto auth = alice();
  // No --ca-file: the system store does not know the lab CA.
  const Checks run = check(lab, lab.url(Service::ces), auth, "User", /*trust_lab=*/false);
  ASSERT_EQ(run.results.size(), 4u) << run.ids();
  const ScenarioResult* tls = run.find("tls");
  EXPECT_EQ(tls->result, Result::fail);
  EXPECT_EQ(tls->verdict_client_only, "tls_untrusted_root") << run.table();
  for (const char* later : {"authentication", "key-exchange", "enroll"}) {
    EXPECT_EQ(run.find(later)->result, Result::skip) << later << "\n" << run.table();
  }
  EXPECT_EQ(lab.requests(), 0u);
  EXPECT_TRUE(lab.server.events().events().empty());
}

TEST(Target, ExpiredServerCertificateIsDiagnosed) {
  Lab lab(world("  ces: { tls_certificate: expired }\n"));
  const auto auth = alice();
  const Checks run = check(lab, lab.url(Service::cep), auth);
  const ScenarioResult* tls = run.find("tls");
  ASSERT_NE(tls, nullptr) << run.ids();
  EXPECT_EQ(tls->result, Result::fail);
  EXPECT_EQ(tls->verdict_client_only, "tls_certificate_expired") << run.table();
  EXPECT_NE(tls->error.find("expired"), std::string::npos) << tls->error;
}

TEST(Target, ServerCertificateForAnotherNameIsDiagnosed) {
  Lab lab(world("  ces: { tls_certificate: wrong_name }\n"));
  const auto auth = alice();
  const Checks run = check(lab, lab.url(Service::ces), auth);
  const ScenarioResult* tls = run.find("tls");
  ASSERT_NE(tls, nullptr) << run.ids();
  EXPECT_EQ(tls->result, Result::fail);
  EXPECT_EQ(tls->verdict_client_only, "tls_name_mismatch") << run.table();
}

TEST(Target, InsecureGoesOnAfterAFailedVerificationButTheTlsCheckStillFails) {
  Lab lab(world("  ces: { tls_certificate: expired }\n"));
  const auto auth = alice();
  TargetOptions o;
  o.url = lab.url(Service::ces);
  o.auth = &auth;
  o.tls.ca_files = {lab.server.ca_certificate_path().string()};
  o.tls.insecure = true;
  const Checks run{run_target_checks(o)};
  EXPECT_EQ(run.find("tls")->result, Result::fail) << run.table();
  EXPECT_EQ(run.find("tls")->verdict_client_only, "tls_certificate_expired") << run.table();
  EXPECT_EQ(run.find("authentication")->result, Result::pass) << run.table();
}

// A wrong password gives WCF's InvalidSecurity fault, as a UsernameToken
// whose timestamp is more than five minutes off does: from the client's side
// the two cannot be told apart (only the CES host's Security 4625 can), so
// the engine names no cause: unknown, with username_password_rejected the
// best candidate below the confidence a verdict needs and kerberos_clock_skew
// among the candidates — as scenarios/causes/username_password_rejected.yaml
// expects of the client-only diagnosis.
TEST(Target, WrongPasswordIsUnknownWithTheRejectedPasswordFirst) {
  Lab lab;
  const auto auth = alice("not-her-password");
  TempDir out;
  const Checks run = check(lab, lab.url(Service::ces), auth, "User", true, out.path());
  const ScenarioResult* authentication = run.find("authentication");
  ASSERT_NE(authentication, nullptr) << run.ids();
  EXPECT_EQ(authentication->result, Result::fail);
  EXPECT_EQ(authentication->verdict_client_only, "unknown") << run.table();
  EXPECT_EQ(run.find("key-exchange")->result, Result::skip);
  EXPECT_EQ(run.find("enroll")->result, Result::skip);
  EXPECT_EQ(lab.requests(), 0u);
  // The evidence kept is what the engine was given; asked again, it lists the
  // two causes and not missing credentials (a token was sent).
  std::ifstream in(out.path() / "authentication.evidence.json");
  core::Evidence e;
  core::from_json(nlohmann::json::parse(in), e);
  EXPECT_EQ(e.auth, core::AuthMode::username);
  const diagnosis::Diagnosis d = diagnosis::diagnose(diagnosis::Catalog::builtin(), e);
  EXPECT_EQ(d.verdict, "unknown");
  std::vector<std::string> candidates;
  for (const auto& c : d.candidates) candidates.push_back(c.cause);
  ASSERT_GE(candidates.size(), 2u) << testing::PrintToString(candidates);
  EXPECT_EQ(candidates[0], "username_password_rejected") << d.why.front();
  EXPECT_NE(std::find(candidates.begin(), candidates.end(), "kerberos_clock_skew"),
            candidates.end())
      << testing::PrintToString(candidates);
  EXPECT_EQ(std::find(candidates.begin(), candidates.end(), "missing_credentials"),
            candidates.end())
      << testing::PrintToString(candidates);
  EXPECT_TRUE(fs::exists(out.path() / "authentication.diagnosis.txt"));
}

TEST(Target, EmptyPolicyIsDiagnosed) {
  Lab lab(world(R"(  templates:
    - { name: User, acl: [{ principal: Domain Users, allow: [read] }] }
    - { name: WebServer, acl: [{ principal: Domain Users, allow: [read] }] }
    - { name: ManualApproval, acl: [{ principal: Domain Users, allow: [read] }] }
)"));
  const auto auth = alice();
  const Checks run = check(lab, lab.url(Service::cep), auth);
  const ScenarioResult* policy = run.find("get-policies");
  ASSERT_NE(policy, nullptr) << run.ids();
  EXPECT_EQ(policy->result, Result::fail);
  EXPECT_EQ(policy->verdict_client_only, "cep_no_templates") << run.table();
  EXPECT_EQ(run.find("authentication")->result, Result::pass) << run.table();
}

TEST(Target, AUrlThatReachesNoEndpointIsDiagnosed) {
  Lab lab;
  const auto auth = alice();
  const std::string url =
      lab.server.base_url() + "/Other%20CA_CES_UsernamePassword/service.svc/CES";
  const Checks run = check(lab, url, auth);
  const ScenarioResult* authentication = run.find("authentication");
  ASSERT_NE(authentication, nullptr) << run.ids();
  EXPECT_EQ(authentication->result, Result::fail);
  EXPECT_EQ(authentication->verdict_client_only, "wrong_endpoint_url") << run.table();
}

TEST(Target, CredentialsOfAnotherModeAreNotSent) {
  // The default lab serves a Kerberos CES; without the KDC it challenges.
  Lab lab;
  const auto auth = alice();
  const Checks run = check(lab, lab.url(Service::ces, AuthMode::kerberos), auth);
  const ScenarioResult* authentication = run.find("authentication");
  ASSERT_NE(authentication, nullptr) << run.ids();
  EXPECT_EQ(authentication->result, Result::fail);
  EXPECT_NE(authentication->error.find("give --auth kerberos"), std::string::npos)
      << authentication->error;
  // The unauthenticated request saw Negotiate offered: that part holds.
  for (const FieldDiff& d : authentication->diffs) {
    EXPECT_EQ(d.field, "authentication mode") << d.step << ": " << d.actual;
  }
  EXPECT_TRUE(lab.server.events().events().empty());
}

TEST(Target, KerberosWithoutTicketsIsDiagnosed) {
  // The default lab serves a Kerberos CES; a client with no tickets cannot
  // answer IIS's Negotiate challenge, so the 401 stands.
  Lab lab;
  TempDir dir;
  client::KerberosSettings settings;
  settings.ccache = "FILE:" + (dir.path() / "no-such-ccache").string();
  settings.service = "HTTP/ces.lab.test";
  const client::KerberosAuthenticator auth(settings);
  const Checks run = check(lab, lab.url(Service::ces, AuthMode::kerberos), auth);
  const ScenarioResult* authentication = run.find("authentication");
  ASSERT_NE(authentication, nullptr) << run.ids();
  EXPECT_EQ(authentication->result, Result::fail);
  EXPECT_EQ(authentication->verdict_client_only, "http_auth_failed") << run.table();
  // Negotiate was offered without credentials: only the authenticated part failed.
  ASSERT_EQ(authentication->diffs.size(), 1u) << run.table();
  EXPECT_EQ(authentication->diffs[0].step, "KET with --auth kerberos");
}

TEST(Target, PolicyThatSendsTheTemplateToAnotherHostIsNotFollowed) {
  Lab lab(world(R"(  cep:
    ces_uris:
      - { uri: "https://other-ces.lab.test/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES", auth: username_password }
)"));
  const auto auth = alice();
  const Checks run = check(lab, lab.url(Service::cep), auth, "User");
  const ScenarioResult* enroll = run.find("enroll");
  ASSERT_NE(enroll, nullptr) << run.ids();
  EXPECT_EQ(enroll->result, Result::skip);
  EXPECT_NE(enroll->reason.find("other-ces.lab.test"), std::string::npos) << enroll->reason;
  EXPECT_EQ(lab.requests(), 0u);
}

TEST(Target, ReportsAreTheRunsOwn) {
  Lab lab(world("  ca: { published_templates: [WebServer] }\n"));
  const auto auth = alice();
  const Checks run = check(lab, lab.url(Service::ces), auth, "User");
  const Summary summary = summarize(run.results, std::chrono::milliseconds(1));
  EXPECT_EQ(summary.passed, 3u);
  EXPECT_EQ(summary.failed, 1u);
  const nlohmann::ordered_json j = to_json(run.results, summary);
  ASSERT_EQ(j["scenarios"].size(), 4u);
  EXPECT_EQ(j["scenarios"][3]["name"], "target/enroll");
  EXPECT_EQ(j["scenarios"][3]["verdict"]["client_only"], "template_not_on_ca");
  EXPECT_TRUE(j["scenarios"][3]["verdict"]["with_server_events"].is_null());
  const std::string junit = to_junit(run.results, summary);
  EXPECT_NE(junit.find("<testsuite name=\"target\""), std::string::npos) << junit;
  EXPECT_NE(junit.find("<failure"), std::string::npos) << junit;
}

}  // namespace
}  // namespace ceslab::runner
