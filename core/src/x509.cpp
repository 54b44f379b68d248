// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/x509.hpp"

#include "ceslab/core/clock_time.hpp"

#include "ceslab/core/keys.hpp"
#include "der.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cctype>
#include <ctime>

namespace ceslab::core {

namespace {

using BignumPtr = std::unique_ptr<BIGNUM, detail::Deleter<BIGNUM, BN_free>>;
using BasicConstraintsPtr =
    std::unique_ptr<BASIC_CONSTRAINTS, detail::Deleter<BASIC_CONSTRAINTS, BASIC_CONSTRAINTS_free>>;

struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const noexcept { sk_X509_free(s); }  // certs not owned
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

std::string digest_hex(const X509* cert, const EVP_MD* md, const char* what) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(cert, md, buf, &len) != 1) throw CryptoError(std::string("compute ") + what);
  return hex_lower(buf, len);
}

std::string serial_hex(const X509* cert) {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (!bn) throw CryptoError("read serial number");
  char* text = BN_bn2hex(bn.get());
  if (text == nullptr) throw CryptoError("format serial number");
  std::string out(text);
  OPENSSL_free(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

std::chrono::system_clock::time_point asn1_time_to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) throw CryptoError("read certificate time");
  using namespace std::chrono;
  // Calendar arithmetic instead of timegm(): UTC without touching TZ.
  const sys_days date = year{tm.tm_year + 1900} / month{static_cast<unsigned>(tm.tm_mon + 1)} /
                        day{static_cast<unsigned>(tm.tm_mday)};
  // RFC 5280 4.1.2.5's "no well-defined expiration" is 99991231235959Z.
  return clock_time(date + hours{tm.tm_hour} + minutes{tm.tm_min} + seconds{tm.tm_sec});
}

X509Ptr parse_certificate_der(const Bytes& der) {
  return decode_der_exactly<X509Ptr>(d2i_X509, der, "parse X.509 certificate", "certificate");
}

Bytes certificate_der(const X509* cert) {
  if (cert == nullptr) throw std::invalid_argument("certificate_der: null certificate");
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  return take_der(der, len, "X.509 certificate");
}

CertificateInfo describe(const X509* cert) {
  if (cert == nullptr) throw std::invalid_argument("describe: null certificate");
  CertificateInfo info;
  info.subject = format_distinguished_name(X509_get_subject_name(cert));
  info.issuer = format_distinguished_name(X509_get_issuer_name(cert));
  info.serial_hex = serial_hex(cert);
  info.not_before = asn1_time_to_time_point(X509_get0_notBefore(cert));
  info.not_after = asn1_time_to_time_point(X509_get0_notAfter(cert));

  const STACK_OF(X509_EXTENSION)* exts = X509_get0_extensions(cert);
  info.san = read_subject_alt_names(exts);
  info.ekus = read_ekus(exts);
  info.policy_oids = read_policy_oids(exts);
  info.template_ref = read_template_ref(exts);

  int crit = 0;
  BasicConstraintsPtr bc(
      static_cast<BASIC_CONSTRAINTS*>(X509V3_get_d2i(exts, NID_basic_constraints, &crit, nullptr)));
  if (!bc && crit >= 0) throw CryptoError("decode basicConstraints extension");
  if (!bc && crit == -2)
    throw CryptoError("read basicConstraints", "extension occurs more than once");
  ERR_clear_error();
  info.is_ca = bc && bc->ca != 0;

  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key != nullptr) {
    info.key_description = key_description(key);
  } else {
    ERR_clear_error();
    info.key_description = "unsupported key";
  }
  info.sha1_thumbprint_hex = digest_hex(cert, EVP_sha1(), "SHA-1 thumbprint");
  info.sha256_fingerprint_hex = digest_hex(cert, EVP_sha256(), "SHA-256 fingerprint");
  return info;
}

bool certificate_matches_key(const X509* cert, EVP_PKEY* key) {
  if (cert == nullptr || key == nullptr) return false;
  const EVP_PKEY* cert_key = X509_get0_pubkey(cert);
  const bool match = cert_key != nullptr && EVP_PKEY_eq(cert_key, key) == 1;
  ERR_clear_error();  // a type mismatch is an answer, not an error
  return match;
}

ChainCheck verify_chain(const X509* leaf, const std::vector<X509Ptr>& intermediates,
                        const std::vector<X509Ptr>& trusted_roots,
                        std::optional<std::chrono::system_clock::time_point> at) {
  if (leaf == nullptr) throw std::invalid_argument("verify_chain: null certificate");
  X509StorePtr store(X509_STORE_new());
  X509StackPtr untrusted(sk_X509_new_null());
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) throw CryptoError("allocate verification context");
  for (const auto& root : trusted_roots)
    if (root && X509_STORE_add_cert(store.get(), root.get()) != 1) {
      // The same root twice is harmless; anything else is not.
      if (ERR_GET_REASON(ERR_peek_last_error()) != X509_R_CERT_ALREADY_IN_HASH_TABLE)
        throw CryptoError("add trusted root");
      ERR_clear_error();
    }
  for (const auto& cert : intermediates)
    if (cert && sk_X509_push(untrusted.get(), cert.get()) <= 0)
      throw CryptoError("add intermediate");
  // X509_STORE_CTX_init wants a mutable leaf but only reads it.
  if (X509_STORE_CTX_init(ctx.get(), store.get(), const_cast<X509*>(leaf), untrusted.get()) != 1)
    throw CryptoError("initialise verification context");
  if (at) X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(*at));

  ChainCheck check;
  const int rc = X509_verify_cert(ctx.get());
  check.error = X509_STORE_CTX_get_error(ctx.get());
  check.ok = rc == 1 && check.error == X509_V_OK;
  if (check.ok) {
    check.error_text = "ok";
  } else {
    if (check.error == X509_V_OK) check.error = X509_V_ERR_UNSPECIFIED;
    check.error_text = X509_verify_cert_error_string(check.error);
    const X509* bad = X509_STORE_CTX_get_current_cert(ctx.get());
    check.error_text += " (depth " + std::to_string(X509_STORE_CTX_get_error_depth(ctx.get()));
    if (bad != nullptr)
      check.error_text += ": " + format_distinguished_name(X509_get_subject_name(bad));
    check.error_text += ")";
  }
  ERR_clear_error();
  return check;
}

}  // namespace ceslab::core
