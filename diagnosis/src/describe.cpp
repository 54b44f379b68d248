// SPDX-License-Identifier: GPL-2.0-or-later
// What the report says about a rule: the evidence a condition matched, what
// it expected and saw instead, and what the record shows for a field.
#include <algorithm>

#include "ceslab/core/codes.hpp"
#include "facts.hpp"

namespace ceslab::diagnosis::detail {

namespace {

using core::Evidence;

// One line of evidence text, shortened for a report.
std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 140;
  std::string out = "\"";
  out += text.size() > kMax ? std::string(text.substr(0, kMax)) + "..." : std::string(text);
  out += "\"";
  return out;
}

std::string event_line(const core::ServerEvent& e) {
  std::string out = "event " + e.source + " " + std::to_string(e.id);
  std::string context = e.level;
  if (!e.host.empty()) context += (context.empty() ? "" : ", ") + e.host;
  if (!context.empty()) out += " (" + context + ")";
  if (!e.message.empty()) out += ": " + quoted(e.message);
  return out;
}

std::string code_text(std::uint32_t value) {
  std::string out = core::hex_code(value);
  if (const core::ErrorCode* c = core::CodeTable::builtin().find(value)) out += " " + c->name;
  return out;
}

std::string number_text(Field field, std::int64_t value) {
  if (field == Field::kerberos_gss_minor || field == Field::kerberos_gss_major) {
    const auto u = static_cast<std::uint32_t>(value);
    const auto s = static_cast<std::int32_t>(u);
    return s < 0 ? std::to_string(u) + " (" + std::to_string(s) + ")" : std::to_string(u);
  }
  return std::to_string(value);
}

template <typename T>
std::string optional_text(const std::optional<T>& v) {
  if (!v) return "not observed";
  if constexpr (std::is_same_v<T, bool>) {
    return *v ? "true" : "false";
  } else {
    return std::to_string(*v);
  }
}

// What a test that held actually matched, for the report.
std::string matched_text(const FieldTest& test, const Facts& facts) {
  const Evidence& e = facts.evidence();
  const std::string name(info_of(test.field).name);
  switch (test.field) {
    case Field::message:
      for (std::size_t i = 0; i < e.messages.size(); ++i) {
        if (first_match(test, e.messages[i]) >= 0)
          return "message " + std::to_string(i + 1) + ": " + quoted(e.messages[i]);
      }
      return "message: no line matches " + quoted(test.patterns.front().text());
    case Field::http_header:
      for (const auto& h : e.http->headers) {
        const std::string line = h.name + ": " + h.value;
        if (first_match(test, line) >= 0) return "HTTP header " + quoted(line);
      }
      return "HTTP headers: none matches " + quoted(test.patterns.front().text());
    case Field::code:
      for (const SeenCode& c : facts.codes()) {
        if (std::find(test.numbers.begin(), test.numbers.end(), c.value) != test.numbers.end())
          return "code " + code_text(c.value) + " in " + where(c, e);
      }
      return "code";
    case Field::event:
      if (const auto* ev = first_event(*test.event, e)) return event_line(*ev);
      return "event";
    case Field::no_event:
      return "no server event matches " + test.written.substr(test.written.find(':') + 2) + " (" +
             std::to_string(e.server_events.size()) + " given)";
    default:
      return name + ": " + seen_value(test.field, facts);
  }
}

std::string with_note(std::string text, const Condition& c) {
  if (!c.note.empty()) text += " — " + c.note;
  return text;
}

}  // namespace

