// SPDX-License-Identifier: GPL-2.0-or-later
// The policy client over real TLS against the mock's CEP, the CES URI choice
// by priority, enrollment through a policy with fallback past an unreachable
// URI, and the authentication seam.
#include "ceslab/client/policy.hpp"

#include <gtest/gtest.h>

#include <openssl/pem.h>

#include <fstream>
#include <sstream>

#include "ceslab/core/ca.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/core/x509.hpp"
#include "mock_ces/lab_fixture.hpp"

namespace ceslab::client {
namespace {

using core::AuthMode;
using mock::testing::kAlice;
using mock::testing::refused_url;
using mock::testing::TempDir;
using mock::testing::tls_for;

std::string cep_url(const mock::MockServer& server) {
  return server.endpoint_url(core::Service::cep, core::AuthMode::username);
}
std::string ces_url(const mock::MockServer& server) {
  return server.endpoint_url(core::Service::ces, core::AuthMode::username);
}

// ---- GetPolicies against the default lab ------------------------------------

class PolicyClient : public mock::testing::SharedLab<PolicyClient> {
 protected:
  static PolicyResult fetch(UsernameCredentials who) {
    PolicyRequest r;
    r.url = cep_url(*server_);
    r.credentials.username = std::move(who);
    return get_policies(r, tls_for(*server_));
  }
};

TEST_F(PolicyClient, GetPoliciesListsTheTemplatesAndTheirCesUris) {
  const PolicyResult r = fetch(kAlice);
  ASSERT_TRUE(r.ok()) << (r.messages.empty() ? "" : r.messages[0]);
  EXPECT_TRUE(r.messages.empty());
  EXPECT_EQ(r.call.exchange.response->status, 200);
  EXPECT_EQ(r.response->policy_friendly_name, "Lab Enrollment Policy");
  ASSERT_TRUE(r.response->policies);
  std::vector<std::string> names;
  for (const auto& t : *r.response->policies) names.push_back(t.common_name);
  EXPECT_EQ(names, (std::vector<std::string>{"User", "WebServer", "ManualApproval"}));

  const TemplateEndpoints user = ces_uris_for(*r.response, "User", AuthMode::username);
  EXPECT_EQ(user.name, "User");
  EXPECT_EQ(user.oid, server_->world().find_template("User")->oid);
  ASSERT_EQ(user.uris.size(), 1u);
  EXPECT_EQ(user.uris[0].uri, ces_url(*server_));
  EXPECT_EQ(user.uris[0].priority, 1u);
  EXPECT_FALSE(user.uris[0].renewal_only);
  EXPECT_EQ(user.uris[0].ca_subject, "CN=Lab Issuing CA,DC=lab,DC=test");
  // Schema 1: the V1 name extension, as Windows puts it in the request.
  EXPECT_EQ(user.extension(), (core::TemplateRef{"User", "", 0, 0}));

  const TemplateEndpoints kerberos = ces_uris_for(*r.response, "User", AuthMode::kerberos);
  ASSERT_EQ(kerberos.uris.size(), 1u);
  EXPECT_EQ(kerberos.uris[0].uri,
            server_->endpoint_url(core::Service::ces, core::AuthMode::kerberos));
  EXPECT_TRUE(ces_uris_for(*r.response, "User", AuthMode::certificate).uris.empty());

  // By OID: the schema 2 template gets the V2 extension with its revision.
  const mock::TemplateSettings& manual = *server_->world().find_template("ManualApproval");
  const TemplateEndpoints by_oid = ces_uris_for(*r.response, manual.oid, AuthMode::username);
  EXPECT_EQ(by_oid.name, "ManualApproval");
  EXPECT_EQ(by_oid.extension(),
            (core::TemplateRef{"", manual.oid, static_cast<int>(manual.major_version),
                               static_cast<int>(manual.minor_version)}));
}

TEST_F(PolicyClient, UnknownTemplateNamesTheListedOnes) {
  const PolicyResult r = fetch(kAlice);
  ASSERT_TRUE(r.ok());
  try {
    ces_uris_for(*r.response, "NoSuchTemplate", AuthMode::username);
    FAIL() << "no PolicyError";
  } catch (const PolicyError& e) {
    EXPECT_NE(std::string(e.what()).find("'NoSuchTemplate'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("User, WebServer, ManualApproval"), std::string::npos)
        << e.what();
  }
}

TEST_F(PolicyClient, WrongPasswordIsTheSecurityFaultAsCertreqPrintsIt) {
  const PolicyResult r = fetch({"alice", "wrong"});
  EXPECT_FALSE(r.ok());
  ASSERT_TRUE(r.fault);
  EXPECT_EQ(r.fault->subcode, "InvalidSecurity");
  ASSERT_FALSE(r.messages.empty());
  EXPECT_NE(r.messages[0].find("0x803d0013 (-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)"),
            std::string::npos)
      << r.messages[0];
}

TEST_F(PolicyClient, UnreachableCepIsATransportFailure) {
  PolicyRequest req;
  req.url = refused_url();
  req.credentials.username = kAlice;
  const PolicyResult r = get_policies(req, tls_for(*server_));
  EXPECT_FALSE(r.ok());
  ASSERT_TRUE(r.call.exchange.error);
  EXPECT_EQ(*r.call.exchange.error, core::TransportErrorKind::connect_refused);
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0], r.call.exchange.error_message);
}

// ---- URI order, on a policy built here --------------------------------------

core::GetPoliciesResponse two_ca_policy() {
  core::GetPoliciesResponse p;
  p.policy_id = "{0}";
  core::PolicyTemplate t;
  t.oid_reference = 7;
  t.common_name = "Machine";
  t.policy_schema = 2;
  t.major_revision = 101;
  t.minor_revision = 3;
  t.ca_references = std::vector<int>{1, 2};
  p.policies = std::vector<core::PolicyTemplate>{t};
  p.oids = std::vector<core::PolicyOid>{{"1.3.6.1.4.1.311.21.8.9.9", 9, 7, "Machine"}};
  core::PolicyCa a;
  a.reference_id = 1;
  a.uris = {{4, "https://a/p3", 3u, false},
            {4, "https://a/nil", std::nullopt, false},
            {2, "https://a/kerberos", 1u, false},
            {4, "https://a/p1-first", 1u, false}};
  core::PolicyCa b;
  b.reference_id = 2;
  b.uris = {{4, "https://b/p1-second", 1u, std::nullopt}, {4, "https://b/p0-renew", 0u, true}};
  core::PolicyCa unrelated;
  unrelated.reference_id = 3;
  unrelated.uris = {{4, "https://c/not-for-this-template", 0u, false}};
  p.cas = std::vector<core::PolicyCa>{a, b, unrelated};
  return p;
}

TEST(CesUrisFor, LowestPriorityValueFirstThenListedOrderAndNilLast) {
  const TemplateEndpoints e = ces_uris_for(two_ca_policy(), "Machine", AuthMode::username);
  std::vector<std::string> order;
  for (const CesUri& u : e.uris) order.push_back(u.uri);
  EXPECT_EQ(order,
            (std::vector<std::string>{"https://b/p0-renew", "https://a/p1-first",
                                      "https://b/p1-second", "https://a/p3", "https://a/nil"}));
  EXPECT_TRUE(e.uris[0].renewal_only);
  EXPECT_FALSE(e.uris[2].renewal_only);  // nil reads as false
  EXPECT_EQ(e.uris[2].ca_reference, 2);
  // The CA certificate here is empty: the listing says why it has no name.
  EXPECT_NE(e.uris[0].ca_subject.find("unreadable CA certificate"), std::string::npos);

  const TemplateEndpoints by_oid =
      ces_uris_for(two_ca_policy(), "1.3.6.1.4.1.311.21.8.9.9", AuthMode::kerberos);
  ASSERT_EQ(by_oid.uris.size(), 1u);
  EXPECT_EQ(by_oid.uris[0].uri, "https://a/kerberos");
  EXPECT_EQ(by_oid.extension(), (core::TemplateRef{"", "1.3.6.1.4.1.311.21.8.9.9", 101, 3}));
}

TEST(CesUrisFor, TemplateWithNilCasHasNoUris) {
  core::GetPoliciesResponse p = two_ca_policy();
  (*p.policies)[0].ca_references.reset();
  EXPECT_TRUE(ces_uris_for(p, "Machine", AuthMode::username).uris.empty());
}

// ---- Enrollment through a policy --------------------------------------------

// A lab whose CEP advertises `uris` for the CA instead of its real endpoints.
std::unique_ptr<mock::MockServer> lab_with_uris(std::vector<mock::AdvertisedCesUri> uris,
                                                std::vector<mock::Replay> replays = {}) {
  mock::MockOptions options;
  options.world.cep.ces_uris = std::move(uris);
  options.world.replays = std::move(replays);
  auto server = std::make_unique<mock::MockServer>(std::move(options));
  server->start();
  return server;
}

const std::string kCesPath = "/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES";

PolicyEnrollRequest policy_enroll(const mock::MockServer& server, std::string tmpl = "User") {
  PolicyEnrollRequest r;
  r.policy_url = cep_url(server);
  r.enroll.template_name = std::move(tmpl);
  r.enroll.key = core::KeySpec::parse("ecdsa-p256");
  return r;
}

TEST(EnrollViaPolicy, TakesTheLowestPriorityAndFallsBackPastARefusedUri) {
  const std::string dead = refused_url();
  auto server = lab_with_uris({
      {kCesPath, core::AuthMode::username, 2, false},
      {dead, core::AuthMode::username, 1, false},
      // Preferred, but renewal-only: never tried for a new request.
      {"https://127.0.0.1:9/Renewal_CES_UsernamePassword/service.svc/CES", core::AuthMode::username,
       0, true},
      {"https://127.0.0.1:9/Other_CES_Kerberos/service.svc/CES", core::AuthMode::kerberos, 0,
       false},
  });
  const PolicyEnrollResult r =
      enroll_via_policy(policy_enroll(*server), UsernameAuthenticator(kAlice), tls_for(*server));
  ASSERT_EQ(r.result.status, EnrollStatus::issued)
      << (r.result.messages.empty() ? "" : r.result.messages.back());
  ASSERT_EQ(r.attempts.size(), 2u);
  EXPECT_EQ(r.attempts[0].uri, dead);
  EXPECT_NE(r.attempts[0].transport_error.find("refused"), std::string::npos)
      << r.attempts[0].transport_error;
  EXPECT_EQ(r.attempts[1].uri, ces_url(*server));
  EXPECT_TRUE(r.attempts[1].transport_error.empty());
  // Each attempt keeps its exchange, for evidence and capture: the dead
  // URI's has the transport error and no response; the last is the result's.
  EXPECT_EQ(r.attempts[0].call.url, dead);
  EXPECT_TRUE(r.attempts[0].call.exchange.error);
  EXPECT_FALSE(r.attempts[0].call.exchange.response);
  EXPECT_FALSE(r.attempts[0].call.request.body.empty());
  EXPECT_EQ(r.attempts[1].call.url, r.result.call.url);
  ASSERT_TRUE(r.attempts[1].call.exchange.response);
  EXPECT_EQ(r.attempts[1].call.exchange.response->body, r.result.call.exchange.response->body);
  ASSERT_TRUE(r.endpoints);
  EXPECT_EQ(r.endpoints->uris.size(), 3u);  // the Kerberos one is not for this mode
  EXPECT_TRUE(core::certificate_matches_key(r.result.certificate.get(), r.result.key.get()));
  EXPECT_EQ(core::describe(r.result.certificate.get()).template_ref->name, "User");
}

TEST(EnrollViaPolicy, ASoapFaultEndsTheSearch) {
  // The preferred URI answers with a recorded WCF fault: an answer, so the
  // next URI (which would issue) is not tried.
  TempDir dir;
  std::ifstream fixture(std::string(CESLAB_FIXTURES_DIR) + "/wire/fault_wcf_internal.xml");
  std::stringstream xml;
  xml << fixture.rdbuf();
  const std::string body = xml.str();
  ASSERT_FALSE(body.empty());
  const auto capture = dir.path() / "fault.http";
  std::ofstream(capture) << "HTTP/1.1 500 Internal Server Error\r\n"
                         << "Content-Type: application/soap+xml; charset=utf-8\r\n"
                         << "Content-Length: " << body.size() << "\r\n\r\n"
                         << body;
  const std::string faulting = "/Faulting_CES_UsernamePassword/service.svc/CES";
  auto server = lab_with_uris({{faulting, core::AuthMode::username, 1, false},
                               {kCesPath, core::AuthMode::username, 2, false}},
                              {{faulting, capture}});
  const PolicyEnrollResult r =
      enroll_via_policy(policy_enroll(*server), UsernameAuthenticator(kAlice), tls_for(*server));
  EXPECT_EQ(r.result.status, EnrollStatus::failed);
  ASSERT_EQ(r.attempts.size(), 1u);
  EXPECT_EQ(r.attempts[0].uri, server->base_url() + faulting);
  ASSERT_TRUE(r.result.fault);
  EXPECT_EQ(r.result.fault->subcode, "InternalServiceFault");
}

TEST(EnrollViaPolicy, EveryUriUnreachableFailsWithTheLastTransportError) {
  auto server = lab_with_uris({{refused_url(), core::AuthMode::username, 1, false},
                               {refused_url(), core::AuthMode::username, 2, false}});
  const PolicyEnrollResult r =
      enroll_via_policy(policy_enroll(*server), UsernameAuthenticator(kAlice), tls_for(*server));
  EXPECT_EQ(r.result.status, EnrollStatus::failed);
  ASSERT_EQ(r.attempts.size(), 2u);
  EXPECT_FALSE(r.attempts[1].transport_error.empty());
  ASSERT_FALSE(r.result.messages.empty());
  EXPECT_EQ(r.result.messages[0], r.attempts[1].transport_error);
}

TEST(EnrollViaPolicy, OnlyRenewalOnlyUrisIsAClearFailure) {
  auto server = lab_with_uris({{kCesPath, core::AuthMode::username, 1, true}});
  const PolicyEnrollResult r =
      enroll_via_policy(policy_enroll(*server), UsernameAuthenticator(kAlice), tls_for(*server));
  EXPECT_EQ(r.result.status, EnrollStatus::failed);
  EXPECT_TRUE(r.attempts.empty());
  ASSERT_EQ(r.result.messages.size(), 1u);
  EXPECT_NE(r.result.messages[0].find("only renewal-only"), std::string::npos)
      << r.result.messages[0];
}

TEST(EnrollViaPolicy, PolicyFailureStopsBeforeAnyCes) {
  auto server = lab_with_uris({{kCesPath, core::AuthMode::username, 1, false}});
  const PolicyEnrollResult r = enroll_via_policy(
      policy_enroll(*server), UsernameAuthenticator({"alice", "wrong"}), tls_for(*server));
  EXPECT_EQ(r.result.status, EnrollStatus::failed);
  EXPECT_TRUE(r.attempts.empty());
  EXPECT_TRUE(r.policy.fault);
  ASSERT_GE(r.result.messages.size(), 2u);
  EXPECT_NE(r.result.messages[1].find("WS_E_ENDPOINT_FAULT_RECEIVED"), std::string::npos);
}

// ---- Authentication seam ----------------------------------------------------

TEST(Authenticators, KerberosAnswersChallengesAndSendsNoCredentialsUpFront) {
  // Negotiate starts from the server's 401 (RFC 4559 section 4); nothing
  // goes out before it, and the KDC is not asked until then.
  const KerberosAuthenticator kerberos(
      KerberosSettings{"alice", "pw", {}, {}, {}, false, true, {}});
  EXPECT_EQ(kerberos.mode(), AuthMode::kerberos);
  const CallCredentials c = credentials_for(kerberos, "https://ces.lab.test/x", TlsSettings{});
  EXPECT_TRUE(c.http_headers.empty());
  EXPECT_FALSE(c.username);
  ASSERT_TRUE(c.http_challenge);
  EXPECT_THROW(KerberosAuthenticator(KerberosSettings{"", "pw", {}, {}, {}, false, true, {}}),
               std::invalid_argument);
}

TEST(Authenticators, UsernameGoesInTheMessageAndCertificateInTls) {
  const CallCredentials u =
      credentials_for(UsernameAuthenticator(kAlice), "https://x/", TlsSettings{});
  ASSERT_TRUE(u.username);
  EXPECT_EQ(u.username->username, "alice");
  EXPECT_FALSE(u.tls.client_certificate);

  const core::CertificateAuthority ca = mock::testing::make_ca("CN=Test CA");
  core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
  core::IssueOptions issue;
  issue.subject = "CN=client";
  core::X509Ptr cert = ca.issue(key.get(), issue);
  const CertificateAuthenticator by_cert(core::share(cert.get()), core::share(key.get()));
  const CallCredentials c = credentials_for(by_cert, "https://x/", TlsSettings{});
  EXPECT_FALSE(c.username);
  ASSERT_TRUE(c.tls.client_certificate);
  EXPECT_EQ(X509_cmp(c.tls.client_certificate.get(), cert.get()), 0);

  core::EvpPkeyPtr other = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
  EXPECT_THROW(CertificateAuthenticator(core::share(cert.get()), std::move(other)),
               std::invalid_argument);
}

// ---- Requests the enroll options need ---------------------------------------

class EnrollOptions : public mock::testing::SharedLab<EnrollOptions> {
 protected:
  static EnrollRequest request(std::string tmpl) {
    EnrollRequest r;
    r.url = ces_url(*server_);
    r.template_name = std::move(tmpl);
    r.key = core::KeySpec::parse("ecdsa-p256");
    r.credentials.username = kAlice;
    return r;
  }
};

TEST_F(EnrollOptions, GivenCsrIsSentAsItIsFromPemOrDer) {
  TempDir dir;
  core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("rsa2048"));
  core::CsrOptions csr;
  csr.subject = "CN=www.lab.test";
  csr.san.dns = {"www.lab.test"};
  const core::Bytes der = core::build_csr(key.get(), csr);
  std::ofstream(dir.path() / "req.der", std::ios::binary)
      .write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
  {
    core::X509ReqPtr req;
    const unsigned char* p = der.data();
    req.reset(d2i_X509_REQ(nullptr, &p, static_cast<long>(der.size())));
    ASSERT_TRUE(req);
    FILE* f = fopen((dir.path() / "req.pem").c_str(), "w");
    ASSERT_NE(f, nullptr);
    PEM_write_X509_REQ(f, req.get());
    fclose(f);
  }
  for (const char* file : {"req.der", "req.pem"}) {
    EXPECT_EQ(read_certificate_request(dir.path() / file), der) << file;
    EnrollRequest r = request("WebServer");
    r.csr = read_certificate_request(dir.path() / file);
    const EnrollResult result = enroll(r, tls_for(*server_));
    ASSERT_EQ(result.status, EnrollStatus::issued)
        << file << ": " << (result.messages.empty() ? "" : result.messages.back());
    EXPECT_FALSE(result.key);  // the caller holds it
    EXPECT_TRUE(core::certificate_matches_key(result.certificate.get(), key.get()));
    const core::CertificateInfo info = core::describe(result.certificate.get());
    EXPECT_EQ(info.subject, "CN=www.lab.test");
    EXPECT_EQ(info.san.dns, std::vector<std::string>{"www.lab.test"});
  }
  std::ofstream(dir.path() / "junk.pem") << "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n";
  EXPECT_THROW(read_certificate_request(dir.path() / "junk.pem"), core::CryptoError);
  EXPECT_THROW(read_certificate_request(dir.path() / "missing.pem"),
               std::filesystem::filesystem_error);
}

TEST_F(EnrollOptions, TemplateByOidAndSubjectAltNames) {
  const mock::TemplateSettings& web = *server_->world().find_template("WebServer");
  EnrollRequest r = request(web.oid);
  r.subject = "CN=api.lab.test";
  r.san.dns = {"api.lab.test", "api2.lab.test"};
  r.san.email = {"ops@lab.test"};
  const EnrollResult result = enroll(r, tls_for(*server_));
  ASSERT_EQ(result.status, EnrollStatus::issued)
      << (result.messages.empty() ? "" : result.messages.back());
  const core::CertificateInfo info = core::describe(result.certificate.get());
  EXPECT_EQ(info.san.dns, (std::vector<std::string>{"api.lab.test", "api2.lab.test"}));
  EXPECT_EQ(info.san.email, std::vector<std::string>{"ops@lab.test"});
  ASSERT_TRUE(info.template_ref);
  EXPECT_TRUE(info.template_ref->name == "WebServer" || info.template_ref->oid == web.oid)
      << info.template_ref->name << " / " << info.template_ref->oid;
}

TEST(IsOid, TellsOidsFromNames) {
  EXPECT_TRUE(is_oid("1.3.6.1.4.1.311.21.8.1.2"));
  EXPECT_TRUE(is_oid("2.5.29.37"));
  EXPECT_FALSE(is_oid("User"));
  EXPECT_FALSE(is_oid("1.3.6.x"));
  EXPECT_FALSE(is_oid(""));
  EXPECT_FALSE(is_oid("1..2"));
}

}  // namespace
}  // namespace ceslab::client
