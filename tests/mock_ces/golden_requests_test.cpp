// SPDX-License-Identifier: GPL-2.0-or-later
// The golden request fixtures (tests/fixtures/wire/, shaped as Windows and
// cepces send them, see its README) sent as they are to the mock: only the
// address, the clock and the lab's credentials are changed. Each must get
// the answer Windows gives it: the service's own (a policy, a certificate, the
// CA's judgement), never a fault of the SOAP, addressing or security layer.
// A UsernameToken whose Password Type is qualified (wsse:Type, as an
// independent Linux client writes it) must fare exactly like Windows' own.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <regex>
#include <string>

#include "ceslab/wsdl/codec.hpp"
#include "fake_negotiate.hpp"
#include "lab_fixture.hpp"

namespace ceslab::mock {
namespace {

using testing::kAlice;

std::string wire(const std::string& name) {
  return testing::read_file(std::filesystem::path(CESLAB_FIXTURES_DIR) / "wire" / name);
}

// The fixture addressed to `to`, stamped now, with alice's lab credentials.
// ("$01": a one-digit "$1" would swallow the date's leading digits.)
std::string restamped(std::string xml, const std::string& to) {
  const auto now = std::chrono::system_clock::now();
  xml = std::regex_replace(xml, std::regex(R"((<a:To[^>]*>)[^<]*(</a:To>))"), "$01" + to + "$02");
  xml = std::regex_replace(xml, std::regex(R"((<u:Created>)[^<]*(</u:Created>))"),
                           "$01" + testing::utc_timestamp(now) + "$02");
  xml = std::regex_replace(xml, std::regex(R"((<u:Expires>)[^<]*(</u:Expires>))"),
                           "$01" + testing::utc_timestamp(now + std::chrono::minutes(5)) + "$02");
  xml = std::regex_replace(xml, std::regex(R"((<o:Username>)[^<]*(</o:Username>))"),
                           "$01" + kAlice.username + "$02");
  xml = std::regex_replace(xml, std::regex(R"((<o:Password[^>]*>)[^<]*(</o:Password>))"),
                           "$01" + kAlice.password + "$02");
  return xml;
}

// The Linux client's shape: the Password's Type qualified in the wsse namespace.
std::string with_qualified_type(std::string xml) {
  return std::regex_replace(xml, std::regex(R"(<o:Password Type=)"), "<o:Password o:Type=");
}

core::SoapMessage send(const MockServer& server, Service service, AuthMode auth,
                       const std::string& fixture, bool qualify = false,
                       const std::string& content_type = "application/soap+xml; charset=utf-8",
                       const std::function<std::string(std::string)>& edit = {}) {
  const std::string url = server.endpoint_url(service, auth);
  std::string body = restamped(wire(fixture), url);
  if (qualify) body = with_qualified_type(body);
  if (edit) body = edit(std::move(body));
  std::vector<core::HttpHeader> headers;
  if (auth == AuthMode::kerberos) headers.push_back({testing::kFakeKerberosUserHeader, "alice"});
  const core::Exchange ex =
      testing::post_raw(server, url, content_type, std::move(body), "POST", headers);
  if (!ex.response) throw std::runtime_error(fixture + ": no answer: " + ex.error_message);
  return wsdl::read_message(ex.response->body);
}

MockServer lab() {
  MockOptions options;
  options.kerberos_acceptor = testing::fake_negotiate;
  return MockServer{std::move(options)};
}

// What a layer below the service answers: WCF's generic fault, an addressing
// or a security fault. None may come back for a golden request.
std::string layer_fault(const core::SoapMessage& m) {
  const auto* f = std::get_if<core::EnrollmentFault>(&m.body);
  if (f == nullptr || f->kind == core::FaultKind::enrollment_detail) return "";
  return f->code + "/" + f->subcode.value_or("") + ": " + f->reason;
}

TEST(GoldenRequests, WindowsGetPoliciesAndTheLinuxShapeGetThePolicy) {
  MockServer server = lab();
  server.start();
  for (const bool qualify : {false, true}) {
    const core::SoapMessage m =
        send(server, Service::cep, AuthMode::username_password, "get_policies.xml", qualify);
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
      send(server, Service::cep, AuthMode::kerberos, "get_policies_filter_nil.xml");
  EXPECT_EQ(layer_fault(m), "");
  EXPECT_TRUE(std::holds_alternative<core::GetPoliciesResponse>(m.body));
}

TEST(GoldenRequests, WindowsIssueAndTheLinuxShapeReachTheCa) {
  MockServer server = lab();
  server.start();
  std::string first;
  for (const bool qualify : {false, true}) {
    const core::SoapMessage m =
        send(server, Service::ces, AuthMode::username_password, "rst_issue_pkcs10.xml", qualify);
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

TEST(GoldenRequests, CepcesIssueAndWindowsKetThroughKerberos) {
  MockServer server = lab();
  server.start();
  for (const char* fixture : {"rst_issue_pkcs10_cepces.xml", "rst_ket.xml"}) {
    const core::SoapMessage m = send(server, Service::ces, AuthMode::kerberos, fixture);
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
  const core::SoapMessage m = send(server, Service::cep, AuthMode::username_password,
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

// SOAP 1.2 Part 1, 5.4.8: a header block the node must understand and does
// not gets the MustUnderstand fault, as WCF sends it ("The header '…' from
// the namespace '…' was not understood by the recipient of this message").
TEST(RefusedVariant, AnUnknownHeaderThatMustBeUnderstoodGetsTheMustUnderstandFault) {
  MockServer server = lab();
  server.start();
  const core::SoapMessage m =
      send(server, Service::cep, AuthMode::username_password, "get_policies.xml", false,
           "application/soap+xml; charset=utf-8", [](std::string b) {
             return std::regex_replace(b, std::regex(R"(</s:Header>)"),
                                       R"(<x:Trace s:mustUnderstand="1" )"
                                       R"(xmlns:x="urn:example:trace">1</x:Trace></s:Header>)");
           });
  const auto* f = std::get_if<core::EnrollmentFault>(&m.body);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->code, "MustUnderstand") << f->reason;
  EXPECT_NE(f->reason.find("The header 'Trace' from the namespace 'urn:example:trace' was not "
                           "understood"),
            std::string::npos)
      << f->reason;
}

}  // namespace
}  // namespace ceslab::mock
