// SPDX-License-Identifier: GPL-2.0-or-later
// Shared by the mock_ces, client, app and runner tests: a throw-away state
// directory (temp_dir.hpp), a file read whole, TLS settings that trust a
// running mock, alice's first certificate, a URL where nothing listens, a CA
// of a test's own, and a lab shared by a whole suite.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>

#include "ceslab/client/enroll.hpp"
#include "ceslab/core/ca.hpp"
#include "ceslab/core/https_client.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/mock/server.hpp"
#include "temp_dir.hpp"

namespace ceslab::mock::testing {

using test_support::TempDir;

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline const client::UsernameCredentials kAlice{"alice", "alice-password"};

// bob: like alice but without an e-mail, so the User template (it requires
// one, SUBJECT_REQUIRE_EMAIL) denies him at the CA.
inline Account bob_without_email() {
  Account bob;
  bob.name = "bob";
  bob.password = "bob-password";
  bob.upn = "bob@lab.test";
  bob.groups = {"Domain Users"};
  return bob;
}

// A CA of its own (not the lab's) with an EC key, fast to generate.
inline core::CertificateAuthority make_ca(const std::string& subject) {
  core::CaOptions options;
  options.subject = subject;
  options.key = core::KeySpec::parse("ecdsa-p256");
  return core::CertificateAuthority::create(options);
}

// The template `name` of `w`, to change for a test (it must exist).
inline TemplateSettings& tmpl(World& w, const std::string& name) {
  return const_cast<TemplateSettings&>(*w.find_template(name));
}

// The default lab with bob_without_email() among its accounts.
inline MockOptions lab_with_bob() {
  MockOptions options;
  options.world.accounts.push_back(bob_without_email());
  return options;
}

inline client::TlsSettings tls_for(const MockServer& server) {
  client::TlsSettings tls;
  tls.ca_files = {server.ca_certificate_path().string()};
  return tls;
}

// alice enrolls for `template_name` on the UsernamePassword endpoint.
inline client::EnrollResult enroll_alice(const MockServer& server,
                                         const std::string& template_name = "User") {
  client::EnrollRequest request;
  request.url = server.endpoint_url(core::Service::ces, core::AuthMode::username);
  request.template_name = template_name;
  request.key = core::KeySpec::parse("ecdsa-p256");
  request.credentials.username = kAlice;
  return client::enroll(request, tls_for(server));
}

// The base of a suite whose tests share one mock lab, started once for the
// suite (every lab makes a CA key). `Suite`, the suite's own class, gives
// each suite its own lab; it may hide lab_options() to change the world.
template <typename Suite, typename Base = ::testing::Test>
class SharedLab : public Base {
 public:
  static MockOptions lab_options() { return {}; }
  static void SetUpTestSuite() {
    server_ = std::make_unique<MockServer>(Suite::lab_options());
    server_->start();
  }
  static void TearDownTestSuite() { server_.reset(); }

 protected:
  static inline std::unique_ptr<MockServer> server_;
};

inline std::string first_message(const client::EnrollResult& r) {
  return r.messages.empty() ? std::string("(no message)") : r.messages.back();
}

// A loopback URL nothing listens on: the port of a socket bound and closed.
inline std::string refused_url(
    const std::string& path = "/Dead%20CA_CES_UsernamePassword/service.svc/CES") {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  close(fd);
  return "https://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + path;
}

// A request to the mock written as given, as a sender other than ceslab's
// client would write it (the body, the Content-Type and extra headers).
inline core::Exchange post_raw(const MockServer& server, const std::string& url,
                               const std::string& content_type, std::string body,
                               const std::string& method = "POST",
                               const std::vector<core::HttpHeader>& extra = {}) {
  core::ClientOptions options;
  options.ca_files = {server.ca_certificate_path().string()};
  core::HttpsClient http(std::move(options));
  core::HttpRequest req;
  req.method = method;
  req.target = core::parse_url(url).target;
  req.headers.push_back({"Content-Type", content_type});
  req.headers.insert(req.headers.end(), extra.begin(), extra.end());
  req.body = std::move(body);
  return http.send(core::parse_url(url), req);
}

// "2026-12-04T22:00:00Z": a time as a WS-Security Timestamp carries it.
inline std::string utc_timestamp(std::chrono::system_clock::time_point t) {
  const std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace ceslab::mock::testing
