// SPDX-License-Identifier: GPL-2.0-or-later
// --capture: raw exchanges saved with secrets redacted. The secrets test
// enrolls against the mock over TLS, captures the exchange and writes the
// evidence, then greps every file for the password and the private key.
#include "ceslab/client/capture.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ceslab/client/exchange_evidence.hpp"
#include "ceslab/core/pem.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "client/client_test_support.hpp"
#include "core/https_server_test_support.hpp"

namespace ceslab::client {
namespace {

using nlohmann::json;
using testing::read_file;
using testing::server_pki;
using testing::start_server;
using testing::TempDir;
using testing::trusting_tls;

// The secrets of one enrollment in the forms they could leak in, and a
// search for them.
class Leaks {
 public:
  Leaks(std::string password, EVP_PKEY* key) : password_(std::move(password)) {
    const std::string pem = core::private_key_to_pem(key);
    std::size_t start = pem.find('\n') + 1;
    for (;;) {
      const auto end = pem.find('\n', start);
      const std::string line = pem.substr(start, end - start);
      if (line.rfind("-----END", 0) == 0) break;
      key_lines_.push_back(line);
      start = end + 1;
    }
    unsigned char* der = nullptr;
    PKCS8_PRIV_KEY_INFO* info = EVP_PKEY2PKCS8(key);
    const int len = i2d_PKCS8_PRIV_KEY_INFO(info, &der);
    PKCS8_PRIV_KEY_INFO_free(info);
    key_der_.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
  }

  // What of the secrets `text` contains.
  std::vector<std::string> in(const std::string& text) const {
    std::vector<std::string> found;
    if (text.find(password_) != std::string::npos) found.push_back("the password");
    for (const auto& line : key_lines_) {
      if (text.find(line) != std::string::npos) found.push_back("key PEM line " + line);
    }
    if (text.find(key_der_) != std::string::npos) found.push_back("the key DER");
    return found;
  }

  std::size_t key_lines() const { return key_lines_.size(); }

 private:
  std::string password_;
  std::vector<std::string> key_lines_;
  std::string key_der_;
};

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

TEST(CaptureSecrets, NeitherPasswordNorKeyReachCapturesOrEvidence) {
  mock::MockServer server{mock::MockOptions{}};
  server.start();
  EnrollRequest request =
      testing::enroll_request(server.endpoint_url(core::Service::ces, core::AuthMode::username),
                              mock::testing::kAlice.password);
  const EnrollResult result = enroll(request, mock::testing::tls_for(server));
  ASSERT_EQ(result.status, EnrollStatus::issued) << mock::testing::first_message(result);
  ASSERT_TRUE(result.key);

  const Leaks leaks(mock::testing::kAlice.password, result.key.get());
  // The search can fail: the request as sent does carry the password, and
  // the key's own PEM and DER are found.
  EXPECT_EQ(leaks.in(result.call.request.body), std::vector<std::string>{"the password"});
  EXPECT_EQ(leaks.in(core::private_key_to_pem(result.key.get())).size(), leaks.key_lines());
  ASSERT_GE(leaks.key_lines(), 2u);

  // What `ceslab enroll --capture DIR --evidence FILE` writes.
  TempDir dir;
  Secrets secrets;
  secrets.add_password(request.credentials.username->password);
  secrets.add_private_key(result.key.get());
  CaptureWriter writer(dir.path() / "capture", secrets);
  const auto files = writer.write(result.call, "enroll");
  ASSERT_EQ(files.size(), 3u);
  json evidence = evidence_of(result, Operation::enroll, core::AuthMode::username);
  secrets.redact(evidence);
  {
    std::ofstream out(dir.path() / "evidence.json");
    out << evidence.dump(2);
  }
  // Also what a careless caller could write: key.pem is meant to hold the key.
  write_enrollment(result, dir.path() / "out");

  int checked = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (!entry.is_regular_file()) continue;
    const std::string text = read_file(entry.path());
    if (entry.path().filename() == "key.pem") {
      EXPECT_EQ(leaks.in(text).size(), leaks.key_lines());  // the one place the key belongs
      continue;
    }
    EXPECT_TRUE(leaks.in(text).empty()) << entry.path() << ": " << joined(leaks.in(text));
    ++checked;
  }
  EXPECT_EQ(checked, 3 + 1 + 2);  // capture files, evidence, cert.pem + chain.pem

