// SPDX-License-Identifier: GPL-2.0-or-later
// The mock CES/CEP host: an HTTPS server on loopback with an embedded CA,
// serving a world. What `ceslab serve` runs and what tests start on port 0.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ceslab/mock/ces_service.hpp"
#include "ceslab/mock/endpoints.hpp"
#include "ceslab/mock/event_log.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::mock {

struct MockOptions {
  // "ADDR:PORT"; port 0 lets the OS pick. Loopback only, unless the caller
  // says otherwise explicitly.
  std::string listen = "127.0.0.1:0";
  bool allow_non_loopback = false;
  // Connections open at once; 0: derived from the descriptor limit
  // (core::ServerOptions::max_connections).
  std::size_t max_connections = 0;
  World world = default_world();
  // Where the lab keeps its state: the CA key pair (ca.pem, ca-key.pem), the
  // request database (requests.db) and the event log (events.jsonl). A
  // directory that already holds them is reused as it is, so a restarted
  // server is the same CA with the same requests. Empty = a fresh directory
  // under the system temp dir, removed again when the server is destroyed.
  std::filesystem::path state_dir;
  // Real Negotiate on the Kerberos endpoints (CES and CEP) and the Kerberos
  // CES -> CA hop: the service keys from the lab's KDC (runner/kerberos_lab.hpp).
  std::optional<KerberosService> kerberos;
  // Without `kerberos`: a test double of Negotiate (ces_service.hpp); unset,
  // every request to a Kerberos endpoint gets IIS's 401.
  KerberosAcceptor kerberos_acceptor;
};

struct EndpointUrl {
  core::Service service;
  core::AuthMode auth;
  std::string url;
};

class MockServer {
 public:
  explicit MockServer(MockOptions options);  // creates the CA; throws on bad options
  ~MockServer();
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  void start();  // binds and serves; throws naming the address on failure
  void stop();   // idempotent

  // What the server answers to one parsed request arriving over
  // `connection`: the same route (replays, CES, CEP, IIS 404, wire
  // deviations) its I/O threads call, without a socket. For in-process
  // callers such as the fuzz targets (docs/fuzzing.md); works before start().
  core::HttpResponse handle(const core::HttpRequest& request,
                            const core::ConnectionInfo& connection);

  std::string base_url() const;         // https://127.0.0.1:PORT
  std::size_t max_connections() const;  // the cap in force (MockOptions::max_connections)
  std::vector<EndpointUrl> endpoints() const;
  std::string endpoint_url(core::Service service, core::AuthMode auth) const;
  std::filesystem::path ca_certificate_path() const;
  const World& world() const;
  // What the Windows hosts of this lab logged; also appended to
  // <state dir>/events.jsonl.
  const EventLog& events() const;
  const std::filesystem::path& state_dir() const;

  // JSON with the base URL, every endpoint URL by service and auth mode and
  // the CA certificate path; written atomically (rename) once serving.
  // `extra` members are added at the top level (e.g. "kerberos" from serve --kdc).
  void write_ready_file(const std::filesystem::path& path,
                        const nlohmann::json& extra = nullptr) const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ceslab::mock
