// SPDX-License-Identifier: GPL-2.0-or-later
#include "public_key_info.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>

namespace ceslab::core {

void copy_public_key(X509* cert, X509_PUBKEY* from) {
  ASN1_OBJECT* oid = nullptr;
  const unsigned char* bits = nullptr;
  int len = 0;
  X509_ALGOR* algorithm = nullptr;
  if (X509_PUBKEY_get0_param(&oid, &bits, &len, &algorithm, from) != 1 || len <= 0)
    throw CryptoError("read the request's public key");
  X509_PUBKEY* to = X509_get_X509_PUBKEY(cert);
  ASN1_OBJECT* oid_copy = OBJ_dup(oid);
  auto* bits_copy =
      static_cast<unsigned char*>(OPENSSL_memdup(bits, static_cast<std::size_t>(len)));
  // set0 takes both, unless it fails before taking anything.
  if (oid_copy == nullptr || bits_copy == nullptr ||
      X509_PUBKEY_set0_param(to, oid_copy, V_ASN1_UNDEF, nullptr, bits_copy, len) != 1) {
    ASN1_OBJECT_free(oid_copy);
    OPENSSL_free(bits_copy);
    throw CryptoError("copy the request's public key");
  }
  X509_ALGOR* to_algorithm = nullptr;
  X509_PUBKEY_get0_param(nullptr, nullptr, nullptr, &to_algorithm, to);
  // The algorithm with its parameters (an EC curve, RSA-PSS settings).
  if (X509_ALGOR_copy(to_algorithm, algorithm) != 1)
    throw CryptoError("copy the request's public key algorithm");
}

EvpPkeyPtr legacy_rsa_key(const ASN1_OBJECT* algorithm, const unsigned char* bits, int len) {
  if (OBJ_obj2nid(algorithm) != NID_rsaEncryption || bits == nullptr || len <= 0) return nullptr;
  ERR_set_mark();
  const unsigned char* p = bits;
  EvpPkeyPtr key(d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, len));
  ERR_pop_to_mark();
  if (key && p != bits + len) return nullptr;  // trailing bytes: let the decoder judge
  return key;
}

}  // namespace ceslab::core
