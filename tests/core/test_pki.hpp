// SPDX-License-Identifier: GPL-2.0-or-later
// A minimal test PKI for the core suites, built with raw OpenSSL 3 so that
// they check ceslab's code against OpenSSL rather than against ceslab's own
// key/certificate helpers. The certificates are bare (no extensions) with
// the serial the test chooses.
#pragma once

#include "ceslab/core/ossl.hpp"

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <vector>

namespace ceslab::core::testing {

inline EvpPkeyPtr make_key() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) throw CryptoError("test key generation");
  return key;
}

// Signed by `issuer_key`; a null issuer makes the certificate self-signed.
inline X509Ptr make_bare_cert(const std::string& cn, EVP_PKEY* key, X509* issuer,
                              EVP_PKEY* issuer_key, long serial) {
  X509Ptr cert(X509_new());
  X509NamePtr name(X509_NAME_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_subject_name(cert.get(), name.get());
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name.get());
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key);
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) <= 0)
    throw CryptoError("test certificate signing");
  return cert;
}

// A DER PKCS#10; with `ski` it carries a SubjectKeyIdentifier in
// extensionRequest, as CertEnroll's requests do.
inline Bytes make_csr(const std::string& cn, EVP_PKEY* key, const Bytes* ski = nullptr) {
  X509ReqPtr req(X509_REQ_new());
  X509NamePtr name(X509_NAME_new());
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_REQ_set_subject_name(req.get(), name.get());
  X509_REQ_set_pubkey(req.get(), key);
  if (ski != nullptr) {
    std::unique_ptr<ASN1_OCTET_STRING, void (*)(ASN1_OCTET_STRING*)> os(ASN1_OCTET_STRING_new(),
                                                                        ASN1_OCTET_STRING_free);
    ASN1_OCTET_STRING_set(os.get(), ski->data(), static_cast<int>(ski->size()));
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    X509V3_add1_i2d(&exts, NID_subject_key_identifier, os.get(), 0, X509V3_ADD_DEFAULT);
    X509_REQ_add_extensions(req.get(), exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  }
  if (X509_REQ_sign(req.get(), key, EVP_sha256()) <= 0) throw CryptoError("test CSR signing");
  unsigned char* out = nullptr;
  const int len = i2d_X509_REQ(req.get(), &out);
  Bytes der(out, out + len);
  OPENSSL_free(out);
  return der;
}

// `root` alone as a list of trust anchors, as the chain checks take them.
inline std::vector<X509Ptr> trust_list(X509* root) {
  std::vector<X509Ptr> v;
  v.push_back(share(root));
  return v;
}

inline Bytes text_bytes(const std::string& s) {
  return Bytes(s.begin(), s.end());
}

}  // namespace ceslab::core::testing
