// SPDX-License-Identifier: GPL-2.0-or-later
// Base64 (RFC 4648 section 4) on OpenSSL's EVP encoder: the SOAP payloads
// (xs:base64Binary) and the Negotiate tokens of HTTP headers.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ceslab::core {

// One line, no white space: "Authorization: Negotiate <token>" (RFC 4559).
std::string encode_base64(std::span<const unsigned char> data);
// Base64 as AD CS writes it: 64 columns, CRLF line ends, no trailing newline.
std::string encode_base64_wrapped(std::span<const unsigned char> data);
// Decodes base64 ignoring white space (CR, LF, space, tab). Throws
// MessageError(invalid_base64) (ceslab/core/message_error.hpp) on anything else.
std::vector<unsigned char> decode_base64(std::string_view text);

}  // namespace ceslab::core
