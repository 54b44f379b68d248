// SPDX-License-Identifier: GPL-2.0-or-later
// Calendar times from the wire (xs:dateTime, X.509 GeneralizedTime) as
// system_clock time points. Those formats span years 0 to 9999; the clock
// counts nanoseconds in 64 bits (about 1678 to 2261), where converting
// overflows. A time past +-146 years of 1970 is held at that bound: it still
// compares as what it is (far future, far past), and adding a lifetime or a
// clock-skew window to it cannot overflow.
#pragma once

#include <chrono>

namespace ceslab::core {

inline std::chrono::system_clock::time_point clock_time(std::chrono::sys_seconds t) {
  using namespace std::chrono;
  constexpr seconds kBound = duration_cast<seconds>(system_clock::duration::max()) / 2;
  if (t.time_since_epoch() > kBound) return system_clock::time_point(kBound);
  if (t.time_since_epoch() < -kBound) return system_clock::time_point(-kBound);
  return time_point_cast<system_clock::duration>(t);
}

}  // namespace ceslab::core
