// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/ca.hpp"

#include "ceslab/core/decoded_request.hpp"
#include "ceslab/core/x509.hpp"
#include "distinguished_name.hpp"
#include "public_key_info.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <optional>
#include <stdexcept>
#include <string_view>

namespace ceslab::core {

namespace {

using BignumPtr = std::unique_ptr<BIGNUM, detail::Deleter<BIGNUM, BN_free>>;
using Clock = std::chrono::system_clock;

constexpr const char* kOidServerAuth = "1.3.6.1.5.5.7.3.1";

BignumPtr serial_number(const std::string& text) {
  BIGNUM* raw = nullptr;
  if (text.empty()) {
    // 16 random bytes; top bit cleared (positive) and the next one set so
    // the DER length is always 16 bytes.
    unsigned char buf[16];
    if (RAND_bytes(buf, sizeof buf) != 1) throw CryptoError("generate serial number");
    buf[0] = static_cast<unsigned char>((buf[0] & 0x7f) | 0x40);
    raw = BN_bin2bn(buf, sizeof buf, nullptr);
    if (raw == nullptr) throw CryptoError("convert serial number");
    return BignumPtr(raw);
  }
  const int used = BN_hex2bn(&raw, text.c_str());
  BignumPtr bn(raw);
  if (!bn || used != static_cast<int>(text.size()) || BN_is_zero(bn.get()) ||
      BN_is_negative(bn.get()) || BN_num_bytes(bn.get()) > 20) {
    ERR_clear_error();
    throw std::invalid_argument("bad serial number '" + text +
                                "' (want 1 to 40 hex digits, positive, non-zero)");
  }
  return bn;
}

// X509_add_ext adds a copy, so the CA's own extensions can be added to
// every certificate as they are.
void add_ext(X509* cert, const X509ExtensionPtr& ext) {
  if (X509_add_ext(cert, ext.get(), -1) != 1) throw CryptoError("add extension to certificate");
}

X509ExtensionPtr conf_ext(X509V3_CTX* ctx, int nid, const char* value) {
  X509ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
  if (!ext) throw CryptoError(std::string("build ") + OBJ_nid2sn(nid) + " extension");
  return ext;
}

}  // namespace

namespace ca_detail {

using EvpMdPtr = std::unique_ptr<EVP_MD, detail::Deleter<EVP_MD, EVP_MD_free>>;
using OctetStringPtr =
    std::unique_ptr<ASN1_OCTET_STRING, detail::Deleter<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;

// The extensions that depend on neither the subject nor the issuer, made
// from their config text once per CA and copied into each certificate,
// rather than parsed from the text again for every one (issue 17).
struct FixedExtensions {
  X509ExtensionPtr key_usage_rsa;
  X509ExtensionPtr key_usage_other;
  X509ExtensionPtr ca_basic_constraints;
  X509ExtensionPtr ca_key_usage;
  // SHA-1 for the subjectKeyIdentifier, fetched from the provider once
  // (EVP_sha1() is fetched again on every digest).
  EvpMdPtr sha1;
};

FixedExtensions make_fixed_extensions() {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, nullptr, nullptr, nullptr, nullptr, 0);
  FixedExtensions f;
  f.key_usage_rsa = conf_ext(&ctx, NID_key_usage, "critical,digitalSignature,keyEncipherment");
  f.key_usage_other = conf_ext(&ctx, NID_key_usage, "critical,digitalSignature");
  f.ca_basic_constraints = conf_ext(&ctx, NID_basic_constraints, "critical,CA:TRUE");
  f.ca_key_usage = conf_ext(&ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  f.sha1.reset(EVP_MD_fetch(nullptr, "SHA1", nullptr));
  if (!f.sha1) throw CryptoError("fetch SHA-1");
  return f;
}

// What every certificate a CA issues takes from it unchanged.
struct Issuing {
  explicit Issuing(X509* ca_cert);

  FixedExtensions fixed;
  // authorityKeyIdentifier "keyid,issuer": the CA's subjectKeyIdentifier,
  // or its issuer and serial when it has none; it depends on the CA's
  // certificate only.
  X509ExtensionPtr authority_key_id;
  // AD CS never issues beyond its own certificate's lifetime.
  Clock::time_point not_after;
};

Issuing::Issuing(X509* ca_cert)
    : fixed(make_fixed_extensions()),
      not_after(asn1_time_to_time_point(X509_get0_notAfter(ca_cert))) {
  // The value depends on the issuer alone (no subject certificate or key in
  // the context, so it is never taken for a self-signed one).
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca_cert, nullptr, nullptr, nullptr, 0);
  authority_key_id = conf_ext(&ctx, NID_authority_key_identifier, "keyid,issuer");
}

}  // namespace ca_detail

