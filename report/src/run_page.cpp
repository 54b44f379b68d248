// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "ceslab/report/html_pages.hpp"
#include "ceslab/runner/scenario_record.hpp"
#include "diagnosis_section.hpp"
#include "html.hpp"
#include "pretty_xml.hpp"

namespace ceslab::report {

namespace {

using runner::Result;
using runner::ScenarioResult;

constexpr Result kResults[] = {Result::fail, Result::xpass, Result::xfail, Result::skip,
                               Result::pass};

std::string seconds(std::chrono::milliseconds ms) {
  return fixed(static_cast<double>(ms.count()) / 1000.0, 2) + " s";
}

std::string badge(Result r) {
  const std::string name(runner::to_string(r));
  return "<span class=\"badge " + name + "\">" + name + "</span>";
}

std::string count_box(std::string_view label, std::size_t n) {
  return "<div class=\"count\"><b>" + std::to_string(n) + "</b>" + escape(label) + "</div>";
}

std::size_t count_of(const std::vector<ScenarioResult>& results, Result r) {
  return static_cast<std::size_t>(std::count_if(
      results.begin(), results.end(), [r](const ScenarioResult& s) { return s.result == r; }));
}

// Windows' headers end in CRLF; a browser shows the CR as nothing useful.
std::string without_cr(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '\r'), text.end());
  return text;
}

std::string message_text(const client::RedactedMessage& m) {
  return without_cr(m.head) + pretty_xml(m.body).value_or(m.body);
}

std::string exchange_html(const runner::RecordedExchange& e) {
  const bool failed = !e.exchange.response;
  std::string out = std::string("<div class=\"exchange") + (failed ? " failed" : "") + "\">";
  out +=
      "<p><b>" + escape(e.step) + "</b> · " + escape(e.label) + " · <code>" + escape(e.url) +
      "</code> · " + std::to_string(e.total.count()) +
      " ms <span class=\"muted\">· secrets redacted as --capture does, XML re-indented</span></p>"
      "<div class=\"pair\"><div>";
  out += "<h4>Request</h4><pre>" + escape(message_text(e.exchange.request)) + "</pre></div><div>";
  if (e.exchange.response) {
    out += "<h4>Response</h4><pre>" + escape(message_text(*e.exchange.response)) + "</pre>";
  } else {
    out += "<h4>No response</h4><p class=\"error\">" +
           escape(e.transport_error.empty() ? "no answer came" : e.transport_error) + "</p>";
  }
  return out + "</div></div></div>";
}

std::string events_table(const std::vector<core::ServerEvent>& events) {
  if (events.empty()) return "<p class=\"muted\">No event was logged.</p>";
  std::string out =
      "<table><thead><tr><th>time</th><th>host</th><th>log</th><th>source</th><th "
      "class=\"num\">id</th><th>level</th><th>message</th></tr></thead><tbody>";
  for (const auto& e : events) {
    out += "<tr><td>" + escape(e.time) + "</td><td>" + escape(e.host) + "</td><td>" +
           escape(e.log) + "</td><td>" + escape(e.source) + "</td><td class=\"num\">" +
           std::to_string(e.id) + "</td><td>" + escape(e.level) + "</td><td>" + escape(e.message) +
           "</td></tr>";
  }
  return out + "</tbody></table>";
}

std::string record_html(const runner::ScenarioRecord& record) {
  std::string out = "<h3>Exchanges</h3>";
  if (record.exchanges.empty()) out += "<p class=\"muted\">No exchange was made.</p>";
  for (const auto& e : record.exchanges) out += exchange_html(e);
  out += "<h3>Server events</h3>" + events_table(record.server_events);
  if (record.evidence) {
    nlohmann::json j;
    to_json(j, *record.evidence);
    out +=
        "<h3>Evidence</h3><details><summary>The client's evidence of the last step "
        "(ceslab.evidence/1)</summary><pre>" +
        escape(j.dump(2)) + "</pre></details>";
  }
  if (record.client_only || record.with_server_events) {
    out += "<h3>Diagnoses</h3><div class=\"diagnoses\">";
    if (record.client_only) {
      out += diagnosis_section(*record.client_only, "From the client's evidence alone", false);
    }
    if (record.with_server_events) {
      out += diagnosis_section(*record.with_server_events, "With the server's events", false);
    }
    out += "</div>";
  }
  return out;
}

