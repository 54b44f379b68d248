// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/report/html_pages.hpp"
#include "diagnosis_section.hpp"
#include "html.hpp"

namespace ceslab::report {

std::string diagnosis_page(const diagnosis::Diagnosis& d,
                           const std::vector<DiagnosedInput>& inputs) {
  std::string body = "<h1>ceslab diagnose: " + escape(d.verdict) + "</h1>";
  body += "<h2>Read</h2>";
  if (inputs.empty()) body += "<p class=\"muted\">No input.</p>";
  for (const auto& in : inputs) {
    body += "<p><code>" + escape(in.file) + "</code> as <b>" + escape(in.type) + "</b></p>" +
            list(in.facts);
  }
  body += diagnosis_section(d, "Diagnosis", true);
  return page("ceslab diagnose: " + d.verdict, body);
}

}  // namespace ceslab::report