namespace {

using ca_detail::FixedExtensions;
using ca_detail::Issuing;
using ca_detail::make_fixed_extensions;
using ca_detail::OctetStringPtr;

// subjectKeyIdentifier, RFC 5280 4.2.1.2 method (1): the SHA-1 of the
// subjectPublicKey bits, the value X509V3_EXT_nconf's "hash" computes.
void add_subject_key_id(X509* cert, const EVP_MD* sha1) {
  const unsigned char* bits = nullptr;
  int len = 0;
  if (X509_PUBKEY_get0_param(nullptr, &bits, &len, nullptr, X509_get_X509_PUBKEY(cert)) != 1 ||
      len <= 0)
    throw CryptoError("read the subject public key for its key identifier");
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int hash_len = 0;
  OctetStringPtr id(ASN1_OCTET_STRING_new());
  if (EVP_Digest(bits, static_cast<std::size_t>(len), hash, &hash_len, sha1, nullptr) != 1 || !id ||
      ASN1_OCTET_STRING_set(id.get(), hash, static_cast<int>(hash_len)) != 1 ||
      X509_add1_ext_i2d(cert, NID_subject_key_identifier, id.get(), 0, X509V3_ADD_APPEND) != 1)
    throw CryptoError("build subjectKeyIdentifier extension");
}

void set_time(ASN1_TIME* field, Clock::time_point t) {
  if (ASN1_TIME_set(field, Clock::to_time_t(t)) == nullptr)
    throw CryptoError("set certificate validity");
}

// The subject's public key: the key object, and the SubjectPublicKeyInfo a
// request carried it in, if there is one.
struct SubjectKey {
  EVP_PKEY* key = nullptr;
  X509_PUBKEY* from_request = nullptr;
};

void set_subject_key(X509* cert, const SubjectKey& subject) {
  if (subject.from_request != nullptr) return copy_public_key(cert, subject.from_request);
  if (X509_set_pubkey(cert, subject.key) != 1) throw CryptoError("fill certificate");
}

// What a certificate is signed by: the CA and what it hands every
// certificate, or (issuer null) the subject's own key for a root.
struct Signer {
  const X509* issuer = nullptr;
  EVP_PKEY* key = nullptr;
  const FixedExtensions* fixed = nullptr;
  const X509ExtensionPtr* authority_key_id = nullptr;  // null for a root
  std::optional<Clock::time_point> not_after;          // the CA's; none for a root
};

Signer ca_signer(X509* cert, EVP_PKEY* key, const Issuing& issuing) {
  return Signer{cert, key, &issuing.fixed, &issuing.authority_key_id, issuing.not_after};
}

// One builder for roots and issued certificates.
X509Ptr build_certificate(const Signer& signer, const SubjectKey& subject_key_of,
                          const IssueOptions& o) {
  EVP_PKEY* subject_key = subject_key_of.key;
  if (subject_key == nullptr) throw std::invalid_argument("issue: null subject public key");
  if (o.validity <= std::chrono::seconds::zero())
    throw std::invalid_argument("issue: validity must be positive");
  X509Ptr cert(X509_new());
  if (!cert) throw CryptoError("allocate X509");
  X509* c = cert.get();
  // Straight into the certificate's own name: X509_set_subject_name would
  // copy a separate one through DER and back.
  X509_NAME* subject = X509_get_subject_name(c);
  add_distinguished_name(subject, o.subject);
  BignumPtr serial = serial_number(o.serial_hex);
  if (X509_set_version(c, X509_VERSION_3) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(c)) == nullptr ||
      X509_set_issuer_name(
          c, signer.issuer != nullptr ? X509_get_subject_name(signer.issuer) : subject) != 1)
    throw CryptoError("fill certificate");
  set_subject_key(c, subject_key_of);

  const Clock::time_point not_before = o.not_before.value_or(Clock::now() - kDefaultBackdate);
  Clock::time_point not_after = not_before + o.validity;
  if (signer.not_after && not_after > *signer.not_after) not_after = *signer.not_after;
  set_time(X509_getm_notBefore(c), not_before);
  set_time(X509_getm_notAfter(c), not_after);

  const FixedExtensions& fixed = *signer.fixed;
  if (o.is_ca) {
    add_ext(c, fixed.ca_basic_constraints);
    add_ext(c, fixed.ca_key_usage);
  } else {
    const bool rsa = EVP_PKEY_get_base_id(subject_key) == EVP_PKEY_RSA;
    add_ext(c, rsa ? fixed.key_usage_rsa : fixed.key_usage_other);
  }
  add_subject_key_id(c, fixed.sha1.get());
  if (signer.authority_key_id != nullptr) add_ext(c, *signer.authority_key_id);
  if (!o.ekus.empty()) add_ext(c, make_eku_extension(o.ekus));
  if (!o.san.empty())
    add_ext(c, make_subject_alt_name_extension(o.san, X509_NAME_entry_count(subject) == 0));
  if (!o.policy_oids.empty()) add_ext(c, make_certificate_policies_extension(o.policy_oids));
  if (o.template_ref)
    for (const auto& ext : make_template_extensions(*o.template_ref)) add_ext(c, ext);

