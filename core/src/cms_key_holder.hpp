// SPDX-License-Identifier: GPL-2.0-or-later
// cms_unwrap in two steps, for a SignedData whose signer's key is known only
// once its content is read: a CMC request signed by its own PKCS#10's key
// (issue 17: opened once instead of twice). Private to core/src (cms.cpp,
// cmc.cpp).
#pragma once

#include <openssl/cms.h>

#include "ceslab/core/cms.hpp"

namespace ceslab::core::cms_detail {

// A SignedData read, its first SignerInfo's signature not yet checked:
// `content.signature_valid` is false and `content.verify_error` says why.
struct OpenedSignedData {
  CmsPtr cms;
  CMS_SignerInfo* signer_info = nullptr;  // the first, owned by `cms`; null if none
  SignedContent content;
};

// Malformed input (not DER, not signedData, detached content) throws CryptoError.
// `decoded`, when given, is `der` already decoded (sniff_and_keep_request).
OpenedSignedData open_signed_data(const Bytes& der, CmsPtr decoded = nullptr);

// Checks the first SignerInfo against the carried signer certificate, or
// else `key_if_no_cert`, or else the key of `spki_if_no_cert`; with none of
// them, leaves the result unchecked. For `spki_if_no_cert` CMS needs a
// certificate holding the key; for an RSA key it is made without OpenSSL
// 3.0's provider decoders and encoders.
void check_signature(OpenedSignedData& opened, EVP_PKEY* key_if_no_cert,
                     X509_PUBKEY* spki_if_no_cert);

}  // namespace ceslab::core::cms_detail
