// SPDX-License-Identifier: GPL-2.0-or-later
// CMC (RFC 5272) Full PKI Request / Response as AD CS and CertEnroll use them:
// a PKIData with one PKCS#10 plus name/value pairs, and a PKIResponse carrying
// id-cmc-statusInfo and the issued-certificate hash (docs/protocol.md §1.3, §1.7).
#pragma once

#include "ceslab/core/cms.hpp"
#include "ceslab/core/ossl.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ceslab::core {

using NameValuePairs = std::vector<std::pair<std::string, std::string>>;

// How name/value pairs (e.g. CertificateTemplate=User) travel in the PKIData controls.
enum class NameValueForm {
  // What CertEnroll emits (IX509CertificateRequestCmc::NameValuePairs, MS-WCCE
  // 3.1.1.4.3.1.3): id-cmc-regInfo (1.3.6.1.5.5.7.7.18), an OCTET STRING holding
  // UTF-8 "name=value&" per pair with '%', '&', '=', '\' and control bytes %XX-escaped.
  reg_info,
  // MS CMC attributes (1.3.6.1.4.1.311.10.10.1) for body part 1, carrying
  // szOID_ENROLLMENT_NAME_VALUE_PAIR (1.3.6.1.4.1.311.13.2.1) with one
  // SEQUENCE { name BMPString, value BMPString } per value — the form certreq puts
  // into a PKCS#10. It is a DER SET OF, so pairs come back in DER order.
  ms_name_value_pair,
};

// Builds a signed CMC Full PKI Request: PKIData { controls, reqSequence = one
// tcr (bodyPartID 1) wrapping `pkcs10_der`, {}, {} } in a SignedData (SHA-256,
// eContentType id-cct-PKIData, version 3).
//  - signer_cert != nullptr (renewal): SignerInfo by issuerAndSerialNumber, the
//    certificate is carried in `certificates`.
//  - signer_cert == nullptr (new enrollment, as CertEnroll does): signed with
//    `signer_key` — normally the request's own new key — the SignerInfo names it by
//    subjectKeyIdentifier and no certificate is carried. The identifier is the
//    PKCS#10's SubjectKeyIdentifier extension when the key matches the request,
//    otherwise SHA-1 over the public key bits (RFC 5280 method 1, CertEnroll's default).
// Throws CryptoError if `pkcs10_der` is not a PKCS#10 or signing fails.
Bytes build_cmc_request(const Bytes& pkcs10_der, X509* signer_cert, EVP_PKEY* signer_key,
                        const NameValuePairs& name_value_pairs = {},
                        NameValueForm form = NameValueForm::reg_info);

struct CmcRequest {
  Bytes pkcs10;                     // DER of the single tcr's CertificationRequest
  NameValuePairs name_value_pairs;  // from regInfo and/or 311.13.2.1, in wire order
  SignedContent envelope;           // signature state; see below
  // True when no signer certificate was carried and the signature verifies against
  // the PKCS#10's own public key (CertEnroll's new-enrollment form).
  bool signed_by_request_key = false;
};

// Parses a CMC Full PKI Request. Accepts name/value pairs as id-cmc-regInfo, as a
// bare 311.13.2.1 control, or inside 311.10.10.1 CMC attributes. Throws CryptoError
// for malformed input, an eContentType other than id-cct-PKIData, or a reqSequence
// that is not exactly one tcr (crm/orm CRMF requests are rejected by name).
CmcRequest parse_cmc_request(const Bytes& der);

// RFC 5272 CMCStatus values (Windows uses success, failed, pending).
enum class CmcStatus {
  success = 0,
  failed = 2,
  pending = 3,
  no_support = 4,
  confirm_required = 5,
  pop_required = 6,
  partial = 7,
};

// Builds a signed CMC Full PKI Response as AD CS does: PKIResponse {
//   controlSequence { id-cmc-statusInfo (bodyPartID 1) { status, bodyList {1},
//                     statusString, failInfo if given },
//                     311.10.10.1 CMC attributes (bodyPartID 2) for body part 1 with
//                     311.21.17 = SHA-1 of `issued` — only when `issued` is given },
//   cmsSequence {}, otherMsgSequence {} }
// in a SignedData (eContentType id-cct-PKIResponse, version 3) signed by the CA,
// `certificates` = `certificates` (chain + issued) plus `ca_cert`.
Bytes build_cmc_response(CmcStatus status, std::string_view status_string, X509* ca_cert,
                         EVP_PKEY* ca_key, const std::vector<X509*>& certificates,
                         const X509* issued, std::optional<int> fail_info = {});

struct CmcResponse {
  CmcStatus status = CmcStatus::failed;
  std::string status_string;
  std::optional<int> fail_info;       // CMCFailInfo when otherInfo carries one
  Bytes issued_cert_hash;             // 311.21.17 value (SHA-1), empty if absent
  std::vector<X509Ptr> certificates;  // all certificates carried
  bool signature_valid = false;       // signature check only, no chain check
  std::string verify_error;
};

// Parses a CMC Full PKI Response. Throws CryptoError for malformed input, an
// eContentType other than id-cct-PKIResponse, or a missing/unknown id-cmc-statusInfo.
CmcResponse parse_cmc_response(const Bytes& der);

}  // namespace ceslab::core
