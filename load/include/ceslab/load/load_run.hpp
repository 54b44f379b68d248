// SPDX-License-Identifier: GPL-2.0-or-later
// A load run: `concurrency` workers make attempts (one enrollment each) until
// the plan's count or duration is reached or the caller asks them to stop,
// no faster than the plan's rate; every attempt's latency and outcome is
// recorded, failures grouped by the cause the attempt names. What an attempt
// does is the caller's (enrollment_attempt.hpp: a real enrollment), so the
// pacing and stopping are tested with attempts and a clock of the test's own.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "ceslab/load/clock.hpp"
#include "ceslab/load/latency.hpp"

namespace ceslab::load {

struct LoadPlan {
  unsigned concurrency = 1;
  double rate = 0;  // attempts started per second at most; 0: unlimited
  // When to stop starting attempts: after `count` attempts, or once
  // `duration` has passed since the start, whichever comes first. At least
  // one must be set: a run always ends by itself. Attempts in flight then
  // finish and are counted.
  std::optional<std::uint64_t> count;
  std::optional<Duration> duration;
};

// Throws std::invalid_argument naming what is wrong: no stop condition, a
// concurrency of 0, a negative rate, a count of 0 or a duration <= 0.
void validate(const LoadPlan& plan);

enum class AttemptStatus { issued, pending, failed };
std::string_view to_string(AttemptStatus status);

struct AttemptResult {
  AttemptStatus status = AttemptStatus::failed;
  // A failure's cause: the diagnosis engine's verdict (a cause id, or
  // "unknown"), with the cause's title and the failure's own message.
  std::string cause;
  // With "unknown": the candidates the engine could not confirm from the
  // client's evidence alone (a wrong password and a clock skew both answer
  // InvalidSecurity): the tied causes, else the best one. Failures group by
  // cause and these.
  std::vector<std::string> tied;
  std::string title;
  std::string message;
};

// One attempt; `index` counts from 0 in the order attempts start. Called
// from several threads at once.
using Attempt = std::function<AttemptResult(std::uint64_t index)>;

// Failures of one cause (and, for "unknown", one set of tied causes): how
// many, and the first one's message.
struct CauseCount {
  std::string cause;
  std::vector<std::string> tied;
  std::string title;
  std::uint64_t count = 0;
  std::string example;
};

struct OutcomeCounts {
  std::uint64_t issued = 0, pending = 0, failed = 0;
  std::uint64_t total() const { return issued + pending + failed; }
};

// The state of a run while it goes (live progress).
struct LoadProgress {
  OutcomeCounts counts;
  Duration elapsed{};
  std::optional<Duration> p50;  // of the attempts finished so far
};

enum class StopReason { count, duration, interrupted };
std::string_view to_string(StopReason reason);

struct LoadReport {
  LoadPlan plan;
  OutcomeCounts counts;
  Duration elapsed{};  // from the start until the last attempt finished
  // Every finished attempt's latency, whatever its outcome; nullopt when none finished.
  std::optional<LatencySummary> latency;
  // The same latencies one by one, in the order the attempts finished: for a
  // histogram (ceslab bench --html).
  std::vector<Duration> latencies;
  // Throughput over time: element i counts the attempts that finished in
  // [i s, i+1 s) from the start, by outcome; as many elements as whole or
  // begun seconds of `elapsed` (none when nothing finished).
  std::vector<OutcomeCounts> per_second;
  std::vector<CauseCount> causes;  // most frequent first, then by cause id
  StopReason stopped_by = StopReason::count;
  // Finished attempts per second of `elapsed` (0 when nothing finished).
  double attempts_per_second() const;
  double issued_per_second() const;
};

struct ProgressHook {
  std::function<void(const LoadProgress&)> report;  // empty: no progress
  std::chrono::milliseconds interval{1000};         // wall time between reports
};

// Runs `plan` with `attempt` on `clock` until it ends by itself or `stop` is
// requested (no new attempt starts; those in flight finish). An exception
// from an attempt stops the run and is rethrown here once the workers are
// done. Throws std::invalid_argument for an invalid plan (validate).
LoadReport run_load(const LoadPlan& plan, const Attempt& attempt, LoadClock& clock,
                    std::stop_token stop = {}, const ProgressHook& progress = {});

}  // namespace ceslab::load
