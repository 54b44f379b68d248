// SPDX-License-Identifier: GPL-2.0-or-later
// HTTPS client on Boost.Beast + Asio SSL, used by the enrollment client.
// send() never throws for network or TLS trouble: it returns an Exchange
// that says what happened, classified precisely enough for diagnosis, with
// the TLS facts seen along the way (even when verification failed).
#pragma once

#include "ceslab/core/http_types.hpp"
#include "ceslab/core/ossl.hpp"
#include "ceslab/core/url.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ceslab::core {

struct ClientOptions {
  // PEM files with trust anchors. When both this and `ca_certs` are empty,
  // OpenSSL's default system paths are used.
  std::vector<std::string> ca_files;
  std::vector<X509Ptr> ca_certs;  // in-memory trust anchors, added to ca_files
  // Skip certificate and host name verification. The verify result is still
  // recorded in TlsFacts; the caller must warn loudly when this is set.
  bool insecure = false;
  X509Ptr client_certificate;
  EvpPkeyPtr client_key;
  std::vector<X509Ptr> client_chain;
  std::chrono::milliseconds connect_timeout{10000};  // DNS plus TCP connect
  // Limit for each stage after connect: TLS handshake, sending, receiving.
  std::chrono::milliseconds io_timeout{30000};
  std::size_t response_limit = 8 * 1024 * 1024;  // response body bytes
};

enum class TransportErrorKind {
  invalid_url,        // not https, or an unusable URL
  dns,                // host name did not resolve
  connect_refused,    // TCP connection refused (or the host/network unreachable)
  connect_timeout,    // no TCP connection within connect_timeout
  timeout,            // TLS handshake, request or response exceeded io_timeout
  tls_handshake,      // TLS failed for a reason other than server cert verification
  tls_untrusted,      // server chain does not lead to a trusted anchor
  tls_name_mismatch,  // server certificate is not for the host/IP we asked for
  tls_expired,        // server certificate has expired
  tls_other_verify,   // any other verification failure (see TlsFacts::verify_result)
  closed,             // peer closed before a complete response
  protocol,           // malformed HTTP response
  too_large,          // response body larger than response_limit
};

// Stable lower-case name ("tls_untrusted"), for reports and evidence.
const char* to_string(TransportErrorKind kind) noexcept;
// The kind to_string() names `name`; nullopt for any other text.
std::optional<TransportErrorKind> transport_error_kind(std::string_view name);

struct TlsFacts {
  bool handshake_done = false;
  std::string version;  // "TLSv1.3"
  std::string cipher;
  // What verification of the server chain found, even with `insecure`.
  // Only set once a certificate was received: an empty verify_text means
  // the server never showed one (then verify_result says nothing).
  long verify_result = X509_V_OK;
  std::string verify_text;            // X509_verify_cert_error_string(verify_result)
  std::vector<Bytes> peer_chain_der;  // as sent by the server, leaf first
  std::string peer_subject;           // leaf subject, RFC 2253
  std::string peer_issuer;            // leaf issuer, RFC 2253
  std::string peer_not_after;         // leaf notAfter, "YYYY-MM-DDTHH:MM:SSZ"
  // RFC 5929 tls-server-end-point over the peer's leaf certificate, without
  // the "tls-server-end-point:" prefix (see core::tls_server_end_point).
  Bytes tls_server_end_point;
  bool insecure = false;  // verification was switched off for this exchange
};

struct Exchange {
  std::optional<HttpResponse> response;  // set exactly when `error` is not
  std::optional<TransportErrorKind> error;
  // One clear line, e.g. "TLS: server certificate is not trusted (unable to
  // get local issuer certificate) for 127.0.0.1:443".
  std::string error_message;
  TlsFacts tls;
  std::chrono::milliseconds connect_time{};  // DNS + TCP connect
  std::chrono::milliseconds total_time{};
};

class HttpsClient {
 public:
  // Builds the TLS context: loads trust anchors and the client identity.
  // Throws CryptoError (naming the file) or std::invalid_argument.
  explicit HttpsClient(ClientOptions options);
  ~HttpsClient();
  HttpsClient(HttpsClient&&) noexcept;
  HttpsClient& operator=(HttpsClient&&) noexcept;

  // One connection per call ("Connection: close"). The request target is
  // `request.target`, or the URL's when that is empty. Sets Host and
  // User-Agent ("ceslab/0.1") unless the request has them; Content-Length
  // always comes from the body (a caller's own is dropped). SNI is the URL
  // host (not for IP literals); the certificate is checked against the host
  // name or IP. Every stage has a deadline; the DNS lookup runs on a helper
  // thread so that even a stuck resolver cannot hold send() past
  // connect_timeout. Network and TLS trouble comes back in the Exchange;
  // only caller mistakes throw (std::invalid_argument: a method, header or
  // target with CR/LF or bad characters). Safe to call from several threads.
  Exchange send(const Url& url, HttpRequest request) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ceslab::core
