// SPDX-License-Identifier: GPL-2.0-or-later
#include "svg_chart.hpp"

#include <algorithm>
#include <cmath>

#include "html.hpp"

namespace ceslab::report {

namespace {

constexpr double kWidth = 900, kHeight = 280;
constexpr double kLeft = 56, kRight = 12, kTop = 28, kBottom = 46;

// 1, 2 or 5 times a power of ten, at least `value`: a round top for the axis.
double nice_ceiling(double value) {
  if (value <= 0) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(value)));
  for (const double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

std::string number(double v) {
  return fixed(v, 1);
}

std::string axis_value(double v) {
  return v == std::floor(v) ? fixed(v, 0) : fixed(v, 2);
}

}  // namespace

std::string bar_chart(std::string_view title, const std::vector<std::string>& x_labels,
                      const std::vector<Series>& series, std::string_view x_axis,
                      std::string_view y_axis) {
  const std::size_t bars = x_labels.size();
  double top = 0;
  for (std::size_t i = 0; i < bars; ++i) {
    double stack = 0;
    for (const auto& s : series) stack += i < s.values.size() ? s.values[i] : 0;
    top = std::max(top, stack);
  }
  top = nice_ceiling(top);
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  const double slot = bars > 0 ? plot_w / static_cast<double>(bars) : plot_w;
  const double bar_w = std::max(1.0, slot * 0.85);

  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + number(kWidth) +
                    " " + number(kHeight) + "\" width=\"" + number(kWidth) + "\" height=\"" +
                    number(kHeight) + "\" role=\"img\" aria-label=\"" + escape(title) + "\">";
  out += "<title>" + escape(title) + "</title>";
  // Grid lines and y values.
  for (int g = 0; g <= 4; ++g) {
    const double v = top * g / 4.0;
    const double y = kTop + plot_h - plot_h * g / 4.0;
    out += "<line x1=\"" + number(kLeft) + "\" x2=\"" + number(kWidth - kRight) + "\" y1=\"" +
           number(y) + "\" y2=\"" + number(y) + "\" stroke=\"#e2e2e8\"/>";
    out += "<text x=\"" + number(kLeft - 6) + "\" y=\"" + number(y + 4) +
           "\" text-anchor=\"end\">" + axis_value(v) + "</text>";
  }
  // Bars, stacked.
  for (std::size_t i = 0; i < bars; ++i) {
    double base = 0;
    const double x = kLeft + slot * static_cast<double>(i) + (slot - bar_w) / 2;
    for (const auto& s : series) {
      const double v = i < s.values.size() ? s.values[i] : 0;
      if (v <= 0) continue;
      const double h = plot_h * v / top;
      const double y = kTop + plot_h - plot_h * base / top - h;
      out += "<rect x=\"" + number(x) + "\" y=\"" + number(y) + "\" width=\"" + number(bar_w) +
             "\" height=\"" + number(h) + "\" fill=\"" + escape(s.color) + "\"><title>" +
             escape(x_labels[i] + ": " + axis_value(v) + " " + s.name) + "</title></rect>";
      base += v;
    }
  }
  // X labels: at most about ten, evenly spaced.
  const std::size_t every = std::max<std::size_t>(1, (bars + 9) / 10);
  for (std::size_t i = 0; i < bars; i += every) {
    const double x = kLeft + slot * (static_cast<double>(i) + 0.5);
    out += "<text x=\"" + number(x) + "\" y=\"" + number(kTop + plot_h + 16) +
           "\" text-anchor=\"middle\">" + escape(x_labels[i]) + "</text>";
  }
  out += "<line x1=\"" + number(kLeft) + "\" x2=\"" + number(kWidth - kRight) + "\" y1=\"" +
         number(kTop + plot_h) + "\" y2=\"" + number(kTop + plot_h) + "\" stroke=\"#6d6d75\"/>";
  out += "<text x=\"" + number(kLeft + plot_w / 2) + "\" y=\"" + number(kHeight - 8) +
         "\" text-anchor=\"middle\">" + escape(x_axis) + "</text>";
  out += "<text x=\"14\" y=\"" + number(kTop + plot_h / 2) + "\" text-anchor=\"middle\" " +
         "transform=\"rotate(-90 14 " + number(kTop + plot_h / 2) + ")\">" + escape(y_axis) +
         "</text>";
  // Legend.
  double lx = kLeft;
  for (const auto& s : series) {
    out += "<rect x=\"" + number(lx) + "\" y=\"8\" width=\"10\" height=\"10\" fill=\"" +
           escape(s.color) + "\"/><text x=\"" + number(lx + 14) + "\" y=\"17\">" + escape(s.name) +
           "</text>";
    lx += 24 + 7.0 * static_cast<double>(s.name.size());
  }
  return out + "</svg>";
}

}  // namespace ceslab::report
