// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab diagnose`'s readers (diagnosis/inputs.hpp): the input detected as
// diagnose does without --type, and as each type that --type forces, so
// every reader sees every input. read_input documents InputError as its only
// refusal.
#include <optional>

#include "bytes.hpp"
#include "ceslab/diagnosis/inputs.hpp"
#include "targets.hpp"

namespace ceslab::fuzz {
namespace {

int read_as(std::optional<diagnosis::InputType> type, const std::uint8_t* data, std::size_t size) {
  core::Evidence evidence = diagnosis::empty_evidence();
  try {
    const diagnosis::ParsedInput parsed =
        diagnosis::read_input("fuzz-input", as_text(data, size), type, evidence);
    (void)parsed;
  } catch (const diagnosis::InputError&) {
  }
  return 0;
}

}  // namespace

using diagnosis::InputType;

int diagnose_detect(const std::uint8_t* d, std::size_t n) {
  return read_as(std::nullopt, d, n);
}
int diagnose_soap_fault(const std::uint8_t* d, std::size_t n) {
  return read_as(InputType::soap_fault, d, n);
}
int diagnose_http_response(const std::uint8_t* d, std::size_t n) {
  return read_as(InputType::http_response, d, n);
}
int diagnose_client_text(const std::uint8_t* d, std::size_t n) {
  return read_as(InputType::client_text, d, n);
}
int diagnose_event_xml(const std::uint8_t* d, std::size_t n) {
  return read_as(InputType::event_xml, d, n);
}
int diagnose_event_text(const std::uint8_t* d, std::size_t n) {
  return read_as(InputType::event_text, d, n);
}
int diagnose_klist(const std::uint8_t* d, std::size_t n) {
  return read_as(InputType::klist, d, n);
}
int diagnose_cepces_log(const std::uint8_t* d, std::size_t n) {
  return read_as(InputType::cepces_log, d, n);
}
int diagnose_evidence_json(const std::uint8_t* d, std::size_t n) {
  return read_as(InputType::evidence_json, d, n);
}
int diagnose_event_jsonl(const std::uint8_t* d, std::size_t n) {
  return read_as(InputType::event_jsonl, d, n);
}
int diagnose_getcert_list(const std::uint8_t* d, std::size_t n) {
  return read_as(InputType::getcert_list, d, n);
}

}  // namespace ceslab::fuzz
