// SPDX-License-Identifier: GPL-2.0-or-later
// cms_unwrap for a SignedData signed by the key of a SubjectPublicKeyInfo the
// caller already decoded (a CMC request's own PKCS#10, issue 17). Private to
// core/src (cms.cpp, cmc.cpp).
#pragma once

#include "ceslab/core/cms.hpp"

namespace ceslab::core {

// cms_unwrap(der, <the key of spki>), where no signer certificate is carried.
// CMS checks a signature only against a certificate's key; the one made here
// is read from DER, which decodes the key once, where X509_set_pubkey would
// encode it and decode it again (OpenSSL 3.0's provider encoders/decoders).
SignedContent cms_unwrap_with_key_of(const Bytes& der, X509_PUBKEY* spki);

}  // namespace ceslab::core
