// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/url.hpp"
#include "ceslab/core/text.hpp"

#include <boost/asio/ip/address.hpp>

#include <cctype>
#include <charconv>
#include <optional>
#include <stdexcept>

namespace ceslab::core {

namespace {

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  throw std::invalid_argument("invalid URL '" + std::string(text) + "': " + why);
}

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

// RFC 3986 reg-name restricted to what DNS host names use (letters, digits,
// '-', '.', and '_' which AD sometimes has in names).
bool valid_reg_name(std::string_view host) {
  if (host.empty() || host.front() == '.' || host.find("..") != std::string_view::npos)
    return false;
  for (char c : host) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_'))
      return false;
  }
  return true;
}

std::uint16_t default_port(std::string_view scheme) {
  return scheme == "http" ? 80 : 443;
}

}  // namespace

bool Url::host_is_ip() const {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

std::string Url::authority() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string Url::to_string() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string out = scheme + "://" + (v6 ? "[" + host + "]" : host);
  if (port != default_port(scheme)) out += ":" + std::to_string(port);
  out += target.empty() ? "/" : target;
  return out;
}

namespace {

// Sets url.host from the authority (an IPv6 literal in brackets or a
// registered name); returns the text after ':' when there is a port.
std::optional<std::string_view> read_host(std::string_view text, std::string_view authority,
                                          Url& url) {
  std::optional<std::string_view> port_text;
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) fail(text, "unterminated IPv6 literal (missing ']')");
    const std::string_view host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') fail(text, "unexpected characters after IPv6 literal");
      port_text = after.substr(1);
    }
    boost::system::error_code ec;
    const auto addr = boost::asio::ip::make_address_v6(std::string(host), ec);
    if (ec || host.find('%') != std::string_view::npos)
      fail(text, "invalid IPv6 literal '" + std::string(host) + "'");
    url.host = addr.to_string();
    return port_text;
  }
  const auto colon = authority.rfind(':');
  const std::string_view host = authority.substr(0, colon);
  if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  if (host.empty()) fail(text, "empty host");
  if (!valid_reg_name(host)) fail(text, "invalid host '" + std::string(host) + "'");
  url.host = to_lower(host);
  return port_text;
}

std::uint16_t read_port(std::string_view text, std::string_view port_text) {
  unsigned value = 0;
  const auto* end = port_text.data() + port_text.size();
  const auto [ptr, ec] = std::from_chars(port_text.data(), end, value);
  if (ec != std::errc() || ptr != end || value == 0 || value > 65535)
    fail(text, "invalid port '" + std::string(port_text) + "' (expected 1-65535)");
  return static_cast<std::uint16_t>(value);
}

// The request target from what follows the authority.
std::string read_target(std::string_view text, std::string_view tail) {
  // Fragments stay on the client side of HTTP.
  tail = tail.substr(0, tail.find('#'));
  for (std::size_t i = 0; i < tail.size(); ++i) {
    // RFC 3986 never allows these unescaped; IIS answers them with 400.
    if (std::string_view("\"<>\\^`{|}").find(tail[i]) != std::string_view::npos)
      fail(text, std::string("character '") + tail[i] + "' must be percent-encoded");
    if (tail[i] == '%' && (i + 2 >= tail.size() || !is_hex(tail[i + 1]) || !is_hex(tail[i + 2]))) {
      fail(text, "malformed percent-escape at '" + std::string(tail.substr(i, 3)) + "'");
    }
  }
  if (tail.empty()) return "/";
  if (tail.front() == '?') return "/" + std::string(tail);
  return std::string(tail);
}

}  // namespace

Url parse_url(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) fail(text, "contains whitespace or a control character");
    if (u >= 0x80) fail(text, "contains a non-ASCII character (percent-encode it)");
  }

  const auto sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) fail(text, "missing scheme (expected https://)");
  Url url;
  url.scheme = to_lower(text.substr(0, sep));
  if (url.scheme != "https" && url.scheme != "http")
    fail(text, "unsupported scheme '" + url.scheme + "' (expected https)");

  std::string_view rest = text.substr(sep + 3);
  // The authority ends at the first '/', '?' or '#'.
  const auto auth_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view tail = auth_end == std::string_view::npos ? "" : rest.substr(auth_end);

  if (authority.find('@') != std::string_view::npos)
    fail(text, "user info (user@host) is not supported");
  if (authority.empty()) fail(text, "empty host");

  const auto port_text = read_host(text, authority, url);
  // RFC 3986 §3.2.3: an empty port after ':' means the default port.
  url.port =
      port_text && !port_text->empty() ? read_port(text, *port_text) : default_port(url.scheme);
  url.target = read_target(text, tail);
  return url;
}

}  // namespace ceslab::core
