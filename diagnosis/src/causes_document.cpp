// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/diagnosis/causes_document.hpp"

#include <sstream>

#include "ceslab/core/markdown.hpp"

namespace ceslab::diagnosis {

namespace {

using core::markdown_text;

// A table cell of catalog text.
std::string cell(const std::string& raw) {
  return core::markdown_cell(markdown_text(raw));
}

std::string joined_ids(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ", ") + ("`" + id + "`");
  return out;
}

void cause_section(std::ostream& out, const CauseEntry& c) {
  // An explicit anchor: the heading's own would carry the title too.
  out << "<a id=\"" << c.id << "\"></a>\n\n### `" << c.id << "`: " << markdown_text(c.title)
      << "\n\n"
      << markdown_text(c.explanation) << "\n\n";
  if (!c.look_alikes.empty()) out << "Looks like: " << joined_ids(c.look_alikes) << ".\n\n";
  if (!c.next_checks.empty()) {
    out << "What tells it apart:\n\n";
    for (const NextCheck& n : c.next_checks) {
      out << "- " << markdown_text(n.text);
      if (!n.separates.empty()) out << " (separates it from " << joined_ids(n.separates) << ")";
      out << "\n";
    }
    out << "\n";
  }
  if (!c.remediation.empty()) {
    out << "Fix:\n\n";
    for (const auto& r : c.remediation) out << "- " << markdown_text(r) << "\n";
    out << "\n";
  }
  if (!c.references.empty()) {
    out << "Sources:\n\n";
    for (const auto& r : c.references) out << "- " << markdown_text(r) << "\n";
    out << "\n";
  }
  out << "Catalog entry: `diagnosis/catalog/" << c.source.substr(c.source.rfind('/') + 1)
      << "`.\n\n";
}

}  // namespace

std::string causes_markdown(const Catalog& catalog) {
  std::ostringstream out;
  out << "# The causes behind a failed CES/CEP enrollment\n\n"
      << "<!-- Generated from diagnosis/catalog/ by causes_markdown(); do not edit. Regenerate:\n"
      << "       CESLAB_UPDATE_DOCS=1 build/release/tests/ceslab_diagnosis_tests "
         "--gtest_filter='CausesDocument.*' -->\n\n"
      << "Every cause `ceslab diagnose` can name, as the catalog (`diagnosis/catalog/`, one "
         "file per cause) describes it: what happens, what tells it apart from the causes "
         "that look like it, how to fix it and where that is documented. How the engine "
         "weighs the evidence is in [diagnosis.md](diagnosis.md); the scenario that "
         "reproduces each cause is in [mock-coverage.md](mock-coverage.md).\n\n";
  out << "| cause | title | layer | family |\n|---|---|---|---|\n";
  for (const CauseEntry& c : catalog.causes()) {
    const Layer* layer = catalog.find_layer(c.layer);
    out << "| [`" << c.id << "`](#" << c.id << ") | " << cell(c.title) << " | "
        << cell(layer != nullptr ? layer->title : c.layer) << " | "
        << (c.family.empty() ? "—" : "`" + c.family + "`") << " |\n";
  }
  out << "\n";
  for (const Layer& layer : catalog.layers()) {
    bool any = false;
    for (const CauseEntry& c : catalog.causes()) any = any || c.layer == layer.id;
    if (!any) continue;
    out << "## " << layer.title << "\n\n";
    for (const CauseEntry& c : catalog.causes()) {
      if (c.layer == layer.id) cause_section(out, c);
    }
  }
  if (!catalog.families().empty()) {
    out << "## Families: causes that share one wire shape\n\n";
    for (const Family& f : catalog.families()) {
      out << "- `" << f.id << "` (" << markdown_text(f.title) << "): " << joined_ids(f.members)
          << ". " << cell(f.explanation) << "\n";
    }
    out << "\n";
  }
  if (!catalog.outside().empty()) {
    out << "## Answers from something other than CES/CEP\n\n"
        << "The verdict stays `unknown` and the report names who answered:\n\n";
    for (const OutsideEntry& o : catalog.outside()) {
      out << "- `" << o.id << "`: " << markdown_text(o.title) << ". " << cell(o.explanation)
          << "\n";
    }
    out << "\n";
  }
  return out.str();
}

}  // namespace ceslab::diagnosis
