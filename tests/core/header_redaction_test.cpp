// SPDX-License-Identifier: GPL-2.0-or-later
// Credentials in HTTP headers are replaced, their schemes kept.
#include "ceslab/core/header_redaction.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ceslab::core {
namespace {

TEST(RedactHeader, CredentialsGoTheSchemeStays) {
  const std::vector<std::pair<HttpHeader, std::string>> cases = {
      {{"Authorization", "Negotiate YIIGhgYGKwYBBQUCoIIGejCCBnag"}, "Negotiate [redacted]"},
      {{"authorization", "Basic YWxpY2U6YWxpY2UtcGFzc3dvcmQ="}, "Basic [redacted]"},
      {{"Proxy-Authorization", "NTLM TlRMTVNTUAABAAAAB4IIogAAAAA="}, "NTLM [redacted]"},
      {{"Authorization", "bare-token"}, "[redacted]"},
      // RFC 4559 section 5: the server's final Negotiate token.
      {{"WWW-Authenticate", "Negotiate oYG2MIGzoAMKAQChCwYJ"}, "Negotiate [redacted]"},
      {{"Proxy-Authenticate", "NTLM TlRMTVNTUAACAAAA, Basic realm=\"lab\""},
       "NTLM [redacted], Basic realm=\"lab\""},
      // Offers carry no secret.
      {{"WWW-Authenticate", "Negotiate"}, "Negotiate"},
      {{"WWW-Authenticate", "Negotiate, NTLM"}, "Negotiate, NTLM"},
      {{"WWW-Authenticate", "Basic realm=\"lab.test\""}, "Basic realm=\"lab.test\""},
      {{"Cookie", "ASP.NET_SessionId=abc"}, "[redacted]"},
      {{"set-cookie", "ASP.NET_SessionId=abc; path=/; HttpOnly"}, "[redacted]"},
      {{"Content-Type", "text/html; charset=utf-8"}, "text/html; charset=utf-8"},
  };
  for (const auto& [header, expected] : cases) {
    const HttpHeader out = redact_header(header);
    EXPECT_EQ(out.name, header.name);
    EXPECT_EQ(out.value, expected) << header.name << ": " << header.value;
    EXPECT_EQ(header_is_redacted(header), expected != header.value) << header.value;
  }
}

TEST(RedactHeader, AListKeepsItsOrderAndItsHarmlessHeaders) {
  const std::vector<HttpHeader> in = {{"Content-Type", "application/soap+xml"},
                                      {"Authorization", "Negotiate YIIGhg"}};
  const std::vector<HttpHeader> out = redact_headers(in);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].value, "application/soap+xml");
  EXPECT_EQ(out[1].value, "Negotiate [redacted]");
}

}  // namespace
}  // namespace ceslab::core
