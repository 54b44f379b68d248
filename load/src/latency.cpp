// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/load/latency.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace ceslab::load {

Duration percentile(const std::vector<Duration>& sorted, double percent) {
  if (sorted.empty()) throw std::invalid_argument("percentile of no samples");
  if (!(percent > 0 && percent <= 100)) throw std::invalid_argument("percentile outside (0, 100]");
  // Nearest rank: ceil(p/100 * n), 1-based.
  const double rank = std::ceil(percent / 100.0 * static_cast<double>(sorted.size()));
  const std::size_t index = static_cast<std::size_t>(std::max(rank, 1.0)) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

std::optional<LatencySummary> summarize(std::vector<Duration> samples) {
  if (samples.empty()) return std::nullopt;
  std::sort(samples.begin(), samples.end());
  LatencySummary s;
  s.count = samples.size();
  s.min = samples.front();
  s.max = samples.back();
  const Duration total = std::accumulate(samples.begin(), samples.end(), Duration{});
  s.mean = total / static_cast<Duration::rep>(samples.size());
  s.p50 = percentile(samples, 50);
  s.p90 = percentile(samples, 90);
  s.p99 = percentile(samples, 99);
  return s;
}

}  // namespace ceslab::load
