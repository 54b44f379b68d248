// SPDX-License-Identifier: GPL-2.0-or-later
// What the report says about a rule: the evidence a condition matched, what
// it expected and saw instead, and what the record shows for a field.
#include "facts.hpp"

namespace ceslab::diagnosis::detail {

namespace {

// What a test that held actually matched, for the report.
std::string matched_text(const FieldTest& test, const Facts& facts) {
  const FieldInfo& info = info_of(test.field);
  if (info.matched) return info.matched(test, facts);
  return std::string(info.name) + ": " + seen_value(test.field, facts);
}

std::string with_note(std::string text, const Condition& c) {
  if (!c.note.empty()) text += " — " + c.note;
  return text;
}

}  // namespace

std::string seen_value(Field field, const Facts& facts) {
  const FieldInfo& info = info_of(field);
  return info.observed(facts) ? info.seen(facts) : "not observed";
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
