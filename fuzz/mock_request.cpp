// SPDX-License-Identifier: GPL-2.0-or-later
// Raw HTTP request bytes through the mock, in process: Beast's request
// parser with the limits the mock's HTTPS server sets, then the server's own
// route (MockServer::handle) — SOAP parse and validation, authentication,
// PKCS#10 / CMS / CMC decoding, the CA's policy and issuance. What the server
// does with a request its parser refuses (400/413/431 before any handler)
// needs no fuzzing here.
#include <boost/beast/http.hpp>
#include <memory>

#include "bytes.hpp"
#include "ceslab/core/http_types.hpp"
#include "ceslab/core/https_server.hpp"
#include "ceslab/mock/server.hpp"
#include "targets.hpp"

namespace ceslab::fuzz {
namespace {

namespace http = boost::beast::http;

// One mock for the whole run: creating its CA costs far more than a request,
// and a real server also answers many requests with one CA. Never started:
// no socket. Its state directory is a fresh temporary one, removed at exit.
mock::MockServer& server() {
  static mock::MockServer instance{mock::MockOptions{}};
  return instance;
}

core::ConnectionInfo loopback_tls() {
  core::ConnectionInfo c;
  c.peer_address = "127.0.0.1";
  c.peer_port = 50000;
  c.tls_version = "TLSv1.3";
  c.cipher = "TLS_AES_256_GCM_SHA384";
  return c;
}

// The request the server's session would hand its handler, or nullopt where
// the session answers (or waits) without one.
std::optional<core::HttpRequest> parse_request(std::string_view raw) {
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(64 * 1024);  // core/src/https_server.cpp kHeaderLimit
  parser.body_limit(core::ServerOptions{}.body_limit);
  boost::beast::error_code ec;
  std::size_t used = 0;
  while (!parser.is_done() && used < raw.size()) {
    const std::size_t n = parser.put(boost::asio::buffer(raw.data() + used, raw.size() - used), ec);
    if (ec || n == 0) return std::nullopt;
    used += n;
  }
  if (!parser.is_done()) return std::nullopt;  // the session would wait for more
  auto& req = parser.get();
  core::HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  for (const auto& field : req) {
    request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  request.body = std::move(req.body());
  return request;
}

}  // namespace

int mock_request(const std::uint8_t* data, std::size_t size) {
  const auto request = parse_request(as_text(data, size));
  if (!request) return 0;
  // The server turns an exception into a 500 "handler failed"; a Windows
  // CES never answers that way, so for the mock it is a finding too.
  const core::HttpResponse response = server().handle(*request, loopback_tls());
  (void)response;
  return 0;
}

}  // namespace ceslab::fuzz
