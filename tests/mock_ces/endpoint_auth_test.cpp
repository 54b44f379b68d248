// SPDX-License-Identifier: GPL-2.0-or-later
// What IIS and WCF do before the CA is involved, over real TLS: the
// Certificate and Kerberos instances' transport authentication (403/401),
// failed UsernameToken logons (Security 4625), an instance that cannot start
// (CES event 10), KET, and the replay hatch.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "ceslab/core/ca.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/core/x509.hpp"
#include "ceslab/mock/ces_service.hpp"
#include "ceslab/mock/lab_ca.hpp"
#include "fake_negotiate.hpp"
#include "lab_fixture.hpp"
#include "soap_requests.hpp"

namespace ceslab::mock {
namespace {

using testing::enroll_alice;
using testing::first_message;
using testing::kAlice;
using testing::TempDir;
using testing::tls_for;

namespace uri = core::uri;

std::vector<Event> events_with_key(const MockServer& server, const std::string& key) {
  std::vector<Event> out;
  for (const Event& e : server.events().events())
    if (e.key == key) out.push_back(e);
  return out;
}

int header_count(const core::HttpResponse& r, const std::string& name) {
  return static_cast<int>(std::count_if(r.headers.begin(), r.headers.end(), [&](const auto& h) {
    return core::header_name_equals(h.name, name);
  }));
}

client::EnrollRequest user_request(const std::string& url) {
  client::EnrollRequest request;
  request.url = url;
  request.template_name = "User";
  request.key = core::KeySpec::parse("ecdsa-p256");
  return request;
}

// ---- Certificate instance (no key-based renewal) ---------------------------

class CertificateEndpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    MockOptions options;
    options.world.ces.endpoints.push_back({core::AuthMode::certificate, false, false});
    options.state_dir = state_.path();
    server_ = std::make_unique<MockServer>(std::move(options));
    server_->start();
    url_ = server_->endpoint_url(core::Service::ces, core::AuthMode::certificate);
  }
  client::EnrollResult enroll_with(X509* cert, EVP_PKEY* key) {
    client::TlsSettings tls = tls_for(*server_);
    if (cert != nullptr) {
      tls.client_certificate = core::share(cert);
      tls.client_key = core::share(key);
    }
    return client::enroll(user_request(url_), tls);
  }
  void expect_iis_forbidden(const client::EnrollResult& r) {
    ASSERT_TRUE(r.call.exchange.response) << first_message(r);
    EXPECT_EQ(r.call.exchange.response->status, 403);
    EXPECT_FALSE(r.call.reply);  // HTML, not SOAP
    EXPECT_NE(r.call.exchange.response->body.find("403 - Forbidden: Access is denied."),
              std::string::npos);
    ASSERT_FALSE(r.messages.empty());
    EXPECT_NE(r.messages.front().find("WS_E_INVALID_FORMAT"), std::string::npos)
        << r.messages.front();
  }

  TempDir state_;
  std::unique_ptr<MockServer> server_;
  std::string url_;
};

TEST_F(CertificateEndpoint, CertificateMappedByUpnEnrolls) {
  const client::EnrollResult alice = enroll_alice(*server_);
  ASSERT_EQ(alice.status, client::EnrollStatus::issued) << first_message(alice);
  const client::EnrollResult r = enroll_with(alice.certificate.get(), alice.key.get());
  ASSERT_EQ(r.status, client::EnrollStatus::issued) << first_message(r);
  EXPECT_NE(core::describe(r.certificate.get()).subject.find("CN=alice"), std::string::npos);
}

TEST_F(CertificateEndpoint, NoClientCertificateIsForbidden) {
  expect_iis_forbidden(enroll_with(nullptr, nullptr));
}

TEST_F(CertificateEndpoint, UntrustedClientCertificateIsForbidden) {
  const core::CertificateAuthority foreign = testing::make_ca("CN=Untrusted CA");
  core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
  core::IssueOptions options;
  options.subject = "CN=alice";
  options.san.upn = {"alice@lab.test"};
  core::X509Ptr cert = foreign.issue(key.get(), options);
  expect_iis_forbidden(enroll_with(cert.get(), key.get()));
}

TEST_F(CertificateEndpoint, CertificateMappingToNoAccountIsForbidden) {
  // docs/causes.md client_cert_not_mapped: issued by the lab CA, but its UPN
  // names nobody in the directory, and key-based renewal is off.
  const LabCa ca = LabCa::open(state_.path(), server_->world().ca);
  core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
  core::IssueOptions options;
  options.subject = "CN=mallory";
  options.san.upn = {"mallory@lab.test"};
  core::X509Ptr cert = ca.authority().issue(key.get(), options);
  expect_iis_forbidden(enroll_with(cert.get(), key.get()));
}

