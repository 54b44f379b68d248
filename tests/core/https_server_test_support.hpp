// SPDX-License-Identifier: GPL-2.0-or-later
// Test-only PKI and helpers for the HTTPS server and client suites. Keys and
// certificates are made with raw OpenSSL 3 calls on purpose: the transport
// tests must not depend on ceslab's own key/certificate helpers.
#pragma once

#include "ceslab/core/https_client.hpp"
#include "ceslab/core/https_server.hpp"
#include "ceslab/core/ossl.hpp"
#include "core/test_pki.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

// Inline (not file-local) because each suite uses a different subset.
namespace ceslab::core::testing {

struct KeyCert {
  EvpPkeyPtr key;
  X509Ptr cert;
};

inline EvpPkeyPtr make_ed25519_key() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) throw CryptoError("test: Ed25519 keygen");
  return key;
}

struct CertSpec {
  std::string cn;
  std::string san;  // e.g. "IP:127.0.0.1, DNS:localhost"; empty for none
  bool ca = false;
  long not_before_s = -3600;       // relative to now
  long not_after_s = 30L * 86400;  // relative to now
  const EVP_MD* md = nullptr;      // nullptr: SHA-256 (or none for Ed25519)
};

inline CertSpec spec(std::string cn, std::string san = {}) {
  CertSpec s;
  s.cn = std::move(cn);
  s.san = std::move(san);
  return s;
}

inline CertSpec ca_spec(std::string cn) {
  CertSpec s = spec(std::move(cn));
  s.ca = true;
  return s;
}

inline void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) throw CryptoError("test: extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// Signs with `issuer_key`; a null issuer makes the certificate self-signed.
inline X509Ptr make_cert(EVP_PKEY* key, const CertSpec& spec, X509* issuer = nullptr,
                         EVP_PKEY* issuer_key = nullptr) {
  static std::atomic<long> serial{1000};
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), spec.not_before_s);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), spec.not_after_s);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509* iss = issuer ? issuer : cert.get();
  if (spec.ca) {
    add_ext(cert.get(), iss, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert.get(), iss, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_ext(cert.get(), iss, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), iss, NID_key_usage, "critical,digitalSignature");
    add_ext(cert.get(), iss, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  add_ext(cert.get(), iss, NID_subject_key_identifier, "hash");
  if (issuer) add_ext(cert.get(), iss, NID_authority_key_identifier, "keyid");
  if (!spec.san.empty()) add_ext(cert.get(), iss, NID_subject_alt_name, spec.san);
  EVP_PKEY* signer = issuer_key ? issuer_key : key;
  const EVP_MD* md = spec.md;
  if (md == nullptr && EVP_PKEY_get_id(signer) != EVP_PKEY_ED25519) md = EVP_sha256();
  if (X509_sign(cert.get(), signer, md) <= 0) throw CryptoError("test: X509_sign");
  return cert;
}

inline KeyCert issue(const CertSpec& spec, const KeyCert* issuer) {
  KeyCert kc;
  kc.key = make_key();
  kc.cert = issuer ? make_cert(kc.key.get(), spec, issuer->cert.get(), issuer->key.get())
                   : make_cert(kc.key.get(), spec);
  return kc;
}

inline Bytes sha256_of(X509* cert) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned len = 0;
  if (X509_digest(cert, EVP_sha256(), out.data(), &len) != 1) throw CryptoError("test: digest");
  out.resize(len);
  return out;
}

// A PEM file that disappears with the object.
class TempPem {
 public:
  explicit TempPem(const std::vector<X509*>& certs) {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("ceslab-https-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
             ".pem");
    BioPtr bio(BIO_new_file(path_.c_str(), "w"));
    if (!bio) throw CryptoError("test: open " + path_.string());
    for (X509* c : certs) PEM_write_bio_X509(bio.get(), c);
  }
  ~TempPem() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempPem(const TempPem&) = delete;
  TempPem& operator=(const TempPem&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// The PKI every test uses; EC keys keep generation to a few milliseconds.
struct Pki {
  static CertSpec expired_spec() {
    CertSpec s = spec("127.0.0.1", "IP:127.0.0.1, DNS:localhost");
    s.not_before_s = -10L * 86400;
    s.not_after_s = -86400;
    return s;
  }

  KeyCert ca = issue(ca_spec("ceslab test CA"), nullptr);
  KeyCert server = issue(spec("127.0.0.1", "IP:127.0.0.1, DNS:localhost"), &ca);
  KeyCert other = issue(spec("other.test", "DNS:other.test"), &ca);
  KeyCert expired = issue(expired_spec(), &ca);
  KeyCert client_ca = issue(ca_spec("ceslab test client CA"), nullptr);
  KeyCert client = issue(spec("enrollee@ceslab.test"), &client_ca);
  KeyCert stranger = issue(spec("stranger"), nullptr);  // self-signed client cert
  TempPem ca_file{{ca.cert.get()}};
};

inline const Pki& pki() {
  static const Pki instance;
  return instance;
}

inline TlsServerIdentity identity_of(const KeyCert& kc) {
  TlsServerIdentity id;
  id.certificate = share(kc.cert.get());
  id.key = share(kc.key.get());
  return id;
}

inline ServerOptions server_options(const KeyCert& kc) {
  ServerOptions o;
  o.identity = identity_of(kc);
  o.threads = 2;
  return o;
}

inline ClientOptions trusting_client() {
  ClientOptions o;
  o.ca_files = {pki().ca_file.path()};
  o.connect_timeout = std::chrono::milliseconds(2000);
  o.io_timeout = std::chrono::milliseconds(2000);
  return o;
}

inline Url url_of(const HttpsServer& server, const std::string& path = "/") {
  return parse_url(server.base_url() + path);
}

inline HttpRequest post(std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.body = std::move(body);
  return r;
}

// A loopback TCP listener that never accepts: the kernel completes the TCP
// handshake from the backlog, then nothing ever answers.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(fd_, 8) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("test: silent listener");
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A plain TCP connection that sends nothing (a silent client).
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("test: raw connect");
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  int fd() const { return fd_; }

  // Blocks until the peer closes (true) or `limit` passes (false).
  bool wait_for_close(std::chrono::milliseconds limit) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(limit.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((limit.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[256];
    for (;;) {
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET;
    }
  }

 private:
  int fd_ = -1;
};

}  // namespace ceslab::core::testing
