// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/base64.hpp"

#include <openssl/evp.h>

#include "ceslab/core/message_error.hpp"

namespace ceslab::core {

std::string encode_base64(std::span<const unsigned char> data) {
  std::string flat((data.size() + 2) / 3 * 4 + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(flat.data()), data.data(),
                                static_cast<int>(data.size()));
  flat.resize(static_cast<std::size_t>(n));
  return flat;
}

std::string encode_base64_wrapped(std::span<const unsigned char> data) {
  const std::string flat = encode_base64(data);
  std::string wrapped;
  wrapped.reserve(flat.size() + flat.size() / 32);
  for (std::size_t i = 0; i < flat.size(); i += 64) {
    if (i != 0) wrapped += "\r\n";
    wrapped.append(flat, i, 64);
  }
  return wrapped;
}

std::vector<unsigned char> decode_base64(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c == '\r' || c == '\n' || c == ' ' || c == '\t') continue;
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/' || c == '=';
    if (!ok) {
      throw MessageError(MessageErrorKind::invalid_base64,
                         std::string("base64 text contains the character '") + c + "'");
    }
    clean += c;
  }
  if (clean.size() % 4 != 0) {
    throw MessageError(
        MessageErrorKind::invalid_base64,
        "base64 text length " + std::to_string(clean.size()) + " is not a multiple of 4");
  }
  // '=' only pads the last quantum: at most two, at the very end. EVP_DecodeBlock
  // would turn a '=' anywhere else into zero bytes.
  if (const auto pad = clean.find('=');
      pad != std::string::npos &&
      (clean.size() - pad > 2 || clean.find_first_not_of('=', pad) != std::string::npos)) {
    throw MessageError(
        MessageErrorKind::invalid_base64,
        "base64 padding '=' at offset " + std::to_string(pad) + " is not at the end");
  }
  std::vector<unsigned char> out(clean.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(clean.data()),
                                static_cast<int>(clean.size()));
  if (n < 0) throw MessageError(MessageErrorKind::invalid_base64, "base64 text does not decode");
  std::size_t len = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts padding as zero bytes; take them off.
  if (!clean.empty() && clean.back() == '=') --len;
  if (clean.size() >= 2 && clean[clean.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

}  // namespace ceslab::core
