// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab enroll --json --evidence FILE --capture DIR` as a user runs it,
// against the mock over loopback TLS: the result object on stdout, the
// evidence readable by the diagnosis side, the capture written, and the
// password nowhere.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli_support.hpp"
#include "ceslab/client/exchange_evidence.hpp"
#include "ceslab/mock/server.hpp"
#include "mock_ces/lab_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using ceslab::app::testing::files_containing;
using ceslab::app::testing::Invocation;
using ceslab::app::testing::read_file;
using ceslab::app::testing::run_split;
using ceslab::mock::testing::TempDir;
using nlohmann::json;

class EnrollOutput : public ceslab::mock::testing::SharedLab<EnrollOutput> {
 protected:
  // `ceslab enroll` with the password in CESLAB_PASSWORD (docs/cli.md) and
  // every output option pointing into `dir`.
  static Invocation enroll(const std::string& password, const fs::path& dir) {
    const std::string url =
        server_->endpoint_url(ceslab::core::Service::ces, ceslab::core::AuthMode::username);
    return run_split("CESLAB_PASSWORD='" + password + "' " + CESLAB_BINARY + " enroll --url '" +
                         url + "' --template User --username alice --key ecdsa-p256 --ca-file '" +
                         server_->ca_certificate_path().string() + "' --out '" +
                         (dir / "out").string() + "' --json --evidence '" +
                         (dir / "evidence.json").string() + "' --capture '" +
                         (dir / "capture").string() + "'",
                     dir);
  }
};

TEST_F(EnrollOutput, IssuedPrintsTheResultObjectAndWritesEvidenceAndCapture) {
  TempDir dir;
  const Invocation r = enroll("alice-password", dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json result = json::parse(r.out);  // stdout is the JSON object and nothing else
  EXPECT_EQ(result["schema"], "ceslab.result/1");
  EXPECT_EQ(result["operation"], "enroll");
  EXPECT_EQ(result["status"], "issued");
  ASSERT_TRUE(result["request_id"].is_string()) << result.dump(2);
  EXPECT_TRUE(result["messages"].empty());
  EXPECT_EQ(result["evidence"]["schema"], "ceslab.evidence/1");
  EXPECT_EQ(result["evidence"]["response"]["request_id"], result["request_id"]);
  // The human summary went to stderr.
  EXPECT_NE(r.err.find("Issued: request " + result["request_id"].get<std::string>()),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("chains to the CA: yes"), std::string::npos) << r.err;

  std::vector<std::string> names;
  for (const auto& f : result["files"]) names.push_back(fs::path(f.get<std::string>()).filename());
  const std::vector<std::string> expected = {"key.pem",
                                             "cert.pem",
                                             "chain.pem",
                                             "01-enroll-request.http",
                                             "01-enroll-response.http",
                                             "01-enroll-exchange.json",
                                             "evidence.json"};
  EXPECT_EQ(names, expected);
  for (const auto& f : result["files"]) EXPECT_TRUE(fs::exists(f.get<std::string>())) << f;

  // The evidence file is what `ceslab diagnose` reads back.
  const auto evidence =
      json::parse(read_file(dir.path() / "evidence.json")).get<ceslab::client::Evidence>();
  EXPECT_EQ(evidence.outcome, ceslab::client::Outcome::issued);
  EXPECT_EQ(evidence.auth, ceslab::core::AuthMode::username);

  // The password is nowhere: not on stdout/stderr, not in any file.
  EXPECT_EQ((r.out + r.err).find("alice-password"), std::string::npos);
  EXPECT_EQ(files_containing(dir.path(), "alice-password"), std::vector<std::string>{});
}

TEST_F(EnrollOutput, FailureStillWritesEvidenceAndTheJsonSaysWhy) {
  TempDir dir;
  const Invocation r = enroll("wrong-password", dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json result = json::parse(r.out);
  EXPECT_EQ(result["status"], "failed");
  EXPECT_TRUE(result["request_id"].is_null());
  ASSERT_FALSE(result["messages"].empty());
  EXPECT_EQ(result["messages"][0],
            "A message containing a fault was received from the remote endpoint. 0x803d0013 "
            "(-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)");
  EXPECT_EQ(result["evidence"]["fault"]["subcode"], "InvalidSecurity");
  EXPECT_NE(r.err.find("WS_E_ENDPOINT_FAULT_RECEIVED"), std::string::npos) << r.err;
  // No key or certificate files for a failure; evidence and capture all the same.
  EXPECT_FALSE(fs::exists(dir.path() / "out" / "key.pem"));
  EXPECT_EQ(result["files"].size(), 4u) << result["files"].dump();
  const json evidence = json::parse(read_file(dir.path() / "evidence.json"));
  EXPECT_EQ(evidence["outcome"], "failed");
  EXPECT_EQ(evidence["http"]["status"], 500);
  const std::string request = read_file(dir.path() / "capture" / "01-enroll-request.http");
  EXPECT_EQ(request.find("wrong-password"), std::string::npos);
  EXPECT_NE(request.find("[redacted]"), std::string::npos);
}

}  // namespace
