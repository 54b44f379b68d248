// SPDX-License-Identifier: GPL-2.0-or-later
// The WS-Security header of the UsernamePassword endpoints as senders vary
// it, against what WCF's TransportSecurityBindingElement (UserNameOverTransport,
// the TransportWithMessageCredential binding of CES and CEP) does with it:
// - the wsu:Timestamp is optional: that binding turns replay detection off,
//   and only replay detection demands a Timestamp; one that is there must be
//   in range: Created before Expires, Expires not more than MaxClockSkew in
//   the past, Created not MaxClockSkew or more in the future and not older
//   than ReplayWindow + MaxClockSkew (both 5 minutes by default);
// - WCF's UsernameToken reader skips wsse:Nonce and wsu:Created ("can be
//   safely ignored"): present, absent, stale or repeated, they change nothing.
// Sources and rows: docs/wire-acceptance.md, WS-Security.
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <regex>
#include <string>

#include "wire_fixture.hpp"

namespace ceslab::mock {
namespace {

using std::chrono::minutes;
using testing::Edit;
using testing::layer_fault;

constexpr const char* kTimestamp = R"(<u:Timestamp[^>]*>[\s\S]*?</u:Timestamp>)";

std::string at(minutes offset) {
  return testing::utc_timestamp(std::chrono::system_clock::now() + offset);
}

// The Timestamp with Created and Expires at these offsets from now.
Edit timestamp(minutes created, minutes expires) {
  return [=](std::string b) {
    return std::regex_replace(b, std::regex(kTimestamp),
                              "<u:Timestamp u:Id=\"_0\"><u:Created>" + at(created) +
                                  "</u:Created><u:Expires>" + at(expires) +
                                  "</u:Expires></u:Timestamp>");
  };
}

// `inner` written into the UsernameToken after the Password.
Edit in_token(const std::string& inner) {
  return [=](std::string b) {
    return std::regex_replace(b, std::regex(R"(</o:Password>)"), "</o:Password>" + inner);
  };
}

const std::string kNonce =
    "<o:Nonce EncodingType=\"http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-soap-message-security-1.0#Base64Binary\">q83vEjRWeJCrze8SNFZ4kA==</o:Nonce>";

std::string token_created(minutes offset) {
  return "<u:Created>" + at(offset) + "</u:Created>";
}

struct Row {
  std::string name;
  Edit edit;
  bool accepted = true;
};

void PrintTo(const Row& r, std::ostream* os) {
  *os << r.name;
}

class SecurityHeader : public ::testing::TestWithParam<Row> {};

// GetPolicies as Windows sends it (get_policies.xml) with the row's change:
// the policy, or WCF's InvalidSecurity fault.
TEST_P(SecurityHeader, IsJudgedAsWcfJudgesIt) {
  MockServer server = testing::wire_lab();
  server.start();
  const core::Exchange ex = testing::post_fixture(
      server, core::Service::cep, core::AuthMode::username, "get_policies.xml", GetParam().edit);
  const core::SoapMessage m = testing::soap_answer(ex);
  if (GetParam().accepted) {
    EXPECT_EQ(layer_fault(m), "");
    EXPECT_TRUE(std::holds_alternative<core::GetPoliciesResponse>(m.body));
  } else {
    ASSERT_TRUE(std::holds_alternative<core::EnrollmentFault>(m.body));
    const auto& f = std::get<core::EnrollmentFault>(m.body);
    EXPECT_EQ(ex.response->status, 500);
    EXPECT_EQ(f.code, "Sender");
    EXPECT_EQ(f.subcode, "InvalidSecurity");
    EXPECT_EQ(f.reason, "An error occurred when verifying security for the message.");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Timestamp, SecurityHeader,
    ::testing::Values(Row{"absent",
                          [](std::string b) {
                            return std::regex_replace(b, std::regex(kTimestamp), "");
                          }},
                      // A sender whose clock is 7 minutes behind: Expires is 2 minutes ago
                      // (inside the skew), Created inside ReplayWindow + MaxClockSkew.
                      Row{"clock_7_minutes_behind", timestamp(minutes(-7), minutes(-2))},
                      Row{"clock_4_minutes_ahead", timestamp(minutes(4), minutes(9))},
                      Row{"clock_6_minutes_ahead", timestamp(minutes(6), minutes(11)), false},
                      Row{"expired_7_minutes_ago", timestamp(minutes(-12), minutes(-7)), false},
                      // Not expired, but created longer ago than ReplayWindow + MaxClockSkew.
                      Row{"created_11_minutes_ago", timestamp(minutes(-11), minutes(1)), false},
                      Row{"created_after_expires", timestamp(minutes(0), minutes(-1)), false}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    UsernameToken, SecurityHeader,
    ::testing::Values(Row{"nonce_and_created", in_token(kNonce + token_created(minutes(0)))},
                      Row{"nonce_only", in_token(kNonce)},
                      Row{"created_only", in_token(token_created(minutes(0)))},
                      // WCF never reads the token's Created, so its age is no matter.
                      Row{"created_an_hour_ago", in_token(kNonce + token_created(minutes(-60)))},
                      Row{"no_username_token",
                          [](std::string b) {
                            return std::regex_replace(
                                b, std::regex(R"(<o:UsernameToken[\s\S]*?</o:UsernameToken>)"), "");
                          },
                          false}),
    [](const auto& info) { return info.param.name; });

// The same UsernameToken, Nonce and all, sent twice to the CES: WCF keeps no
// nonce cache for it, so the second is answered like the first (by the CA).
TEST(SecurityHeaderReplay, ARepeatedNonceReachesTheCaAgain) {
  MockServer server = testing::wire_lab();
  server.start();
  const Edit same_token = in_token(kNonce + token_created(minutes(0)));
  for (int attempt = 1; attempt <= 2; ++attempt) {
    const core::SoapMessage m = testing::soap_answer(testing::post_fixture(
        server, core::Service::ces, core::AuthMode::username, "rst_issue_pkcs10.xml", same_token));
    EXPECT_EQ(layer_fault(m), "") << "attempt " << attempt;
  }
}

}  // namespace
}  // namespace ceslab::mock