  // The redacted request is still the request: the codec reads it.
  const std::string captured = read_file(files[0]);
  const core::SoapMessage sent = wsdl::read_message(captured.substr(captured.find("\r\n\r\n") + 4));
  ASSERT_TRUE(sent.security && sent.security->username_token);
  EXPECT_EQ(sent.security->username_token->username, "alice");
  EXPECT_EQ(sent.security->username_token->password, "[redacted]");
  const json meta = json::parse(read_file(files[2]));
  EXPECT_EQ(meta["schema"], "ceslab.capture/1");
  EXPECT_EQ(meta["redactions"]["passwords"], 1);
  EXPECT_EQ(meta["redactions"]["request_reserialised"], false);
  EXPECT_EQ(meta["response"]["status"], 200);
  EXPECT_NE(meta["not_recorded"].get<std::string>().find("session tickets"), std::string::npos);
}

TEST(Capture, FilesAreNamedNumberedAndTheResponseParsesBack) {
  const auto server = start_server(
      server_pki().good.get(), [](const core::HttpRequest&, const core::ConnectionInfo&) {
        core::HttpResponse r;
        r.status = 404;
        r.reason = "Not Found";
        r.headers = {{"Content-Type", "text/html"}};
        r.body = "<html><body>404 - File or directory not found.</body></html>";
        return r;
      });
  const EnrollResult result =
      enroll(testing::enroll_request(server->base_url() + "/typo/CES"), trusting_tls());
  TempDir dir;
  std::vector<std::filesystem::path> files;
  {
    CaptureWriter first(dir.path(), Secrets{});
    files = first.write(result.call, "enroll");
  }
  CaptureWriter second(dir.path(), Secrets{});  // a later run into the same directory
  const auto more = second.write(result.call, "retrieve");
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].filename(), "01-enroll-request.http");
  EXPECT_EQ(files[1].filename(), "01-enroll-response.http");
  EXPECT_EQ(files[2].filename(), "01-enroll-exchange.json");
  ASSERT_EQ(more.size(), 3u);
  EXPECT_EQ(more[0].filename(), "02-retrieve-request.http");

  const std::string request = read_file(files[0]);
  EXPECT_EQ(request.rfind("POST /typo/CES HTTP/1.1\r\n", 0), 0u) << request.substr(0, 80);
  EXPECT_NE(request.find("Content-Type: application/soap+xml"), std::string::npos);
  const core::HttpResponse response = core::parse_http_response(read_file(files[1]));
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.reason, "Not Found");
  EXPECT_EQ(response.body, result.call.exchange.response->body);
  EXPECT_EQ(response.header("Content-Type"), "text/html");

  const json meta = json::parse(read_file(files[2]));
  EXPECT_EQ(meta["url"], server->base_url() + "/typo/CES");
  EXPECT_EQ(meta["request"]["file"], "01-enroll-request.http");
  EXPECT_EQ(meta["request"]["target"], "/typo/CES");
  EXPECT_EQ(meta["response"]["file"], "01-enroll-response.http");
  EXPECT_TRUE(meta["transport_error"].is_null());
  EXPECT_EQ(meta["tls"]["verify_result"], 0);
  EXPECT_GE(meta["timings"]["total_ms"].get<long>(), meta["timings"]["connect_ms"].get<long>());

  EXPECT_THROW(second.write(result.call, "../escape"), std::invalid_argument);
  EXPECT_THROW(second.write(result.call, ""), std::invalid_argument);
}

