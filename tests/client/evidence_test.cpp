// SPDX-License-Identifier: GPL-2.0-or-later
// The Evidence record: built from real exchanges with the mock over TLS
// (issued, pending, CA denial, CEP answer) and with hand-built servers (a
// fault carrying a CMC BinaryResponse, credentials in response headers),
// and its JSON form read back.
#include "ceslab/client/exchange_evidence.hpp"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include <nlohmann/json.hpp>

#include "ceslab/client/redaction.hpp"
#include "ceslab/core/base64.hpp"
#include "ceslab/core/cmc.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "client/client_test_support.hpp"

namespace ceslab::client {
namespace {

using nlohmann::json;
using testing::server_pki;
using testing::start_server;
using testing::trusting_tls;

class EvidenceTest : public mock::testing::SharedLab<EvidenceTest> {
 public:
  static mock::MockOptions lab_options() { return mock::testing::lab_with_bob(); }

 protected:
  static std::string ces_url() {
    return server_->endpoint_url(core::Service::ces, core::AuthMode::username);
  }
  static EnrollResult enroll_as(const std::string& user, const std::string& password,
                                const std::string& template_name) {
    EnrollRequest r = testing::enroll_request(ces_url(), password);
    r.credentials.username->username = user;
    r.template_name = template_name;
    return enroll(r, mock::testing::tls_for(*server_));
  }
};

// JSON -> Evidence -> JSON gives the same document.
void expect_round_trip(const Evidence& evidence) {
  const json first = evidence;
  const Evidence back = first.get<Evidence>();
  EXPECT_EQ(json(back), first) << first.dump(2);
}

TEST_F(EvidenceTest, IssuedEnrollmentRecordsTheRstrTlsAndTimings) {
  const EnrollResult result = enroll_as("alice", "alice-password", "User");
  ASSERT_EQ(result.status, EnrollStatus::issued) << mock::testing::first_message(result);
  const Evidence e = evidence_of(result, Operation::enroll, core::AuthMode::username);
  EXPECT_EQ(e.operation, Operation::enroll);
  EXPECT_EQ(e.auth, core::AuthMode::username);
  EXPECT_EQ(e.endpoint, ces_url());
  EXPECT_EQ(e.outcome, Outcome::issued);
  EXPECT_FALSE(e.transport);
  EXPECT_FALSE(e.fault);
  EXPECT_TRUE(e.messages.empty());
  ASSERT_TRUE(e.http);
  EXPECT_EQ(e.http->status, 200);
  EXPECT_EQ(e.http->body_bytes, result.call.exchange.response->body.size());
  ASSERT_TRUE(e.response);
  EXPECT_EQ(e.response->disposition, "Issued");
  EXPECT_EQ(e.response->request_id, result.request_id);
  EXPECT_TRUE(e.response->certificate);
  EXPECT_TRUE(e.response->pending_reference.empty());
  ASSERT_TRUE(e.response->cmc) << e.response->cmc_error;
  EXPECT_EQ(e.response->cmc->status, "success");
  EXPECT_EQ(e.tls.verify_result, X509_V_OK);
  EXPECT_EQ(e.tls.verify_text, "ok");
  EXPECT_TRUE(e.tls.handshake_done);
  EXPECT_FALSE(e.tls.version.empty());
  EXPECT_FALSE(e.tls.cipher.empty());
  EXPECT_EQ(e.tls.chain_length, 2u);  // the mock sends its TLS certificate and the CA's
  EXPECT_FALSE(e.tls.peer_subject.empty());
  EXPECT_LE(e.timings.connect, e.timings.total);
  EXPECT_GT(e.timings.total.count(), 0);
  EXPECT_FALSE(e.kerberos.gss_major || e.kerberos.gss_minor || e.kerberos.gss_text ||
               e.kerberos.forwardable || e.kerberos.ok_as_delegate || e.kerberos.delegated ||
               e.kerberos.channel_binding);
  expect_round_trip(e);

  const json j = e;
  EXPECT_EQ(j["schema"], "ceslab.evidence/1");
  EXPECT_EQ(j["outcome"], "issued");
  EXPECT_EQ(j["auth"], "username");
  EXPECT_EQ(j["response"]["request_id"], result.request_id);
  EXPECT_TRUE(j["kerberos"]["forwardable"].is_null());
}

TEST_F(EvidenceTest, PendingRequestRecordsTheReferenceToPoll) {
  const EnrollResult result = enroll_as("alice", "alice-password", "ManualApproval");
  ASSERT_EQ(result.status, EnrollStatus::pending) << mock::testing::first_message(result);
  const Evidence e = evidence_of(result, Operation::enroll, core::AuthMode::username);
  EXPECT_EQ(e.outcome, Outcome::pending);
  ASSERT_TRUE(e.response);
  EXPECT_EQ(e.response->disposition, "Taken Under Submission");
  EXPECT_EQ(e.response->pending_reference, ces_url());
  EXPECT_EQ(e.response->request_id, result.request_id);
  EXPECT_FALSE(e.response->certificate);
  expect_round_trip(e);

  // Polling is a retrieve with its own evidence.
  RetrieveRequest poll;
  poll.url = e.response->pending_reference;
  poll.request_id = e.response->request_id;
  poll.credentials.username = mock::testing::kAlice;
  const Evidence again = evidence_of(retrieve(poll, mock::testing::tls_for(*server_)),
                                     Operation::retrieve, core::AuthMode::username);
  EXPECT_EQ(again.operation, Operation::retrieve);
  EXPECT_EQ(again.outcome, Outcome::pending);
  EXPECT_EQ(json(again)["operation"], "retrieve");
}

TEST_F(EvidenceTest, RenewalHasItsOwnEvidence) {
  const EnrollResult old = enroll_as("alice", "alice-password", "User");
  ASSERT_EQ(old.status, EnrollStatus::issued) << mock::testing::first_message(old);
  RenewRequest r;
  r.url = ces_url();
  r.old_certificate = core::share(old.certificate.get());
  r.old_key = core::share(old.key.get());
  r.credentials.username = mock::testing::kAlice;
  const EnrollResult renewed = renew(r, mock::testing::tls_for(*server_));
  const Evidence e = evidence_of(renewed, Operation::renew, core::AuthMode::username);
  EXPECT_EQ(e.outcome, Outcome::issued) << (e.messages.empty() ? "" : e.messages.back());
  ASSERT_TRUE(e.response);
  EXPECT_EQ(e.response->request_id, renewed.request_id);
  EXPECT_NE(e.response->request_id, old.request_id);
  EXPECT_EQ(json(e)["operation"], "renew");
  expect_round_trip(e);
}

TEST_F(EvidenceTest, CaDenialRecordsEveryFaultFieldAndCertreqLines) {
  const EnrollResult result = enroll_as("bob", "bob-password", "User");
  ASSERT_EQ(result.status, EnrollStatus::failed);
  const Evidence e = evidence_of(result, Operation::enroll, core::AuthMode::username);
  EXPECT_EQ(e.outcome, Outcome::failed);
  ASSERT_TRUE(e.http);
  EXPECT_EQ(e.http->status, 500);
  ASSERT_TRUE(e.fault);
  const core::EnrollmentFault& f = e.fault->fault;
  EXPECT_EQ(f.kind, core::FaultKind::enrollment_detail);
  EXPECT_EQ(f.action,
            "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/"
            "RequestSecurityTokenCertificateEnrollmentWSDetailFault");
  EXPECT_EQ(f.code, "Receiver");
  EXPECT_TRUE(f.has_detail);
  EXPECT_EQ(f.error_code, -2146875374);
  EXPECT_EQ(f.invalid_request, true);
  ASSERT_TRUE(f.request_id);
  EXPECT_EQ(*f.request_id, result.request_id);
  EXPECT_EQ(e.messages, result.messages);
  ASSERT_EQ(e.messages.size(), 2u);
  EXPECT_EQ(e.messages[0],
            "A message containing a fault was received from the remote endpoint. 0x803d0013 "
            "(-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)");

  const json j = e;
  EXPECT_EQ(j["fault"]["error_code"], -2146875374);
  EXPECT_EQ(j["fault"]["error_code_hex"], "0x80094812");
  EXPECT_EQ(j["fault"]["error_code_name"], "CERTSRV_E_SUBJECT_EMAIL_REQUIRED");
  EXPECT_EQ(j["fault"]["kind"], "enrollment_detail");
  EXPECT_EQ(j["fault"]["invalid_request"], true);
  EXPECT_TRUE(j["fault"]["binary_response"].is_null());
  EXPECT_EQ(j["messages"][1],
            "The EMail name is unavailable and cannot be added to the Subject or Subject Alternate "
            "name. 0x80094812 (-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED)");
  expect_round_trip(e);
}

TEST_F(EvidenceTest, RejectedPasswordIsAFaultWithSubcodeAndNoDetail) {
  const Evidence e =
      evidence_of(enroll_as("alice", "wrong", "User"), Operation::enroll, core::AuthMode::username);
  ASSERT_TRUE(e.fault);
  EXPECT_EQ(e.fault->fault.code, "Sender");
  EXPECT_EQ(e.fault->fault.subcode, "InvalidSecurity");
  EXPECT_TRUE(e.fault->fault.subcode_namespace.has_value());
  EXPECT_FALSE(e.fault->fault.has_detail);
  EXPECT_FALSE(e.fault->fault.error_code);
  const json j = e;
  EXPECT_TRUE(j["fault"]["error_code_hex"].is_null());
  expect_round_trip(e);
}

TEST_F(EvidenceTest, AnsweredCepCallIsNotAFailure) {
  // GetPolicies (MS-XCEP 3.1.4.1) by hand until the client has a policy call.
  core::SoapMessage m;
  const std::string url = server_->endpoint_url(core::Service::cep, core::AuthMode::username);
  m.addressing.action = std::string(core::uri::kActionGetPolicies);
  m.addressing.message_id = new_message_id();
  m.addressing.reply_to = std::string(core::uri::kAnonymous);
  m.addressing.to = url;
  core::SecurityHeader security;
  security.created = std::chrono::system_clock::now();
  security.expires = *security.created + std::chrono::minutes(5);
  core::UsernameToken token;
  token.username = "alice";
  token.password = "alice-password";
  security.username_token = token;
  m.security = security;
  m.body = core::GetPoliciesRequest{};
  const SoapCall c = call(url, m, mock::testing::tls_for(*server_));
  const Evidence e = evidence_of(c, Operation::policy, core::AuthMode::username);
  EXPECT_EQ(e.outcome, Outcome::answered) << (e.messages.empty() ? "" : e.messages[0]);
  EXPECT_TRUE(e.messages.empty());
  EXPECT_FALSE(e.fault);
  EXPECT_FALSE(e.response);
  EXPECT_EQ(json(e)["operation"], "policy");
  // What the policy listed (cep_no_templates looks for an empty one).
  ASSERT_TRUE(e.policy);
  const auto& answer = std::get<core::GetPoliciesResponse>(c.reply->body);
  ASSERT_TRUE(answer.policies);
  EXPECT_GT(e.policy->templates, 0u);
  EXPECT_EQ(e.policy->templates, answer.policies->size());
  EXPECT_EQ(e.policy->cas, 1u);
  EXPECT_FALSE(e.policy->not_changed);
  EXPECT_FALSE(e.policy->ces_uris.empty());
  expect_round_trip(e);
}

// A server that answers every request with `fault` (HTTP 500, as WCF sends
// faults) plus the headers given.
std::unique_ptr<core::HttpsServer> fault_server(core::EnrollmentFault fault,
                                                std::vector<core::HttpHeader> headers = {}) {
  return start_server(server_pki().good.get(), [fault, headers](const core::HttpRequest&,
                                                                const core::ConnectionInfo&) {
    core::SoapMessage m;
    m.addressing.action = std::string(core::uri::kActionEnrollmentFault);
    m.body = fault;
    core::HttpResponse r;
    r.status = 500;
    r.headers = headers;
    r.headers.push_back({"Content-Type", "application/soap+xml; charset=utf-8"});
    r.body = wsdl::write_message(m);
    return r;
  });
}

core::EnrollmentFault policy_denial() {
  core::EnrollmentFault f;
  f.code = "Receiver";
  f.reason = "Denied by Policy Module";
  f.has_detail = true;
  f.error_code = static_cast<std::int32_t>(0x80094012);  // CERTSRV_E_TEMPLATE_DENIED
  f.invalid_request = true;
  f.request_id = "42";
  return f;
}

TEST(EvidenceFromWire, BinaryResponseIsDecodedWhenItIsCmc) {
  // MS-WSTEP 3.1.4.1.3.7: BinaryResponse carries the CA's CMC response when
  // there is one. Built here with the CA's failed status and a failInfo.
  const auto& ca = server_pki().ca;
  const core::Bytes cmc =
      core::build_cmc_response(core::CmcStatus::failed, "Denied by Policy Module", ca.certificate(),
                               ca.key(), {}, nullptr, 2 /* badRequest */);
  core::EnrollmentFault f = policy_denial();
  f.binary_response = core::encode_base64_wrapped(cmc);
  const auto server = fault_server(f);
  const EnrollResult result =
      enroll(testing::enroll_request(server->base_url() + "/CES"), trusting_tls());
  const Evidence e = evidence_of(result, Operation::enroll, core::AuthMode::username);
  ASSERT_TRUE(e.fault);
  ASSERT_TRUE(e.fault->binary_response_cmc) << e.fault->binary_response_error;
  EXPECT_EQ(e.fault->binary_response_cmc->status, "failed");
  EXPECT_EQ(e.fault->binary_response_cmc->status_string, "Denied by Policy Module");
  EXPECT_EQ(e.fault->binary_response_cmc->fail_info, 2);
  EXPECT_TRUE(e.fault->binary_response_error.empty());
  EXPECT_EQ(e.fault->fault.request_id, "42");
  const json j = e;
  EXPECT_EQ(j["fault"]["binary_response_cmc"]["fail_info"], 2);
  EXPECT_EQ(j["fault"]["error_code_name"], "CERTSRV_E_TEMPLATE_DENIED");
  expect_round_trip(e);
}

TEST(EvidenceFromWire, BinaryResponseThatIsNotCmcSaysWhy) {
  core::EnrollmentFault f = policy_denial();
  f.binary_response = "AAECAwQF";  // base64, but not a CMC response
  const auto server = fault_server(f);
  const Evidence e =
      evidence_of(enroll(testing::enroll_request(server->base_url() + "/CES"), trusting_tls()),
                  Operation::enroll, core::AuthMode::username);
  ASSERT_TRUE(e.fault);
  EXPECT_FALSE(e.fault->binary_response_cmc);
  EXPECT_EQ(e.fault->binary_response_error.rfind("not a CMC response: ", 0), 0u)
      << e.fault->binary_response_error;
  EXPECT_EQ(e.fault->fault.binary_response, "AAECAwQF");
}

TEST(EvidenceFromWire, CredentialsAndCookiesInResponseHeadersAreRedacted) {
  const auto server = fault_server(
      policy_denial(), {{"Set-Cookie", "ASP.NET_SessionId=s3cr3t-session; path=/; HttpOnly"},
                        {"WWW-Authenticate", "Negotiate oYG2MIGzoAMKAQChCwYJKoZIgvcSAQIC"},
                        {"X-Powered-By", "ASP.NET"}});
  const EnrollResult result =
      enroll(testing::enroll_request(server->base_url() + "/CES"), trusting_tls());
  // The server did send them: the raw exchange has them as they came.
  ASSERT_TRUE(result.call.exchange.response);
  EXPECT_EQ(result.call.exchange.response->header("Set-Cookie"),
            "ASP.NET_SessionId=s3cr3t-session; path=/; HttpOnly");
  const Evidence e = evidence_of(result, Operation::enroll, core::AuthMode::username);
  ASSERT_TRUE(e.http);
  const auto value_of = [&](const std::string& name) {
    for (const auto& h : e.http->headers) {
      if (core::header_name_equals(h.name, name)) return h.value;
    }
    return std::string("(missing)");
  };
  EXPECT_EQ(value_of("Set-Cookie"), "[redacted]");
  EXPECT_EQ(value_of("WWW-Authenticate"), "Negotiate [redacted]");
  EXPECT_EQ(value_of("X-Powered-By"), "ASP.NET");
  const std::string text = json(e).dump();
  EXPECT_EQ(text.find("s3cr3t-session"), std::string::npos);
  EXPECT_EQ(text.find("oYG2MIGz"), std::string::npos);
}

}  // namespace
}  // namespace ceslab::client
