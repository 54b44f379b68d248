// SPDX-License-Identifier: GPL-2.0-or-later
// CMS SignedData helpers for the request and response blobs of MS-WSTEP:
// telling a bare PKCS#10 from a CMS/CMC wrapper, signing content under a
// chosen eContentType, and opening a SignedData without trusting it.
#pragma once

#include "ceslab/core/ossl.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ceslab::core {

// The three request shapes MS-WCCE 2.2.2.6 allows inside a wsse:BinarySecurityToken.
enum class RequestFormat {
  pkcs10,      // bare PKCS#10 CertificationRequest
  cms_pkcs10,  // SignedData, eContentType id-data, content = PKCS#10 (renewal, docs/protocol.md
               // §1.4)
  cmc,         // SignedData, eContentType id-cct-PKIData (RFC 5272 Full PKI Request)
};

// Well-known eContentType OIDs (dotted form).
inline constexpr std::string_view kOidData = "1.2.840.113549.1.7.1";
inline constexpr std::string_view kOidCctPkiData = "1.3.6.1.5.5.7.12.2";
inline constexpr std::string_view kOidCctPkiResponse = "1.3.6.1.5.5.7.12.3";

// Decides from the DER itself, never from the BST ValueType (Windows labels a bare
// PKCS#10 "#PKCS7"). Throws CryptoError("request sniffing", ...) for anything that is
// not one of the three shapes: garbage, truncated DER, trailing bytes, a ContentInfo
// that is not signedData, or a signedData with another eContentType.
RequestFormat sniff_request(const Bytes& der);

// sniff_request, also handing out what it had to decode to tell: the
// PKCS#10 as decode_csr reads it (`pkcs10`) or the ContentInfo (`cms`), so
// that the CA does not decode the request twice (issue 17).
struct SniffedRequest {
  RequestFormat format = RequestFormat::pkcs10;
  X509ReqPtr pkcs10;  // format pkcs10
  CmsPtr cms;         // format cms_pkcs10 or cmc
};
SniffedRequest sniff_and_keep_request(const Bytes& der);

// Signs `content` into a non-detached SignedData (SHA-256, signed attributes) whose
// eContentType is `econtent_type_oid` (dotted), and returns the DER ContentInfo.
// The SignerInfo names the signer by issuerAndSerialNumber and `signer_cert` is
// carried in `certificates` together with `extra_certs` (duplicates are dropped).
// OpenSSL derives the SignedData version: 1 for id-data, 3 for any other type.
Bytes cms_sign(const Bytes& content, std::string_view econtent_type_oid, X509* signer_cert,
               EVP_PKEY* signer_key, const std::vector<X509*>& extra_certs = {});

// Like cms_sign, but the SignerInfo names the key by `subject_key_id` (the
// subjectKeyIdentifier form, SignerInfo version 3) and no certificate is carried —
// how CertEnroll signs a CMC new-enrollment request with the request's own key.
// OpenSSL only signs through a certificate, so a throwaway self-signed one holding
// `signer_key` and `subject_key_id` is made internally; it never reaches the output.
Bytes cms_sign_with_key_id(const Bytes& content, std::string_view econtent_type_oid,
                           EVP_PKEY* signer_key, const Bytes& subject_key_id);

// What a SignedData carries. Nothing here is trusted: `signature_valid` says only
// that the first SignerInfo's signature and content digest verify against the
// signer's public key — it is NOT a chain or trust check.
struct SignedContent {
  std::string econtent_type_oid;      // dotted
  Bytes content;                      // the encapsulated eContent
  std::vector<X509Ptr> certificates;  // all certificates carried
  X509Ptr signer;                     // carried cert matching the first SignerInfo, or null
  Bytes signer_key_id;                // SignerInfo sid when it is a subjectKeyIdentifier
  bool signature_valid = false;
  std::string verify_error;  // why signature_valid is false ("" when valid)
};

// Opens a DER ContentInfo holding a non-detached SignedData. Malformed input (not
// DER, not signedData, detached content) throws CryptoError; a bad or unverifiable
// signature is reported in the result. When the first SignerInfo's certificate is
// not carried (a CMC new enrollment names the request's own key by
// subjectKeyIdentifier and carries no certificate), pass `key_if_no_cert` — e.g. the
// PKCS#10's public key — to check the signature against it; `signer` stays null.
SignedContent cms_unwrap(const Bytes& der, EVP_PKEY* key_if_no_cert = nullptr);

}  // namespace ceslab::core
