// SPDX-License-Identifier: GPL-2.0-or-later
#include "result_report.hpp"

#include <chrono>
#include <fstream>
#include <iostream>
#include <stdexcept>

#include "ceslab/report/html_pages.hpp"
#include "interruptible.hpp"

namespace ceslab::app {
namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error(path + ": cannot be written");
}

}  // namespace

ReportedRun run_and_report(
    const std::function<std::vector<runner::ScenarioResult>(std::stop_token)>& run,
    const std::string& json, const std::string& junit, const std::string& html) {
  ReportedRun r;
  const auto start = std::chrono::steady_clock::now();
  r.interrupted = run_interruptible([&](std::stop_token stop) { r.results = run(stop); });
  const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  r.summary = runner::summarize(r.results, wall);
  std::cout << "\n";
  runner::print_table(std::cout, r.results);
  if (!json.empty()) write_file(json, runner::to_json(r.results, r.summary).dump(2) + "\n");
  if (!junit.empty()) write_file(junit, runner::to_junit(r.results, r.summary));
  if (!html.empty()) report::write_page(html, report::run_page(r.results, r.summary));
  std::cout << runner::summary_line(r.summary);
  return r;
}

}  // namespace ceslab::app
