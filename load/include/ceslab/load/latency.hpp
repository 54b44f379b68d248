// SPDX-License-Identifier: GPL-2.0-or-later
// Latency of the requests of a load run, kept as every sample and summarised
// exactly: a run of ceslab bench holds at most a few hundred thousand
// samples (8 bytes each), so there is no need for approximate buckets whose
// error would blur the tail percentiles the run is for.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace ceslab::load {

using Duration = std::chrono::nanoseconds;

struct LatencySummary {
  std::uint64_t count = 0;
  Duration min{}, mean{}, p50{}, p90{}, p99{}, max{};
};

// The nearest-rank percentile (`percent` in (0, 100]) of `sorted` samples:
// the smallest sample at least `percent`% of the samples are not above.
// Requires a non-empty, ascending `sorted`.
Duration percentile(const std::vector<Duration>& sorted, double percent);

// The summary of `samples` (any order); nullopt when there are none.
std::optional<LatencySummary> summarize(std::vector<Duration> samples);

}  // namespace ceslab::load
