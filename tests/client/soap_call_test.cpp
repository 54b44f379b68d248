// SPDX-License-Identifier: GPL-2.0-or-later
// The TLS context a caller keeps for many calls (keep_tls_context): used
// while the settings are the ones it was made from, never after they change.
#include "ceslab/client/soap_call.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "ceslab/core/ossl.hpp"
#include "ceslab/core/pem.hpp"
#include "client/client_test_support.hpp"

namespace ceslab::client {
namespace {

using testing::server_pki;
using testing::start_server;
using testing::trusting_tls;

core::HttpResponse ok(const core::HttpRequest&, const core::ConnectionInfo&) {
  core::HttpResponse r;
  r.headers.push_back({"Content-Type", "text/plain"});
  r.body = "ok";
  return r;
}

std::string url_of(const core::HttpsServer& server) {
  return "https://127.0.0.1:" + std::to_string(server.port()) + "/";
}

// A trust anchor file of this test's own, so that it can be taken away.
TlsSettings settings_with_own_ca_file(const std::filesystem::path& file) {
  core::write_certificates_pem(file, {server_pki().ca.certificate()});
  TlsSettings tls = trusting_tls();
  tls.ca_files = {file.string()};
  return tls;
}

TEST(KeptTlsContext, CallsUseTheContextMadeOnce) {
  const auto server = start_server(server_pki().good.get(), ok);
  const testing::TempDir dir;
  TlsSettings tls = settings_with_own_ca_file(dir.path() / "anchors.pem");
  keep_tls_context(tls);
  ASSERT_TRUE(tls.kept);
  // The trust anchors were read when the context was made: with the file
  // gone, calls (also through a copy of the settings) still verify the server.
  std::filesystem::remove(dir.path() / "anchors.pem");
  for (int i = 0; i < 3; ++i) {
    const SoapCall call = call_raw(url_of(*server), "text/plain", "x", copy_tls_settings(tls), {});
    ASSERT_TRUE(call.exchange.response.has_value()) << call.exchange.error_message;
    EXPECT_EQ(call.exchange.response->body, "ok");
    EXPECT_TRUE(call.exchange.tls.handshake_done);
  }
  // Without the kept context the same settings need the file, as before.
  TlsSettings fresh = copy_tls_settings(tls);
  fresh.kept.reset();
  EXPECT_THROW(call_raw(url_of(*server), "text/plain", "x", fresh, {}), core::CryptoError);
}

TEST(KeptTlsContext, ChangedSettingsSetUpTheirOwn) {
  const auto server = start_server(server_pki().untrusted.get(), ok);
  const testing::TempDir dir;
  TlsSettings tls = settings_with_own_ca_file(dir.path() / "anchors.pem");
  keep_tls_context(tls);

  // The kept context verifies, so an untrusted server is refused...
  const SoapCall refused = call_raw(url_of(*server), "text/plain", "x", tls, {});
  ASSERT_TRUE(refused.exchange.error.has_value());
  EXPECT_EQ(*refused.exchange.error, core::TransportErrorKind::tls_untrusted);

  // ...and settings changed after keeping are not served by it: insecure
  // now reaches the server, other trust anchors are read (here: missing).
  TlsSettings insecure = copy_tls_settings(tls);
  insecure.insecure = true;
  const SoapCall reached = call_raw(url_of(*server), "text/plain", "x", insecure, {});
  ASSERT_TRUE(reached.exchange.response.has_value()) << reached.exchange.error_message;
  EXPECT_TRUE(reached.exchange.tls.insecure);

  TlsSettings other_anchors = copy_tls_settings(tls);
  other_anchors.ca_files = {(dir.path() / "no-such-file.pem").string()};
  EXPECT_THROW(call_raw(url_of(*server), "text/plain", "x", other_anchors, {}), core::CryptoError);

  TlsSettings other_timeout = copy_tls_settings(tls);
  other_timeout.io_timeout = std::chrono::milliseconds(1500);
  std::filesystem::remove(dir.path() / "anchors.pem");
  EXPECT_THROW(call_raw(url_of(*server), "text/plain", "x", other_timeout, {}), core::CryptoError);
}

TEST(KeptTlsContext, AnUnreadableTrustAnchorFileFailsAsACallWould) {
  TlsSettings tls = trusting_tls();
  tls.ca_files = {"/nonexistent/ceslab-anchors.pem"};
  EXPECT_THROW(keep_tls_context(tls), core::CryptoError);
  EXPECT_FALSE(tls.kept);
}

}  // namespace
}  // namespace ceslab::client
