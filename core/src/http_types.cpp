// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/http_types.hpp"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

namespace ceslab::core {

namespace {

char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::optional<std::string> find_header(const std::vector<HttpHeader>& headers,
                                       std::string_view name) {
  for (const auto& h : headers) {
    if (header_name_equals(h.name, name)) return h.value;
  }
  return std::nullopt;
}

}  // namespace

bool header_name_equals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string> HttpRequest::header(std::string_view name) const {
  return find_header(headers, name);
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  return find_header(headers, name);
}

Bytes tls_server_end_point(X509* cert) {
  if (cert == nullptr) throw CryptoError("tls-server-end-point", "no certificate");
  int md_nid = NID_undef;
  // X509_get_signature_info also resolves RSA-PSS to its real hash.
  if (X509_get_signature_info(cert, &md_nid, nullptr, nullptr, nullptr) != 1) {
    throw CryptoError("tls-server-end-point: reading the certificate signature algorithm");
  }
  if (md_nid == NID_undef) return {};  // RFC 5929 §4.1: no binding defined
  if (md_nid == NID_md5 || md_nid == NID_sha1) md_nid = NID_sha256;
  const EVP_MD* md = EVP_get_digestbynid(md_nid);
  if (md == nullptr) {
    throw CryptoError("tls-server-end-point",
                      std::string("unsupported signature hash ") + OBJ_nid2sn(md_nid));
  }
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  if (X509_digest(cert, md, out.data(), &len) != 1) {
    throw CryptoError("tls-server-end-point: hashing the certificate");
  }
  out.resize(len);
  return out;
}

}  // namespace ceslab::core
