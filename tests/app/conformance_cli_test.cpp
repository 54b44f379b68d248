// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab conformance --url URL` as someone who builds or runs a CES/CEP
// would run it, against the mock served in this process: the faithful lab
// passes every case with exit 0 and the run's JSON and JUnit; a world with a
// planted deviation fails its case with exit 1; without credentials nothing
// prompts and the cases that need them are skipped; --list names every case
// with its section; a URL that names no endpoint is a usage error.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "app/cli_support.hpp"
#include "ceslab/conformance/conformance.hpp"
#include "ceslab/mock/server.hpp"
#include "mock_ces/lab_fixture.hpp"

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

Invocation conformance(const MockServer& server, Service service, const std::string& args,
                       const fs::path& scratch) {
  return run_split("CESLAB_PASSWORD=alice-password " + std::string(CESLAB_BINARY) +
                       " conformance --url '" + server.endpoint_url(service, AuthMode::username) +
                       "' --ca-file '" + server.ca_certificate_path().string() + "' " + args,
                   scratch);
}

TEST(ConformanceCli, TheMockPassesEveryCaseWithItsReports) {
  const ServedLab lab;
  const fs::path json = lab.dir.path() / "c.json";
  const fs::path junit = lab.dir.path() / "c.xml";
  const Invocation r = conformance(lab.server, Service::ces,
                                   "--username alice --template User --pending-template "
                                   "ManualApproval --json '" +
                                       json.string() + "' --junit '" + junit.string() + "'",
                                   lab.dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS wstep/denial-detail [MS-WSTEP 3.1.4.1.3.7]"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(" passed, 0 failed"), std::string::npos) << r.out;
  const nlohmann::json j = nlohmann::json::parse(read_file(json));
  EXPECT_EQ(j["schema"], "ceslab.run/1");
  for (const auto& c : j["scenarios"]) {
    EXPECT_EQ(c["result"], "PASS") << c.dump();
    EXPECT_FALSE(c["expected"].get<std::string>().empty()) << "the section: " << c.dump();
  }
  const std::string xml = read_file(junit);
  EXPECT_NE(xml.find("<testcase classname=\"wstep\" name=\"denial-detail\""), std::string::npos)
      << xml;
}

TEST(ConformanceCli, APlantedDeviationFailsItsCaseWithExit1) {
  const ServedLab lab("  wire_deviations: [no_relates_to]\n");
  const Invocation r = conformance(lab.server, Service::cep, "--username alice", lab.dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("FAIL wsa/relates-to [WS-Addressing 1.0 Core 3.4]"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("a:RelatesTo\n      expected: urn:uuid:"), std::string::npos) << r.out;
}

TEST(ConformanceCli, WithoutCredentialsNothingPromptsAndTheRestIsSkipped) {
  const ServedLab lab;
  const Invocation r = conformance(lab.server, Service::cep, "", lab.dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("(no credentials: the cases that need them are skipped)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("SKIP xcep/get-policies"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("Password"), std::string::npos) << r.err;
}

TEST(ConformanceCli, ListNamesEveryCaseWithItsSection) {
  TempDir dir;
  const Invocation r = run_split(std::string(CESLAB_BINARY) + " conformance --list", dir.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const auto& c : ceslab::conformance::all_cases()) {
    EXPECT_NE(r.out.find(c.id + "  [" + c.section + "]"), std::string::npos) << c.id;
  }
}

TEST(ConformanceCli, AUrlThatNamesNoEndpointIsAUsageError) {
  TempDir dir;
  const Invocation r = run_split(
      std::string(CESLAB_BINARY) + " conformance --url https://127.0.0.1:1/nothing", dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("--url"), std::string::npos) << r.err;
  const Invocation missing = run_split(std::string(CESLAB_BINARY) + " conformance", dir.path());
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("--url"), std::string::npos) << missing.err;
}

}  // namespace
