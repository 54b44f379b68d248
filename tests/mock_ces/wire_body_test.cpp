// SPDX-License-Identifier: GPL-2.0-or-later
// The SOAP Body as senders vary it, against what WCF does with it. WCF picks
// the operation by the Action header (its ContractFilter) before it reads the
// body: an action the endpoint has no operation for is a ContractFilter
// mismatch whatever the body; otherwise the operation's formatter reads the
// body, skipping elements it does not know, and an operation left without its
// request fails with WCF's generic fault. Unknown children and a different
// order of children are taken: RequestSecurityToken's content is xs:any
// (WS-Trust 1.3), and the XmlSerializer reading GetPolicies ignores unknown
// elements and reads the operation's parameters in any order.
// Sources and rows: docs/wire-acceptance.md, the body.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "wire_fixture.hpp"

namespace ceslab::mock {
namespace {

using testing::Edit;
using testing::layer_fault;

constexpr const char* kGetPolicies = R"(<GetPolicies[\s\S]*</GetPolicies>)";
constexpr const char* kRst = R"(<RequestSecurityToken[\s\S]*</RequestSecurityToken>)";

Edit body_element(const char* element, const std::string& replacement) {
  return [=](std::string b) { return std::regex_replace(b, std::regex(element), replacement); };
}

Edit action(const std::string& to) {
  return [=](std::string b) {
    return std::regex_replace(b, std::regex(R"((<a:Action[^>]*>)[^<]*(</a:Action>))"),
                              "$01" + to + "$02");
  };
}

const std::string kUnknownElement = "<x:Ping xmlns:x=\"urn:example:other\">1</x:Ping>";
const std::string kRstElement =
    "<RequestSecurityToken xmlns=\"http://docs.oasis-open.org/ws-sx/ws-trust/200512\">"
    "<RequestType>http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue</RequestType>"
    "</RequestSecurityToken>";
const std::string kGetPoliciesElement =
    "<GetPolicies xmlns=\"http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy\">"
    "<client><lastUpdate xsi:nil=\"true\"/><preferredLanguage xsi:nil=\"true\"/></client>"
    "<requestFilter xsi:nil=\"true\"/></GetPolicies>";

struct Row {
  std::string name;
  core::Service service;
  Edit edit;
  std::string fault;  // empty: the service's own answer; else the fault's subcode
};

void PrintTo(const Row& r, std::ostream* os) {
  *os << r.name;
}

const char* fixture_of(core::Service s) {
  return s == core::Service::cep ? "get_policies.xml" : "rst_issue_pkcs10.xml";
}

// What the service answers a request it reads: the policy, or for the CES
// the CA's judgement ("issued", "pending" or its error code).
std::string service_answer(const core::SoapMessage& m) {
  if (const auto* p = std::get_if<core::GetPoliciesResponse>(&m.body)) {
    return p->policies && !p->policies->empty() ? "policy" : "an empty policy";
  }
  if (const auto* r = std::get_if<core::RequestSecurityTokenResponse>(&m.body)) {
    return r->is_issued() ? "issued" : "pending";
  }
  if (const auto* f = std::get_if<core::EnrollmentFault>(&m.body)) {
    if (f->kind == core::FaultKind::enrollment_detail)
      return "CA error " + std::to_string(f->error_code.value_or(0));
  }
  return "";
}

class Body : public ::testing::TestWithParam<Row> {};

TEST_P(Body, IsAnsweredAsWcfAnswersIt) {
  const Row& row = GetParam();
  MockServer server = testing::wire_lab();
  server.start();
  const char* fixture = fixture_of(row.service);
  const core::Exchange ex =
      testing::post_fixture(server, row.service, core::AuthMode::username, fixture, row.edit);
  const core::SoapMessage m = testing::soap_answer(ex);
  if (row.fault.empty()) {
    EXPECT_EQ(layer_fault(m), "");
    // The same answer as the fixture as it is gets.
    const core::SoapMessage as_is = testing::soap_answer(
        testing::post_fixture(server, row.service, core::AuthMode::username, fixture));
    EXPECT_NE(service_answer(m), "");
    EXPECT_EQ(service_answer(m), service_answer(as_is));
    return;
  }
  ASSERT_TRUE(std::holds_alternative<core::EnrollmentFault>(m.body));
  const auto& f = std::get<core::EnrollmentFault>(m.body);
  EXPECT_EQ(ex.response->status, 500);
  EXPECT_EQ(f.subcode, row.fault);
  if (row.fault == "InternalServiceFault") {
    EXPECT_EQ(f.code, "Receiver");
    EXPECT_EQ(f.reason.rfind("The server was unable to process the request due to an internal "
                             "error.",
                             0),
              0u)
        << f.reason;
  } else {
    EXPECT_EQ(f.code, "Sender");
    EXPECT_EQ(f.reason.rfind("The message with Action 'urn:example:unknown' cannot be processed "
                             "at the receiver, due to a ContractFilter mismatch",
                             0),
              0u)
        << f.reason;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Refused, Body,
    ::testing::Values(
        Row{"cep_empty_body", core::Service::cep, body_element(kGetPolicies, ""),
            "InternalServiceFault"},
        // MS-XCEP 3.1.4.1.2.1: a GetPolicies without client gets a SOAP fault.
        Row{"cep_no_client", core::Service::cep, body_element(R"(<client>[\s\S]*</client>)", ""),
            "InternalServiceFault"},
        Row{"cep_rst_body_with_the_getpolicies_action", core::Service::cep,
            body_element(kGetPolicies, kRstElement), "InternalServiceFault"},
        Row{"cep_unknown_element", core::Service::cep, body_element(kGetPolicies, kUnknownElement),
            "InternalServiceFault"},
        Row{"ces_empty_body", core::Service::ces, body_element(kRst, ""), "InternalServiceFault"},
        Row{"ces_getpolicies_body_with_the_rst_action", core::Service::ces,
            body_element(kRst, kGetPoliciesElement), "InternalServiceFault"},
        Row{"ces_unknown_element", core::Service::ces, body_element(kRst, kUnknownElement),
            "InternalServiceFault"},
        // No operation for the action: the body is never looked at.
        Row{"ces_unknown_element_and_action", core::Service::ces,
            [](std::string b) {
              return action("urn:example:unknown")(body_element(kRst, kUnknownElement)(b));
            },
            "ActionNotSupported"},
        Row{"ces_empty_body_and_unknown_action", core::Service::ces,
            [](std::string b) { return action("urn:example:unknown")(body_element(kRst, "")(b)); },
            "ActionNotSupported"}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Accepted, Body,
    ::testing::Values(
        Row{"cep_unknown_child_of_another_namespace", core::Service::cep,
            body_element(R"(</GetPolicies>)",
                         "<x:Trace xmlns:x=\"urn:example:trace\">1</x:Trace></GetPolicies>"),
            ""},
        Row{"cep_unknown_child_in_the_xcep_namespace", core::Service::cep,
            body_element(R"(</GetPolicies>)", "<futureFilter>1</futureFilter></GetPolicies>"), ""},
        Row{"cep_unknown_child_of_client", core::Service::cep,
            body_element(R"(</client>)",
                         "<x:Hint xmlns:x=\"urn:example:trace\">1</x:Hint></client>"),
            ""},
        Row{"cep_request_filter_before_client", core::Service::cep,
            [](std::string b) {
              return std::regex_replace(
                  b,
                  std::regex(
                      R"((<client>[\s\S]*</client>)\s*(<requestFilter>[\s\S]*</requestFilter>))"),
                  "$02$01");
            },
            ""},
        Row{"ces_unknown_child_of_another_namespace", core::Service::ces,
            body_element(R"(</RequestSecurityToken>)",
                         "<x:Trace xmlns:x=\"urn:example:trace\">1</x:Trace>"
                         "</RequestSecurityToken>"),
            ""},
        Row{"ces_ws_trust_child_the_ces_does_not_use", core::Service::ces,
            body_element(R"(</RequestSecurityToken>)",
                         "<KeySize>2048</KeySize></RequestSecurityToken>"),
            ""},
        // AdditionalContext (which names the template) first, TokenType last.
        Row{"ces_children_in_another_order", core::Service::ces,
            [](std::string b) {
              std::smatch token_type;
              std::smatch context;
              const std::regex tt(R"(<TokenType>[^<]*</TokenType>)");
              const std::regex ac(R"(<AdditionalContext[\s\S]*</AdditionalContext>)");
              const std::string t = std::regex_search(b, token_type, tt) ? token_type.str() : "";
              const std::string c = std::regex_search(b, context, ac) ? context.str() : "";
              b = std::regex_replace(b, tt, "");
              b = std::regex_replace(b, ac, "");
              b = std::regex_replace(b, std::regex(R"((<RequestSecurityToken[^>]*>))"), "$01" + c);
              return std::regex_replace(b, std::regex(R"(</RequestSecurityToken>)"),
                                        t + "</RequestSecurityToken>");
            },
            ""}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace ceslab::mock
