// SPDX-License-Identifier: GPL-2.0-or-later
// Key pairs: the algorithms a Windows template can ask for, generated with
// OpenSSL 3's EVP interface, and the one-line descriptions that diagnostics
// print ("RSA 2048", "ECDSA P-256").
#pragma once

#include "ceslab/core/ossl.hpp"

#include <string>
#include <string_view>

namespace ceslab::core {

enum class KeyAlgorithm { rsa, ecdsa };

// What key to make. `bits` is the RSA modulus size; for ECDSA it holds the
// curve's size (256/384) for information only and `curve` decides.
struct KeySpec {
  KeyAlgorithm algorithm = KeyAlgorithm::rsa;
  int bits = 2048;
  std::string curve;  // "P-256" or "P-384" (NIST names) for ECDSA

  // "rsa2048", "rsa3072", "rsa4096", "ecdsa-p256", "ecdsa-p384" (case-insensitive).
  // Throws std::invalid_argument naming the bad value.
  static KeySpec parse(std::string_view text);
  // The inverse of parse(): "rsa2048", "ecdsa-p256".
  std::string name() const;

  bool operator==(const KeySpec&) const = default;
};

// Any RSA size from 1024 to 16384 bits is accepted (not just the named
// ones, so "key too small" cases can be built); any curve OpenSSL knows.
// Throws std::invalid_argument for an unusable spec, CryptoError if OpenSSL
// fails (e.g. an unknown curve).
EvpPkeyPtr generate_key(const KeySpec& spec);

// SubjectPublicKeyInfo DER of the key's public half.
Bytes public_key_der(EVP_PKEY* key);

// Key size in bits (RSA modulus, EC field size).
int key_bits(EVP_PKEY* key);

// "RSA 2048", "ECDSA P-256"; other types as "<OpenSSL type name> <bits>".
std::string key_description(EVP_PKEY* key);

}  // namespace ceslab::core