TEST_F(CertificateEndpoint, RenewalOnlyInstanceRefusesANewRequest) {
  MockOptions options;
  options.world.ces.endpoints.push_back({core::AuthMode::certificate, true, false});
  MockServer server(std::move(options));
  server.start();
  const client::EnrollResult alice = enroll_alice(server);
  ASSERT_EQ(alice.status, client::EnrollStatus::issued);
  client::TlsSettings tls = tls_for(server);
  tls.client_certificate = core::share(alice.certificate.get());
  tls.client_key = core::share(alice.key.get());
  const client::EnrollResult r = client::enroll(
      user_request(server.endpoint_url(core::Service::ces, core::AuthMode::certificate)), tls);
  ASSERT_TRUE(r.fault) << first_message(r);
  EXPECT_EQ(r.fault->reason, "This CES instance only accepts renewal requests.");
  const auto e6 = events_with_key(server, "ces_renewal_only_new_request");
  ASSERT_EQ(e6.size(), 1u);
  EXPECT_NE(e6[0].message.find("LAB\\alice"), std::string::npos) << e6[0].message;

  // A renewal through the same instance is accepted.
  client::RenewRequest renew;
  renew.url = server.endpoint_url(core::Service::ces, core::AuthMode::certificate);
  renew.old_certificate = core::share(alice.certificate.get());
  renew.old_key = core::share(alice.key.get());
  const client::EnrollResult renewed = client::renew(renew, tls);
  EXPECT_EQ(renewed.status, client::EnrollStatus::issued) << first_message(renewed);
}

// ---- Kerberos instance: IIS Windows Authentication -------------------------

TEST(KerberosEndpoint, WithoutCredentialsIisChallengesWithNegotiateAndNtlm) {
  MockServer server{MockOptions{}};
  server.start();
  client::EnrollRequest request =
      user_request(server.endpoint_url(core::Service::ces, core::AuthMode::kerberos));
  const client::EnrollResult r = client::enroll(request, tls_for(server));
  ASSERT_TRUE(r.call.exchange.response) << first_message(r);
  const core::HttpResponse& http = *r.call.exchange.response;
  EXPECT_EQ(http.status, 401);
  EXPECT_EQ(header_count(http, "WWW-Authenticate"), 2);
  EXPECT_EQ(http.header("WWW-Authenticate"), "Negotiate");
  EXPECT_FALSE(r.call.reply);
  EXPECT_TRUE(server.events().events().empty());
}

TEST(KerberosEndpoint, AnAccountIsAuthenticatedOnlyThroughTheAcceptor) {
  for (const bool on : {false, true}) {
    MockOptions options;
    if (on) options.kerberos_acceptor = testing::fake_negotiate;
    MockServer server{std::move(options)};
    server.start();
    const std::string url = server.endpoint_url(core::Service::ces, core::AuthMode::kerberos);
    // Without an acceptor the header means nothing: IIS answers 401.
    client::EnrollRequest request = user_request(url);
    request.credentials.username.reset();
    core::EvpPkeyPtr key = core::generate_key(request.key);
    core::CsrOptions csr;
    const core::Bytes pkcs10 = core::build_csr(key.get(), csr);
    const core::SoapMessage m =
        test_support::issue_request(url, client::new_message_id(), pkcs10, "User");
    const client::SoapCall call =
        client::call(url, m, tls_for(server), {{testing::kFakeKerberosUserHeader, "alice"}});
    ASSERT_TRUE(call.exchange.response);
    if (!on) {
      EXPECT_EQ(call.exchange.response->status, 401);
      continue;
    }
    ASSERT_TRUE(call.reply) << call.parse_error;
    const auto* rstr = std::get_if<core::RequestSecurityTokenResponse>(&call.reply->body);
    ASSERT_NE(rstr, nullptr);
    EXPECT_TRUE(rstr->is_issued());
  }
}

