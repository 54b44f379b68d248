// SPDX-License-Identifier: GPL-2.0-or-later
// RAII owners for OpenSSL objects and the error type every crypto helper
// throws. Kept tiny so that every part of ceslab speaks the same handles.
#pragma once

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ceslab::core {

// Thrown by every OpenSSL-backed helper. `what()` names the operation and
// carries OpenSSL's error-queue text, so a failure is never just "error".
class CryptoError : public std::runtime_error {
 public:
  explicit CryptoError(const std::string& operation);
  // For failures detected by ceslab itself (no OpenSSL queue involved).
  CryptoError(const std::string& operation, const std::string& detail);
};

// Drains OpenSSL's thread-local error queue into one line ("" if empty).
std::string drain_openssl_errors();

// Dotted text of an OID for error messages: "(none)" for null and
// "(unprintable OID)" when OpenSSL cannot render it; never throws.
std::string oid_for_message(const ASN1_OBJECT* oid);

namespace detail {
template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { F(p); }
};
}  // namespace detail

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, detail::Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, detail::Deleter<X509, X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, detail::Deleter<X509_REQ, X509_REQ_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, detail::Deleter<X509_NAME, X509_NAME_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, detail::Deleter<X509_STORE, X509_STORE_free>>;
using X509StoreCtxPtr =
    std::unique_ptr<X509_STORE_CTX, detail::Deleter<X509_STORE_CTX, X509_STORE_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, detail::Deleter<BIO, BIO_free_all>>;
using CmsPtr =
    std::unique_ptr<CMS_ContentInfo, detail::Deleter<CMS_ContentInfo, CMS_ContentInfo_free>>;
using EvpPkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX, detail::Deleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using X509ExtensionPtr =
    std::unique_ptr<X509_EXTENSION, detail::Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

// DER bytes travel as a plain byte vector.
using Bytes = std::vector<unsigned char>;

// Lower-case hex of `data`, no separators (thumbprints, random secrets);
// OpenSSL's OPENSSL_buf2hexstr_ex does the encoding.
std::string hex_lower(const unsigned char* data, std::size_t length);

// Takes a new reference (X509_up_ref / EVP_PKEY_up_ref) and returns an owner.
X509Ptr share(X509* cert);
EvpPkeyPtr share(EVP_PKEY* key);

}  // namespace ceslab::core
