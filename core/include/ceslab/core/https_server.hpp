// SPDX-License-Identifier: GPL-2.0-or-later
// HTTPS server on Boost.Beast + Asio SSL, used by the mock CES/CEP. The
// handler sees plain request/response values plus what TLS knows about the
// connection (client certificate, channel binding), so the mock can behave
// like IIS without touching Beast.
#pragma once

#include "ceslab/core/http_types.hpp"
#include "ceslab/core/ossl.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ceslab::core {

struct TlsServerIdentity {
  X509Ptr certificate;
  EvpPkeyPtr key;
  std::vector<X509Ptr> chain;  // intermediates sent after the certificate
};

enum class ClientCertMode {
  none,     // never ask for a client certificate
  request,  // ask; a missing or unverifiable certificate does not fail the handshake
  require,  // ask; no certificate or one that does not verify fails the handshake
};

struct ServerOptions {
  std::string address = "127.0.0.1";  // IP literal, or "localhost" (= 127.0.0.1)
  std::uint16_t port = 0;             // 0: the OS picks one; see HttpsServer::port()
  TlsServerIdentity identity;
  ClientCertMode client_certs = ClientCertMode::none;
  // Trust anchors for client certificates (also sent as the acceptable CA
  // list). With `request`, a client certificate that fails verification is
  // still passed on with its verify result, so the app can answer 403 like IIS.
  std::vector<X509Ptr> client_ca;
  std::size_t body_limit = 1024 * 1024;  // larger request bodies get 413
  // Limit for the TLS handshake and for reading each request (headers and
  // body together), and for an idle keep-alive connection. Milliseconds so
  // tests can use short values; `std::chrono::seconds{30}` converts.
  std::chrono::milliseconds read_timeout{30000};
  std::size_t threads = 2;
  // Connections open at once. At the cap a new connection makes room by
  // closing the connection idle longest (one waiting on its client: before
  // or in its TLS handshake, or for its next request); with none idle it
  // waits in the listen backlog. 0: the
  // soft RLIMIT_NOFILE less kFdReserve (files the process needs besides
  // connections), at most kDefaultMaxConnections.
  std::size_t max_connections = 0;
  // The mock must never listen beyond this machine by accident: anything but
  // a loopback address is refused unless this is set.
  bool allow_non_loopback = false;
};

// Descriptors left for the process's own files (request database, event log,
// the CA's files, a KDC's sockets) when max_connections follows the limit.
inline constexpr std::size_t kFdReserve = 64;
inline constexpr std::size_t kDefaultMaxConnections = 10000;

// What the connection layer did since start(); for tests and operators.
struct ServerStats {
  std::uint64_t accepted = 0;         // connections accepted
  std::uint64_t accept_failures = 0;  // accept() errors: EMFILE, ENFILE, a peer's early reset
  std::uint64_t shed = 0;             // idle connections closed to make room for new ones
  std::size_t open = 0;               // connections open now
};

struct ConnectionInfo {
  std::string peer_address;
  std::uint16_t peer_port = 0;
  std::string tls_version;     // "TLSv1.3"
  std::string cipher;          // "TLS_AES_256_GCM_SHA384"
  std::string server_name;     // SNI the client sent; empty if none
  X509Ptr client_certificate;  // null if the client sent none
  // X509_V_OK when no certificate was asked for or sent; otherwise the
  // result of verifying the client certificate against `client_ca`.
  long client_verify_result = 0;
  // RFC 5929 tls-server-end-point data over OUR certificate, without the
  // "tls-server-end-point:" prefix (see core::tls_server_end_point).
  Bytes tls_server_end_point;
};

// Called on an I/O thread, once per request. Exceptions become a 500 with a
// plain-text body naming the error. A handler that blocks holds one I/O
// thread (and keeps stop() waiting) until it returns.
using Handler = std::function<HttpResponse(const HttpRequest&, const ConnectionInfo&)>;

class HttpsServer {
 public:
  // Validates the options (address, identity, key/certificate match) and
  // builds the TLS context. Throws std::invalid_argument or CryptoError.
  HttpsServer(ServerOptions options, Handler handler);
  ~HttpsServer();  // stops

  HttpsServer(const HttpsServer&) = delete;
  HttpsServer& operator=(const HttpsServer&) = delete;

  // Binds, listens and starts the I/O threads. Throws std::system_error
  // naming the address on bind failure, std::logic_error if called twice.
  void start();
  std::uint16_t port() const;    // the bound port (0 before start)
  std::string base_url() const;  // "https://127.0.0.1:PORT"
  // The connection cap in force (options.max_connections, or the one derived
  // from RLIMIT_NOFILE when that is 0).
  std::size_t max_connections() const;
  ServerStats stats() const;
  // Idempotent. Closes the listener and every open connection (without
  // waiting for slow or silent clients), then joins the I/O threads; a
  // handler still running is waited for, so never call stop() from one.
  void stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ceslab::core
