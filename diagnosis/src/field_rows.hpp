// SPDX-License-Identifier: GPL-2.0-or-later
// Inside the engine: what the rows of the field vocabulary share to read a
// field from a record — the three-valued tests of each field type and the
// short texts a report shows for what was seen.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "facts.hpp"

namespace ceslab::diagnosis::detail {

// The vocabulary's rows in documentation order: the request and what came
// back on the wire before any SOAP (exchange_fields.cpp), the SOAP answer
// (answer_fields.cpp), and what logs and tickets add (log_fields.cpp).
std::vector<FieldInfo> request_fields();
std::vector<FieldInfo> wire_fields();
std::vector<FieldInfo> fault_fields();
std::vector<FieldInfo> response_and_policy_fields();
std::vector<FieldInfo> log_fields();

// What the report shows of a field.
// One line of evidence text, shortened.
std::string quoted(std::string_view text);
// "0x80094012 CERTSRV_E_TEMPLATE_DENIED" (the name when the code table has one).
std::string code_text(std::uint32_t value);
// An OM_uint32 status, with its signed krb5 form when that is negative.
std::string gss_status_text(std::int64_t value);
std::string flag_text(bool value);
std::string presence_text(bool present);
// "event <source> <id> (<level>, <host>): "<message>"".
std::string event_line(const core::ServerEvent& event);

// What the catalog and its documentation say about a field.
struct FieldHead {
  Field field;
  std::string_view name;
  FieldType type;
  std::string_view meaning;
  std::vector<std::string_view> choices = {};  // choice fields only
};
using TestFn = decltype(FieldInfo::test);
using ObservedFn = decltype(FieldInfo::observed);
using SeenFn = decltype(FieldInfo::seen);
using MatchedFn = decltype(FieldInfo::matched);

inline FieldInfo row(FieldHead head, TestFn test, ObservedFn observed, SeenFn seen,
                     MatchedFn matched = nullptr) {
  return {head.field, head.name, head.type, std::move(head.choices), head.meaning, test,
          observed,   seen,      matched};
}

inline Truth truth(bool holds) {
  return holds ? Truth::holds : Truth::fails;
}

// A test of something inside an optional part of the record (a pointer or an
// optional): it fails when the record knows the part is missing, and is not
// observed when the record does not tell (Facts::exchange_known).
template <typename Part, typename TestPresent>
Truth within(const Part& part, const Facts& facts, TestPresent&& test_present) {
  if (part) return test_present();
  return facts.exchange_known() ? Truth::fails : Truth::unobserved;
}

// `part: true/false`: whether the part is there, where the record can tell.
inline Truth presence_truth(const FieldTest& test, bool present, const Facts& facts) {
  if (!present && !facts.exchange_known()) return Truth::unobserved;
  return truth(present == test.flag);
}

inline bool negated(const FieldTest& test) {
  return !test.patterns.empty() && test.patterns.front().negated();
}

inline Truth text_truth(const FieldTest& test, std::string_view text) {
  const bool matched = first_match(test, text) >= 0;
  return truth(negated(test) ? !matched : matched);
}

// Over several lines: a positive test holds when one line matches, a
// negated one when none does.
template <typename Lines, typename Text>
Truth lines_truth(const FieldTest& test, const Lines& lines, Text&& text_of) {
  const bool any = std::any_of(lines.begin(), lines.end(), [&](const auto& line) {
    return first_match(test, text_of(line)) >= 0;
  });
  return truth(negated(test) ? !any : any);
}

inline Truth choice_truth(const FieldTest& test, std::string_view value) {
  return truth(std::find(test.choices.begin(), test.choices.end(), value) != test.choices.end());
}

inline Truth number_truth(const FieldTest& test, std::int64_t value) {
  return truth(std::find(test.numbers.begin(), test.numbers.end(), value) != test.numbers.end());
}

inline Truth optional_flag(const FieldTest& test, const std::optional<bool>& value) {
  if (!value) return Truth::unobserved;
  return truth(*value == test.flag);
}

// `transport`, `http`, `fault`, `response`, `policy`: whether that optional
// part of the record is there.
template <auto Part>
FieldInfo part_presence(FieldHead head, ObservedFn observed) {
  return row(
      std::move(head),
      [](const FieldTest& t, const Facts& f) {
        return presence_truth(t, (f.evidence().*Part).has_value(), f);
      },
      observed, [](const Facts& f) { return presence_text((f.evidence().*Part).has_value()); });
}

// GSS-API statuses are OM_uint32; the catalog may write krb5's negative
// error codes, which the loader folds to the same unsigned value.
inline std::int64_t as_unsigned32(std::int64_t value) {
  return static_cast<std::int64_t>(static_cast<std::uint32_t>(value));
}

}  // namespace ceslab::diagnosis::detail
