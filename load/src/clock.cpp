// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/load/clock.hpp"

#include <condition_variable>
#include <mutex>

namespace ceslab::load {

bool SteadyLoadClock::sleep_until(time_point t, std::stop_token stop) {
  std::mutex m;
  std::condition_variable_any woken;
  std::unique_lock lock(m);
  // Wakes on the stop request (the predicate) or at `t`.
  woken.wait_until(lock, stop, t, [] { return false; });
  return !stop.stop_requested();
}

}  // namespace ceslab::load
