// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/ca.hpp"

#include "ceslab/core/decoded_request.hpp"
#include "ceslab/core/x509.hpp"
#include "public_key_info.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/rand.h>

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

void add_ext(X509* cert, X509ExtensionPtr ext) {
  if (X509_add_ext(cert, ext.get(), -1) != 1) throw CryptoError("add extension to certificate");
}

void add_conf_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
  if (!ext) throw CryptoError(std::string("build ") + OBJ_nid2sn(nid) + " extension");
  add_ext(cert, std::move(ext));
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

// One builder for roots and issued certificates; `issuer` null = self-signed.
X509Ptr build_certificate(const X509* issuer, EVP_PKEY* signer, const SubjectKey& subject_key_of,
                          const IssueOptions& o) {
  EVP_PKEY* subject_key = subject_key_of.key;
  if (subject_key == nullptr) throw std::invalid_argument("issue: null subject public key");
  if (o.validity <= std::chrono::seconds::zero())
    throw std::invalid_argument("issue: validity must be positive");
  X509Ptr cert(X509_new());
  if (!cert) throw CryptoError("allocate X509");
  X509* c = cert.get();
  X509NamePtr subject = parse_distinguished_name(o.subject);
  BignumPtr serial = serial_number(o.serial_hex);
  if (X509_set_version(c, X509_VERSION_3) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(c)) == nullptr ||
      X509_set_subject_name(c, subject.get()) != 1 ||
      X509_set_issuer_name(c, issuer != nullptr ? X509_get_subject_name(issuer) : subject.get()) !=
          1)
    throw CryptoError("fill certificate");
  set_subject_key(c, subject_key_of);

  const Clock::time_point not_before = o.not_before.value_or(Clock::now() - kDefaultBackdate);
  Clock::time_point not_after = not_before + o.validity;
  if (issuer != nullptr) {
    // AD CS never issues beyond its own certificate's lifetime.
    const Clock::time_point ca_end = asn1_time_to_time_point(X509_get0_notAfter(issuer));
    if (not_after > ca_end) not_after = ca_end;
  }
  set_time(X509_getm_notBefore(c), not_before);
  set_time(X509_getm_notAfter(c), not_after);

  X509V3_CTX ctx;
  // OpenSSL only reads the issuer here; the API is not const-correct.
  X509V3_set_ctx(&ctx, issuer != nullptr ? const_cast<X509*>(issuer) : c, c, nullptr, nullptr, 0);
  if (o.is_ca) {
    add_conf_ext(c, &ctx, NID_basic_constraints, "critical,CA:TRUE");
    add_conf_ext(c, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    const bool rsa = EVP_PKEY_get_base_id(subject_key) == EVP_PKEY_RSA;
    add_conf_ext(c, &ctx, NID_key_usage,
                 rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature");
  }
  add_conf_ext(c, &ctx, NID_subject_key_identifier, "hash");
  // keyid from the issuer's SKI; issuer+serial only if it has none.
  if (issuer != nullptr) add_conf_ext(c, &ctx, NID_authority_key_identifier, "keyid,issuer");
  if (!o.ekus.empty()) add_ext(c, make_eku_extension(o.ekus));
  if (!o.san.empty())
    add_ext(c, make_subject_alt_name_extension(o.san, X509_NAME_entry_count(subject.get()) == 0));
  if (!o.policy_oids.empty()) add_ext(c, make_certificate_policies_extension(o.policy_oids));
  if (o.template_ref)
    for (auto& ext : make_template_extensions(*o.template_ref)) add_ext(c, std::move(ext));

  if (X509_sign(c, signer, EVP_sha256()) <= 0) throw CryptoError("sign certificate");
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
  X509Ptr cert = build_certificate(nullptr, key.get(), SubjectKey{key.get()}, root);
  return CertificateAuthority(std::move(cert), std::move(key));
}

CertificateAuthority::CertificateAuthority(X509Ptr cert, EvpPkeyPtr key)
    : cert_(std::move(cert)), key_(std::move(key)) {
  if (!cert_ || !key_) throw std::invalid_argument("CertificateAuthority: null certificate or key");
  if (!certificate_matches_key(cert_.get(), key_.get()))
    throw std::invalid_argument("CertificateAuthority: key does not match certificate " +
                                format_distinguished_name(X509_get_subject_name(cert_.get())));
}

CertificateAuthority::CertificateAuthority(const CertificateAuthority& other)
    : cert_(share(other.cert_.get())), key_(share(other.key_.get())) {}

CertificateAuthority& CertificateAuthority::operator=(const CertificateAuthority& other) {
  if (this != &other) {
    cert_ = share(other.cert_.get());
    key_ = share(other.key_.get());
  }
  return *this;
}

X509Ptr CertificateAuthority::issue(EVP_PKEY* subject_public_key,
                                    const IssueOptions& options) const {
  if (!cert_ || !key_) throw std::logic_error("CertificateAuthority used after move");
  return build_certificate(cert_.get(), key_.get(), SubjectKey{subject_public_key}, options);
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
  if (ca.certificate() == nullptr || ca.key() == nullptr)
    throw std::logic_error("CertificateAuthority used after move");
  EVP_PKEY* key = X509_REQ_get0_pubkey(request);  // decoded with the request
  if (key == nullptr) {
    ERR_clear_error();
    throw std::invalid_argument("issue: null subject public key");
  }
  return build_certificate(ca.certificate(), ca.key(),
                           SubjectKey{key, X509_REQ_get_X509_PUBKEY(request)}, options);
}

}  // namespace ceslab::core
