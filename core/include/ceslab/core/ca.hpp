// SPDX-License-Identifier: GPL-2.0-or-later
// The embedded certificate authority the mock CES uses: a self-signed root
// that issues end-entity, sub-CA and TLS server certificates shaped like
// AD CS output (template extension, UPN otherName, policies, AKI/SKI).
#pragma once

#include "ceslab/core/csr.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/ossl.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ceslab::core {

namespace ca_detail {
struct Issuing;  // ca.cpp
}

// AD CS backdates notBefore by its clock skew allowance (ClockSkewMinutes,
// default 10) so that clients with slightly slow clocks accept new certs.
inline constexpr std::chrono::minutes kDefaultBackdate{10};

struct CaOptions {
  std::string subject = "CN=Lab Issuing CA,DC=lab,DC=test";
  KeySpec key{KeyAlgorithm::rsa, 2048, ""};
  std::chrono::hours validity{24 * 365 * 5};
  // certificatePolicies of the CA certificate; empty = no extension
  // (anyPolicy is not added implicitly).
  std::vector<std::string> policy_oids;
  // Empty = now minus kDefaultBackdate. Set it for deterministic runs or
  // to build an expired / not-yet-valid CA.
  std::optional<std::chrono::system_clock::time_point> not_before;
};

struct IssueOptions {
  std::string subject;  // see parse_distinguished_name; empty = empty subject
  SubjectAltNames san;  // critical when the subject is empty (RFC 5280 4.2.1.6)
  std::vector<std::string> ekus;
  std::vector<std::string> policy_oids;
  // Copied into the certificate like AD CS does: 311.20.2 for a name,
  // 311.21.7 for an OID (both if both are set).
  std::optional<TemplateRef> template_ref;
  std::chrono::seconds validity{std::chrono::hours{24 * 365}};
  // Empty = issue time minus kDefaultBackdate.
  std::optional<std::chrono::system_clock::time_point> not_before;
  // Hex serial number; empty = 16 random bytes, positive, top byte non-zero.
  std::string serial_hex;
  bool is_ca = false;
};

// Copyable: copies share the certificate and key (reference counted).
// issue() is const and safe to call from several threads at once.
class CertificateAuthority {
 public:
  // Self-signed root: basicConstraints CA:TRUE (critical), keyUsage
  // keyCertSign|cRLSign (critical), SKI, SHA-256 signature.
  static CertificateAuthority create(const CaOptions& options);

  // Any certificate/key pair, e.g. loaded from PEM. Throws
  // std::invalid_argument if either is null or the key does not match.
  CertificateAuthority(X509Ptr cert, EvpPkeyPtr key);

  CertificateAuthority(const CertificateAuthority& other);
  CertificateAuthority& operator=(const CertificateAuthority& other);
  CertificateAuthority(CertificateAuthority&&) noexcept = default;
  CertificateAuthority& operator=(CertificateAuthority&&) noexcept = default;
  ~CertificateAuthority() = default;

  X509* certificate() const { return cert_.get(); }
  EVP_PKEY* key() const { return key_.get(); }

  // SHA-256 signed. AKI/SKI; keyUsage (critical) digitalSignature plus
  // keyEncipherment for RSA keys, or keyCertSign|cRLSign with
  // basicConstraints CA:TRUE when is_ca; EKUs, SAN (DNS, rfc822, UPN
  // otherName, IP), certificatePolicies and template extensions as given.
  // notAfter is capped at the CA's own notAfter, as AD CS does.
  // Throws std::invalid_argument for bad options, CryptoError from OpenSSL.
  X509Ptr issue(EVP_PKEY* subject_public_key, const IssueOptions& options) const;

  // TLS server certificate for the mock's HTTPS endpoint: CN = first name,
  // EKU serverAuth, SAN with the DNS names and IP addresses ("127.0.0.1").
  // `not_before` and `validity` as in IssueOptions (an expired binding for
  // the lab: a not_before further back than the validity).
  X509Ptr issue_tls_server(
      EVP_PKEY* subject_public_key, std::vector<std::string> dns_names,
      std::vector<std::string> ip_addresses,
      std::optional<std::chrono::system_clock::time_point> not_before = std::nullopt,
      std::chrono::seconds validity = std::chrono::hours{24 * 365}) const;

 private:
  friend X509Ptr issue_for_request(const CertificateAuthority& ca, X509_REQ* request,
                                   const IssueOptions& options);

  X509Ptr cert_;
  EvpPkeyPtr key_;
  // What every certificate this CA issues takes from it unchanged (its AKI,
  // the fixed extensions, its notAfter), made once at construction and only
  // read afterwards, so the I/O threads sharing the CA need no lock.
  std::shared_ptr<const ca_detail::Issuing> issuing_;
};

}  // namespace ceslab::core
