// SPDX-License-Identifier: GPL-2.0-or-later
// Input type names (`ceslab diagnose --type`), InputError, the empty record.
#include <array>
#include <utility>

#include "ceslab/diagnosis/inputs.hpp"

namespace ceslab::diagnosis {

namespace {

constexpr std::array<std::pair<InputType, std::string_view>, 10> kNames{{
    {InputType::soap_fault, "soap_fault"},
    {InputType::http_response, "http_response"},
    {InputType::client_text, "client_text"},
    {InputType::event_xml, "event_xml"},
    {InputType::event_text, "event_text"},
    {InputType::klist, "klist"},
    {InputType::cepces_log, "cepces_log"},
    {InputType::evidence_json, "evidence_json"},
    {InputType::event_jsonl, "event_jsonl"},
    {InputType::getcert_list, "getcert_list"},
}};

}  // namespace

std::string_view to_string(InputType type) {
  for (const auto& [t, name] : kNames) {
    if (t == type) return name;
  }
  return "unknown";
}

std::optional<InputType> parse_input_type(std::string_view name) {
  for (const auto& [t, n] : kNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

const std::vector<InputType>& all_input_types() {
  static const std::vector<InputType> kAll = [] {
    std::vector<InputType> all;
    for (const auto& entry : kNames) all.push_back(entry.first);
    return all;
  }();
  return kAll;
}

InputError::InputError(std::string name, std::string problem)
    : std::runtime_error(name + ": " + problem),
      name_(std::move(name)),
      problem_(std::move(problem)) {}

core::Evidence empty_evidence() {
  core::Evidence e;
  e.operation = core::Operation::unknown;
  e.auth = std::nullopt;
  e.outcome = core::Outcome::failed;
  return e;
}

}  // namespace ceslab::diagnosis
