// SPDX-License-Identifier: GPL-2.0-or-later
#include "facts.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "ceslab/core/codes.hpp"

namespace ceslab::diagnosis::detail {

namespace {

using core::Evidence;

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The shapes of winerror.h names (E_, ERROR_, RPC_S_, EPT_S_, NTE_, and
// FACILITY_E_ such as CERTSRV_E_, WS_E_, SEC_E_): other upper-case words are
// not looked up.
bool looks_like_code_name(std::string_view token) {
  for (std::string_view prefix : {"E_", "ERROR_", "RPC_", "EPT_", "NTE_"}) {
    if (token.substr(0, prefix.size()) == prefix) return true;
  }
  return token.find("_E_") != std::string_view::npos;
}

void add_code(std::vector<SeenCode>& out, std::uint32_t value, SeenCode::From from,
              std::size_t index) {
  const bool known =
      std::any_of(out.begin(), out.end(), [&](const SeenCode& c) { return c.value == value; });
  if (!known) out.push_back({value, from, index});
}

std::string fault_kind_name(core::FaultKind kind) {
  switch (kind) {
    case core::FaultKind::enrollment_detail:
      return "enrollment_detail";
    case core::FaultKind::wcf_dispatcher:
      return "wcf_dispatcher";
    case core::FaultKind::ws_addressing:
      return "ws_addressing";
    case core::FaultKind::other:
      return "other";
  }
  return "other";
}

// One line of evidence text, shortened for a report.
std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 140;
  std::string out = "\"";
  out += text.size() > kMax ? std::string(text.substr(0, kMax)) + "..." : std::string(text);
  out += "\"";
  return out;
}

// The three states of an optional part of the record: there, known to be
// missing (the exchange is known), or not observed.
enum class Part { present, absent, unknown };

Part part(bool present, const Facts& facts) {
  if (present) return Part::present;
  return facts.exchange_known() ? Part::absent : Part::unknown;
}

Truth truth(bool holds) {
  return holds ? Truth::holds : Truth::fails;
}

bool search(const Pattern& p, std::string_view text) {
  return p.search(text);
}

// Index of the first pattern matching `text`, or -1.
int first_match(const FieldTest& test, std::string_view text) {
  for (std::size_t i = 0; i < test.patterns.size(); ++i) {
    if (search(test.patterns[i], text)) return static_cast<int>(i);
  }
  return -1;
}

Truth text_truth(const FieldTest& test, std::string_view text) {
  const bool matched = first_match(test, text) >= 0;
  const bool negated = !test.patterns.empty() && test.patterns.front().negated();
  return truth(negated ? !matched : matched);
}

// Over several lines: a positive test holds when one line matches, a
// negated one when none does.
template <typename Lines, typename Text>
Truth lines_truth(const FieldTest& test, const Lines& lines, Text&& text_of) {
  const bool negated = !test.patterns.empty() && test.patterns.front().negated();
  bool any = false;
  for (const auto& line : lines) {
    if (first_match(test, text_of(line)) >= 0) {
      any = true;
      break;
    }
  }
  return truth(negated ? !any : any);
}

Truth choice_truth(const FieldTest& test, std::string_view value) {
  return truth(std::find(test.choices.begin(), test.choices.end(), value) != test.choices.end());
}

Truth number_truth(const FieldTest& test, std::int64_t value) {
  return truth(std::find(test.numbers.begin(), test.numbers.end(), value) != test.numbers.end());
}

// GSS-API statuses are OM_uint32; the catalog may write krb5's negative
// error codes, which the loader folds to the same unsigned value.
std::int64_t as_unsigned32(std::int64_t value) {
  return static_cast<std::int64_t>(static_cast<std::uint32_t>(value));
}

template <typename T>
Truth optional_flag(const FieldTest& test, const std::optional<T>& value) {
  if (!value) return Truth::unobserved;
  return truth(*value == test.flag);
}

bool event_matches(const EventPattern& p, const core::ServerEvent& e) {
  if (!p.ids.empty() && std::find(p.ids.begin(), p.ids.end(), e.id) == p.ids.end()) return false;
  if (p.source && !search(*p.source, e.source)) return false;
  if (p.log && !search(*p.log, e.log)) return false;
  if (p.level && !search(*p.level, e.level)) return false;
  if (p.host && !search(*p.host, e.host)) return false;
  if (p.message && !search(*p.message, e.message)) return false;
  return true;
}

const core::ServerEvent* first_event(const EventPattern& p, const Evidence& e) {
  for (const auto& ev : e.server_events) {
    if (event_matches(p, ev)) return &ev;
  }
  return nullptr;
}

Truth presence_truth(const FieldTest& test, Part p) {
  if (p == Part::unknown) return Truth::unobserved;
  return truth((p == Part::present) == test.flag);
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

Facts::Facts(const Evidence& evidence) : evidence_(evidence) {
  if (evidence.fault && evidence.fault->fault.error_code) {
    add_code(codes_, static_cast<std::uint32_t>(*evidence.fault->fault.error_code),
             SeenCode::From::fault, 0);
  }
  for (std::size_t i = 0; i < evidence.messages.size(); ++i)
    scan_codes(evidence.messages[i], SeenCode::From::message, i, codes_);
  for (std::size_t i = 0; i < evidence.server_events.size(); ++i)
    scan_codes(evidence.server_events[i].message, SeenCode::From::event, i, codes_);
}

std::string where(const SeenCode& code, const Evidence& evidence) {
  switch (code.from) {
    case SeenCode::From::fault:
      return "the fault's ErrorCode";
    case SeenCode::From::message:
      return "message " + std::to_string(code.index + 1);
    case SeenCode::From::event: {
      const core::ServerEvent& ev = evidence.server_events[code.index];
      return "event " + ev.source + " " + std::to_string(ev.id);
    }
  }
  return "";
}

void scan_codes(std::string_view text, SeenCode::From from, std::size_t index,
                std::vector<SeenCode>& out) {
  const core::CodeTable& table = core::CodeTable::builtin();
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const bool boundary = i == 0 || (!is_alnum(text[i - 1]) && text[i - 1] != '_');
    if (!boundary) {
      ++i;
      continue;
    }
    if (c == '0' && i + 2 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
      std::size_t j = i + 2;
      while (j < text.size() && is_hex(text[j])) ++j;
      const std::size_t digits = j - (i + 2);
      if (digits >= 1 && digits <= 8 && (j == text.size() || !is_alnum(text[j]))) {
        std::uint32_t value = 0;
        std::from_chars(text.data() + i + 2, text.data() + j, value, 16);
        add_code(out, value, from, index);
      }
      i = j;
      continue;
    }
    if (c == '-' && i + 1 < text.size() && text[i + 1] >= '1' && text[i + 1] <= '9') {
      std::size_t j = i + 1;
      while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
      // Only a failure HRESULT's signed form (-2147483648 ... -2^30):
      // shorter negative numbers are not codes.
      std::int64_t value = 0;
      if (j - i >= 11 && (j == text.size() || !is_alnum(text[j])) &&
          std::from_chars(text.data() + i, text.data() + j, value).ec == std::errc() &&
          value >= std::numeric_limits<std::int32_t>::min() && value <= -(1LL << 30)) {
        add_code(out, static_cast<std::uint32_t>(static_cast<std::int32_t>(value)), from, index);
      }
      i = j;
      continue;
    }
    if (c >= 'A' && c <= 'Z') {
      std::size_t j = i;
      while (j < text.size() && is_name_char(text[j])) ++j;
      const std::string_view token = text.substr(i, j - i);
      if (token.size() >= 5 && looks_like_code_name(token) &&
          (j == text.size() || !is_alnum(text[j]))) {
        if (const core::ErrorCode* code = table.find_name(token))
          add_code(out, code->value, from, index);
      }
      i = j;
      continue;
    }
    ++i;
  }
}

Truth evaluate(const FieldTest& test, const Facts& facts) {
  const Evidence& e = facts.evidence();
  const auto* fault = e.fault ? &e.fault->fault : nullptr;
  const Part fault_part = part(fault != nullptr, facts);
  const Part http_part = part(e.http.has_value(), facts);
  const Part response_part = part(e.response.has_value(), facts);
  // A subfield of a part the record knows to be missing does not hold.
  const auto within = [](Part p, auto&& test_present) -> Truth {
    if (p == Part::unknown) return Truth::unobserved;
    if (p == Part::absent) return Truth::fails;
    return test_present();
  };

  switch (test.field) {
    case Field::operation:
      if (e.operation == core::Operation::unknown) return Truth::unobserved;
      return choice_truth(test, core::to_string(e.operation));
    case Field::auth:
      if (e.auth == core::AuthMethod::unknown) return Truth::unobserved;
      return choice_truth(test, core::to_string(e.auth));
    case Field::outcome:
      return choice_truth(test, core::to_string(e.outcome));
    case Field::endpoint:
      if (e.endpoint.empty()) return Truth::unobserved;
      return text_truth(test, e.endpoint);
    case Field::transport:
      return presence_truth(test, part(e.transport.has_value(), facts));
    case Field::transport_kind:
      return within(part(e.transport.has_value(), facts),
                    [&] { return choice_truth(test, core::to_string(e.transport->kind)); });
    case Field::transport_message:
      return within(part(e.transport.has_value(), facts),
                    [&] { return text_truth(test, e.transport->message); });
    case Field::tls_verify_result:
      if (!e.tls.verify_result) return Truth::unobserved;
      return number_truth(test, *e.tls.verify_result);
    case Field::tls_verify_text:
      if (e.tls.verify_text.empty()) return Truth::unobserved;
      return text_truth(test, e.tls.verify_text);
    case Field::http:
      return presence_truth(test, http_part);
    case Field::http_status:
      return within(http_part, [&] { return number_truth(test, e.http->status); });
    case Field::http_header:
      return within(http_part, [&] {
        return lines_truth(test, e.http->headers,
                           [](const core::HttpHeader& h) { return h.name + ": " + h.value; });
      });
    case Field::soap_error:
      if (!e.soap_error.empty()) return text_truth(test, e.soap_error);
      // An HTTP answer that parsed as SOAP: observed, and nothing to match.
      return within(http_part, [&] { return text_truth(test, ""); });
    case Field::fault:
      return presence_truth(test, fault_part);
    case Field::fault_kind:
      return within(fault_part, [&] { return choice_truth(test, fault_kind_name(fault->kind)); });
    case Field::fault_action:
      return within(fault_part, [&] { return text_truth(test, fault->action); });
    case Field::fault_code:
      return within(fault_part, [&] { return text_truth(test, fault->code); });
    case Field::fault_subcode:
      return within(fault_part, [&] { return text_truth(test, fault->subcode.value_or("")); });
    case Field::fault_reason:
      return within(fault_part, [&] { return text_truth(test, fault->reason); });
    case Field::fault_error_code:
      return within(fault_part, [&] {
        if (!fault->error_code) return Truth::fails;
        return number_truth(test, static_cast<std::uint32_t>(*fault->error_code));
      });
    case Field::fault_invalid_request:
      return within(fault_part, [&] { return optional_flag(test, fault->invalid_request); });
    case Field::fault_request_id:
      return within(fault_part, [&] {
        const bool present = fault->request_id && !fault->request_id->empty();
        return truth(present == test.flag);
      });
    case Field::fault_has_detail:
      return within(fault_part, [&] { return truth(fault->has_detail == test.flag); });
    case Field::response:
      return presence_truth(test, response_part);
    case Field::response_disposition:
      return within(response_part, [&] { return text_truth(test, e.response->disposition); });
    case Field::response_pending:
      return within(response_part,
                    [&] { return truth(!e.response->pending_reference.empty() == test.flag); });
    case Field::response_certificate:
      return within(response_part, [&] { return truth(e.response->certificate == test.flag); });
    case Field::response_request_id:
      return within(response_part,
                    [&] { return truth(!e.response->request_id.empty() == test.flag); });
    case Field::policy:
      return presence_truth(test, part(e.policy.has_value(), facts));
    case Field::policy_templates:
      return within(part(e.policy.has_value(), facts), [&] {
        return number_truth(test, static_cast<std::int64_t>(e.policy->templates));
      });
    case Field::policy_not_changed:
      return within(part(e.policy.has_value(), facts),
                    [&] { return truth(e.policy->not_changed == test.flag); });
    case Field::message:
      if (e.messages.empty()) return Truth::unobserved;
      return lines_truth(test, e.messages,
                         [](const std::string& s) -> const std::string& { return s; });
    case Field::code: {
      if (facts.codes().empty()) return Truth::unobserved;
      for (const SeenCode& c : facts.codes()) {
        if (std::find(test.numbers.begin(), test.numbers.end(), c.value) != test.numbers.end())
          return Truth::holds;
      }
      return Truth::fails;
    }
    case Field::kerberos_gss_major:
      if (!e.kerberos.gss_major) return Truth::unobserved;
      return number_truth(test, as_unsigned32(*e.kerberos.gss_major));
    case Field::kerberos_gss_minor:
      if (!e.kerberos.gss_minor) return Truth::unobserved;
      return number_truth(test, as_unsigned32(*e.kerberos.gss_minor));
    case Field::kerberos_gss_text:
      if (!e.kerberos.gss_text) return Truth::unobserved;
      return text_truth(test, *e.kerberos.gss_text);
    case Field::kerberos_forwardable:
      return optional_flag(test, e.kerberos.forwardable);
    case Field::kerberos_ok_as_delegate:
      return optional_flag(test, e.kerberos.ok_as_delegate);
    case Field::kerberos_delegated:
      return optional_flag(test, e.kerberos.delegated);
    case Field::kerberos_channel_binding:
      return optional_flag(test, e.kerberos.channel_binding);
    case Field::event:
      if (e.server_events.empty()) return Truth::unobserved;
      return truth(first_event(*test.event, e) != nullptr);
    case Field::no_event:
      if (e.server_events.empty()) return Truth::unobserved;
      return truth(first_event(*test.event, e) == nullptr);
  }
  return Truth::unobserved;
}

Truth evaluate(const Condition& condition, const Facts& facts) {
  Truth result = Truth::holds;
  for (const FieldTest& test : condition.tests) {
    const Truth t = evaluate(test, facts);
    if (t == Truth::fails) return Truth::fails;
    if (t == Truth::unobserved) result = Truth::unobserved;
  }
  if (!condition.any.empty()) {
    Truth any = Truth::fails;
    for (const Condition& alternative : condition.any) {
      const Truth t = evaluate(alternative, facts);
      if (t == Truth::holds) {
        any = Truth::holds;
        break;
      }
      if (t == Truth::unobserved) any = Truth::unobserved;
    }
    if (any == Truth::fails) return Truth::fails;
    if (any == Truth::unobserved) result = Truth::unobserved;
  }
  return result;
}

bool observed(Field field, const Facts& facts) {
  const Evidence& e = facts.evidence();
  switch (field) {
    case Field::operation:
      return e.operation != core::Operation::unknown;
    case Field::auth:
      return e.auth != core::AuthMethod::unknown;
    case Field::outcome:
      return true;
    case Field::endpoint:
      return !e.endpoint.empty();
    case Field::tls_verify_result:
      return e.tls.verify_result.has_value();
    case Field::tls_verify_text:
      return !e.tls.verify_text.empty();
    case Field::message:
      return !e.messages.empty();
    case Field::code:
      return !facts.codes().empty();
    case Field::kerberos_gss_major:
      return e.kerberos.gss_major.has_value();
    case Field::kerberos_gss_minor:
      return e.kerberos.gss_minor.has_value();
    case Field::kerberos_gss_text:
      return e.kerberos.gss_text.has_value();
    case Field::kerberos_forwardable:
      return e.kerberos.forwardable.has_value();
    case Field::kerberos_ok_as_delegate:
      return e.kerberos.ok_as_delegate.has_value();
    case Field::kerberos_delegated:
      return e.kerberos.delegated.has_value();
    case Field::kerberos_channel_binding:
      return e.kerberos.channel_binding.has_value();
    case Field::event:
    case Field::no_event:
      return !e.server_events.empty();
    case Field::fault_invalid_request:
      return e.fault && e.fault->fault.invalid_request.has_value();
    case Field::transport:
    case Field::transport_kind:
    case Field::transport_message:
    case Field::http:
    case Field::http_status:
    case Field::http_header:
    case Field::soap_error:
      return facts.exchange_known();
    case Field::fault:
    case Field::fault_kind:
    case Field::fault_action:
    case Field::fault_code:
    case Field::fault_subcode:
    case Field::fault_reason:
    case Field::fault_error_code:
    case Field::fault_request_id:
    case Field::fault_has_detail:
      return e.fault.has_value() || facts.exchange_known();
    case Field::response:
    case Field::response_disposition:
    case Field::response_pending:
    case Field::response_certificate:
    case Field::response_request_id:
      return e.response.has_value() || facts.exchange_known();
    case Field::policy:
    case Field::policy_templates:
    case Field::policy_not_changed:
      return e.policy.has_value() || facts.exchange_known();
  }
  return false;
}

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
