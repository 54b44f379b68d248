// SPDX-License-Identifier: GPL-2.0-or-later
// The mock's answers to malformed and misaddressed requests, on the wire.
#include "ceslab/mock/ces_service.hpp"

#include <gtest/gtest.h>

#include "ceslab/client/soap_call.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/core/https_client.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/mock/server.hpp"
#include "lab_fixture.hpp"
#include "soap_requests.hpp"

namespace ceslab::mock {
namespace {

namespace uri = core::uri;

class CesServiceTest : public testing::SharedLab<CesServiceTest> {
 protected:
  static std::string url() {
    return server_->endpoint_url(core::Service::ces, core::AuthMode::username);
  }
  static client::TlsSettings tls() { return testing::tls_for(*server_); }

  // A well-formed Issue for alice; tests break one thing at a time.
  static core::SoapMessage issue() {
    core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
    core::SoapMessage m =
        test_support::issue_request(url(), "urn:uuid:00000000-0000-4000-8000-000000000001",
                                    core::build_csr(key.get(), {}), "User", uri::kValueTypePkcs10);
    m.security = test_support::username_security({"alice", "alice-password"});
    return m;
  }

  static core::EnrollmentFault fault_of(const client::SoapCall& call) {
    EXPECT_TRUE(call.exchange.response) << call.exchange.error_message;
    if (call.exchange.response) {
      EXPECT_EQ(call.exchange.response->status, 500);
    }
    EXPECT_TRUE(call.reply) << call.parse_error;
    if (!call.reply) return {};
    const auto* f = std::get_if<core::EnrollmentFault>(&call.reply->body);
    EXPECT_NE(f, nullptr);
    return f ? *f : core::EnrollmentFault{};
  }
};

TEST_F(CesServiceTest, TheBaselineIssueIsIssuedAndRelatesToTheRequest) {
  const client::SoapCall call = client::call(url(), issue(), tls());
  ASSERT_TRUE(call.reply) << call.parse_error << call.exchange.error_message;
  EXPECT_EQ(call.exchange.response->status, 200);
  EXPECT_EQ(call.reply->addressing.action, uri::kActionRstrcWstep);
  EXPECT_EQ(call.reply->addressing.relates_to, "urn:uuid:00000000-0000-4000-8000-000000000001");
  const auto& rstr = std::get<core::RequestSecurityTokenResponse>(call.reply->body);
  EXPECT_TRUE(rstr.is_issued());
  EXPECT_TRUE(rstr.cmc_response);
}

TEST_F(CesServiceTest, MissingEncodingTypeGetsTheCepces81Fault) {
  core::SoapMessage m = issue();
  std::get<core::RequestSecurityToken>(m.body).token->encoding_type.reset();
  const core::EnrollmentFault f = fault_of(client::call(url(), m, tls()));
  EXPECT_EQ(f.kind, core::FaultKind::enrollment_detail);
  EXPECT_EQ(f.action, uri::kActionEnrollmentFault);
  EXPECT_EQ(f.code, "Receiver");
  EXPECT_EQ(f.reason, "The EncodingType is invalid.");
  EXPECT_EQ(f.error_code, -2147024809);
  EXPECT_FALSE(f.binary_response);
  EXPECT_FALSE(f.request_id);
}

TEST_F(CesServiceTest, AddressFilterMismatchOnAWrongTo) {
  core::SoapMessage m = issue();
  m.addressing.to = server_->base_url() + "/Other_CES_UsernamePassword/service.svc/CES";
  const core::EnrollmentFault f = fault_of(client::call(url(), m, tls()));
  EXPECT_EQ(f.kind, core::FaultKind::ws_addressing);
  EXPECT_EQ(f.code, "Sender");
  EXPECT_EQ(f.subcode, "DestinationUnreachable");
  EXPECT_EQ(f.reason,
            "The message with To '" + *m.addressing.to +
                "' cannot be processed at the receiver, due to an AddressFilter mismatch at "
                "the EndpointDispatcher.  Check that the sender and receiver's "
                "EndpointAddresses agree.");
}

TEST_F(CesServiceTest, AnActionWithoutAnOperationIsAContractFilterMismatch) {
  core::SoapMessage m = issue();
  core::GetPoliciesRequest gp;
  m.body = gp;
  m.addressing.action = std::string(uri::kActionGetPolicies);
  const core::EnrollmentFault f = fault_of(client::call(url(), m, tls()));
  EXPECT_EQ(f.subcode, "ActionNotSupported");
  EXPECT_NE(f.reason.find("ContractFilter mismatch"), std::string::npos);
}

TEST_F(CesServiceTest, MissingSecurityHeaderIsRefused) {
  core::SoapMessage m = issue();
  m.security.reset();
  const core::EnrollmentFault f = fault_of(client::call(url(), m, tls()));
  EXPECT_EQ(f.subcode, "InvalidSecurity");
}

TEST_F(CesServiceTest, StaleTimestampIsRefused) {
  core::SoapMessage m = issue();
  m.security->created = std::chrono::system_clock::now() - std::chrono::minutes(30);
  m.security->expires = *m.security->created + std::chrono::minutes(5);
  EXPECT_EQ(fault_of(client::call(url(), m, tls())).subcode, "InvalidSecurity");
}

TEST_F(CesServiceTest, GarbageInTheTokenReachesTheCaAndIsDenied) {
  core::SoapMessage m = issue();
  std::get<core::RequestSecurityToken>(m.body).token->data = {0x30, 0x03, 0x02, 0x01};
  const core::EnrollmentFault f = fault_of(client::call(url(), m, tls()));
  EXPECT_EQ(f.kind, core::FaultKind::enrollment_detail);
  EXPECT_EQ(f.invalid_request, true);
  EXPECT_TRUE(f.request_id);  // the CA assigned an id before failing it
}

TEST_F(CesServiceTest, MalformedXmlGetsTheWcfInternalFault) {
  const core::Exchange x = testing::post_raw(
      *server_, url(), "application/soap+xml; charset=utf-8",
      "<s:Envelope xmlns:s='http://www.w3.org/2003/05/soap-envelope'><s:Body><unclosed>");
  ASSERT_TRUE(x.response) << x.error_message;
  EXPECT_EQ(x.response->status, 500);
  EXPECT_NE(x.response->body.find("InternalServiceFault"), std::string::npos);
}

TEST_F(CesServiceTest, WrongContentTypeIs415AsWcfAnswers) {
  const core::Exchange x = testing::post_raw(*server_, url(), "text/xml; charset=utf-8", "<x/>");
  ASSERT_TRUE(x.response) << x.error_message;
  EXPECT_EQ(x.response->status, 415);
}

}  // namespace
}  // namespace ceslab::mock