TEST(KerberosEndpoint, ChannelBindingRequiredRefusesAnUnboundAuthentication) {
  MockOptions options;
  options.kerberos_acceptor = testing::fake_negotiate;
  options.world.ces.channel_binding_required = true;
  MockServer server{std::move(options)};
  server.start();
  const std::string url = server.endpoint_url(core::Service::ces, core::AuthMode::kerberos);
  core::SoapMessage m;
  m.addressing.action = std::string(uri::kActionRstWstep);
  m.addressing.message_id = client::new_message_id();
  m.addressing.to = url;
  core::RequestSecurityToken rst;
  rst.request_type = std::string(uri::kRequestTypeQueryTokenStatus);
  rst.request_id = "4711";
  m.body = rst;
  const client::TlsSettings tls = tls_for(server);

  // docs/causes.md channel_binding_required: no binding -> 401.
  const client::SoapCall unbound =
      client::call(url, m, tls, {{testing::kFakeKerberosUserHeader, "alice"}});
  ASSERT_TRUE(unbound.exchange.response);
  EXPECT_EQ(unbound.exchange.response->status, 401);
  // A binding for some other channel -> 401 as well.
  const client::SoapCall wrong = client::call(
      url, m, tls,
      {{testing::kFakeKerberosUserHeader, "alice"}, {testing::kFakeChannelBindingHeader, "00ff"}});
  ASSERT_TRUE(wrong.exchange.response);
  EXPECT_EQ(wrong.exchange.response->status, 401);

  // The binding of this TLS channel (what the client saw of the server's
  // certificate) gets through to the CES: the CA answers for request 4711.
  const std::string hex = testing::binding_hex(unbound.exchange.tls.tls_server_end_point);
  ASSERT_FALSE(hex.empty());
  const client::SoapCall bound = client::call(
      url, m, tls,
      {{testing::kFakeKerberosUserHeader, "alice"}, {testing::kFakeChannelBindingHeader, hex}});
  ASSERT_TRUE(bound.reply) << bound.parse_error;
  const auto& fault = std::get<core::EnrollmentFault>(bound.reply->body);
  EXPECT_EQ(fault.error_code, static_cast<std::int32_t>(0x80094004u));
}

// ---- UsernamePassword logon failures: Security 4625 on the CES host -------

struct LogonCase {
  std::string username;
  std::string password;
  bool disable_alice = false;
  bool expire_alice_password = false;
  std::string sub_status;
  std::string failure_reason;
};

class FailedLogon : public ::testing::TestWithParam<LogonCase> {};

TEST_P(FailedLogon, IsInvalidSecurityAndAudited) {
  const LogonCase& c = GetParam();
  MockOptions options;
  Account& alice = *const_cast<Account*>(options.world.find_account("alice"));
  alice.disabled = c.disable_alice;
  alice.password_expired = c.expire_alice_password;
  MockServer server(std::move(options));
  server.start();
  client::EnrollRequest request =
      user_request(server.endpoint_url(core::Service::ces, core::AuthMode::username));
  request.credentials.username = client::UsernameCredentials{c.username, c.password};
  const client::EnrollResult r = client::enroll(request, tls_for(server));
  ASSERT_TRUE(r.fault) << first_message(r);
  EXPECT_EQ(r.fault->subcode, "InvalidSecurity");
  const auto audits = events_with_key(server, "logon_failed");
  ASSERT_EQ(audits.size(), 1u);
  const Event& e = audits[0];
  EXPECT_EQ(e.id, 4625);
  EXPECT_EQ(e.log, "Security");
  EXPECT_EQ(e.source, "Microsoft-Windows-Security-Auditing");
  EXPECT_EQ(e.host, "ces.lab.test");
  EXPECT_NE(e.message.find("\tAccount Name:\t\t" + c.username + "\n"), std::string::npos)
      << e.message;
  EXPECT_NE(e.message.find("\tSub Status:\t\t" + c.sub_status), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("\tFailure Reason:\t\t" + c.failure_reason), std::string::npos);
  EXPECT_EQ(e.message.find("alice-password"), std::string::npos) << "the password was logged";
}

INSTANTIATE_TEST_SUITE_P(Reasons, FailedLogon,
                         ::testing::Values(LogonCase{"alice", "wrong", false, false, "0xC000006A",
                                                     "Unknown user name or bad password."},
                                           LogonCase{"nobody", "x", false, false, "0xC0000064",
                                                     "Unknown user name or bad password."},
                                           LogonCase{"alice", "alice-password", true, false,
                                                     "0xC0000072", "Account currently disabled."},
                                           LogonCase{"alice", "alice-password", false, true,
                                                     "0xC0000071",
                                                     "The specified account's password has "
                                                     "expired."}));

// ---- an instance that cannot start ------------------------------------------

