// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "ceslab/core/http_types.hpp"

namespace ceslab::core {
namespace {

TEST(ParseHttpResponse, ContentLengthFramedIIS401) {
  const HttpResponse r = parse_http_response(
      "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/html\r\nServer: Microsoft-IIS/10.0\r\n"
      "WWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.reason, "Unauthorized");
  EXPECT_EQ(r.body, "hello");
  int challenges = 0;
  for (const auto& h : r.headers) challenges += header_name_equals(h.name, "WWW-Authenticate");
  EXPECT_EQ(challenges, 2);
}

TEST(ParseHttpResponse, ChunkedBodyIsDechunked) {
  const HttpResponse r = parse_http_response(
      "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/soap+xml\r\n"
      "Transfer-Encoding: chunked\r\n\r\n4\r\n<s:E\r\n3\r\nnv/\r\n0\r\n\r\n");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "<s:Env/");
  EXPECT_FALSE(r.header("Transfer-Encoding"));
  EXPECT_EQ(r.header("content-type"), "application/soap+xml");
}

TEST(ParseHttpResponse, BodyToEndOfCapture) {
  const HttpResponse r =
      parse_http_response("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it");
  EXPECT_EQ(r.body, "all of it");
}

TEST(ParseHttpResponse, BadInputIsRefusedWithAReason) {
  for (const char* bad : {"", "garbage", "HTTP/1.1 abc OK\r\n\r\n",
                          "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"}) {
    try {
      parse_http_response(bad);
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("HTTP response"), std::string::npos) << e.what();
    }
  }
}

TEST(ParseHttpResponse, BodyLimitIsEnforced) {
  EXPECT_THROW(parse_http_response(
                   "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'x'), 10),
               std::invalid_argument);
}

}  // namespace
}  // namespace ceslab::core
