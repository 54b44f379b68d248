// SPDX-License-Identifier: GPL-2.0-or-later
#include "facts.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <unordered_set>

#include "ceslab/core/codes.hpp"
#include "ceslab/core/url.hpp"

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

// Every sighting is kept here; Facts keeps the first of each value (a long
// log must not cost a pass over the codes per code).
void add_code(std::vector<SeenCode>& out, std::uint32_t value, SeenCode::From from,
              std::size_t index) {
  out.push_back({value, from, index});
}

void keep_first_of_each(std::vector<SeenCode>& codes) {
  std::unordered_set<std::uint32_t> seen;
  codes.erase(std::remove_if(codes.begin(), codes.end(),
                             [&](const SeenCode& c) { return !seen.insert(c.value).second; }),
              codes.end());
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

Truth presence_truth(const FieldTest& test, Part p) {
  if (p == Part::unknown) return Truth::unobserved;
  return truth((p == Part::present) == test.flag);
}

}  // namespace

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

// Index of the first pattern matching `text`, or -1.
int first_match(const FieldTest& test, std::string_view text) {
  for (std::size_t i = 0; i < test.patterns.size(); ++i) {
    if (search(test.patterns[i], text)) return static_cast<int>(i);
  }
  return -1;
}

const core::ServerEvent* first_event(const EventPattern& p, const Evidence& e) {
  for (const auto& ev : e.server_events) {
    if (event_matches(p, ev)) return &ev;
  }
  return nullptr;
}

Facts::Facts(const Evidence& evidence) : evidence_(evidence) {
  if (evidence.fault && evidence.fault->fault.error_code) {
    add_code(codes_, static_cast<std::uint32_t>(*evidence.fault->fault.error_code),
             SeenCode::From::fault, 0);
  }
  if (evidence.fault) {
    // Linux clients (cepces, certmonger) keep only the fault's Reason. CES
    // puts the CA's or Windows' message there ("The RPC server is
    // unavailable."), sometimes with its code: either names the code.
    const std::string& reason = evidence.fault->fault.reason;
    const std::size_t before = codes_.size();
    scan_codes(reason, SeenCode::From::reason, 0, codes_);
    if (codes_.size() == before) {
      if (const core::ErrorCode* c = core::CodeTable::builtin().find_message(reason))
        add_code(codes_, c->value, SeenCode::From::reason, 0);
    }
  }
  for (std::size_t i = 0; i < evidence.messages.size(); ++i)
    scan_codes(evidence.messages[i], SeenCode::From::message, i, codes_);
  for (std::size_t i = 0; i < evidence.server_events.size(); ++i)
    scan_codes(evidence.server_events[i].message, SeenCode::From::event, i, codes_);
  keep_first_of_each(codes_);
  // An exported log holds the events of every request: when the failure
  // carries a code of its own (the fault's, or a client line's other than
  // the bare "a fault was received"), codes in event texts are other
  // requests' as often as this one's and do not count as seen. Event rules
  // still match those events on their own terms.
  constexpr std::uint32_t kFaultReceived = 0x803d0013;  // WS_E_ENDPOINT_FAULT_RECEIVED
  const bool own_code = std::any_of(codes_.begin(), codes_.end(), [](const SeenCode& c) {
    return c.from != SeenCode::From::event && c.value != kFaultReceived;
  });
  if (own_code) {
    codes_.erase(std::remove_if(codes_.begin(), codes_.end(),
                                [](const SeenCode& c) { return c.from == SeenCode::From::event; }),
                 codes_.end());
  }
  if (!evidence.endpoint.empty()) {
    try {
      endpoint_path_ = core::parse_url(evidence.endpoint).target;
    } catch (const std::exception&) {
      // Not an http(s) URL (a typo in a pasted command line): no path to test.
    }
  }
}

std::string where(const SeenCode& code, const Evidence& evidence) {
  switch (code.from) {
    case SeenCode::From::fault:
      return "the fault's ErrorCode";
    case SeenCode::From::reason:
      return "the fault's Reason";
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
      if (!e.auth) return Truth::unobserved;
      return choice_truth(test, core::to_string(e.auth));
    case Field::outcome:
      return choice_truth(test, core::to_string(e.outcome));
    case Field::endpoint:
      if (e.endpoint.empty()) return Truth::unobserved;
      return text_truth(test, e.endpoint);
    case Field::endpoint_path:
      if (!facts.endpoint_path()) return Truth::unobserved;
      return text_truth(test, *facts.endpoint_path());
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
      // A status rebuilt from a client code (certreq's HTTP_E_STATUS_*, cepces'
      // HTTPError) comes without headers: they were not seen, not absent.
      if (e.http && e.http->headers.empty()) return Truth::unobserved;
      return within(http_part, [&] {
        return lines_truth(test, e.http->headers,
                           [](const core::HttpHeader& h) { return h.name + ": " + h.value; });
      });
    case Field::http_page:
      // A status rebuilt from a client code comes without a body either.
      if (e.http && e.http->headers.empty() && e.http->page.empty()) return Truth::unobserved;
      return within(http_part, [&] { return text_truth(test, e.http->page); });
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
      return e.auth.has_value();
    case Field::outcome:
      return true;
    case Field::endpoint:
      return !e.endpoint.empty();
    case Field::endpoint_path:
      return facts.endpoint_path().has_value();
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
    case Field::http_page:
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

}  // namespace ceslab::diagnosis::detail
