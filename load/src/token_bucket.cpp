// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/load/token_bucket.hpp"

#include <algorithm>
#include <stdexcept>

namespace ceslab::load {

TokenBucket::TokenBucket(double rate_per_second, double burst, time_point start)
    : rate_(rate_per_second), burst_(burst), tokens_(burst), last_(start) {
  if (!(rate_ > 0)) throw std::invalid_argument("token bucket: the rate must be above 0");
  if (!(burst_ >= 1)) throw std::invalid_argument("token bucket: the burst must be at least 1");
}

TokenBucket::time_point TokenBucket::reserve(time_point now) {
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
    last_ = now;
  }
  tokens_ -= 1;
  if (tokens_ >= 0) return now;
  const std::chrono::duration<double> wait(-tokens_ / rate_);
  return last_ + std::chrono::round<std::chrono::steady_clock::duration>(wait);
}

}  // namespace ceslab::load
