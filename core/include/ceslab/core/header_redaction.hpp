// SPDX-License-Identifier: GPL-2.0-or-later
// Credentials out of HTTP headers, for everything that writes headers down:
// the client's evidence and captures, and the headers diagnose reads from a
// customer's raw response. The rule is "replace, never drop": a reader sees
// that something was there, and which scheme it was.
#pragma once

#include <string_view>
#include <vector>

#include "ceslab/core/http_types.hpp"

namespace ceslab::core {

// What replaces a secret.
inline constexpr std::string_view kRedacted = "[redacted]";

// A header with its credentials replaced by kRedacted:
//   Authorization, Proxy-Authorization   "Negotiate [redacted]" (the scheme stays: it is evidence)
//   WWW-Authenticate, Proxy-Authenticate a Negotiate/NTLM/Kerberos token after the scheme
//                                        (a bare "Negotiate" offer stays as it is)
//   Cookie, Set-Cookie                   the whole value (session state)
// Any other header comes back unchanged.
HttpHeader redact_header(const HttpHeader& header);
std::vector<HttpHeader> redact_headers(const std::vector<HttpHeader>& headers);
bool header_is_redacted(const HttpHeader& original);  // redact_header changed it

}  // namespace ceslab::core
