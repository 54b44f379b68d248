// SPDX-License-Identifier: GPL-2.0-or-later
// The UsernameToken's Password Type as senders write it. The attribute is
// unqualified (WS-Security UsernameToken Profile 1.0, 3.1) and PasswordText
// when absent; WCF reads only the unqualified one, so a Type qualified in the
// wsse namespace (as an independent Linux client sends it) counts as absent
// and Windows logs the user on. A PasswordDigest, which WCF's built-in
// UsernameToken does not support ("UsernameToken Profile vs. WCF",
// docs.microsoft.com/archive/blogs/aszego), is refused with InvalidSecurity.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "ceslab/wsdl/codec.hpp"
#include "lab_fixture.hpp"

namespace ceslab::mock {
namespace {

using testing::kAlice;

constexpr const char* kText =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#"
    "PasswordText";
constexpr const char* kDigest =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#"
    "PasswordDigest";

// GetPolicies as tests/fixtures/wire/get_policies.xml has it, fresh, with
// `password_attribute` written into <o:Password> as given.
std::string get_policies(const std::string& to, const std::string& password_attribute) {
  const auto now = std::chrono::system_clock::now();
  return std::string(
             "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
             "xmlns:a=\"http://www.w3.org/2005/08/addressing\" "
             "xmlns:u=\"http://docs.oasis-open.org/wss/2004/01/"
             "oasis-200401-wss-wssecurity-utility-1.0.xsd\"><s:Header>"
             "<a:Action s:mustUnderstand=\"1\">http://schemas.microsoft.com/windows/pki/2009/01/"
             "enrollmentpolicy/IPolicy/GetPolicies</a:Action>"
             "<a:MessageID>urn:uuid:5fb5f6fd-4709-414b-8afa-0c05f6686d1c</a:MessageID>"
             "<a:ReplyTo><a:Address>http://www.w3.org/2005/08/addressing/anonymous</a:Address>"
             "</a:ReplyTo><a:To s:mustUnderstand=\"1\">") +
         to +
         "</a:To><o:Security s:mustUnderstand=\"1\" "
         "xmlns:o=\"http://docs.oasis-open.org/wss/2004/01/"
         "oasis-200401-wss-wssecurity-secext-1.0.xsd\"><u:Timestamp u:Id=\"_0\"><u:Created>" +
         testing::utc_timestamp(now) + "</u:Created><u:Expires>" +
         testing::utc_timestamp(now + std::chrono::minutes(5)) +
         "</u:Expires></u:Timestamp><o:UsernameToken><o:Username>" + kAlice.username +
         "</o:Username><o:Password" + password_attribute + ">" + kAlice.password +
         "</o:Password></o:UsernameToken></o:Security></s:Header>"
         "<s:Body xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
         "<GetPolicies xmlns=\"http://schemas.microsoft.com/windows/pki/2009/01/"
         "enrollmentpolicy\"><client><lastUpdate>0001-01-01T00:00:00</lastUpdate>"
         "<preferredLanguage xsi:nil=\"true\"/></client><requestFilter>"
         "<policyOIDs xsi:nil=\"true\"/><clientVersion>0</clientVersion>"
         "<serverVersion>0</serverVersion></requestFilter></GetPolicies></s:Body></s:Envelope>";
}

core::SoapMessage post(const MockServer& server, const std::string& body) {
  const std::string url = server.endpoint_url(core::Service::cep, core::AuthMode::username);
  const core::Exchange ex =
      testing::post_raw(server, url, "application/soap+xml; charset=utf-8", body);
  if (!ex.response) throw std::runtime_error("no answer: " + ex.error_message);
  return wsdl::read_message(ex.response->body);
}

struct TypeCase {
  std::string name;
  std::string attribute;  // as written into <o:Password ...>
  bool logged_on = true;
};

void PrintTo(const TypeCase& c, std::ostream* os) {
  *os << c.name;
}

class PasswordType : public ::testing::TestWithParam<TypeCase> {};

TEST_P(PasswordType, IsReadAsWcfReadsIt) {
  const TypeCase& c = GetParam();
  MockServer server{MockOptions{}};
  server.start();
  const std::string to = server.endpoint_url(core::Service::cep, core::AuthMode::username);
  const core::SoapMessage m = post(server, get_policies(to, c.attribute));
  if (c.logged_on) {
    EXPECT_TRUE(std::holds_alternative<core::GetPoliciesResponse>(m.body)) << c.name;
  } else {
    ASSERT_TRUE(std::holds_alternative<core::EnrollmentFault>(m.body)) << c.name;
    EXPECT_EQ(std::get<core::EnrollmentFault>(m.body).subcode, "InvalidSecurity");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Senders, PasswordType,
    ::testing::Values(TypeCase{"unqualified", std::string(" Type=\"") + kText + "\"", true},
                      TypeCase{"qualified", std::string(" o:Type=\"") + kText + "\"", true},
                      TypeCase{"absent", "", true},
                      TypeCase{"digest", std::string(" Type=\"") + kDigest + "\"", false},
                      TypeCase{"unknown", " Type=\"urn:example:other\"", false}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace ceslab::mock
