// SPDX-License-Identifier: GPL-2.0-or-later
// The field vocabulary of the catalog's rules: names as the Evidence JSON
// spells them (docs/evidence.md), so a rule reads like the record it tests.
// Its rows are in exchange_fields.cpp, answer_fields.cpp and log_fields.cpp.
#include <algorithm>

#include "ceslab/core/codes.hpp"
#include "field_rows.hpp"

namespace ceslab::diagnosis {

namespace {

std::vector<FieldInfo> make_fields() {
  std::vector<FieldInfo> fields;
  for (const auto& part : {detail::request_fields(), detail::wire_fields(), detail::fault_fields(),
                           detail::response_and_policy_fields(), detail::log_fields()})
    fields.insert(fields.end(), part.begin(), part.end());
  return fields;
}

}  // namespace

const std::vector<FieldInfo>& field_info() {
  static const std::vector<FieldInfo> fields = make_fields();
  return fields;
}

const FieldInfo* find_field(std::string_view name) {
  const auto& fields = field_info();
  const auto it = std::find_if(fields.begin(), fields.end(),
                               [&](const FieldInfo& f) { return f.name == name; });
  return it == fields.end() ? nullptr : &*it;
}

const FieldInfo& info_of(Field field) {
  // The rows list the enumerators in order; the test checks it.
  return field_info()[static_cast<std::size_t>(field)];
}

namespace detail {

std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 140;
  std::string out = "\"";
  out += text.size() > kMax ? std::string(text.substr(0, kMax)) + "..." : std::string(text);
  out += "\"";
  return out;
}

std::string code_text(std::uint32_t value) {
  std::string out = core::hex_code(value);
  if (const core::ErrorCode* c = core::CodeTable::builtin().find(value)) out += " " + c->name;
  return out;
}

std::string gss_status_text(std::int64_t value) {
  const auto u = static_cast<std::uint32_t>(value);
  const auto s = static_cast<std::int32_t>(u);
  return s < 0 ? std::to_string(u) + " (" + std::to_string(s) + ")" : std::to_string(u);
}

std::string flag_text(bool value) {
  return value ? "true" : "false";
}

std::string presence_text(bool present) {
  return present ? "present" : "absent";
}

std::string event_line(const core::ServerEvent& e) {
  std::string out = "event " + e.source + " " + std::to_string(e.id);
  std::string context = e.level;
  if (!e.host.empty()) context += (context.empty() ? "" : ", ") + e.host;
  if (!context.empty()) out += " (" + context + ")";
  if (!e.message.empty()) out += ": " + quoted(e.message);
  return out;
}

}  // namespace detail

}  // namespace ceslab::diagnosis
