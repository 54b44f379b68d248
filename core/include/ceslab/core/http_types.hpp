// SPDX-License-Identifier: GPL-2.0-or-later
// Plain HTTP message values shared by the HTTPS server and client. They carry
// no Boost types so that callers (mock CES, enrollment client, runner) do not
// pull Beast into every translation unit.
#pragma once

#include "ceslab/core/ossl.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ceslab::core {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method;     // "POST", "GET", ...
  std::string target;     // origin-form: path and query, e.g. "/CES?x=1"
  unsigned version = 11;  // HTTP/1.1 = 11, HTTP/1.0 = 10 (as Beast counts)
  std::vector<HttpHeader> headers;
  std::string body;

  // Value of the first header called `name` (compared case-insensitively,
  // as RFC 9110 requires), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string reason;  // empty: the standard reason phrase for `status`
  std::vector<HttpHeader> headers;
  std::string body;

  std::optional<std::string> header(std::string_view name) const;
};

// Case-insensitive ASCII comparison used for header names.
bool header_name_equals(std::string_view a, std::string_view b) noexcept;

// Parses a raw HTTP/1.x response as it was captured (status line, headers,
// body; chunked or Content-Length framing; a body without framing runs to the
// end), e.g. a recorded customer exchange. The result carries the headers as
// sent, except that a chunked body is returned de-chunked without its
// Transfer-Encoding header. Throws std::invalid_argument naming the problem
// (Beast's parser message) for anything else, including a body larger than
// `body_limit` or a truncated message.
HttpResponse parse_http_response(std::string_view raw, std::size_t body_limit = 8 * 1024 * 1024);

// RFC 5929 "tls-server-end-point" channel-binding data for `cert`: the hash
// of the certificate's DER encoding, using the hash of the certificate's
// signature algorithm, except that MD5 and SHA-1 are replaced by SHA-256.
// The "tls-server-end-point:" prefix that GSS/SASL put in front of it is NOT
// included. Returns an empty vector when RFC 5929 defines no binding for the
// certificate (a signature algorithm without a single hash, e.g. Ed25519).
// Throws CryptoError if hashing fails.
Bytes tls_server_end_point(X509* cert);

}  // namespace ceslab::core
