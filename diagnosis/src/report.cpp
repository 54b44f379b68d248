// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/diagnosis/report.hpp"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

namespace ceslab::diagnosis {

namespace {

using nlohmann::json;

double rounded(double confidence) {
  return std::round(confidence * 1000.0) / 1000.0;
}

std::string fixed2(double confidence) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", confidence);
  return buf;
}

void section(std::ostringstream& out, std::string_view title,
             const std::vector<std::string>& lines) {
  if (lines.empty()) return;
  out << "\n" << title << ":\n";
  for (const auto& line : lines) out << "  - " << line << "\n";
}

const Candidate* find_candidate(const Diagnosis& d, std::string_view id) {
  for (const auto& c : d.candidates) {
    if (c.cause == id) return &c;
  }
  return nullptr;
}

}  // namespace

std::string format_report(const Diagnosis& d) {
  std::ostringstream out;
  if (d.verdict == kSucceeded) {
    out << "Verdict: succeeded — nothing failed\n";
  } else if (!d.outside.empty()) {
    out << "Verdict: unknown — not a CES/CEP answer (" << d.outside << ")\n";
  } else if (d.verdict != kUnknown) {
    const Candidate* c = find_candidate(d, d.verdict);
    out << "Verdict: " << d.verdict << " (confidence " << fixed2(d.confidence) << ")\n";
    if (c != nullptr) out << "  " << c->title << " [layer: " << c->layer << "]\n";
  } else if (!d.tied.empty()) {
    out << "Verdict: unknown — cannot tell apart: ";
    for (std::size_t i = 0; i < d.tied.size(); ++i) out << (i ? ", " : "") << d.tied[i];
    out << "\n";
    if (!d.family.empty()) out << "  They share one wire shape (family " << d.family << ").\n";
  } else {
    out << "Verdict: unknown";
    if (!d.candidates.empty()) out << " (best candidate confidence " << fixed2(d.confidence) << ")";
    out << "\n";
  }
  section(out, "Why", d.why);
  section(out, "What was seen", d.seen);
  section(out, "What to check next", d.next_checks);

  if (d.verdict == kSucceeded || !d.outside.empty()) {
    // Nothing of CES's to fix.
  } else if (d.verdict != kUnknown) {
    if (const Candidate* c = find_candidate(d, d.verdict))
      section(out, "How to fix", c->remediation);
  } else {
    std::vector<std::string> fixes;
    for (const auto& id : d.tied) {
      const Candidate* c = find_candidate(d, id);
      if (c == nullptr) continue;
      for (const auto& step : c->remediation) fixes.push_back("if " + id + ": " + step);
    }
    section(out, "How to fix, once the check above has decided", fixes);
  }

  std::vector<std::string> others;
  for (const auto& c : d.candidates) {
    if (c.cause == d.verdict) continue;
    others.push_back(c.cause + " (confidence " + fixed2(c.confidence) + "): " + c.title);
  }
  section(out, "Other candidates", others);
  std::vector<std::string> ruled;
  for (const auto& r : d.ruled_out) ruled.push_back(r.cause + ": " + r.because.front());
  section(out, "Ruled out", ruled);

  std::vector<std::string> references;
  if (const Candidate* c = find_candidate(d, d.verdict)) references = c->references;
  section(out, "References", references);
  return out.str();
}

void to_json(json& out, const Candidate& c) {
  out = {{"cause", c.cause},
         {"title", c.title},
         {"layer", c.layer},
         {"family", c.family.empty() ? json(nullptr) : json(c.family)},
         {"confidence", rounded(c.confidence)},
         {"score", c.score},
         {"matched", c.matched},
         {"against", c.against},
         {"separating", c.separating},
         {"remediation", c.remediation},
         {"references", c.references}};
}

void to_json(json& out, const Diagnosis& d) {
  json ruled = json::array();
  for (const auto& r : d.ruled_out)
    ruled.push_back({{"cause", r.cause}, {"title", r.title}, {"because", r.because}});
  json candidates = json::array();
  for (const auto& c : d.candidates) candidates.push_back(c);
  out = {{"schema", kDiagnosisSchema},
         {"verdict", d.verdict},
         {"confidence", rounded(d.confidence)},
         {"tied", d.tied},
         {"family", d.family.empty() ? json(nullptr) : json(d.family)},
         {"outside", d.outside.empty() ? json(nullptr) : json(d.outside)},
         {"why", d.why},
         {"next_checks", d.next_checks},
         {"seen", d.seen},
         {"candidates", candidates},
         {"ruled_out", ruled}};
}

}  // namespace ceslab::diagnosis
