// SPDX-License-Identifier: GPL-2.0-or-later
#include "public_key_info.hpp"

#include <openssl/asn1t.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

namespace ceslab::core::rsa_mirror {

// RSAPublicKey (RFC 8017 A.1.1).
struct RSA_PUBLIC_KEY_BITS {
  ASN1_INTEGER* modulus;
  ASN1_INTEGER* public_exponent;
};
ASN1_SEQUENCE(RSA_PUBLIC_KEY_BITS) = {
    ASN1_SIMPLE(RSA_PUBLIC_KEY_BITS, modulus, ASN1_INTEGER),
    ASN1_SIMPLE(RSA_PUBLIC_KEY_BITS, public_exponent, ASN1_INTEGER),
} ASN1_SEQUENCE_END(RSA_PUBLIC_KEY_BITS)

}  // namespace ceslab::core::rsa_mirror

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

EvpPkeyPtr legacy_rsa_public_key(EVP_PKEY* key) {
  if (key == nullptr || EVP_PKEY_is_a(key, "RSA") != 1) return nullptr;
  ERR_set_mark();
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  EvpPkeyPtr legacy;
  if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) == 1) {
    rsa_mirror::RSA_PUBLIC_KEY_BITS bits{BN_to_ASN1_INTEGER(n, nullptr),
                                         BN_to_ASN1_INTEGER(e, nullptr)};
    unsigned char* der = nullptr;
    const int len = bits.modulus == nullptr || bits.public_exponent == nullptr
                        ? 0
                        : ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(&bits), &der,
                                        ASN1_ITEM_rptr(rsa_mirror::RSA_PUBLIC_KEY_BITS));
    if (len > 0) legacy = legacy_rsa_key(OBJ_nid2obj(NID_rsaEncryption), der, len);
    OPENSSL_free(der);
    ASN1_INTEGER_free(bits.modulus);
    ASN1_INTEGER_free(bits.public_exponent);
  }
  BN_free(n);
  BN_free(e);
  ERR_pop_to_mark();
  return legacy;
}

}  // namespace ceslab::core
