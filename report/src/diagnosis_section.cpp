// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis_section.hpp"

#include "html.hpp"

namespace ceslab::report {

namespace {

std::string percent(double confidence) {
  return fixed(confidence * 100.0, 0) + "%";
}

std::string candidates_table(const std::vector<diagnosis::Candidate>& candidates, bool rows) {
  if (candidates.empty()) return "<p class=\"muted\">No candidate cause.</p>";
  std::string out =
      "<table class=\"candidates\"><thead><tr><th>cause</th><th "
      "class=\"num\">confidence</th><th>evidence for</th><th>against</th><th>next checks that "
      "separate it</th><th>fix</th></tr></thead><tbody>";
  for (const auto& c : candidates) {
    out += rows ? "<tr data-row>" : "<tr>";
    out += "<td><b>" + escape(c.cause) + "</b><br>" + escape(c.title) +
           "<br><span class=\"muted\">" + escape(c.layer) +
           (c.family.empty() ? "" : " · " + escape(c.family)) + "</span></td>";
    out += "<td class=\"num\">" + percent(c.confidence) + "</td>";
    out += "<td>" + list(c.matched) + "</td><td>" + list(c.against) + "</td>";
    out += "<td>" + list(c.separating) + "</td><td>" + list(c.remediation) + "</td></tr>";
  }
  return out + "</tbody></table>";
}

}  // namespace

std::string diagnosis_section(const diagnosis::Diagnosis& d, std::string_view heading, bool rows) {
  std::string out = "<section class=\"diagnosis\">" + element("h3", heading);
  out += "<p>Verdict <b>" + escape(d.verdict) + "</b>, confidence " + percent(d.confidence);
  if (!d.tied.empty()) {
    std::string tied;
    for (const auto& t : d.tied) tied += (tied.empty() ? "" : ", ") + t;
    out += "; tied: " + escape(tied);
  }
  if (!d.family.empty()) out += " (family " + escape(d.family) + ")";
  out += "</p>";
  if (!d.outside.empty()) out += "<p>Another product answered: " + escape(d.outside) + "</p>";
  if (!d.why.empty()) out += "<h4>Why</h4>" + list(d.why);
  if (!d.seen.empty()) out += "<h4>Seen</h4>" + list(d.seen);
  if (!d.next_checks.empty()) out += "<h4>Next checks</h4>" + list(d.next_checks);
  out += "<h4>Candidates</h4>" + candidates_table(d.candidates, rows);
  if (!d.ruled_out.empty()) {
    out += "<h4>Ruled out</h4><ul>";
    for (const auto& r : d.ruled_out) {
      std::string because;
      for (const auto& b : r.because) because += (because.empty() ? "" : "; ") + b;
      out += "<li><b>" + escape(r.cause) + "</b> " + escape(r.title) + ": " + escape(because) +
             "</li>";
    }
    out += "</ul>";
  }
  return out + "</section>";
}

}  // namespace ceslab::report
