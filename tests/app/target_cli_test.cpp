// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab run --target URL` as a user runs it before a deployment, against
// the mock served in this process: the healthy lab passes with exit 0 and
// the run's JSON and JUnit; a misconfigured one fails with the engine's
// verdict in the table and exit 1; --target with scenario options, client
// options without it, and a URL that names no endpoint are usage errors.
#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "app/cli_support.hpp"
#include "ceslab/mock/server.hpp"
#include "mock_ces/lab_fixture.hpp"
#include "runner/no_email_case.hpp"

namespace {

namespace fs = std::filesystem;
using ceslab::app::testing::Invocation;
using ceslab::app::testing::read_file;
using ceslab::app::testing::run_split;
using ceslab::app::testing::ServedLab;
using ceslab::core::AuthMode;
using ceslab::core::Service;
using ceslab::mock::MockServer;
using ceslab::mock::testing::TempDir;

// `ceslab run --target URL ARGS` as alice, her password in CESLAB_PASSWORD.
Invocation target(const MockServer& server, const std::string& url, const std::string& args,
                  const fs::path& scratch, const std::string& password = "alice-password") {
  return run_split("CESLAB_PASSWORD='" + password + "' " + std::string(CESLAB_BINARY) +
                       " run --target '" + url + "' --username alice --ca-file '" +
                       server.ca_certificate_path().string() + "' " + args,
                   scratch);
}

TEST(TargetCli, HealthyCepPassesWithItsReports) {
  const ServedLab lab;
  const fs::path json = lab.dir.path() / "target.json";
  const fs::path junit = lab.dir.path() / "target.xml";
  const Invocation r =
      target(lab.server, lab.server.endpoint_url(Service::cep, AuthMode::username),
             "--json '" + json.string() + "' --junit '" + junit.string() + "'", lab.dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS target/get-policies: policy Lab Enrollment Policy: 3 template(s)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("3 passed, 0 failed"), std::string::npos) << r.out;
  const nlohmann::json j = nlohmann::json::parse(read_file(json));
  EXPECT_EQ(j["schema"], "ceslab.run/1");
  ASSERT_EQ(j["scenarios"].size(), 3u) << j.dump(2);
  for (const auto& s : j["scenarios"]) EXPECT_EQ(s["result"], "PASS") << s.dump(2);
  EXPECT_TRUE(j["summary"]["ok"].get<bool>());
  EXPECT_NE(read_file(junit).find("classname=\"target\" name=\"get-policies\""), std::string::npos)
      << read_file(junit);
}

TEST(TargetCli, MisconfiguredCaFailsWithTheVerdictInTheTable) {
  const ServedLab lab(ceslab::test_support::kAliceWithoutEmail);
  const fs::path out = lab.dir.path() / "out";
  const Invocation r = target(lab.server, lab.server.endpoint_url(Service::ces, AuthMode::username),
                              "--template User --out '" + out.string() + "'", lab.dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("FAIL target/enroll:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ca_subject_email_required"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 passed, 1 failed"), std::string::npos) << r.out;
  // The evidence kept reads back through `ceslab diagnose` to the same cause.
  const Invocation d = run_split(
      std::string(CESLAB_BINARY) + " diagnose '" + (out / "enroll.evidence.json").string() + "'",
      lab.dir.path());
  EXPECT_EQ(d.exit_code, 0) << d.out << d.err;
  EXPECT_NE(d.out.find("ca_subject_email_required"), std::string::npos) << d.out;
  // The password is in no file written.
  EXPECT_TRUE(ceslab::app::testing::files_containing(out, "alice-password").empty());
}

TEST(TargetCli, NothingIsIssuedWithoutATemplateAndAWrongPasswordFails) {
  const ServedLab lab;
  const Invocation r = target(lab.server, lab.server.endpoint_url(Service::ces, AuthMode::username),
                              "", lab.dir.path(), "not-her-password");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("(no enrollment)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL target/authentication"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SKIP target/key-exchange"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("target/enroll"), std::string::npos) << r.out;
}

TEST(TargetCli, UsageErrors) {
  TempDir dir;
  const std::string bin = std::string(CESLAB_BINARY) + " run ";
  const std::string url = "https://ces.invalid/Lab%20CA_CES_UsernamePassword/service.svc/CES";
  for (const std::string& args : {
           "--target '" + url + "' causes/ca_subject_email_required",
           "--target '" + url + "' --list",
           "--target '" + url + "' --shard 1/2",
           std::string("--auth username baseline"),
           std::string("--template User baseline"),
           std::string("--target 'https://ces.invalid/certsrv/'"),
           std::string("--target 'http://ces.invalid/Lab_CES_Kerberos/service.svc/CES'"),
       }) {
    const Invocation r = run_split(bin + args, dir.path());
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.out << r.err;
    EXPECT_FALSE(r.err.empty()) << args;
  }
  const Invocation shape = run_split(bin + "--target 'https://ces.invalid/certsrv/'", dir.path());
  EXPECT_NE(shape.err.find("_CES_<Kerberos|UsernamePassword|Certificate>"), std::string::npos)
      << shape.err;
}

}  // namespace
