// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab scenario from-artefacts` as a support engineer runs it: the
// customer's fault into a scenario file, then `ceslab run --scenario` on it;
// a replay written beside its scenario; bad input and a replay without -o
// refused with the CLI's exit codes (docs/cli.md).
#include <gtest/gtest.h>

#include <filesystem>

#include "app/cli_support.hpp"
#include "temp_dir.hpp"

namespace ceslab::app {
namespace {

namespace fs = std::filesystem;
using testing::run_split;

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

fs::path fixture(const std::string& relative) {
  return fs::path(CESLAB_FIXTURES_DIR) / relative;
}

testing::Invocation ceslab(const std::string& args, const fs::path& scratch) {
  return run_split(std::string(CESLAB_BINARY) + " " + args, scratch);
}

TEST(ScenarioCli, AFaultRoundTripsThroughRun) {
  test_support::TempDir dir;
  const fs::path file = dir.path() / "customer-42.yaml";
  const auto made = ceslab("scenario from-artefacts " +
                               quoted(fixture("diagnose/ca_invalid_policy--fault/fault.xml")) +
                               " -o " + quoted(file),
                           dir.path());
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_NE(made.err.find("Diagnosis: ca_invalid_policy"), std::string::npos) << made.err;
  EXPECT_NE(made.err.find("World of causes/ca_invalid_policy"), std::string::npos) << made.err;
  ASSERT_TRUE(fs::exists(file));

  const auto run = ceslab("run --scenario " + quoted(file), dir.path());
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("1 passed, 0 failed"), std::string::npos) << run.out;
}

TEST(ScenarioCli, AReplayIsWrittenBesideItsScenarioAndRuns) {
  test_support::TempDir dir;
  const fs::path page = fixture("diagnose/iis--500-19-config-error/response.http");
  // Without -o there is nowhere to put the recorded answer: a usage error.
  const auto to_stdout = ceslab("scenario from-artefacts " + quoted(page), dir.path());
  EXPECT_EQ(to_stdout.exit_code, 2) << to_stdout.err;
  EXPECT_NE(to_stdout.err.find("-o FILE"), std::string::npos) << to_stdout.err;

  const fs::path file = dir.path() / "iis-page.yaml";
  const auto made =
      ceslab("scenario from-artefacts " + quoted(page) + " -o " + quoted(file), dir.path());
  ASSERT_EQ(made.exit_code, 0) << made.err;
  EXPECT_TRUE(fs::exists(dir.path() / "iis-page.http"));
  const auto run = ceslab("run --scenario " + quoted(file), dir.path());
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
}

TEST(ScenarioCli, BadInputIsNamedAndExitsOne) {
  test_support::TempDir dir;
  const fs::path missing = dir.path() / "fault-from-customer.xml";
  const auto r = ceslab("scenario from-artefacts " + quoted(missing), dir.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(missing.string()), std::string::npos) << r.err;
  EXPECT_EQ(ceslab("scenario from-artefacts", dir.path()).exit_code, 2);
  EXPECT_EQ(ceslab("scenario", dir.path()).exit_code, 2);
}

}  // namespace
}  // namespace ceslab::app