std::string seen_value(Field field, const Facts& facts) {
  if (!observed(field, facts)) return "not observed";
  const Evidence& e = facts.evidence();
  const auto* fault = e.fault ? &e.fault->fault : nullptr;
  switch (field) {
    case Field::operation:
      return std::string(core::to_string(e.operation));
    case Field::auth:
      return std::string(core::to_string(e.auth));
    case Field::outcome:
      return std::string(core::to_string(e.outcome));
    case Field::endpoint:
      return e.endpoint;
    case Field::endpoint_path:
      return *facts.endpoint_path();
    case Field::transport:
      return e.transport ? "present" : "absent";
    case Field::transport_kind:
      return e.transport ? core::to_string(e.transport->kind) : "no transport error";
    case Field::transport_message:
      return e.transport ? quoted(e.transport->message) : "no transport error";
    case Field::tls_verify_result:
      return std::to_string(*e.tls.verify_result) + " (" + e.tls.verify_text + ")";
    case Field::tls_verify_text:
      return quoted(e.tls.verify_text);
    case Field::http:
      return e.http ? "present" : "absent";
    case Field::http_status:
      return e.http ? std::to_string(e.http->status) : "no HTTP response";
    case Field::http_header:
      return e.http ? std::to_string(e.http->headers.size()) + " headers" : "no HTTP response";
    case Field::http_page:
      return !e.http                ? "no HTTP response"
             : e.http->page.empty() ? "no HTML page"
                                    : "HTML page " + quoted(e.http->page);
    case Field::soap_error:
      return e.soap_error.empty() ? "the body was SOAP" : quoted(e.soap_error);
    case Field::fault:
      return fault ? "present" : "absent";
    case Field::message:
      return std::to_string(e.messages.size()) + " message lines";
    case Field::code: {
      std::string out;
      for (const SeenCode& c : facts.codes()) out += (out.empty() ? "" : ", ") + code_text(c.value);
      return out;
    }
    case Field::kerberos_gss_major:
      return number_text(field, *e.kerberos.gss_major);
    case Field::kerberos_gss_minor:
      return number_text(field, *e.kerberos.gss_minor);
    case Field::kerberos_gss_text:
      return quoted(*e.kerberos.gss_text);
    case Field::kerberos_forwardable:
      return optional_text(e.kerberos.forwardable);
    case Field::kerberos_ok_as_delegate:
      return optional_text(e.kerberos.ok_as_delegate);
    case Field::kerberos_delegated:
      return optional_text(e.kerberos.delegated);
    case Field::kerberos_channel_binding:
      return optional_text(e.kerberos.channel_binding);
    case Field::event:
    case Field::no_event:
      return std::to_string(e.server_events.size()) + " server events";
    case Field::response:
      return e.response ? "present" : "absent";
    case Field::policy:
      return e.policy ? "present" : "absent";
    case Field::policy_templates:
      return e.policy ? std::to_string(e.policy->templates) : "no policy";
    case Field::policy_not_changed:
      return e.policy ? (e.policy->not_changed ? "true" : "false") : "no policy";
    default:
      break;
  }
  if (field >= Field::fault_kind && field <= Field::fault_has_detail) {
    if (!fault) return "no fault";
    switch (field) {
      case Field::fault_kind:
        return fault_kind_name(fault->kind);
      case Field::fault_action:
        return quoted(fault->action);
      case Field::fault_code:
        return fault->code;
      case Field::fault_subcode:
        return fault->subcode ? *fault->subcode : "none";
      case Field::fault_reason:
        return quoted(fault->reason);
      case Field::fault_error_code:
        return fault->error_code ? code_text(static_cast<std::uint32_t>(*fault->error_code))
                                 : "none";
      case Field::fault_invalid_request:
        return optional_text(fault->invalid_request);
      case Field::fault_request_id:
        return fault->request_id && !fault->request_id->empty()
                   ? "present (" + quoted(*fault->request_id) + ")"
                   : "absent";
      case Field::fault_has_detail:
        return fault->has_detail ? "true" : "false";
      default:
        break;
    }
  }
  if (!e.response) return "no RSTR";
  switch (field) {
    case Field::response_disposition:
      return quoted(e.response->disposition);
    case Field::response_pending:
      return e.response->pending_reference.empty() ? "false"
                                                   : "true (" + e.response->pending_reference + ")";
    case Field::response_certificate:
      return e.response->certificate ? "true" : "false";
    case Field::response_request_id:
      return e.response->request_id.empty() ? "absent"
                                            : "present (" + quoted(e.response->request_id) + ")";
    default:
      return "not observed";
  }
}

std::string describe_match(const Condition& condition, const Facts& facts) {
  std::string out;
  for (const FieldTest& test : condition.tests)
    out += (out.empty() ? "" : "; ") + matched_text(test, facts);
  for (const Condition& alternative : condition.any) {
    if (evaluate(alternative, facts) == Truth::holds) {
      out += (out.empty() ? "" : "; ") + describe_match(alternative, facts);
      break;
    }
  }
  return with_note(out, condition);
}

std::string describe_mismatch(const Condition& condition, const Facts& facts) {
  std::string expected;
  std::string seen;
  for (const FieldTest& test : condition.tests) {
    expected += (expected.empty() ? "" : ", ") + test.written;
    if (evaluate(test, facts) == Truth::fails) {
      seen += (seen.empty() ? "" : "; ") + std::string(info_of(test.field).name) + ": " +
              seen_value(test.field, facts);
    }
  }
  for (const Condition& alternative : condition.any) {
    for (const FieldTest& test : alternative.tests) {
      expected += (expected.empty() ? "" : ", ") + test.written;
    }
  }
  std::string out = "expected " + expected;
  if (!seen.empty()) out += ", but " + seen;
  return with_note(out, condition);
}

}  // namespace ceslab::diagnosis::detail
