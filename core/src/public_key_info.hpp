// SPDX-License-Identifier: GPL-2.0-or-later
// A SubjectPublicKeyInfo moved between OpenSSL objects without re-encoding
// the key (issue 17): with OpenSSL 3.0, X509_set_pubkey encodes a provider
// key and decodes it again, each through the provider encoders/decoders.
// Private to core/src (ca.cpp, cms.cpp).
#pragma once

#include "ceslab/core/ossl.hpp"

namespace ceslab::core {

// `from`'s algorithm (with its parameters) and key bits copied into
// `cert`'s SubjectPublicKeyInfo. The certificate then holds no decoded key:
// X509_get0_pubkey() on it is null until it is read from DER.
void copy_public_key(X509* cert, X509_PUBKEY* from);

}  // namespace ceslab::core
