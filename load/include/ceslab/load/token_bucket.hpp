// SPDX-License-Identifier: GPL-2.0-or-later
// The request rate limit of a load run (--rate): a token bucket that fills
// at `rate` tokens a second up to `burst`. A request takes a token; when
// none is there it reserves the next one and waits for it, so requests never
// start faster than the rate over any stretch longer than the burst. Not
// thread-safe: the run takes it under its lock.
#pragma once

#include "ceslab/load/clock.hpp"

namespace ceslab::load {

class TokenBucket {
 public:
  using time_point = LoadClock::time_point;
  // Full at `start`. Throws std::invalid_argument unless rate > 0 and burst >= 1.
  TokenBucket(double rate_per_second, double burst, time_point start);
  // Takes one token and returns when it may be used: `now` when the bucket
  // held one, later when it had to be reserved.
  time_point reserve(time_point now);

 private:
  double rate_;
  double burst_;
  double tokens_;  // below zero: tokens reserved ahead of time
  time_point last_;
};

}  // namespace ceslab::load
