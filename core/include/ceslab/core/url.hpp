// SPDX-License-Identifier: GPL-2.0-or-later
// A deliberately small URL parser for the endpoints ceslab talks to
// (Boost 1.74 has no Boost.URL). Only absolute http(s) URLs are accepted;
// http is parsed so that callers can say "CES needs https" instead of
// "malformed URL".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ceslab::core {

struct Url {
  std::string scheme;  // "https" or "http", lower case
  std::string host;    // lower case; IPv6 literals WITHOUT brackets ("::1")
  std::uint16_t port = 443;
  std::string target;  // path and query, percent-escapes kept as written; "/" if empty

  bool host_is_ip() const;  // IPv4 or IPv6 literal
  // "host:port" as it goes into messages and the Host header ("[::1]:8443").
  std::string authority() const;
  // Canonical form; the port is omitted when it is the scheme's default.
  std::string to_string() const;

  friend bool operator==(const Url&, const Url&) = default;
};

// Parses "https://host[:port][/path][?query][#fragment]". The fragment is
// dropped (it never goes on the wire). Throws std::invalid_argument naming
// what is wrong: missing or unsupported scheme, user info, empty or invalid
// host, bad port, whitespace/control characters, malformed %-escape.
Url parse_url(std::string_view text);

}  // namespace ceslab::core