  if (X509_sign(c, signer.key, EVP_sha256()) <= 0) throw CryptoError("sign certificate");
  return cert;
}

// Backslash-escapes what parse_distinguished_name treats as syntax.
std::string escape_dn_value(const std::string& value) {
  std::string out;
  for (char ch : value) {
    if (std::string_view(",+\"\\/=<>;#").find(ch) != std::string_view::npos) out += '\\';
    out += ch;
  }
  return out;
}

}  // namespace

CertificateAuthority CertificateAuthority::create(const CaOptions& options) {
  EvpPkeyPtr key = generate_key(options.key);
  IssueOptions root;
  root.subject = options.subject;
  root.policy_oids = options.policy_oids;
  root.validity = options.validity;
  root.not_before = options.not_before;
  root.is_ca = true;
  const FixedExtensions fixed = make_fixed_extensions();
  X509Ptr cert = build_certificate(Signer{nullptr, key.get(), &fixed, nullptr, std::nullopt},
                                   SubjectKey{key.get()}, root);
  // Kept as read back from its DER: a certificate read keeps its encoding,
  // where a freshly signed one is encoded anew each time it is written, as
  // it is into every CMC response the CA signs.
  return CertificateAuthority(parse_certificate_der(certificate_der(cert.get())), std::move(key));
}

CertificateAuthority::CertificateAuthority(X509Ptr cert, EvpPkeyPtr key)
    : cert_(std::move(cert)), key_(std::move(key)) {
  if (!cert_ || !key_) throw std::invalid_argument("CertificateAuthority: null certificate or key");
  if (!certificate_matches_key(cert_.get(), key_.get()))
    throw std::invalid_argument("CertificateAuthority: key does not match certificate " +
                                format_distinguished_name(X509_get_subject_name(cert_.get())));
  issuing_ = std::make_shared<const ca_detail::Issuing>(cert_.get());
}

CertificateAuthority::CertificateAuthority(const CertificateAuthority& other)
    : cert_(share(other.cert_.get())), key_(share(other.key_.get())), issuing_(other.issuing_) {}

CertificateAuthority& CertificateAuthority::operator=(const CertificateAuthority& other) {
  if (this != &other) {
    cert_ = share(other.cert_.get());
    key_ = share(other.key_.get());
    issuing_ = other.issuing_;
  }
  return *this;
}

X509Ptr CertificateAuthority::issue(EVP_PKEY* subject_public_key,
                                    const IssueOptions& options) const {
  if (!cert_ || !key_ || !issuing_) throw std::logic_error("CertificateAuthority used after move");
  return build_certificate(ca_signer(cert_.get(), key_.get(), *issuing_),
                           SubjectKey{subject_public_key}, options);
}

X509Ptr CertificateAuthority::issue_tls_server(
    EVP_PKEY* subject_public_key, std::vector<std::string> dns_names,
    std::vector<std::string> ip_addresses,
    std::optional<std::chrono::system_clock::time_point> not_before,
    std::chrono::seconds validity) const {
  if (dns_names.empty() && ip_addresses.empty())
    throw std::invalid_argument("issue_tls_server: no DNS name or IP address");
  IssueOptions o;
  o.subject =
      "CN=" + escape_dn_value(!dns_names.empty() ? dns_names.front() : ip_addresses.front());
  o.san.dns = std::move(dns_names);
  o.san.ip = std::move(ip_addresses);
  o.ekus = {kOidServerAuth};
  o.not_before = not_before;
  o.validity = validity;
  return issue(subject_public_key, o);
}

X509Ptr issue_for_request(const CertificateAuthority& ca, X509_REQ* request,
                          const IssueOptions& options) {
  if (request == nullptr) throw std::invalid_argument("issue: null request");
  if (!ca.cert_ || !ca.key_ || !ca.issuing_)
    throw std::logic_error("CertificateAuthority used after move");
  EVP_PKEY* key = X509_REQ_get0_pubkey(request);  // decoded with the request
  if (key == nullptr) {
    ERR_clear_error();
    throw std::invalid_argument("issue: null subject public key");
  }
  return build_certificate(ca_signer(ca.cert_.get(), ca.key_.get(), *ca.issuing_),
                           SubjectKey{key, X509_REQ_get_X509_PUBKEY(request)}, options);
}

}  // namespace ceslab::core
