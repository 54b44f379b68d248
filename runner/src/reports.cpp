// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/runner/reports.hpp"

#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>

namespace ceslab::runner {
namespace {

double seconds_of(std::chrono::milliseconds ms) {
  return static_cast<double>(ms.count()) / 1000.0;
}

std::string fixed3(double v) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << v;
  return out.str();
}

// XML 1.0 text: the five escapes, and control characters (which XML 1.0
// cannot carry at all) as '?'.
std::string xml_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string diff_text(const ScenarioResult& r) {
  std::ostringstream out;
  if (!r.error.empty()) out << "error: " << r.error << "\n";
  for (const auto& d : r.diffs) {
    out << d.step << ": " << d.field << "\n    expected: " << d.expected
        << "\n    actual:   " << d.actual << "\n";
  }
  return out.str();
}

std::string first_problem(const ScenarioResult& r) {
  if (!r.error.empty()) return r.error;
  if (r.diffs.empty()) return r.reason;
  const FieldDiff& d = r.diffs.front();
  return d.step + ": " + d.field + ": expected " + d.expected + ", got " + d.actual;
}

std::string shown(const std::string& verdict) {
  return verdict.empty() ? "-" : verdict;
}

}  // namespace

Summary summarize(const std::vector<ScenarioResult>& results, std::chrono::milliseconds wall) {
  Summary s;
  s.seconds = wall;
  for (const auto& r : results) {
    switch (r.result) {
      case Result::pass:
        ++s.passed;
        break;
      case Result::fail:
        ++s.failed;
        break;
      case Result::xfail:
        ++s.xfailed;
        break;
      case Result::xpass:
        ++s.xpassed;
        break;
      case Result::skip:
        ++s.skipped;
        break;
    }
  }
  return s;
}

std::string summary_line(const Summary& s) {
  // An XPASS fails the run, so it counts among the failed.
  std::string line =
      std::to_string(s.passed) + " passed, " + std::to_string(s.failed + s.xpassed) + " failed";
  if (s.skipped != 0) line += ", " + std::to_string(s.skipped) + " skipped";
  if (s.xfailed != 0) line += " (" + std::to_string(s.xfailed) + " expected failures)";
  if (s.xpassed != 0) line += " (" + std::to_string(s.xpassed) + " unexpectedly passed)";
  return line;
}

void print_failure(std::ostream& out, const ScenarioResult& r) {
  out << to_string(r.result) << " " << r.id << "\n";
  std::istringstream lines(diff_text(r));
  for (std::string line; std::getline(lines, line);) out << "  " << line << "\n";
  if (!r.reason.empty()) out << "  known gap: " << r.reason << "\n";
  if (!r.artefacts.empty()) {
    out << "  exchange, evidence, events and diagnosis: " << r.artefacts.string() << "\n";
  }
}

void print_table(std::ostream& out, const std::vector<ScenarioResult>& results) {
  const std::string headers[] = {"scenario", "expected", "verdict (client only)",
                                 "verdict (with server events)"};
  std::size_t width[4];
  for (int c = 0; c < 4; ++c) width[c] = headers[c].size();
  for (const auto& r : results) {
    const std::string cells[] = {r.id, shown(r.expected), shown(r.verdict_client_only),
                                 shown(r.verdict_with_events)};
    for (int c = 0; c < 4; ++c) width[c] = std::max(width[c], cells[c].size());
  }
  auto row = [&](const std::string(&cells)[4], const std::string& result, const std::string& time) {
    out << std::left;
    for (int c = 0; c < 4; ++c) out << std::setw(static_cast<int>(width[c] + 2)) << cells[c];
    out << std::setw(7) << result << std::right << std::setw(8) << time << "\n";
  };
  row(headers, "result", "time");
  for (const auto& r : results) {
    const std::string cells[] = {r.id, shown(r.expected), shown(r.verdict_client_only),
                                 shown(r.verdict_with_events)};
    row(cells, std::string(to_string(r.result)), fixed3(seconds_of(r.duration)).substr(0, 5) + "s");
  }
  for (const auto& r : results) {
    if (r.failed()) print_failure(out, r);
  }
}

nlohmann::ordered_json to_json(const std::vector<ScenarioResult>& results, const Summary& s) {
  nlohmann::ordered_json j;
  j["schema"] = kRunSchema;
  j["scenarios"] = nlohmann::ordered_json::array();
  for (const auto& r : results) {
    nlohmann::ordered_json diffs = nlohmann::ordered_json::array();
    for (const auto& d : r.diffs) {
      diffs.push_back(
          {{"step", d.step}, {"field", d.field}, {"expected", d.expected}, {"actual", d.actual}});
    }
    // Empty text is null in JSON: not reached, or nothing to say.
    auto verdict = [](const std::string& v) {
      return v.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(v);
    };
    j["scenarios"].push_back({{"name", r.id},
                              {"group", r.group},
                              {"expected", r.expected},
                              {"expected_client_only", r.expected_client_only},
                              {"verdict",
                               {{"client_only", verdict(r.verdict_client_only)},
                                {"with_server_events", verdict(r.verdict_with_events)}}},
                              {"result", to_string(r.result)},
                              {"seconds", std::stod(fixed3(seconds_of(r.duration)))},
                              {"reason", verdict(r.reason)},
                              {"error", verdict(r.error)},
                              {"diffs", diffs},
                              {"artefacts", verdict(r.artefacts.string())}});
  }
  j["summary"] = {{"passed", s.passed},   {"failed", s.failed},
                  {"xfailed", s.xfailed}, {"xpassed", s.xpassed},
                  {"skipped", s.skipped}, {"seconds", seconds_of(s.seconds)},
                  {"ok", s.ok()}};
  return j;
}

std::string to_junit(const std::vector<ScenarioResult>& results, const Summary& s) {
  std::map<std::string, std::vector<const ScenarioResult*>> groups;
  for (const auto& r : results) groups[r.group].push_back(&r);
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<testsuites name=\"ceslab\" tests=\"" << results.size() << "\" failures=\""
      << s.failed + s.xpassed << "\" skipped=\"" << s.skipped + s.xfailed << "\" time=\""
      << fixed3(seconds_of(s.seconds)) << "\">\n";
  for (const auto& [group, members] : groups) {
    std::size_t failures = 0, skipped = 0;
    std::chrono::milliseconds time{};
    for (const auto* r : members) {
      failures += r->failed() ? 1 : 0;
      skipped += (r->result == Result::skip || r->result == Result::xfail) ? 1 : 0;
      time += r->duration;
    }
    out << "  <testsuite name=\"" << xml_escape(group) << "\" tests=\"" << members.size()
        << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"" << skipped << "\" time=\""
        << fixed3(seconds_of(time)) << "\">\n";
    for (const auto* r : members) {
      const std::string name = r->id.substr(r->id.find('/') + 1);
      out << "    <testcase classname=\"" << xml_escape(group) << "\" name=\"" << xml_escape(name)
          << "\" time=\"" << fixed3(seconds_of(r->duration)) << "\"";
      if (r->result == Result::pass) {
        out << "/>\n";
        continue;
      }
      out << ">\n";
      if (r->failed()) {
        out << "      <failure message=\"" << xml_escape(first_problem(*r)) << "\" type=\""
            << to_string(r->result) << "\">" << xml_escape(diff_text(*r))
            << (r->artefacts.empty() ? "" : "artefacts: " + xml_escape(r->artefacts.string()))
            << "</failure>\n";
      } else {
        out << "      <skipped message=\"" << xml_escape(r->reason) << "\"/>\n";
      }
      out << "    </testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace ceslab::runner
