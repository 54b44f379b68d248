// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/keys.hpp"
#include "ceslab/core/text.hpp"

#include "der.hpp"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace ceslab::core {

KeySpec KeySpec::parse(std::string_view text) {
  const std::string t = to_lower(text);
  if (t == "rsa2048") return {KeyAlgorithm::rsa, 2048, ""};
  if (t == "rsa3072") return {KeyAlgorithm::rsa, 3072, ""};
  if (t == "rsa4096") return {KeyAlgorithm::rsa, 4096, ""};
  if (t == "ecdsa-p256") return {KeyAlgorithm::ecdsa, 256, "P-256"};
  if (t == "ecdsa-p384") return {KeyAlgorithm::ecdsa, 384, "P-384"};
  throw std::invalid_argument("unknown key type '" + std::string(text) +
                              "' (expected rsa2048, rsa3072, rsa4096, ecdsa-p256 or ecdsa-p384)");
}

std::string KeySpec::name() const {
  if (algorithm == KeyAlgorithm::rsa) return "rsa" + std::to_string(bits);
  // "P-256" -> "ecdsa-p256"
  std::string c = to_lower(curve);
  c.erase(std::remove(c.begin(), c.end(), '-'), c.end());
  return "ecdsa-" + c;
}

EvpPkeyPtr generate_key(const KeySpec& spec) {
  EVP_PKEY* key = nullptr;
  if (spec.algorithm == KeyAlgorithm::rsa) {
    if (spec.bits < 1024 || spec.bits > 16384)
      throw std::invalid_argument("unsupported RSA key size " + std::to_string(spec.bits));
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(spec.bits));
  } else {
    if (spec.curve.empty()) throw std::invalid_argument("ECDSA key spec without a curve");
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", spec.curve.c_str());
  }
  if (key == nullptr) throw CryptoError("generate " + spec.name() + " key");
  return EvpPkeyPtr(key);
}

Bytes public_key_der(EVP_PKEY* key) {
  if (key == nullptr) throw std::invalid_argument("public_key_der: null key");
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  return take_der(der, len, "SubjectPublicKeyInfo");
}

int key_bits(EVP_PKEY* key) {
  if (key == nullptr) throw std::invalid_argument("key_bits: null key");
  return EVP_PKEY_get_bits(key);
}

std::string key_description(EVP_PKEY* key) {
  if (key == nullptr) throw std::invalid_argument("key_description: null key");
  const int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return "RSA " + std::to_string(bits);
    case EVP_PKEY_RSA_PSS:
      return "RSA-PSS " + std::to_string(bits);
    case EVP_PKEY_EC: {
      char group[80] = {};
      size_t len = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1) {
        ERR_clear_error();
        return "ECDSA " + std::to_string(bits);
      }
      // OpenSSL names the curve "prime256v1"; Windows and CEP say "P-256".
      const char* nist = EC_curve_nid2nist(OBJ_sn2nid(group));
      return std::string("ECDSA ") + (nist != nullptr ? nist : group);
    }
    default: {
      const char* name = EVP_PKEY_get0_type_name(key);
      return std::string(name != nullptr ? name : "unknown") + " " + std::to_string(bits);
    }
  }
}

}  // namespace ceslab::core
