// SPDX-License-Identifier: GPL-2.0-or-later
// Bar charts as inline SVG: the latency histogram and the throughput over
// time of `ceslab bench --html`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ceslab::report {

struct Series {
  std::string name;            // in the legend and each bar's tooltip
  std::string color;           // a CSS colour
  std::vector<double> values;  // one per bar
};

// One bar per x label, the series stacked from the bottom; each bar
// segment has a <title> tooltip. `series` values must be >= 0.
std::string bar_chart(std::string_view title, const std::vector<std::string>& x_labels,
                      const std::vector<Series>& series, std::string_view x_axis,
                      std::string_view y_axis);

}  // namespace ceslab::report
