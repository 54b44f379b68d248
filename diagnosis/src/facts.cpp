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

bool search(const Pattern& p, std::string_view text) {
  return p.search(text);
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

}  // namespace

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
  return info_of(test.field).test(test, facts);
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
  return info_of(field).observed(facts);
}

}  // namespace ceslab::diagnosis::detail
