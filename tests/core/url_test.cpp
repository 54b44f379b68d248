// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/url.hpp"
#include "error_message.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace ceslab::core {
namespace {

std::string error_of(std::string_view text) {
  return test_support::error_message<std::invalid_argument>([&] { parse_url(text); }, "<no error>");
}

TEST(Url, ParsesCesEndpoint) {
  const Url u =
      parse_url("https://CA01.Contoso.com/Contoso%20Issuing%20CA_CES_Kerberos/service.svc/CES");
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.host, "ca01.contoso.com");
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(u.target, "/Contoso%20Issuing%20CA_CES_Kerberos/service.svc/CES");
  EXPECT_FALSE(u.host_is_ip());
  EXPECT_EQ(u.authority(), "ca01.contoso.com:443");
  EXPECT_EQ(u.to_string(),
            "https://ca01.contoso.com/Contoso%20Issuing%20CA_CES_Kerberos/service.svc/CES");
}

TEST(Url, PortQueryAndEmptyPath) {
  Url u = parse_url("https://127.0.0.1:8443");
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 8443);
  EXPECT_EQ(u.target, "/");
  EXPECT_TRUE(u.host_is_ip());
  EXPECT_EQ(u.to_string(), "https://127.0.0.1:8443/");

  u = parse_url("https://h.test?a=1&b=%2F");
  EXPECT_EQ(u.target, "/?a=1&b=%2F");

  u = parse_url("https://h.test/p/ADPolicyProvider_CEP_Kerberos/service.svc/CEP?x#frag");
  EXPECT_EQ(u.target, "/p/ADPolicyProvider_CEP_Kerberos/service.svc/CEP?x");

  u = parse_url("HTTPS://h.test:/x");  // empty port = default (RFC 3986 §3.2.3)
  EXPECT_EQ(u.scheme, "https");
  EXPECT_EQ(u.port, 443);
}

TEST(Url, Ipv6Literal) {
  Url u = parse_url("https://[::1]:8443/CES");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 8443);
  EXPECT_TRUE(u.host_is_ip());
  EXPECT_EQ(u.authority(), "[::1]:8443");
  EXPECT_EQ(u.to_string(), "https://[::1]:8443/CES");

  u = parse_url("https://[2001:DB8:0:0::1]");
  EXPECT_EQ(u.host, "2001:db8::1");
  EXPECT_EQ(u.port, 443);
  EXPECT_EQ(u.to_string(), "https://[2001:db8::1]/");
}

TEST(Url, HttpParsesWithItsDefaultPort) {
  const Url u = parse_url("http://ces.test/x");
  EXPECT_EQ(u.scheme, "http");
  EXPECT_EQ(u.port, 80);
  EXPECT_EQ(u.to_string(), "http://ces.test/x");
  EXPECT_EQ(parse_url("http://ces.test:443/").to_string(), "http://ces.test:443/");
}

TEST(Url, RoundTripsThroughToString) {
  for (const char* text : {"https://a.test/", "https://a.test:1/x?y", "https://[::1]:2/z",
                           "https://10.0.0.1/a%41b", "http://a.test:8080/"}) {
    const Url u = parse_url(text);
    EXPECT_EQ(u.to_string(), text);
    EXPECT_EQ(parse_url(u.to_string()), u) << text;
  }
}

TEST(Url, ErrorsNameWhatIsWrong) {
  const struct {
    const char* text;
    const char* expected;
  } cases[] = {
      {"", "missing scheme"},
      {"ces.test/x", "missing scheme"},
      {"://ces.test", "missing scheme"},
      {"ftp://ces.test/", "unsupported scheme 'ftp'"},
      {"https://", "empty host"},
      {"https:///CES", "empty host"},
      {"https://:443/", "empty host"},
      {"https://user:pw@ces.test/", "user info"},
      {"https://ces.test:0/", "invalid port '0'"},
      {"https://ces.test:65536/", "invalid port '65536'"},
      {"https://ces.test:44a/", "invalid port '44a'"},
      {"https://ces.test:-1/", "invalid port '-1'"},
      {"https://[::1/", "unterminated IPv6"},
      {"https://[::g]/", "invalid IPv6 literal '::g'"},
      {"https://[fe80::1%25eth0]/", "invalid IPv6 literal"},
      {"https://[::1]x/", "after IPv6 literal"},
      {"https://ces test/", "whitespace"},
      {" https://ces.test/", "whitespace"},
      {"https://ces.test/a\tb", "whitespace"},
      {"https://ces.test/caf\xc3\xa9", "non-ASCII"},
      {"https://ces.test/%zz", "malformed percent-escape at '%zz'"},
      {"https://ces.test/%4", "malformed percent-escape"},
      {"https://ces.test/a|b", "'|' must be percent-encoded"},
      {"https://ces..test/", "invalid host 'ces..test'"},
      {"https://ce$.test/", "invalid host"},
  };
  for (const auto& c : cases) {
    const std::string what = error_of(c.text);
    EXPECT_NE(what.find(c.expected), std::string::npos)
        << "input '" << c.text << "' gave: " << what;
    if (*c.text != '\0' && c.text[0] != ' ') {
      EXPECT_NE(what.find(c.text), std::string::npos) << "error does not quote the input: " << what;
    }
  }
}

}  // namespace
}  // namespace ceslab::core
