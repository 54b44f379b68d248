// SPDX-License-Identifier: GPL-2.0-or-later
// A clock the test moves: sleeping to a time moves it there at once, and an
// attempt moves it by the latency it pretends to take. Rate limits and stop
// conditions are then checked by counting, never by waiting.
#pragma once

#include <algorithm>
#include <mutex>

#include "ceslab/load/clock.hpp"

namespace ceslab::load::testing {

class FakeClock final : public LoadClock {
 public:
  time_point now() const override {
    const std::lock_guard lock(mutex_);
    return now_;
  }
  bool sleep_until(time_point t, std::stop_token stop) override {
    const std::lock_guard lock(mutex_);
    now_ = std::max(now_, t);
    return !stop.stop_requested();
  }
  void advance(Duration d) {
    const std::lock_guard lock(mutex_);
    now_ += d;
  }

 private:
  mutable std::mutex mutex_;
  time_point now_{};  // the steady clock's epoch: only differences matter
};

}  // namespace ceslab::load::testing
