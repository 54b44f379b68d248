// SPDX-License-Identifier: GPL-2.0-or-later
#include "expectations.hpp"

#include <algorithm>

#include "ceslab/core/codes.hpp"

namespace ceslab::runner {
namespace {

std::string or_none(const std::optional<std::string>& value) {
  return value ? "'" + *value + "'" : "none";
}

std::string code_text(std::uint32_t value) {
  return core::format_code(value);
}

std::string list_text(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& i : items) out += (out.size() > 1 ? ", " : "") + i;
  return out + "]";
}

std::string event_text(const std::string& log, const std::string& source, int id) {
  return source + " " + std::to_string(id) + " (" + log + ")";
}

// The RequestID the answer carried: the fault detail's, else the RSTR's.
std::optional<std::string> request_id_of(const core::Evidence& e) {
  if (e.fault && e.fault->fault.request_id && !e.fault->fault.request_id->empty()) {
    return e.fault->fault.request_id;
  }
  if (e.response && !e.response->request_id.empty()) return e.response->request_id;
  return std::nullopt;
}

void compare_fault(const std::string& step, const FaultExpectation& x, const core::Evidence& e,
                   std::vector<FieldDiff>& diffs) {
  if (!e.fault) {
    diffs.push_back({step, "fault", "a SOAP fault", "none"});
    return;
  }
  const core::EnrollmentFault& f = e.fault->fault;
  auto check = [&](const char* field, const std::optional<std::string>& want,
                   const std::optional<std::string>& got) {
    if (want && want != got) diffs.push_back({step, field, or_none(want), or_none(got)});
  };
  check("fault.code", x.code, f.code);
  check("fault.subcode", x.subcode, f.subcode);
  check("fault.reason", x.reason, f.reason);
  if (x.error_code) {
    const auto want = core::CodeTable::builtin().parse_code(*x.error_code);
    const std::string got =
        f.error_code ? code_text(static_cast<std::uint32_t>(*f.error_code)) : "none";
    if (!f.error_code || static_cast<std::uint32_t>(*f.error_code) != want) {
      diffs.push_back({step, "fault.error_code", want ? code_text(*want) : *x.error_code, got});
    }
  }
  if (x.invalid_request && f.invalid_request != x.invalid_request) {
    diffs.push_back({step, "fault.invalid_request", *x.invalid_request ? "true" : "false",
                     f.invalid_request ? (*f.invalid_request ? "true" : "false") : "none"});
  }
}

}  // namespace

void compare_step(const std::string& step, const StepExpectation& x, const core::Evidence& e,
                  int exit_code, const std::vector<mock::Event>& events,
                  std::vector<FieldDiff>& diffs) {
  if (x.outcome && *x.outcome != core::to_string(e.outcome)) {
    std::string actual(core::to_string(e.outcome));
    if (!e.messages.empty()) actual += ": " + e.messages.back();
    diffs.push_back({step, "outcome", *x.outcome, actual});
  }
  if (x.http_status) {
    const int got = e.http ? e.http->status : 0;
    if (got != *x.http_status) {
      auto text = [](int s) { return s == 0 ? std::string("none") : std::to_string(s); };
      diffs.push_back({step, "http_status", text(*x.http_status), text(got)});
    }
  }
  if (x.no_fault && e.fault) {
    diffs.push_back({step, "fault", "none", "'" + e.fault->fault.reason + "'"});
  }
  if (x.fault) compare_fault(step, *x.fault, e, diffs);
  if (x.request_id) {
    const auto got = request_id_of(e);
    if (got.has_value() != *x.request_id) {
      diffs.push_back({step, "request_id", *x.request_id ? "present" : "nil",
                       got ? "present (" + *got + ")" : "nil"});
    }
  }
  if (x.events) {
    std::vector<std::string> want, got;
    for (const auto& ev : *x.events) want.push_back(event_text(ev.log, ev.source, ev.id));
    for (const auto& ev : events) got.push_back(event_text(ev.log, ev.source, ev.id));
    if (want != got) diffs.push_back({step, "events", list_text(want), list_text(got)});
  }
  if (x.exit_code && *x.exit_code != exit_code) {
    diffs.push_back({step, "exit_code", std::to_string(*x.exit_code), std::to_string(exit_code)});
  }
  if (x.templates) {
    const std::string got = e.policy ? std::to_string(e.policy->templates) : "no policy";
    if (!e.policy || e.policy->templates != *x.templates) {
      diffs.push_back({step, "templates", std::to_string(*x.templates), got});
    }
  }
}

void compare_diagnosis(const std::string& label, const DiagnosisExpectation& x,
                       const diagnosis::Diagnosis& d, std::vector<FieldDiff>& diffs) {
  auto verdict_text = [](const diagnosis::Diagnosis& dd) {
    std::string t = dd.verdict;
    if (!dd.tied.empty()) t += " (tied: " + list_text(dd.tied) + ")";
    return t;
  };
  if (d.verdict != x.verdict) {
    diffs.push_back({label, "verdict", x.verdict, verdict_text(d)});
  }
  for (const auto& id : x.candidates) {
    const bool listed = std::any_of(d.candidates.begin(), d.candidates.end(),
                                    [&](const diagnosis::Candidate& c) { return c.cause == id; });
    if (!listed) {
      std::vector<std::string> ids;
      for (const auto& c : d.candidates) ids.push_back(c.cause);
      diffs.push_back({label, "candidates", id + " listed", list_text(ids)});
    }
  }
  if (x.tied) {
    // Tied causes are equally strong; their order is only the catalog's.
    std::vector<std::string> want = *x.tied, got = d.tied;
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    if (want != got) diffs.push_back({label, "tied", list_text(want), list_text(got)});
  }
  for (const auto& id : x.not_causes) {
    if (d.verdict == id || std::find(d.tied.begin(), d.tied.end(), id) != d.tied.end()) {
      diffs.push_back({label, "not", id + " neither verdict nor tied", verdict_text(d)});
    }
  }
}

}  // namespace ceslab::runner