TEST(Capture, SecretsInTheResponseAndInRequestHeadersAreRedacted) {
  const auto key = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
  const std::string key_pem = core::private_key_to_pem(key.get());
  // A misbehaving server that echoes the password and hands out a key.
  const auto server = start_server(
      server_pki().good.get(), [key_pem](const core::HttpRequest&, const core::ConnectionInfo&) {
        core::HttpResponse r;
        r.status = 401;
        r.headers = {{"Content-Type", "text/plain"},
                     {"WWW-Authenticate", "Negotiate oYG2MIGzoAMKAQChCwYJKoZI"},
                     {"Set-Cookie", "session=0123456789abcdef; Secure"}};
        r.body = "you said s3cret-Pa55 and here is a key:\n" + key_pem;
        return r;
      });
  core::SoapMessage m;
  m.addressing.action = std::string(core::uri::kActionRstWstep);
  m.body = core::RequestSecurityToken{};
  const SoapCall c = call(server->base_url() + "/CES", m, trusting_tls(),
                          {{"Authorization", "Negotiate YIIGhgYGKwYBBQUCoIIGejCC"}});
  ASSERT_TRUE(c.exchange.response) << c.exchange.error_message;
  ASSERT_NE(c.exchange.response->body.find("s3cret-Pa55"), std::string::npos);

  TempDir dir;
  Secrets secrets;
  secrets.add_password("s3cret-Pa55");
  const auto files = CaptureWriter(dir.path(), secrets).write(c, "enroll");
  ASSERT_EQ(files.size(), 3u);
  for (const auto& f : files) {
    const std::string text = read_file(f);
    for (const char* secret : {"s3cret-Pa55", "YIIGhgYGKwYBBQUCoIIGejCC",
                               "oYG2MIGzoAMKAQChCwYJKoZI", "0123456789abcdef"})
      EXPECT_EQ(text.find(secret), std::string::npos) << f << " has " << secret;
    EXPECT_EQ(text.find(key_pem.substr(28, 40)), std::string::npos) << f << " has key material";
  }
  const std::string request = read_file(files[0]);
  EXPECT_NE(request.find("Authorization: Negotiate [redacted]\r\n"), std::string::npos);
  const core::HttpResponse response = core::parse_http_response(read_file(files[1]));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.header("WWW-Authenticate"), "Negotiate [redacted]");
  EXPECT_EQ(response.header("Set-Cookie"), "[redacted]");
  EXPECT_EQ(response.body,
            "you said [redacted] and here is a key:\n-----BEGIN PRIVATE KEY-----\n[redacted]\n"
            "-----END PRIVATE KEY-----\n");
  const json meta = json::parse(read_file(files[2]));
  EXPECT_EQ(meta["redactions"]["passwords"], 1);
  EXPECT_EQ(meta["redactions"]["private_keys"], 1);
  EXPECT_EQ(meta["redactions"]["headers"], 3);
  EXPECT_EQ(meta["response"]["body_bytes"], c.exchange.response->body.size());
  EXPECT_EQ(meta["response"]["stored_body_bytes"], response.body.size());
}

TEST(Capture, TransportFailureLeavesTheRequestAndNoResponse) {
  std::uint16_t port = 0;
  {
    core::testing::SilentListener probe;
    port = probe.port();
  }
  const EnrollResult result =
      enroll(testing::enroll_request("https://127.0.0.1:" + std::to_string(port) + "/CES"),
             trusting_tls());
  TempDir dir;
  const auto files = CaptureWriter(dir.path(), Secrets{}).write(result.call, "enroll");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[1].filename(), "01-enroll-exchange.json");
  const json meta = json::parse(read_file(files[1]));
  EXPECT_TRUE(meta["response"].is_null());
  EXPECT_EQ(meta["transport_error"]["kind"], "connect_refused");
  // Not registered, still gone: the codec check catches any UsernameToken.
  EXPECT_EQ(read_file(files[0]).find("pw<"), std::string::npos);
  EXPECT_EQ(meta["redactions"]["request_reserialised"], true);
}

TEST(Capture, UnwritableDirectoryIsACaptureError) {
  TempDir dir;
  const auto file = dir.path() / "a-file";
  std::ofstream(file) << "x";
  EXPECT_THROW(CaptureWriter(file / "sub", Secrets{}), CaptureError);
}

}  // namespace
}  // namespace ceslab::client
