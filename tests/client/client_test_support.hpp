// SPDX-License-Identifier: GPL-2.0-or-later
// Shared by the client tests: TLS servers built from core::CertificateAuthority
// (trusted, untrusted, wrong name, expired), a plain HttpsServer with a
// handler, and small file helpers.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "ceslab/client/enroll.hpp"
#include "ceslab/core/ca.hpp"
#include "ceslab/core/https_server.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/pem.hpp"
#include "mock_ces/lab_fixture.hpp"

namespace ceslab::client::testing {

using mock::testing::TempDir;

using mock::testing::make_ca;

// Server identities for the TLS failure classes, all for 127.0.0.1 unless
// the name is the point.
struct ServerPki {
  TempDir dir;
  core::CertificateAuthority ca = make_ca("CN=ceslab client test CA");
  core::CertificateAuthority stranger = make_ca("CN=Somebody Else's CA");
  core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
  core::X509Ptr good = ca.issue_tls_server(key.get(), {"localhost"}, {"127.0.0.1"});
  core::X509Ptr other_name = ca.issue_tls_server(key.get(), {"other.test"}, {});
  core::X509Ptr untrusted = stranger.issue_tls_server(key.get(), {"localhost"}, {"127.0.0.1"});
  core::X509Ptr expired = issue_expired();
  std::filesystem::path ca_file = write_ca_file();

  core::X509Ptr issue_expired() const {
    core::IssueOptions o;
    o.subject = "CN=127.0.0.1";
    o.san.ip = {"127.0.0.1"};
    o.ekus = {"1.3.6.1.5.5.7.3.1"};  // serverAuth
    o.not_before = std::chrono::system_clock::now() - std::chrono::hours(24 * 10);
    o.validity = std::chrono::hours(24);  // expired nine days ago
    return ca.issue(key.get(), o);
  }
  std::filesystem::path write_ca_file() const {
    const auto path = dir.path() / "ca.pem";
    core::write_certificates_pem(path, {ca.certificate()});
    return path;
  }
};

inline const ServerPki& server_pki() {
  static const ServerPki pki;
  return pki;
}

// An HTTPS server on loopback that presents `certificate` and answers with
// `handler`.
inline std::unique_ptr<core::HttpsServer> start_server(X509* certificate, core::Handler handler) {
  core::ServerOptions options;
  options.identity.certificate = core::share(certificate);
  options.identity.key = core::share(server_pki().key.get());
  options.threads = 1;
  auto server = std::make_unique<core::HttpsServer>(std::move(options), std::move(handler));
  server->start();
  return server;
}

// TLS settings that trust the test CA, with short timeouts: no test may hang.
inline TlsSettings trusting_tls() {
  TlsSettings tls;
  tls.ca_files = {server_pki().ca_file.string()};
  tls.connect_timeout = std::chrono::milliseconds(2000);
  tls.io_timeout = std::chrono::milliseconds(2000);
  return tls;
}

inline EnrollRequest enroll_request(const std::string& url, std::string password = "pw") {
  EnrollRequest r;
  r.url = url;
  r.template_name = "User";
  r.key = core::KeySpec::parse("ecdsa-p256");
  r.credentials.username = UsernameCredentials{"alice", std::move(password)};
  return r;
}

using mock::testing::read_file;

}  // namespace ceslab::client::testing
