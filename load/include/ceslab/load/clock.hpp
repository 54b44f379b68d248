// SPDX-License-Identifier: GPL-2.0-or-later
// The time a load run paces and stops by, as a seam: the real run uses the
// steady clock, the tests a clock they move themselves, so that rate limits
// and stop conditions are checked without waiting on wall time.
#pragma once

#include <chrono>
#include <stop_token>

namespace ceslab::load {

class LoadClock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~LoadClock() = default;
  virtual time_point now() const = 0;
  // Waits until `t`; returns early, false, when `stop` is requested.
  virtual bool sleep_until(time_point t, std::stop_token stop) = 0;
};

class SteadyLoadClock final : public LoadClock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
  bool sleep_until(time_point t, std::stop_token stop) override;
};

}  // namespace ceslab::load
