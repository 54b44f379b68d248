// SPDX-License-Identifier: GPL-2.0-or-later
#include "html.hpp"

#include <cstdio>

namespace ceslab::report {

namespace {

// One style sheet for every page: readable without it, nothing fetched.
constexpr std::string_view kStyle = R"css(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:1em 1.5em;color:#1d1d1f;background:#fff}
h1{font-size:1.5em;margin:.2em 0 .6em}h2{font-size:1.2em;margin:1.4em 0 .5em}h3{font-size:1.05em;margin:1em 0 .4em}
table{border-collapse:collapse;margin:.4em 0 1em}th,td{border:1px solid #d6d6db;padding:.25em .55em;text-align:left;vertical-align:top}
th{background:#f3f3f6}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f7f7f9;border:1px solid #e2e2e8;padding:.6em;overflow:auto;max-height:32em;white-space:pre-wrap;word-break:break-all;font:12px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
.counts{display:flex;gap:.6em;flex-wrap:wrap;margin:.5em 0 1em}.count{border:1px solid #d6d6db;border-radius:6px;padding:.4em .9em;min-width:5.5em}
.count b{display:block;font-size:1.5em}
.badge{display:inline-block;min-width:3.6em;text-align:center;border-radius:4px;padding:0 .4em;font-weight:600;font-size:.85em;color:#fff}
.PASS{background:#2e7d32}.FAIL{background:#c62828}.XPASS{background:#ad1457}.XFAIL{background:#6d6d75}.SKIP{background:#9e9e9e}
.filters{margin:.5em 0}.filters label{margin-right:1em;cursor:pointer}
.rows{border:1px solid #d6d6db;border-radius:6px}
.head,.scenario>summary{display:grid;grid-template-columns:5em minmax(14em,2fr) minmax(8em,1.2fr) minmax(8em,1.2fr) minmax(8em,1.2fr) 5em;gap:.6em;padding:.35em .6em;align-items:baseline}
.head{background:#f3f3f6;font-weight:600;border-bottom:1px solid #d6d6db}
.scenario{border-bottom:1px solid #ececf0}.scenario>summary{cursor:pointer;list-style:none}.scenario>summary::-webkit-details-marker{display:none}
.scenario[open]>summary{background:#eef3fb}.scenario>div{padding:.2em 1em 1em}
.time{text-align:right;font-variant-numeric:tabular-nums}.id{font-weight:600;word-break:break-all}
.exchange{border-left:3px solid #90a4c8;margin:.6em 0;padding:.1em .8em}.exchange.failed{border-left-color:#c62828}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:.8em}@media (max-width:900px){.pair{grid-template-columns:1fr}}
.muted{color:#6d6d75}.error{color:#c62828}
.diagnosis{border:1px solid #d6d6db;border-radius:6px;padding:.2em .9em;margin:.6em 0;overflow-x:auto}
.diagnosis h4{margin:.8em 0 .2em}table.candidates{width:100%}.candidates td:first-child{min-width:14em}
svg{max-width:100%;height:auto;font:11px system-ui,sans-serif}
)css";

// Filtering by result, then the marker a browser test waits for.
constexpr std::string_view kScript = R"js(
(function () {
  'use strict';
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[data-filter]'));
  var rows = Array.prototype.slice.call(document.querySelectorAll('[data-result]'));
  function apply() {
    var shown = {};
    boxes.forEach(function (b) { shown[b.getAttribute('data-filter')] = b.checked; });
    var visible = 0;
    rows.forEach(function (r) {
      var on = shown[r.getAttribute('data-result')] !== false;
      r.hidden = !on;
      if (on) { visible += 1; }
    });
    document.body.setAttribute('data-visible', String(visible));
  }
  var only = /[#&]result=([A-Z,]+)/.exec(window.location.hash);
  if (only) {
    var wanted = only[1].split(',');
    boxes.forEach(function (b) { b.checked = wanted.indexOf(b.getAttribute('data-filter')) >= 0; });
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
  // The first failure is what a reader opens the page for.
  var failed = rows.filter(function (r) {
    var result = r.getAttribute('data-result');
    return result === 'FAIL' || result === 'XPASS';
  });
  if (failed.length > 0 && failed[0].tagName === 'DETAILS') { failed[0].open = true; }
  document.body.setAttribute('data-rows', String(document.querySelectorAll('[data-row]').length));
  document.body.setAttribute('data-ready', '1');
})();
)js";

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
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
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string element(std::string_view tag, std::string_view text, std::string_view cls) {
  std::string out = "<" + std::string(tag);
  if (!cls.empty()) out += " class=\"" + escape(cls) + "\"";
  return out + ">" + escape(text) + "</" + std::string(tag) + ">";
}

std::string list(const std::vector<std::string>& items) {
  if (items.empty()) return {};
  std::string out = "<ul>";
  for (const auto& i : items) out += element("li", i);
  return out + "</ul>";
}

std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string page(std::string_view title, std::string_view body) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // No request may leave the page: a report is read offline, in a ticket.
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>" + escape(title) + "</title>\n<style>" + std::string(kStyle) + "</style>\n";
  out += "</head>\n<body>\n";
  out += body;
  out += "\n<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace ceslab::report
