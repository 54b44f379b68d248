// SPDX-License-Identifier: GPL-2.0-or-later
// A request body sent with Transfer-Encoding: chunked and no Content-Length,
// as a streaming sender writes it. Every HTTP/1.1 recipient decodes the
// chunked coding (RFC 9112, 7.1), IIS included; the mock must answer it as it
// answers the same body sent with a Content-Length. The chunks are written by
// Beast (ceslab's HttpsClient always sends a Content-Length).
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <string>

#include "ceslab/core/url.hpp"
#include "wire_fixture.hpp"

namespace ceslab::mock {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

// Runs one asynchronous step to its end, with a deadline on the stream.
template <typename Start>
beast::error_code step(net::io_context& ioc, beast::tcp_stream& tcp, Start start) {
  beast::error_code result = net::error::timed_out;
  tcp.expires_after(std::chrono::seconds(30));
  start([&](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

// `body` POSTed to `url` in chunks of `chunk` bytes: the request's header
// says Transfer-Encoding: chunked and carries no Content-Length.
http::response<http::string_body> post_chunked(const MockServer& server, const std::string& url,
                                               const std::string& body, std::size_t chunk) {
  const core::Url u = core::parse_url(url);
  net::io_context ioc;
  net::ssl::context tls(net::ssl::context::tls_client);
  tls.load_verify_file(server.ca_certificate_path().string());
  tls.set_verify_mode(net::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, tls);
  beast::tcp_stream& tcp = beast::get_lowest_layer(stream);
  net::ip::tcp::resolver resolver(ioc);
  const auto endpoints = resolver.resolve(u.host, std::to_string(u.port));
  const auto check = [](beast::error_code ec, const char* what) {
    if (ec) throw std::runtime_error(std::string(what) + ": " + ec.message());
  };
  check(step(ioc, tcp, [&](auto h) { tcp.async_connect(endpoints, h); }), "connect");
  check(step(ioc, tcp, [&](auto h) { stream.async_handshake(net::ssl::stream_base::client, h); }),
        "handshake");

  http::request<http::empty_body> req{http::verb::post, u.target, 11};
  req.set(http::field::host, u.host);
  req.set(http::field::content_type, testing::kSoap12Type);
  req.chunked(true);
  http::request_serializer<http::empty_body> header{req};
  check(step(ioc, tcp, [&](auto h) { http::async_write_header(stream, header, h); }), "header");
  for (std::size_t at = 0; at < body.size(); at += chunk) {
    const auto part = net::buffer(body.data() + at, std::min(chunk, body.size() - at));
    check(step(ioc, tcp, [&](auto h) { net::async_write(stream, http::make_chunk(part), h); }),
          "chunk");
  }
  check(step(ioc, tcp, [&](auto h) { net::async_write(stream, http::make_chunk_last(), h); }),
        "last chunk");

  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  check(step(ioc, tcp, [&](auto h) { http::async_read(stream, buffer, res, h); }), "response");
  return res;
}

TEST(ChunkedRequest, GetsThePolicyAsWithAContentLength) {
  MockServer server = testing::wire_lab();
  server.start();
  const std::string url = server.endpoint_url(core::Service::cep, core::AuthMode::username);
  const std::string body = testing::restamped(testing::wire("get_policies.xml"), url);
  // A chunk of a few bytes splits tags and text; one chunk is the whole body.
  for (const std::size_t chunk : {std::size_t{7}, body.size()}) {
    SCOPED_TRACE("chunk size " + std::to_string(chunk));
    const http::response<http::string_body> res = post_chunked(server, url, body, chunk);
    EXPECT_EQ(res.result_int(), 200u);
    const core::SoapMessage m = wsdl::read_message(res.body());
    EXPECT_EQ(testing::layer_fault(m), "");
    EXPECT_TRUE(std::holds_alternative<core::GetPoliciesResponse>(m.body));
  }
}

}  // namespace
}  // namespace ceslab::mock
