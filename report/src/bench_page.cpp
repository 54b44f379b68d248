// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cmath>

#include "ceslab/report/html_pages.hpp"
#include "html.hpp"
#include "svg_chart.hpp"

namespace ceslab::report {

namespace {

double ms(load::Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

std::string cell(const std::string& text, bool number = false) {
  return std::string(number ? "<td class=\"num\">" : "<td>") + escape(text) + "</td>";
}

std::string count_box(std::string_view label, const std::string& value) {
  return "<div class=\"count\"><b>" + escape(value) + "</b>" + escape(label) + "</div>";
}

std::string plan_text(const load::LoadPlan& p) {
  std::string out = std::to_string(p.concurrency) + " workers";
  if (p.rate > 0) out += ", at most " + fixed(p.rate, 1) + " requests/s";
  if (p.count) out += ", " + std::to_string(*p.count) + " requests";
  if (p.duration) out += ", " + fixed(std::chrono::duration<double>(*p.duration).count(), 1) + " s";
  return out;
}

// Equal-width bins from the fastest to the slowest request: about the square
// root of the count of them, between 1 and 40.
std::string histogram(const std::vector<load::Duration>& latencies) {
  if (latencies.empty()) return "<p class=\"muted\">No request finished.</p>";
  const auto [lo_it, hi_it] = std::minmax_element(latencies.begin(), latencies.end());
  const double lo = ms(*lo_it), hi = ms(*hi_it);
  const auto bins = static_cast<std::size_t>(
      std::clamp(std::ceil(std::sqrt(static_cast<double>(latencies.size()))), 1.0, 40.0));
  const double width = hi > lo ? (hi - lo) / static_cast<double>(bins) : 1.0;
  Series counts{"requests", "#3f6fb5", std::vector<double>(bins, 0.0)};
  for (const auto d : latencies) {
    const auto bin = std::min(bins - 1, static_cast<std::size_t>((ms(d) - lo) / width));
    counts.values[bin] += 1;
  }
  std::vector<std::string> labels;
  const int digits = width >= 10 ? 0 : 1;
  for (std::size_t b = 0; b < bins; ++b) {
    labels.push_back(fixed(lo + width * static_cast<double>(b), digits) + "–" +
                     fixed(lo + width * static_cast<double>(b + 1), digits));
  }
  return bar_chart("Latency histogram", labels, {counts}, "latency (ms)", "requests");
}

std::string throughput(const std::vector<load::OutcomeCounts>& per_second) {
  if (per_second.empty()) return "<p class=\"muted\">No request finished.</p>";
  Series issued{"issued", "#2e7d32", {}}, pending{"pending", "#f9a825", {}},
      failed{"failed", "#c62828", {}};
  std::vector<std::string> labels;
  for (std::size_t s = 0; s < per_second.size(); ++s) {
    labels.push_back(std::to_string(s) + " s");
    issued.values.push_back(static_cast<double>(per_second[s].issued));
    pending.values.push_back(static_cast<double>(per_second[s].pending));
    failed.values.push_back(static_cast<double>(per_second[s].failed));
  }
  return bar_chart("Throughput over time", labels, {issued, pending, failed},
                   "second from the start", "requests finished in the second");
}

}  // namespace

std::string bench_page(const load::LoadReport& r, const BenchTarget& target) {
  std::string body = "<h1>ceslab bench</h1>";
  body += "<p><code>" + escape(target.url) + "</code><br>template <b>" +
          escape(target.template_name) + "</b>, auth <b>" + escape(target.auth) + "</b>, " +
          escape(plan_text(r.plan)) + "; stopped by " + escape(load::to_string(r.stopped_by)) +
          " after " + fixed(std::chrono::duration<double>(r.elapsed).count(), 2) + " s</p>";
  body += "<div class=\"counts\">" + count_box("requests", std::to_string(r.counts.total())) +
          count_box("issued", std::to_string(r.counts.issued)) +
          count_box("pending", std::to_string(r.counts.pending)) +
          count_box("failed", std::to_string(r.counts.failed)) +
          count_box("requests/s", fixed(r.attempts_per_second(), 1)) +
          count_box("issued/s", fixed(r.issued_per_second(), 1)) + "</div>";
  body += "<h2>Latency</h2>";
  if (r.latency) {
    const auto& l = *r.latency;
    body +=
        "<table><thead><tr><th class=\"num\">count</th><th class=\"num\">min</th><th "
        "class=\"num\">mean</th><th class=\"num\">p50</th><th class=\"num\">p90</th><th "
        "class=\"num\">p99</th><th class=\"num\">max</th></tr></thead><tbody><tr>" +
        cell(std::to_string(l.count), true);
    for (const auto d : {l.min, l.mean, l.p50, l.p90, l.p99, l.max}) {
      body += cell(fixed(ms(d), 1) + " ms", true);
    }
    body += "</tr></tbody></table>";
  }
  body += histogram(r.latencies);
  body += "<h2>Throughput over time</h2>" + throughput(r.per_second);
  body +=
      "<details><summary>Each second</summary><table><thead><tr><th class=\"num\">second</th><th "
      "class=\"num\">issued</th><th class=\"num\">pending</th><th class=\"num\">failed</th><th "
      "class=\"num\">total</th></tr></thead><tbody>";
  for (std::size_t s = 0; s < r.per_second.size(); ++s) {
    const auto& c = r.per_second[s];
    body += "<tr data-row>" + cell(std::to_string(s), true) + cell(std::to_string(c.issued), true) +
            cell(std::to_string(c.pending), true) + cell(std::to_string(c.failed), true) +
            cell(std::to_string(c.total()), true) + "</tr>";
  }
  body += "</tbody></table></details>";
  body += "<h2>Failures by cause</h2>";
  if (r.causes.empty()) {
    body += "<p class=\"muted\">None failed.</p>";
  } else {
    body +=
        "<table><thead><tr><th class=\"num\">count</th><th>cause</th><th>title</th><th>example</"
        "th></tr></thead><tbody>";
    for (const auto& c : r.causes) {
      std::string cause = c.cause;
      if (!c.tied.empty()) {
        std::string tied;
        for (const auto& t : c.tied) tied += (tied.empty() ? "" : " or ") + t;
        cause += " (" + tied + "?)";
      }
      body += "<tr>" + cell(std::to_string(c.count), true) + cell(cause) + cell(c.title) +
              cell(c.example) + "</tr>";
    }
    body += "</tbody></table>";
  }
  return page("ceslab bench: " + target.url, body);
}

}  // namespace ceslab::report
