// SPDX-License-Identifier: GPL-2.0-or-later
// The baseline as the runner runs it: real enrollments against the embedded
// mock, Kerberos through a KDC the run starts once, and a stop request that
// ends the run early and still removes the realm.
#include "ceslab/runner/baseline.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stop_token>

#include <unistd.h>

namespace ceslab::runner {
namespace {

namespace fs = std::filesystem;

TEST(Baseline, EveryCasePassesWithOneKdcForTheRun) {
  fs::path realm;
  int kdc_starts = 0;
  std::vector<std::string> reported;
  RunProgress progress;
  progress.kdc_started = [&](const fs::path& dir, std::chrono::milliseconds) {
    realm = dir;
    ++kdc_starts;
    EXPECT_TRUE(fs::exists(dir / "krb5.conf"));
  };
  progress.case_finished = [&](const CaseResult& r) { reported.push_back(r.name); };
  const auto results = run_baseline({}, progress);
  ASSERT_EQ(results.size(), 4u);
  for (const CaseResult& r : results) EXPECT_TRUE(r.passed) << r.name << ": " << r.detail;
  EXPECT_EQ(results[2].name, "baseline/issue-user-kerberos");
  EXPECT_EQ(results[3].name, "baseline/issue-user-kerberos-unconstrained");
  EXPECT_EQ(reported.size(), results.size());
  EXPECT_EQ(kdc_starts, 1);
  ASSERT_FALSE(realm.empty());
  EXPECT_FALSE(fs::exists(realm)) << "the realm outlived the run";
}

TEST(Baseline, WithoutKerberosNoKdcIsStarted) {
  bool kdc = false;
  RunProgress progress;
  progress.kdc_started = [&](const fs::path&, std::chrono::milliseconds) { kdc = true; };
  BaselineOptions options;
  options.kerberos = false;
  const auto results = run_baseline(options, progress);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].passed) << results[0].detail;
  EXPECT_TRUE(results[1].passed) << results[1].detail;
  EXPECT_FALSE(kdc);
}

TEST(Baseline, AStopEndsTheRunAfterTheCaseInProgressAndRemovesTheRealm) {
  std::stop_source stop;
  fs::path realm;
  RunProgress progress;
  progress.kdc_started = [&](const fs::path& dir, std::chrono::milliseconds) { realm = dir; };
  // Interrupted while the first case runs: it finishes, nothing after it.
  progress.case_finished = [&](const CaseResult&) { stop.request_stop(); };
  const auto results = run_baseline({}, progress, stop.get_token());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].passed) << results[0].detail;
  ASSERT_FALSE(realm.empty());
  EXPECT_FALSE(fs::exists(realm));
}

TEST(Baseline, KeepsTheFirstCertificateWhenAsked) {
  const fs::path out = fs::temp_directory_path() / ("ceslab-baseline-" + std::to_string(getpid()));
  std::stop_source stop;
  RunProgress progress;
  progress.case_finished = [&](const CaseResult&) { stop.request_stop(); };
  BaselineOptions options;
  options.out_dir = out;
  options.kerberos = false;
  const auto results = run_baseline(options, progress, stop.get_token());
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(fs::exists(out / "cert.pem"));
  EXPECT_TRUE(fs::exists(out / "key.pem"));
  fs::remove_all(out);
}

}  // namespace
}  // namespace ceslab::runner
