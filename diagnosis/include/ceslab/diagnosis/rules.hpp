// SPDX-License-Identifier: GPL-2.0-or-later
// The evidence rules of the cause catalog, compiled from its YAML: which facts
// of a core::Evidence a cause requires, which support it and which rule it
// out. The vocabulary of fields is fixed here (docs/diagnosis.md, "Fields");
// what the causes are and which facts point to them is data
// (diagnosis/catalog/).
#pragma once

#include <cstdint>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace ceslab::diagnosis {

// One fact of the Evidence record a rule may test, named in the catalog by
// the dotted name in field_info() ("fault.error_code").
enum class Field : std::uint8_t {
  operation,
  auth,
  outcome,
  endpoint,
  endpoint_path,
  transport,
  transport_kind,
  transport_message,
  tls_verify_result,
  tls_verify_text,
  http,
  http_status,
  http_header,
  http_page,
  soap_error,
  fault,
  fault_kind,
  fault_action,
  fault_code,
  fault_subcode,
  fault_reason,
  fault_error_code,
  fault_invalid_request,
  fault_request_id,
  fault_has_detail,
  response,
  response_disposition,
  response_pending,
  response_certificate,
  response_request_id,
  policy,
  policy_templates,
  policy_not_changed,
  message,
  code,
  kerberos_gss_major,
  kerberos_gss_minor,
  kerberos_gss_text,
  kerberos_forwardable,
  kerberos_ok_as_delegate,
  kerberos_delegated,
  kerberos_channel_binding,
  event,
  no_event,
};

// How a field's value is written in the catalog and compared.
enum class FieldType : std::uint8_t {
  choice,    // one name of a fixed set, or a list of them (any of)
  text,      // a regular expression, a list of them (any of), or {not: regex}
  number,    // an integer (decimal, signed decimal or 0x hex), or a list
  code,      // an HRESULT in any form the code table reads, or a list
  flag,      // true / false
  presence,  // true / false: the part is there
  event,     // {log, source, level, host, message: regex; id: number(s)}
};

struct FieldTest;
namespace detail {
class Facts;  // the engine's view of one record (diagnosis/src/facts.hpp)
enum class Truth : std::uint8_t;
}  // namespace detail

// One row per field: what the catalog and its documentation say about it,
// and how the engine reads it from a record, so a new field is one new row.
struct FieldInfo {
  Field field;
  std::string_view name;  // "fault.error_code"
  FieldType type;
  std::vector<std::string_view> choices;  // choice fields only
  std::string_view meaning;               // one line for docs and error messages
  // Whether a test of this field holds, fails, or the record does not show it.
  detail::Truth (*test)(const FieldTest& test, const detail::Facts& facts);
  // Whether the record shows the field at all.
  bool (*observed)(const detail::Facts& facts);
  // What the record shows for it, briefly ("false", "401"); asked only when observed.
  std::string (*seen)(const detail::Facts& facts);
  // What a test that held matched, for the report; nullptr: "<name>: <seen>".
  std::string (*matched)(const FieldTest& test, const detail::Facts& facts) = nullptr;
};

// The whole vocabulary, in documentation order.
const std::vector<FieldInfo>& field_info();
const FieldInfo* find_field(std::string_view name);
const FieldInfo& info_of(Field field);

// A regular expression as written: ECMAScript, case-insensitive, searched
// (not anchored unless it says ^ or $). Alternations of plain text — most of
// the catalog's patterns (`Denied by Policy Module`, `^InvalidSecurity$`,
// `EncodingType|ValueType`) — are matched without the regex engine, which
// keeps a diagnosis well under the 20 us the throughput goal allows.
class Pattern {
 public:
  // Throws std::regex_error for a pattern std::regex refuses.
  static Pattern compile(std::string text, bool negated = false);

  // Whether `text` contains a match (ignoring `negated`).
  bool search(std::string_view text) const;
  const std::string& text() const { return text_; }
  // {not: regex}: the test holds when the value does not match.
  bool negated() const { return negated_; }

 private:
  struct Literal {
    std::string lower;  // ASCII lower case
    bool at_start = false;
    bool at_end = false;
  };
  std::string text_;
  bool negated_ = false;
  std::vector<Literal> literals_;  // used when regex_ is empty
  std::optional<std::regex> regex_;
};

// What `event:` / `no_event:` look for in one server event; unset parts
// match anything.
struct EventPattern {
  std::optional<Pattern> log, source, level, host, message;
  std::vector<std::int64_t> ids;
};

// One test of one field.
struct FieldTest {
  Field field = Field::operation;
  std::vector<std::string> choices;   // choice: any of
  std::vector<std::int64_t> numbers;  // number, code (unsigned 32-bit value): any of
  std::vector<Pattern> patterns;      // text: any of (one when negated)
  bool flag = false;                  // flag, presence
  std::optional<EventPattern> event;  // event, no_event
  std::string written;                // the test as the catalog wrote it, for reports
};

// A condition holds when all its tests hold and, if it has an `any` list,
// at least one of those conditions holds.
struct Condition {
  std::vector<FieldTest> tests;
  std::vector<Condition> any;
  double weight = 1.0;  // what it adds when it holds (requires, supports)
  std::string note;     // why it matters, shown with the evidence that matched
  int line = 0;         // where the catalog wrote it
};

struct EvidenceRules {
  std::vector<Condition> requires_all;  // every one must hold for the cause to be a candidate
  std::vector<Condition> supports;      // each that holds adds its weight
  std::vector<Condition> rules_out;     // any that holds removes the candidate
};

}  // namespace ceslab::diagnosis
