// SPDX-License-Identifier: GPL-2.0-or-later
// Reports people would rather look at than read (docs/reports.md): one
// self-contained HTML page each — inline CSS, a small inline script, inline
// SVG; nothing fetched, so a page can be mailed or attached to a ticket.
// Every value is HTML-escaped; exchanges are shown as the runner recorded
// them, already redacted as --capture redacts them.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ceslab/diagnosis/engine.hpp"
#include "ceslab/load/load_run.hpp"
#include "ceslab/runner/reports.hpp"
#include "ceslab/runner/suite.hpp"

namespace ceslab::report {

// `ceslab run --html`: the summary counts, a row per scenario (failed ones
// first, then in the order run) with its result and time, a filter by
// result, and per scenario, when its ScenarioRecord was kept, the exchanges
// as a timeline (XML pretty-printed), the server events, the evidence and
// both diagnoses.
std::string run_page(const std::vector<runner::ScenarioResult>& results,
                     const runner::Summary& summary);

// `ceslab diagnose --html`: one diagnosis, with the files it was read from
// and what was read from each.
struct DiagnosedInput {
  std::string file;
  std::string type;
  std::vector<std::string> facts;
};
std::string diagnosis_page(const diagnosis::Diagnosis& diagnosis,
                           const std::vector<DiagnosedInput>& inputs);

// `ceslab bench --html`: the counts, throughput and latency summary, a
// latency histogram and the throughput over time (inline SVG), each second's
// counts and the failures by cause.
struct BenchTarget {
  std::string url;
  std::string template_name;
  std::string auth;
};
std::string bench_page(const load::LoadReport& report, const BenchTarget& target);

// Writes a page; throws std::runtime_error naming the file when it cannot.
void write_page(const std::filesystem::path& file, const std::string& html);

}  // namespace ceslab::report
