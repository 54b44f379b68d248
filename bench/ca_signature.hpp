// SPDX-License-Identifier: GPL-2.0-or-later
// One signature with a CA key made the way X509_sign and CMS_SignerInfo_sign
// make theirs: a new digest context, SHA-256 over about a kilobyte (a
// certificate's TBS or a SignerInfo's attributes), the key's signature. The
// benchmarks that take the signatures off an issuance's building time it.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <vector>

namespace ceslab::bench {

// False when OpenSSL refuses.
inline bool sign_as_an_issuance_does(EVP_PKEY* key) {
  static const std::vector<unsigned char> signed_bytes(1024, 0x5a);
  std::vector<unsigned char> signature(static_cast<std::size_t>(EVP_PKEY_get_size(key)));
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                    EVP_MD_CTX_free);
  std::size_t len = signature.size();
  return ctx && EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestSign(ctx.get(), signature.data(), &len, signed_bytes.data(),
                        signed_bytes.size()) == 1;
}

}  // namespace ceslab::bench
