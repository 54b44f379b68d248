// SPDX-License-Identifier: GPL-2.0-or-later
// How the CES dispatches on the action (MS-WSTEP 3.1.4.2), and that a fault
// for a message WCF could not dispatch or deserialize still relates to the
// request, as WCF's replies do. Both were found by `ceslab conformance`
// (wstep/request-type-matches-action, wsa/relates-to).
#include <gtest/gtest.h>

#include <regex>

#include "ceslab/client/soap_call.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "lab_fixture.hpp"

namespace ceslab::mock {
namespace {

namespace uri = core::uri;
using testing::kAlice;

core::SoapMessage request(const std::string& url, std::string_view action,
                          const std::string& request_type) {
  core::SoapMessage m = client::request_message(action, url, kAlice);
  core::RequestSecurityToken rst;
  rst.request_type = request_type;
  rst.request_ket = request_type == uri::kRequestTypeKet;
  m.body = std::move(rst);
  return m;
}

// RST/wstep takes Issue and QueryTokenStatus, RST/KET takes KET; KET under
// RST/wstep is refused like an unknown RequestType (it was answered with the
// exchange certificate).
TEST(Dispatch, ARequestTypeOutsideItsActionIsAFault) {
  MockServer server{MockOptions{}};
  server.start();
  const std::string url = server.endpoint_url(core::Service::ces, core::AuthMode::username);
  const client::SoapCall wrong =
      client::call(url, request(url, uri::kActionRstWstep, std::string(uri::kRequestTypeKet)),
                   testing::tls_for(server));
  ASSERT_TRUE(wrong.reply) << wrong.parse_error;
  const auto* fault = std::get_if<core::EnrollmentFault>(&wrong.reply->body);
  ASSERT_NE(fault, nullptr);
  EXPECT_EQ(fault->reason, "The RequestType is invalid.");
  EXPECT_EQ(fault->error_code, static_cast<std::int32_t>(0x80070057));
  EXPECT_FALSE(fault->request_id);

  const client::SoapCall right =
      client::call(url, request(url, uri::kActionRstKet, std::string(uri::kRequestTypeKet)),
                   testing::tls_for(server));
  ASSERT_TRUE(right.reply) << right.parse_error;
  EXPECT_TRUE(std::holds_alternative<core::RequestSecurityTokenResponse>(right.reply->body));
}

// WCF's RequestContext relates every reply to the request's MessageID: its
// ActionNotSupported and its generic fault for a body it cannot read carry
// RelatesTo (the recorded Windows faults under scenarios/recorded/ do).
TEST(Dispatch, FaultsForUndispatchableMessagesRelateToTheRequest) {
  MockServer server{MockOptions{}};
  server.start();
  const std::string url = server.endpoint_url(core::Service::cep, core::AuthMode::username);
  core::SoapMessage get = client::request_message(uri::kActionGetPolicies, url, kAlice);
  get.body = core::GetPoliciesRequest{};
  const std::string id = *get.addressing.message_id;
  const std::string xml = wsdl::write_message(get);
  const std::string unknown_action =
      std::regex_replace(xml, std::regex("IPolicy/GetPolicies<"), "IPolicy/Unknown<");
  const std::string nil_client = std::regex_replace(
      xml, std::regex(R"(<xcep:client>[\s\S]*</xcep:client>|<client>[\s\S]*</client>)"),
      R"(<client xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>)");
  ASSERT_NE(unknown_action, xml);
  ASSERT_NE(nil_client, xml);
  for (const auto& [what, body, subcode] :
       {std::tuple{"unknown action", unknown_action, "ActionNotSupported"},
        std::tuple{"nil client", nil_client, "InternalServiceFault"}}) {
    const core::Exchange ex =
        testing::post_raw(server, url, "application/soap+xml; charset=utf-8", body);
    ASSERT_TRUE(ex.response) << what;
    const core::SoapMessage m = wsdl::read_message(ex.response->body);
    const auto* fault = std::get_if<core::EnrollmentFault>(&m.body);
    ASSERT_NE(fault, nullptr) << what;
    EXPECT_EQ(fault->subcode.value_or(""), subcode) << what;
    EXPECT_EQ(m.addressing.relates_to.value_or("absent"), id) << what;
  }
}

}  // namespace
}  // namespace ceslab::mock
