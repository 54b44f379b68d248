// SPDX-License-Identifier: GPL-2.0-or-later
// The Host header as HTTP.sys checks it before IIS sees a request: an
// HTTP/1.1 request without one gets HTTP.sys's 400 "Bad Request - Invalid
// Hostname" page (RFC 9112, 3.2), an HTTP/1.0 request may omit it. The
// requests are written byte for byte over real TLS: ceslab's HttpsClient
// always sends a Host.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <string>

#include "ceslab/core/url.hpp"
#include "wire_fixture.hpp"

namespace ceslab::mock {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

// `raw` (a whole request) sent to the server of `url` over TLS; its answer.
http::response<http::string_body> send_raw(const MockServer& server, const std::string& url,
                                           const std::string& raw) {
  const core::Url u = core::parse_url(url);
  net::io_context ioc;
  net::ssl::context tls(net::ssl::context::tls_client);
  tls.load_verify_file(server.ca_certificate_path().string());
  tls.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, tls);
  net::ip::tcp::resolver resolver(ioc);
  beast::get_lowest_layer(stream).connect(resolver.resolve(u.host, std::to_string(u.port)));
  // A server that never answers fails the test instead of hanging it.
  const timeval limit{10, 0};
  ::setsockopt(beast::get_lowest_layer(stream).socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO,
               &limit, sizeof limit);
  stream.handshake(net::ssl::stream_base::client);
  net::write(stream, net::buffer(raw));
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return res;
}

std::string get_without_host(const std::string& url, const char* version) {
  return "GET " + core::parse_url(url).target + " " + version + "\r\n\r\n";
}

TEST(HostHeader, Http11WithoutHostGetsHttpSysInvalidHostnamePage) {
  MockServer server = testing::wire_lab();
  server.start();
  const std::string url = server.endpoint_url(core::Service::cep, core::AuthMode::username);
  const auto res = send_raw(server, url, get_without_host(url, "HTTP/1.1"));
  EXPECT_EQ(res.result_int(), 400u);
  EXPECT_EQ(res.reason(), "Bad Request");
  EXPECT_EQ(res[http::field::server], "Microsoft-HTTPAPI/2.0");
  EXPECT_EQ(res[http::field::content_type], "text/html; charset=us-ascii");
  EXPECT_FALSE(res.keep_alive());
  EXPECT_NE(res.body().find("<h2>Bad Request - Invalid Hostname</h2>"), std::string::npos);
  EXPECT_NE(res.body().find("<p>HTTP Error 400. The request hostname is invalid.</p>"),
            std::string::npos);
  EXPECT_EQ(res.body().size(), 334u);  // the Content-Length HTTP.sys sends
}

TEST(HostHeader, Http10WithoutHostIsServedAsWithOne) {
  MockServer server = testing::wire_lab();
  server.start();
  const std::string url = server.endpoint_url(core::Service::cep, core::AuthMode::username);
  const std::string with_host = "GET " + core::parse_url(url).target +
                                " HTTP/1.0\r\nHost: " + core::parse_url(url).authority() +
                                "\r\n\r\n";
  const auto expected = send_raw(server, url, with_host);
  const auto res = send_raw(server, url, get_without_host(url, "HTTP/1.0"));
  EXPECT_EQ(res.result_int(), expected.result_int());
  EXPECT_NE(res.result_int(), 400u);
  EXPECT_EQ(res.body(), expected.body());
}

TEST(HostHeader, Http11WithHostIsNotRefused) {
  MockServer server = testing::wire_lab();
  server.start();
  const std::string url = server.endpoint_url(core::Service::cep, core::AuthMode::username);
  const core::Url u = core::parse_url(url);
  const auto res =
      send_raw(server, url, "GET " + u.target + " HTTP/1.1\r\nHost: " + u.host + "\r\n\r\n");
  EXPECT_NE(res.result_int(), 400u);
}

}  // namespace
}  // namespace ceslab::mock
