// SPDX-License-Identifier: GPL-2.0-or-later
// Keeping secrets out of everything the client writes (evidence, captures,
// --json): credentials in HTTP headers, passwords, private keys. The rule is
// "replace, never drop": a reader sees that something was there.
#pragma once

#include <openssl/evp.h>

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/core/header_redaction.hpp"

namespace ceslab::client {

// Header redaction is core's (diagnose redacts the headers it reads too).
using core::header_is_redacted;
using core::kRedacted;
using core::redact_header;
using core::redact_headers;

// How many secrets one redaction replaced.
struct RedactionCount {
  int passwords = 0;     // occurrences of a password (as is or XML-escaped)
  int private_keys = 0;  // PEM private-key blocks, key DER, base64 lines of a key
  int total() const { return passwords + private_keys; }
};

// The secrets of one run, to be removed from any text before it is written.
class Secrets {
 public:
  // A password, found as written and in each form XML escaping gives it
  // (&amp; &lt; &gt; &quot; &apos; and numeric references), so that it is
  // also found inside a SOAP body. Empty passwords are ignored.
  void add_password(std::string_view password);
  // A private key: its PKCS#8 and traditional DER, and every 64-column base64
  // line of those (the form both PEM and the SOAP codec write), so that the
  // key is found raw, in PEM, or wrapped inside XML. Throws CryptoError.
  void add_private_key(EVP_PKEY* key);

  // `text` with every known secret and every PEM private-key block (any
  // "-----BEGIN ... PRIVATE KEY-----", known key or not) replaced by
  // kRedacted; adds what it replaced to `count` when given. One pass from
  // left to right, the longest secret first at each position, so that a
  // replacement is never scanned again.
  std::string redact(std::string_view text, RedactionCount* count = nullptr) const;
  // The same for every string value in a JSON document.
  void redact(nlohmann::json& document, RedactionCount* count = nullptr) const;

 private:
  enum class Kind { password, private_key };
  struct Needle {
    std::string text;
    Kind kind;
  };
  void add_needle(std::string text, Kind kind);

  std::vector<Needle> needles_;  // longest first
};

}  // namespace ceslab::client
