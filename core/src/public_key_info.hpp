// SPDX-License-Identifier: GPL-2.0-or-later
// A SubjectPublicKeyInfo moved between OpenSSL objects without re-encoding
// the key (issue 17): with OpenSSL 3.0, X509_set_pubkey encodes a provider
// key and decodes it again, each through the provider encoders/decoders.
// Private to core/src (ca.cpp, cms.cpp, csr.cpp, csr_decoding.cpp).
#pragma once

#include "ceslab/core/ossl.hpp"

namespace ceslab::core {

// `from`'s algorithm (with its parameters) and key bits copied into
// `cert`'s SubjectPublicKeyInfo. The certificate then holds no decoded key:
// X509_get0_pubkey() on it is null until it is read from DER.
void copy_public_key(X509* cert, X509_PUBKEY* from);

// The key of an rsaEncryption SubjectPublicKeyInfo (`algorithm`, then its
// `len` key bits) read by the RSA-specific d2i_PublicKey: OpenSSL 3.0 makes it
// a legacy (non-provider) key without its provider decoders, whose set-up
// (OSSL_DECODER_CTX_new_for_pkey) walks every key manager and decoder;
// X509_set_pubkey / X509_REQ_set_pubkey then encode it with the RSA method,
// without the provider encoders. Null for other algorithms, or bits that are
// not exactly one RSAPublicKey (the caller then takes the DER path); the
// OpenSSL error queue is left as it was.
EvpPkeyPtr legacy_rsa_key(const ASN1_OBJECT* algorithm, const unsigned char* bits, int len);

// The public half of an RSA key (a provider key, as generated or read from
// PEM) as a legacy key: its modulus and exponent taken as parameters, put
// into an RSAPublicKey with OpenSSL's ASN.1 templates and read by
// legacy_rsa_key, without the provider encoders and decoders that
// X509_set_pubkey / X509_REQ_set_pubkey run for a provider key. What those
// then write is the same SubjectPublicKeyInfo. Null for other key types
// (RSA-PSS included) or when the parameters cannot be read; the OpenSSL
// error queue is left as it was.
EvpPkeyPtr legacy_rsa_public_key(EVP_PKEY* key);

}  // namespace ceslab::core
