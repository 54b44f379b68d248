// SPDX-License-Identifier: GPL-2.0-or-later
// Characters XML 1.0 forbids, in the values that decide who is logged on and
// what is issued: a character reference to NUL (`&#0;`, outside the Char
// production, XML 1.0 section 2.2 and the well-formedness constraint "Legal
// Character" of 4.1) and the overlong UTF-8 form of NUL (C0 80, not UTF-8 at
// all: RFC 3629 section 3, XML 1.0 section 4.3.3). WCF's XmlReader refuses
// both, so the message is refused whole; nothing is compared "up to the NUL".
// Where the error is decides the answer (docs/wire-acceptance.md, "XML"):
// in the envelope or a header, WCF's encoder fails and IIS/WCF answer a bare
// HTTP 400; in the body, the operation cannot read its request (WCF's
// generic fault, HTTP 500).
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "wire_fixture.hpp"

namespace ceslab::mock {
namespace {

using testing::Edit;

constexpr const char* kNulRef = "&#0;";
constexpr const char* kOverlongNul = "\xC0\x80";

// The UsernameToken's Password, or Username, with `inserted` after the lab's value.
Edit in_password(const std::string& inserted) {
  return [=](std::string b) {
    return std::regex_replace(b, std::regex("</o:Password>"), inserted + "junk</o:Password>");
  };
}
Edit in_username(const std::string& inserted) {
  return [=](std::string b) {
    return std::regex_replace(b, std::regex("</o:Username>"), inserted + "junk</o:Username>");
  };
}

struct Row {
  std::string name;
  Edit edit;
};

void PrintTo(const Row& r, std::ostream* os) {
  *os << r.name;
}

class ForbiddenCharacterInHeader : public ::testing::TestWithParam<Row> {};

// GetPolicies as Windows sends it with the row's character in the security
// header: refused before anyone is logged on, with a bare 400.
TEST_P(ForbiddenCharacterInHeader, IsABareBadRequest) {
  MockServer server = testing::wire_lab();
  server.start();
  const core::Exchange ex = testing::post_fixture(
      server, core::Service::cep, core::AuthMode::username, "get_policies.xml", GetParam().edit);
  testing::expect_bare(ex, 400);
}

INSTANTIATE_TEST_SUITE_P(Wire, ForbiddenCharacterInHeader,
                         ::testing::Values(Row{"password_nul_reference", in_password(kNulRef)},
                                           Row{"password_overlong_nul", in_password(kOverlongNul)},
                                           Row{"username_nul_reference", in_username(kNulRef)},
                                           Row{"username_overlong_nul", in_username(kOverlongNul)}),
                         [](const auto& info) { return info.param.name; });

Edit in_template_name(const std::string& inserted) {
  return [=](std::string b) {
    return std::regex_replace(b, std::regex("<Value>User</Value>"),
                              "<Value>User" + inserted + "junk</Value>");
  };
}

class ForbiddenCharacterInTemplateName : public ::testing::TestWithParam<Row> {};

// An Issue for "User" followed by the row's character: the RST is never read,
// so no request reaches the CA and nothing is issued.
TEST_P(ForbiddenCharacterInTemplateName, IsNeverIssued) {
  MockServer server = testing::wire_lab();
  server.start();
  const core::Exchange ex =
      testing::post_fixture(server, core::Service::ces, core::AuthMode::username,
                            "rst_issue_pkcs10.xml", GetParam().edit);
  ASSERT_TRUE(ex.response) << ex.error_message;
  EXPECT_EQ(ex.response->status, 500);
  const core::SoapMessage m = testing::soap_answer(ex);
  EXPECT_EQ(testing::layer_fault(m).rfind("Receiver/InternalServiceFault", 0), 0u)
      << testing::layer_fault(m);
}

INSTANTIATE_TEST_SUITE_P(Wire, ForbiddenCharacterInTemplateName,
                         ::testing::Values(Row{"nul_reference", in_template_name(kNulRef)},
                                           Row{"overlong_nul", in_template_name(kOverlongNul)}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace ceslab::mock
