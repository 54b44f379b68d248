// SPDX-License-Identifier: GPL-2.0-or-later
// PKCS#10 requests as Windows clients build them (template extensions, UPN
// otherName, renewal attribute) and the parser the mock CA reads them with.
// Also the distinguished-name and extension helpers that certificates share.
#pragma once

#include "ceslab/core/ossl.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ceslab::core {

// OIDs Microsoft defines for enrollment.
inline constexpr const char* kOidTemplateName = "1.3.6.1.4.1.311.20.2";  // V1, BMPString
inline constexpr const char* kOidTemplateInfo = "1.3.6.1.4.1.311.21.7";  // V2+, OID/major/minor
inline constexpr const char* kOidUpn = "1.3.6.1.4.1.311.20.2.3";         // SAN otherName
inline constexpr const char* kOidRenewalCertificate = "1.3.6.1.4.1.311.13.1";  // CSR attribute

// subjectAltName entries ceslab understands. Other GeneralName kinds in a
// parsed extension (URI, directoryName, foreign otherNames) are not listed.
struct SubjectAltNames {
  std::vector<std::string> dns;
  std::vector<std::string> email;  // rfc822Name
  std::vector<std::string> upn;    // otherName 1.3.6.1.4.1.311.20.2.3, UTF8String
  std::vector<std::string> ip;     // iPAddress, textual IPv4/IPv6

  bool empty() const { return dns.empty() && email.empty() && upn.empty() && ip.empty(); }
  bool operator==(const SubjectAltNames&) const = default;
};

// A certificate template as a request or certificate names it. A non-empty
// `name` is the V1 extension 1.3.6.1.4.1.311.20.2 (BMPString); a non-empty
// `oid` is the V2 extension 1.3.6.1.4.1.311.21.7
// SEQUENCE { templateID OID, templateMajorVersion INTEGER, templateMinorVersion INTEGER OPTIONAL }.
struct TemplateRef {
  std::string name;
  std::string oid;
  int major = 0;
  int minor = 0;

  bool operator==(const TemplateRef&) const = default;
};

struct CsrOptions {
  // "CN=alice,O=Lab" or "/CN=alice/O=Lab" (see parse_distinguished_name);
  // empty = empty subject, as Windows sends when the CA builds it from AD.
  std::string subject;
  SubjectAltNames san;
  std::optional<TemplateRef> template_ref;
  std::vector<std::string> ekus;  // dotted OIDs
  // Adds attribute 1.3.6.1.4.1.311.13.1 (szOID_RENEWAL_CERTIFICATE) holding
  // this certificate's DER, as Windows renewal requests carry.
  const X509* renewal_of = nullptr;
};

// A signed (SHA-256) PKCS#10 request, DER. Extensions go in one
// extensionRequest attribute. Throws std::invalid_argument for bad options
// (subject syntax, OIDs, IP addresses), CryptoError if OpenSSL fails.
Bytes build_csr(EVP_PKEY* key, const CsrOptions& options);

struct CsrInfo {
  std::string subject;  // RFC 2253 one-line, most specific RDN first
  SubjectAltNames san;
  // From either extension: name from 311.20.2, oid/major/minor from 311.21.7.
  std::optional<TemplateRef> template_ref;
  std::vector<std::string> ekus;
  EvpPkeyPtr public_key;  // null if OpenSSL cannot decode the key
  bool signature_valid = false;
  std::optional<Bytes> renewal_certificate;  // 311.13.1 attribute value (DER)
  std::string key_description;               // "RSA 2048", or "unsupported key (<alg>)"
};

// Parses a DER PKCS#10 request. Throws CryptoError on anything that is not a
// well-formed request (garbage, truncation, trailing bytes, malformed known
// extensions); a bad signature is reported in `signature_valid`, not thrown.
CsrInfo parse_csr(const Bytes& der);

// Distinguished names from text. Two forms:
//  - "CN=alice,O=Lab,DC=lab,DC=test": RFC 4514, written most specific first,
//    so the DER sequence is the reverse (DC=test first, CN=alice last) and
//    format_distinguished_name() gives the same text back. '+' joins AVAs of
//    one multi-valued RDN; spaces around ',', '+' and '=' are ignored.
//  - "/DC=test/DC=lab/CN=alice": OpenSSL `-subj` form, written in DER order
//    (first RDN first), so "/CN=a/O=b" formats as "O=b,CN=a".
// Attribute types are OpenSSL short or long names (CN, O, OU, C, L, ST, DC,
// UID, serialNumber, ...), "E"/"emailAddress" for e-mail, "S" for ST (as
// Windows writes it) or dotted OIDs. Backslash escapes the next character
// ("\," "\+" "\/" "\\") or two hex digits ("\2C"). An empty or blank string
// gives an empty name. Throws std::invalid_argument naming the bad part.
X509NamePtr parse_distinguished_name(std::string_view text);

// RFC 2253 text, most specific RDN first, non-ASCII kept as UTF-8.
std::string format_distinguished_name(const X509_NAME* name);

// ---- Extensions shared by requests, certificates and CEP template data ----
// Builders throw std::invalid_argument for bad input (bad OID, bad IP, empty
// list / template without name and oid).
X509ExtensionPtr make_subject_alt_name_extension(const SubjectAltNames& san, bool critical = false);
X509ExtensionPtr make_eku_extension(const std::vector<std::string>& oids);
X509ExtensionPtr make_certificate_policies_extension(const std::vector<std::string>& oids);
X509ExtensionPtr make_template_name_extension(std::string_view name);   // 311.20.2
X509ExtensionPtr make_template_info_extension(const TemplateRef& ref);  // 311.21.7 (oid required)
// The extensions build_csr / CertificateAuthority::issue add for a TemplateRef:
// 311.20.2 if name is set, 311.21.7 if oid is set.
std::vector<X509ExtensionPtr> make_template_extensions(const TemplateRef& ref);

// Readers take an extension list (X509_get0_extensions, X509_REQ_get_extensions).
// Absent extension = empty result; present but malformed = CryptoError.
SubjectAltNames read_subject_alt_names(const STACK_OF(X509_EXTENSION) * exts);
std::vector<std::string> read_ekus(const STACK_OF(X509_EXTENSION) * exts);
std::vector<std::string> read_policy_oids(const STACK_OF(X509_EXTENSION) * exts);
std::optional<TemplateRef> read_template_ref(const STACK_OF(X509_EXTENSION) * exts);

// The DER inside an extension's extnValue OCTET STRING (what MS-XCEP's
// <extensions><value> carries).
Bytes extension_value_der(const X509_EXTENSION* ext);

// Dotted text of an OID ("1.3.6.1.5.5.7.3.2").
std::string oid_text(const ASN1_OBJECT* oid);

}  // namespace ceslab::core
