// SPDX-License-Identifier: GPL-2.0-or-later
// A load run's pacing, stop conditions and records, with attempts and a
// clock of the test's own: counts, never wall time.
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <stdexcept>

#include "ceslab/load/load_report_json.hpp"
#include "ceslab/load/load_run.hpp"
#include "load/fake_clock.hpp"

namespace {

using ceslab::load::Attempt;
using ceslab::load::AttemptResult;
using ceslab::load::AttemptStatus;
using ceslab::load::LoadPlan;
using ceslab::load::LoadReport;
using ceslab::load::run_load;
using ceslab::load::StopReason;
using ceslab::load::testing::FakeClock;
using std::chrono::milliseconds;
using std::chrono::seconds;

AttemptResult outcome(AttemptStatus status) {
  AttemptResult r;
  r.status = status;
  return r;
}

AttemptResult failure(std::string cause, std::string title, std::string message) {
  AttemptResult r;
  r.cause = std::move(cause);
  r.title = std::move(title);
  r.message = std::move(message);
  return r;
}

// An attempt that takes `latency` on `clock` and is issued.
Attempt issued_after(FakeClock& clock, milliseconds latency, std::atomic<int>* calls = nullptr) {
  return [&clock, latency, calls](std::uint64_t) {
    if (calls != nullptr) ++*calls;
    clock.advance(latency);
    return outcome(AttemptStatus::issued);
  };
}

TEST(LoadRun, ACountStopsAfterExactlyThatManyAttempts) {
  FakeClock clock;
  std::atomic<int> calls{0};
  LoadPlan plan;
  plan.concurrency = 4;
  plan.count = 20;
  const LoadReport r = run_load(plan, issued_after(clock, milliseconds(5), &calls), clock);
  EXPECT_EQ(calls, 20);
  EXPECT_EQ(r.counts.issued, 20u);
  EXPECT_EQ(r.counts.total(), 20u);
  EXPECT_EQ(r.stopped_by, StopReason::count);
  ASSERT_TRUE(r.latency);
  EXPECT_EQ(r.latency->count, 20u);
}

TEST(LoadRun, ADurationStopsStartingAttempts) {
  // Each attempt takes 10 ms of the clock; one worker fits 100 in 1 s.
  FakeClock clock;
  LoadPlan plan;
  plan.concurrency = 1;
  plan.duration = seconds(1);
  const LoadReport r = run_load(plan, issued_after(clock, milliseconds(10)), clock);
  EXPECT_EQ(r.counts.issued, 100u);
  EXPECT_EQ(r.stopped_by, StopReason::duration);
  EXPECT_EQ(r.elapsed, seconds(1));
  EXPECT_DOUBLE_EQ(r.issued_per_second(), 100.0);
}

TEST(LoadRun, ARateBoundsTheAttemptsByRateTimesDuration) {
  // Attempts would take 1 ms each: without the limit 4 workers would make
  // thousands in 2 s. At 50/s the bucket allows 50 * 2 = 100 (+1 for the
  // first token's rounding).
  FakeClock clock;
  LoadPlan plan;
  plan.concurrency = 4;
  plan.rate = 50;
  plan.duration = seconds(2);
  const LoadReport r = run_load(plan, issued_after(clock, milliseconds(1)), clock);
  EXPECT_GE(r.counts.total(), 95u);
  EXPECT_LE(r.counts.total(), 101u);
  EXPECT_EQ(r.stopped_by, StopReason::duration);

  // The same without --rate is not bounded that way.
  FakeClock unlimited_clock;
  plan.rate = 0;
  const LoadReport u =
      run_load(plan, issued_after(unlimited_clock, milliseconds(1)), unlimited_clock);
  EXPECT_GT(u.counts.total(), 1000u);
}

TEST(LoadRun, ARateWithACountTakesCountOverRateOfTheClock) {
  FakeClock clock;
  LoadPlan plan;
  plan.concurrency = 2;
  plan.rate = 10;
  plan.count = 11;
  const LoadReport r = run_load(plan, issued_after(clock, milliseconds(0)), clock);
  EXPECT_EQ(r.counts.total(), 11u);
  // Slots 0, 100, ..., 1000 ms: the last attempt starts at 1 s.
  EXPECT_EQ(r.elapsed, seconds(1));
}

TEST(LoadRun, ThroughputOverTimeCountsTheAttemptsFinishedInEachSecond) {
  // One worker, 600 ms an attempt: they finish at 0.6, 1.2, 1.8 and 2.4 s.
  FakeClock clock;
  LoadPlan plan;
  plan.concurrency = 1;
  plan.count = 4;
  const Attempt attempt = [&clock](std::uint64_t i) {
    clock.advance(milliseconds(600));
    return outcome(i == 2 ? AttemptStatus::failed : AttemptStatus::issued);
  };
  const LoadReport r = run_load(plan, attempt, clock);
  ASSERT_EQ(r.per_second.size(), 3u);
  EXPECT_EQ(r.per_second[0].issued, 1u);
  EXPECT_EQ(r.per_second[1].issued, 1u);
  EXPECT_EQ(r.per_second[1].failed, 1u);
  EXPECT_EQ(r.per_second[2].issued, 1u);
  EXPECT_EQ(r.per_second[2].total(), 1u);
  ASSERT_EQ(r.latencies.size(), 4u);
  EXPECT_EQ(r.latencies[3], milliseconds(600));
}

TEST(LoadRun, AStopRequestEndsTheRunAndSaysSo) {
  FakeClock clock;
  std::stop_source stop;
  LoadPlan plan;
  plan.concurrency = 1;
  plan.count = 1000;
  const Attempt attempt = [&](std::uint64_t index) {
    if (index == 4) stop.request_stop();  // ^C during the fifth attempt
    return outcome(AttemptStatus::issued);
  };
  const LoadReport r = run_load(plan, attempt, clock, stop.get_token());
  EXPECT_EQ(r.counts.issued, 5u);  // the one in flight finishes and is counted
  EXPECT_EQ(r.stopped_by, StopReason::interrupted);
}

TEST(LoadRun, FailuresAreGroupedByCauseMostFrequentFirst) {
  FakeClock clock;
  LoadPlan plan;
  plan.concurrency = 3;
  plan.count = 12;
  // Indices 0..11: every third pending, the others failing with one of two
  // causes (the 'b' one twice as often), the first message kept.
  const Attempt attempt = [](std::uint64_t i) {
    if (i % 3 == 0) return outcome(AttemptStatus::pending);
    const bool b = i % 3 == 1 || i == 2;
    return failure(b ? "b_cause" : "a_cause", b ? "B" : "A", "message " + std::to_string(i));
  };
  const LoadReport r = run_load(plan, attempt, clock);
  EXPECT_EQ(r.counts.pending, 4u);
  EXPECT_EQ(r.counts.failed, 8u);
  ASSERT_EQ(r.causes.size(), 2u);
  EXPECT_EQ(r.causes[0].cause, "b_cause");
  EXPECT_EQ(r.causes[0].count, 5u);
  EXPECT_EQ(r.causes[0].title, "B");
  EXPECT_EQ(r.causes[1].cause, "a_cause");
  EXPECT_EQ(r.causes[1].count, 3u);
  EXPECT_EQ(r.causes[1].example.rfind("message ", 0), 0u) << r.causes[1].example;
}

TEST(LoadRun, AnAttemptThatThrowsStopsTheRunAndIsRethrown) {
  FakeClock clock;
  LoadPlan plan;
  plan.concurrency = 2;
  plan.count = 100;
  const Attempt attempt = [](std::uint64_t i) -> AttemptResult {
    if (i == 3) throw std::runtime_error("broken attempt");
    return outcome(AttemptStatus::issued);
  };
  EXPECT_THROW(run_load(plan, attempt, clock), std::runtime_error);
}

TEST(LoadRun, APlanThatWouldNotEndIsRefused) {
  FakeClock clock;
  const Attempt attempt = [](std::uint64_t) { return AttemptResult{}; };
  LoadPlan endless;
  EXPECT_THROW(run_load(endless, attempt, clock), std::invalid_argument);
  LoadPlan no_workers;
  no_workers.count = 1;
  no_workers.concurrency = 0;
  EXPECT_THROW(run_load(no_workers, attempt, clock), std::invalid_argument);
  LoadPlan zero;
  zero.count = 0;
  EXPECT_THROW(run_load(zero, attempt, clock), std::invalid_argument);
  LoadPlan negative_rate;
  negative_rate.count = 1;
  negative_rate.rate = -1;
  EXPECT_THROW(run_load(negative_rate, attempt, clock), std::invalid_argument);
}

TEST(LoadRun, TheJsonReportHasTheCountsPercentilesAndCauses) {
  FakeClock clock;
  LoadPlan plan;
  plan.count = 4;
  const Attempt attempt = [&clock](std::uint64_t i) {
    clock.advance(milliseconds(10 * (i + 1)));
    if (i == 3) return failure("x_cause", "X", "it failed");
    return outcome(AttemptStatus::issued);
  };
  const nlohmann::json j = ceslab::load::report_json(run_load(plan, attempt, clock));
  EXPECT_EQ(j["schema"], "ceslab.bench/1");
  EXPECT_EQ(j["counts"]["issued"], 3);
  EXPECT_EQ(j["counts"]["failed"], 1);
  EXPECT_EQ(j["stopped_by"], "count");
  EXPECT_DOUBLE_EQ(j["latency_ms"]["p50"].get<double>(), 20.0);
  EXPECT_DOUBLE_EQ(j["latency_ms"]["max"].get<double>(), 40.0);
  EXPECT_DOUBLE_EQ(j["elapsed_s"].get<double>(), 0.1);
  ASSERT_EQ(j["failures_by_cause"].size(), 1u);
  EXPECT_EQ(j["failures_by_cause"][0]["cause"], "x_cause");
  EXPECT_EQ(j["failures_by_cause"][0]["example"], "it failed");
}

}  // namespace