std::string details_html(const ScenarioResult& r) {
  std::string out = "<div><p class=\"muted\">group " + escape(r.group) +
                    " · expected client only: " + escape(r.expected_client_only) + "</p>";
  if (!r.error.empty()) out += "<p class=\"error\">Error: " + escape(r.error) + "</p>";
  if (!r.reason.empty()) out += "<p>" + escape(r.reason) + "</p>";
  if (!r.diffs.empty()) {
    out +=
        "<h3>What did not hold</h3><table><thead><tr><th>step</th><th>field</th><th>expected</"
        "th><th>actual</th></tr></thead><tbody>";
    for (const auto& d : r.diffs) {
      out += "<tr><td>" + escape(d.step) + "</td><td>" + escape(d.field) + "</td><td>" +
             escape(d.expected) + "</td><td>" + escape(d.actual) + "</td></tr>";
    }
    out += "</tbody></table>";
  }
  if (!r.artefacts.empty()) {
    out += "<p class=\"muted\">Artefacts: <code>" + escape(r.artefacts.string()) + "</code></p>";
  }
  if (r.record) out += record_html(*r.record);
  return out + "</div>";
}

std::string row_html(const ScenarioResult& r) {
  const std::string result(runner::to_string(r.result));
  std::string out = "<details class=\"scenario\" data-row data-result=\"" + result + "\">";
  out += "<summary>" + badge(r.result) + element("span", r.id, "id") + element("span", r.expected) +
         element("span", r.verdict_client_only.empty() ? "-" : r.verdict_client_only) +
         element("span", r.verdict_with_events.empty() ? "-" : r.verdict_with_events) +
         element("span", seconds(r.duration), "time") + "</summary>";
  return out + details_html(r) + "</details>";
}

}  // namespace

std::string run_page(const std::vector<ScenarioResult>& results, const runner::Summary& summary) {
  // Failed ones first (FAIL, XPASS), then the rest, each in the order run.
  std::vector<const ScenarioResult*> ordered;
  for (const auto& r : results) ordered.push_back(&r);
  std::stable_partition(ordered.begin(), ordered.end(),
                        [](const ScenarioResult* r) { return r->failed(); });

  std::string body = "<h1>ceslab run</h1>";
  body += "<p class=\"muted\">" + escape(runner::summary_line(summary)) + " · " +
          std::to_string(results.size()) + " scenarios in " + seconds(summary.seconds) + "</p>";
  body += "<div class=\"counts\">" + count_box("scenarios", results.size()) +
          count_box("passed", summary.passed) + count_box("failed", summary.failed) +
          count_box("xfail", summary.xfailed) + count_box("xpass", summary.xpassed) +
          count_box("skipped", summary.skipped) + "</div>";
  body += "<div class=\"filters\">Show: ";
  for (const Result r : kResults) {
    const std::size_t n = count_of(results, r);
    if (n == 0) continue;
    const std::string name(runner::to_string(r));
    body += "<label><input type=\"checkbox\" checked data-filter=\"" + name + "\"> " + badge(r) +
            " " + std::to_string(n) + "</label>";
  }
  body +=
      "</div><div class=\"rows\"><div class=\"head\"><span>result</span><span>scenario</"
      "span><span>expected</span><span>client only</span><span>with server "
      "events</span><span class=\"time\">time</span></div>";
  for (const ScenarioResult* r : ordered) body += row_html(*r);
  body += "</div>";
  return page("ceslab run: " + runner::summary_line(summary), body);
}

void write_page(const std::filesystem::path& file, const std::string& html) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << html;
  out.close();
  if (!out) throw std::runtime_error(file.string() + ": the HTML report cannot be written");
}

}  // namespace ceslab::report
