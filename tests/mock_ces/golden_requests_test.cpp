// SPDX-License-Identifier: GPL-2.0-or-later
// The golden request fixtures (tests/fixtures/wire/, shaped as Windows and
// cepces send them, see its README) sent as they are to the mock: only the
// address, the clock and the lab's credentials are changed. Each must get
// the answer Windows gives it: the service's own (a policy, a certificate, the
// CA's judgement), never a fault of the SOAP, addressing or security layer.
// A UsernameToken whose Password Type is qualified (wsse:Type, as an
// independent Linux client writes it) must fare exactly like Windows' own.
#include <gtest/gtest.h>

#include <functional>
#include <regex>
#include <string>

#include "ceslab/core/base64.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/x509.hpp"
#include "wire_fixture.hpp"

namespace ceslab::mock {
namespace {

using testing::layer_fault;

// The Linux client's shape: the Password's Type qualified in the wsse namespace.
std::string with_qualified_type(std::string xml) {
  return std::regex_replace(xml, std::regex(R"(<o:Password Type=)"), "<o:Password o:Type=");
}

core::SoapMessage send(const MockServer& server, core::Service service, core::AuthMode auth,
                       const std::string& fixture, bool qualify = false,
                       const std::string& content_type = testing::kSoap12Type,
                       const std::function<std::string(std::string)>& edit = {}) {
  return testing::soap_answer(testing::post_fixture(
      server, service, auth, fixture,
      [&](std::string body) {
        if (qualify) body = with_qualified_type(std::move(body));
        return edit ? edit(std::move(body)) : body;
      },
      content_type));
}

MockServer lab() {
  return testing::wire_lab();
}

TEST(GoldenRequests, WindowsGetPoliciesAndTheLinuxShapeGetThePolicy) {
  MockServer server = lab();
  server.start();
  for (const bool qualify : {false, true}) {
    const core::SoapMessage m =
        send(server, core::Service::cep, core::AuthMode::username, "get_policies.xml", qualify);
    EXPECT_EQ(layer_fault(m), "") << "qualified: " << qualify;
    const auto* p = std::get_if<core::GetPoliciesResponse>(&m.body);
    ASSERT_NE(p, nullptr) << "qualified: " << qualify;
    ASSERT_TRUE(p->policies);
    EXPECT_FALSE(p->policies->empty());
  }
}

TEST(GoldenRequests, CepcesGetPoliciesWithNilVersionsIsAnswered) {
  MockServer server = lab();
  server.start();
  const core::SoapMessage m =
      send(server, core::Service::cep, core::AuthMode::kerberos, "get_policies_filter_nil.xml");
  EXPECT_EQ(layer_fault(m), "");
  EXPECT_TRUE(std::holds_alternative<core::GetPoliciesResponse>(m.body));
}

TEST(GoldenRequests, WindowsIssueAndTheLinuxShapeReachTheCa) {
  MockServer server = lab();
  server.start();
  std::string first;
  for (const bool qualify : {false, true}) {
    const core::SoapMessage m =
        send(server, core::Service::ces, core::AuthMode::username, "rst_issue_pkcs10.xml", qualify);
    EXPECT_EQ(layer_fault(m), "") << "qualified: " << qualify;
    // Both shapes get the same judgement from the CA.
    std::string outcome;
    if (const auto* r = std::get_if<core::RequestSecurityTokenResponse>(&m.body))
      outcome = r->is_issued() ? "issued" : "pending";
    if (const auto* f = std::get_if<core::EnrollmentFault>(&m.body))
      outcome = "fault " + std::to_string(f->error_code.value_or(0));
    ASSERT_FALSE(outcome.empty());
    if (first.empty()) first = outcome;
    EXPECT_EQ(outcome, first) << "qualified: " << qualify;
  }
}

// The Linux client's whole message shape (issue 15): Windows' Issue with the
// Password Type qualified, carrying a request for a key of ours, is issued a
// certificate for that key, as it is against Windows.
TEST(GoldenRequests, TheLinuxShapeEnrolls) {
  MockServer server = lab();
  server.start();
  const core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("rsa2048"));
  const std::string csr = core::encode_base64_wrapped(core::build_csr(key.get(), {}));
  const core::SoapMessage m =
      send(server, core::Service::ces, core::AuthMode::username, "rst_issue_pkcs10.xml", true,
           testing::kSoap12Type, [&](std::string body) {
             // Only the token's text changes: its attributes stay as the fixture has them.
             return std::regex_replace(body, std::regex(R"((<BinarySecurityToken [^>]*>)[^<]*)"),
                                       "$01" + csr);
           });
  ASSERT_EQ(layer_fault(m), "");
  const auto* r = std::get_if<core::RequestSecurityTokenResponse>(&m.body);
  ASSERT_NE(r, nullptr) << (std::holds_alternative<core::EnrollmentFault>(m.body)
                                ? std::get<core::EnrollmentFault>(m.body).reason
                                : "another answer");
  ASSERT_TRUE(r->is_issued());
  const core::X509Ptr cert = core::parse_certificate_der(r->issued_certificate->data);
  EXPECT_TRUE(core::certificate_matches_key(cert.get(), key.get()));
}

TEST(GoldenRequests, CepcesIssueAndWindowsKetThroughKerberos) {
  MockServer server = lab();
  server.start();
  for (const char* fixture : {"rst_issue_pkcs10_cepces.xml", "rst_ket.xml"}) {
    const core::SoapMessage m = send(server, core::Service::ces, core::AuthMode::kerberos, fixture);
    EXPECT_EQ(layer_fault(m), "") << fixture;
  }
}

// The same Windows GetPolicies with what senders vary at the HTTP and SOAP
// layers and WCF takes alike.
struct Variant {
  std::string name;
  std::string content_type;
  std::function<std::string(std::string)> edit;
};

void PrintTo(const Variant& v, std::ostream* os) {
  *os << v.name;
}

class AcceptedVariant : public ::testing::TestWithParam<Variant> {};

TEST_P(AcceptedVariant, GetsThePolicy) {
  MockServer server = lab();
  server.start();
  const Variant& v = GetParam();
  const core::SoapMessage m = send(server, core::Service::cep, core::AuthMode::username,
                                   "get_policies.xml", false, v.content_type, v.edit);
  EXPECT_EQ(layer_fault(m), "");
  EXPECT_TRUE(std::holds_alternative<core::GetPoliciesResponse>(m.body));
}

INSTANTIATE_TEST_SUITE_P(
    HttpAndSoap, AcceptedVariant,
    ::testing::Values(
        // SOAP 1.2 Part 2, 7.1.4 / RFC 3902: the action may ride on the media type.
        Variant{"action_parameter",
                "application/soap+xml; charset=utf-8; action=\"http://schemas.microsoft.com/"
                "windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies\"",
                {}},
        // RFC 3902: charset is optional; XML 1.0 4.3.3 defaults to UTF-8.
        Variant{"no_charset", "application/soap+xml", {}},
        // XML 1.0 4.3.3: a UTF-8 byte order mark may start the entity.
        Variant{"utf8_bom", "application/soap+xml; charset=utf-8",
                [](std::string b) { return "\xEF\xBB\xBF" + b; }},
        // SOAP 1.2 Part 1, 5.2.3: mustUnderstand is xs:boolean, "true" as good as "1".
        Variant{"must_understand_true", "application/soap+xml; charset=utf-8",
                [](std::string b) {
                  return std::regex_replace(b, std::regex(R"(s:mustUnderstand="1")"),
                                            R"(s:mustUnderstand="true")");
                }},
        // MS-WSTEP's and MS-XCEP's own examples send no a:To; WCF's AddressFilter
        // lets a message without one through.
        Variant{"no_to", "application/soap+xml; charset=utf-8",
                [](std::string b) {
                  return std::regex_replace(b, std::regex(R"(<a:To[^>]*>[^<]*</a:To>)"), "");
                }},
        // WS-Addressing 1.0 Core 3.1: [message id] is optional; WCF answers
        // a request without one (its reply then relates to nothing, below).
        Variant{"no_message_id", "application/soap+xml; charset=utf-8",
                [](std::string b) {
                  return std::regex_replace(b, std::regex(R"(<a:MessageID>[^<]*</a:MessageID>)"),
                                            "");
                }},
        // WS-Addressing 1.0 Core 3.1: without [reply endpoint] the reply goes
        // to the anonymous address, the HTTP response.
        Variant{"no_reply_to", "application/soap+xml; charset=utf-8",
                [](std::string b) {
                  return std::regex_replace(b, std::regex(R"(<a:ReplyTo>[\s\S]*?</a:ReplyTo>)"),
                                            "");
                }},
        // SOAP 1.2 Part 1, 2.7 / 5.2.3: a header block the node does not
        // understand and need not understand is ignored.
        Variant{"unknown_optional_header", "application/soap+xml; charset=utf-8",
                [](std::string b) {
                  return std::regex_replace(
                      b, std::regex(R"(</s:Header>)"),
                      R"(<x:Trace xmlns:x="urn:example:trace">1</x:Trace></s:Header>)");
                }}),
    [](const auto& info) { return info.param.name; });

// WS-Addressing 1.0 Core 3.4: a reply's RelatesTo is the request's
// MessageID. WCF's dispatcher adds it only when the request had one
// (PrepareAndAddressReply); without one the service still answers, and the
// reply relates to nothing. For the CES as for the CEP.
TEST(Addressing, TheReplyRelatesToTheMessageIdOnlyWhenThereIsOne) {
  MockServer server = lab();
  server.start();
  const auto without_id = [](std::string b) {
    return std::regex_replace(b, std::regex(R"(<a:MessageID>[^<]*</a:MessageID>)"), "");
  };
  struct Case {
    core::Service service;
    const char* fixture;
    const char* message_id;  // as the fixture has it
  };
  for (const Case& c : {Case{core::Service::cep, "get_policies.xml",
                             "urn:uuid:5fb5f6fd-4709-414b-8afa-0c05f6686d1c"},
                        Case{core::Service::ces, "rst_issue_pkcs10.xml",
                             "urn:uuid:6f0c2a5e-3d41-4b8e-9a57-1c2d3e4f5a61"}}) {
    SCOPED_TRACE(c.fixture);
    const core::SoapMessage with = send(server, c.service, core::AuthMode::username, c.fixture);
    EXPECT_EQ(layer_fault(with), "");
    EXPECT_EQ(with.addressing.relates_to, c.message_id);
    const core::SoapMessage without = send(server, c.service, core::AuthMode::username, c.fixture,
                                           false, testing::kSoap12Type, without_id);
    EXPECT_EQ(layer_fault(without), "");
    // The service's own answer: the policy, or the CA's judgement (an RSTR
    // or its enrollment fault).
    if (c.service == core::Service::cep) {
      EXPECT_TRUE(std::holds_alternative<core::GetPoliciesResponse>(without.body));
    } else {
      EXPECT_TRUE(std::holds_alternative<core::RequestSecurityTokenResponse>(without.body) ||
                  std::holds_alternative<core::EnrollmentFault>(without.body));
    }
    EXPECT_FALSE(without.addressing.relates_to) << *without.addressing.relates_to;
  }
}

// SOAP 1.2 Part 1, 5.4.8: a header block the node must understand and does
// not gets the MustUnderstand fault, as WCF sends it ("The header '…' from
// the namespace '…' was not understood by the recipient of this message").
// WCF finds it in its dispatcher (DispatchOperationRuntime.ValidateMustUnderstand)
// and addresses the fault like any reply (ImmutableDispatchRuntime.
// PrepareAndAddressReply: RelatesTo is the request's MessageID; .NET
// Framework reference source).
TEST(RefusedVariant, AnUnknownHeaderThatMustBeUnderstoodGetsTheMustUnderstandFault) {
  MockServer server = lab();
  server.start();
  // The block last in the Header, and first (before the MessageID).
  // (A pair, not a structured binding: clang 14 cannot capture one.)
  for (const std::pair<std::string, std::string>& edit :
       {std::pair<std::string, std::string>{R"(</s:Header>)", R"(<x:Trace s:mustUnderstand="1" )"
                                                              R"(xmlns:x="urn:example:trace">1)"
                                                              R"(</x:Trace></s:Header>)"},
        {R"(<s:Header>)", R"(<s:Header><x:Trace s:mustUnderstand="1" )"
                          R"(xmlns:x="urn:example:trace">1</x:Trace>)"}}) {
    SCOPED_TRACE(edit.second);
    const core::SoapMessage m = send(
        server, core::Service::cep, core::AuthMode::username, "get_policies.xml", false,
        "application/soap+xml; charset=utf-8",
        [&](std::string b) { return std::regex_replace(b, std::regex(edit.first), edit.second); });
    const auto* f = std::get_if<core::EnrollmentFault>(&m.body);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->code, "MustUnderstand") << f->reason;
    EXPECT_NE(f->reason.find("The header 'Trace' from the namespace 'urn:example:trace' was not "
                             "understood"),
              std::string::npos)
        << f->reason;
    ASSERT_TRUE(m.addressing.relates_to.has_value());
    EXPECT_EQ(*m.addressing.relates_to,
              "urn:uuid:5fb5f6fd-4709-414b-8afa-0c05f6686d1c");  // the fixture's
  }
}

}  // namespace
}  // namespace ceslab::mock
