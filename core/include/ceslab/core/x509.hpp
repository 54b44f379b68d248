// SPDX-License-Identifier: GPL-2.0-or-later
// X.509 certificates: DER in and out, a flat description for reports and
// checks, key matching and chain verification.
#pragma once

#include "ceslab/core/csr.hpp"
#include "ceslab/core/ossl.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace ceslab::core {

struct CertificateInfo {
  std::string subject;  // RFC 2253, most specific RDN first
  std::string issuer;
  std::string serial_hex;  // lowercase, as BN_bn2hex renders the value
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  SubjectAltNames san;
  std::vector<std::string> ekus;         // dotted OIDs
  std::vector<std::string> policy_oids;  // certificatePolicies
  std::optional<TemplateRef> template_ref;
  bool is_ca = false;  // basicConstraints cA = TRUE
  std::string key_description;
  std::string sha1_thumbprint_hex;     // lowercase, no separators (Windows "thumbprint")
  std::string sha256_fingerprint_hex;  // lowercase, no separators
};

// Throws CryptoError on anything but exactly one DER certificate.
X509Ptr parse_certificate_der(const Bytes& der);
Bytes certificate_der(const X509* cert);
// Throws CryptoError if a known extension is malformed.
CertificateInfo describe(const X509* cert);

// True if the certificate's public key is `key`'s public half (private or
// public-only key both work).
bool certificate_matches_key(const X509* cert, EVP_PKEY* key);

struct ChainCheck {
  bool ok = false;
  int error = 0;           // X509_V_ERR_*, 0 when ok
  std::string error_text;  // OpenSSL's text plus depth and subject of the failing cert
};

// Builds and verifies leaf -> intermediates -> one of trusted_roots with an
// X509_STORE. Purpose-agnostic (no EKU/purpose check), no revocation, no
// policy processing, and the chain must end at a trusted self-signed root
// (no partial chains). `at` replaces "now" for validity periods.
ChainCheck verify_chain(const X509* leaf, const std::vector<X509Ptr>& intermediates,
                        const std::vector<X509Ptr>& trusted_roots,
                        std::optional<std::chrono::system_clock::time_point> at = {});

// ASN1_TIME <-> system_clock (UTC), shared with the CA.
std::chrono::system_clock::time_point asn1_time_to_time_point(const ASN1_TIME* t);

}  // namespace ceslab::core
