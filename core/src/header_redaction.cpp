// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/header_redaction.hpp"

#include <string>

#include "ceslab/core/text.hpp"

namespace ceslab::core {

namespace {

// HTTP authentication schemes whose parameter is a credential token
// (RFC 4559 Negotiate, MS-NLMP over HTTP, and the bare "Kerberos" scheme).
bool token_scheme(std::string_view scheme) {
  return iequals(scheme, "Negotiate") || iequals(scheme, "NTLM") || iequals(scheme, "Kerberos");
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "Scheme credentials" -> "Scheme [redacted]"; a value without a scheme is
// redacted whole.
std::string redact_credentials(std::string_view value) {
  const std::string_view v = trim(value);
  const auto space = v.find(' ');
  if (space == std::string_view::npos) return std::string(kRedacted);
  return std::string(v.substr(0, space)) + " " + std::string(kRedacted);
}

// Challenges are comma-separated; only a token after a Negotiate/NTLM/
// Kerberos scheme is a secret (RFC 4559 section 5: the server's mutual
// authentication token). Parameters of other schemes (realm=...) stay.
std::string redact_challenges(std::string_view value) {
  std::string out;
  bool changed = false;
  std::size_t start = 0;
  while (start <= value.size()) {
    const auto comma = value.find(',', start);
    const auto end = comma == std::string_view::npos ? value.size() : comma;
    const std::string_view piece = value.substr(start, end - start);
    const std::string_view challenge = trim(piece);
    const auto space = challenge.find(' ');
    std::string rendered(piece);
    if (space != std::string_view::npos && token_scheme(challenge.substr(0, space)) &&
        !trim(challenge.substr(space)).empty()) {
      rendered = (start == 0 ? "" : " ") + std::string(challenge.substr(0, space)) + " " +
                 std::string(kRedacted);
      changed = true;
    }
    if (start != 0) out += ',';
    out += rendered;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return changed ? out : std::string(value);
}

}  // namespace

HttpHeader redact_header(const HttpHeader& header) {
  const std::string& n = header.name;
  if (iequals(n, "Authorization") || iequals(n, "Proxy-Authorization"))
    return {n, redact_credentials(header.value)};
  if (iequals(n, "WWW-Authenticate") || iequals(n, "Proxy-Authenticate"))
    return {n, redact_challenges(header.value)};
  if (iequals(n, "Cookie") || iequals(n, "Set-Cookie")) return {n, std::string(kRedacted)};
  return header;
}

std::vector<HttpHeader> redact_headers(const std::vector<HttpHeader>& headers) {
  std::vector<HttpHeader> out;
  out.reserve(headers.size());
  for (const auto& h : headers) out.push_back(redact_header(h));
  return out;
}

bool header_is_redacted(const HttpHeader& original) {
  return redact_header(original).value != original.value;
}

}  // namespace ceslab::core