TEST(IncompatibleKeyBasedRenewal, InstanceLogsEvent10AndAnswersWithTheWcfFault) {
  MockOptions options;
  for (CesEndpoint& e : options.world.ces.endpoints)
    if (e.auth == core::AuthMode::username) e.key_based_renewal = true;
  MockServer server(std::move(options));
  server.start();
  const auto e10 = events_with_key(server, "ces_kbr_incompatible_config");
  ASSERT_EQ(e10.size(), 1u);
  EXPECT_EQ(e10[0].id, 10);
  EXPECT_NE(e10[0].message.find("UsernamePassword"), std::string::npos) << e10[0].message;
  const client::EnrollResult r = enroll_alice(server);
  ASSERT_TRUE(r.fault) << first_message(r);
  EXPECT_EQ(r.fault->kind, core::FaultKind::wcf_dispatcher);
  EXPECT_EQ(r.fault->subcode, "InternalServiceFault");
}

// ---- KET ----------------------------------------------------------------------

TEST(KeyExchangeToken, ReturnsTheCaExchangeCertificate) {
  MockServer server{MockOptions{}};
  server.start();
  const std::string url = server.endpoint_url(core::Service::ces, core::AuthMode::username);
  core::SoapMessage m;
  m.addressing.action = std::string(uri::kActionRstKet);
  m.addressing.message_id = client::new_message_id();
  m.addressing.to = url;
  m.security = test_support::username_security({kAlice.username, kAlice.password});
  core::RequestSecurityToken rst;
  rst.request_type = std::string(uri::kRequestTypeKet);
  rst.request_ket = true;
  m.body = rst;
  const client::SoapCall call = client::call(url, m, tls_for(server));
  ASSERT_TRUE(call.reply) << call.parse_error;
  EXPECT_EQ(call.reply->addressing.action, uri::kActionRstrKetFinal);
  const auto* rstr = std::get_if<core::RequestSecurityTokenResponse>(&call.reply->body);
  ASSERT_NE(rstr, nullptr);
  ASSERT_TRUE(rstr->key_exchange_token);
  core::X509Ptr xchg = core::parse_certificate_der(rstr->key_exchange_token->data);
  const core::CertificateInfo info = core::describe(xchg.get());
  EXPECT_EQ(info.subject, "CN=Lab Issuing CA-Xchg");
  EXPECT_EQ(info.ekus, std::vector<std::string>{"1.3.6.1.4.1.311.21.5"});
  EXPECT_TRUE(
      core::verify_chain(xchg.get(), {}, core::read_certificates_pem(server.ca_certificate_path()))
          .ok);

  // Without <RequestKET/> the request is refused (docs/protocol.md 1.6).
  std::get<core::RequestSecurityToken>(m.body).request_ket = false;
  const client::SoapCall refused = client::call(url, m, tls_for(server));
  ASSERT_TRUE(refused.reply);
  const auto* fault = std::get_if<core::EnrollmentFault>(&refused.reply->body);
  ASSERT_NE(fault, nullptr);
  EXPECT_EQ(fault->error_code, static_cast<std::int32_t>(0x80070057u));
}

// ---- replay -------------------------------------------------------------------

TEST(Replay, RecordedResponseIsServedVerbatim) {
  TempDir dir;
  const auto capture = dir.path() / "customer-fault.http";
  const std::string body =
      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body/></s:Envelope>";
  std::ofstream(capture) << "HTTP/1.1 500 Internal Server Error\r\n"
                            "Content-Type: application/soap+xml; charset=utf-8\r\n"
                            "Server: Microsoft-IIS/10.0\r\nX-Powered-By: ASP.NET\r\n"
                            "Content-Length: "
                         << body.size() << "\r\n\r\n"
                         << body;
  MockOptions options;
  options.world.replays.push_back(
      {"/Lab Issuing CA_CES_UsernamePassword/service.svc/CES", capture});
  MockServer server(std::move(options));
  server.start();
  const client::EnrollResult r = enroll_alice(server);
  ASSERT_TRUE(r.call.exchange.response);
  EXPECT_EQ(r.call.exchange.response->status, 500);
  EXPECT_EQ(r.call.exchange.response->body, body);
  EXPECT_EQ(r.call.exchange.response->header("X-Powered-By"), "ASP.NET");
  // Other paths are served by the pipeline as usual.
  client::EnrollRequest other =
      user_request(server.endpoint_url(core::Service::ces, core::AuthMode::kerberos));
  EXPECT_EQ(client::enroll(other, tls_for(server)).call.exchange.response->status, 401);
}

TEST(Replay, UnreadableOrMalformedCaptureIsRefusedByName) {
  TempDir dir;
  const auto bad = dir.path() / "not-http.txt";
  std::ofstream(bad) << "this is not an HTTP response";
  for (const std::filesystem::path& file : {bad, dir.path() / "missing.http"}) {
    MockOptions options;
    options.world.replays.push_back({"*", file});
    try {
      MockServer server(std::move(options));
      ADD_FAILURE() << "accepted " << file;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(file.filename().string()), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace ceslab::mock
