// SPDX-License-Identifier: GPL-2.0-or-later
// Reading what a customer sends after a failed enrollment — a SOAP fault, a
// raw HTTP response, certreq/certutil output, an event-log export, klist -f,
// a cepces/certmonger log, certmonger's `getcert list`, an Evidence JSON file
// or the lab's own event log — into one core::Evidence
// record for the diagnosis engine. Several files fill one record: each input
// adds what it shows and never overwrites what an earlier one set (a
// conflict is reported in the facts). docs/diagnose-inputs.md lists the
// forms and what each fills.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/core/evidence.hpp"
#include "ceslab/core/http_types.hpp"

namespace ceslab::diagnosis {

enum class InputType {
  soap_fault,     // a SOAP envelope (fault, RSTRC, GetPoliciesResponse)
  http_response,  // a raw HTTP response: status line, headers, body
  client_text,    // certreq / certutil / CertEnroll / Get-Certificate console output
  event_xml,      // wevtutil qe /f:xml (or /f:RenderedXml), Event Viewer "Save as XML",
                  // Get-WinEvent | ConvertTo-Xml
  event_text,     // Get-WinEvent | Format-List, Event Viewer "Copy details as text",
                  // wevtutil qe /f:text
  klist,          // klist -f (MIT) or klist (Windows)
  cepces_log,     // cepces / certmonger log lines, journalctl output
  evidence_json,  // ceslab.evidence/1 (or a ceslab.result/1 holding one)
  event_jsonl,    // the lab's event log, <state dir>/events.jsonl (`ceslab serve`)
  getcert_list,   // certmonger's `getcert list` (status, ca-error of each request)
};

// "soap_fault", "http_response", ... (the names of `ceslab diagnose --type`).
std::string_view to_string(InputType type);
// The inverse of to_string; nullopt for a name it does not know.
std::optional<InputType> parse_input_type(std::string_view name);
// Every type, in declaration order (for help texts).
const std::vector<InputType>& all_input_types();

// An input that cannot be used: unreadable, empty, binary, over the size
// limit, malicious XML (a DOCTYPE: XXE / entity expansion is refused, never
// resolved), malformed, or holding nothing this reader recognises.
// what() reads "<name>: <problem>".
class InputError : public std::runtime_error {
 public:
  InputError(std::string name, std::string problem);
  const std::string& name() const noexcept { return name_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string name_;
  std::string problem_;
};

// What was read from one input, for the report: short human lines such as
// "HTTP 500 Internal Server Error", "fault ErrorCode -2146875374
// CERTSRV_E_SUBJECT_EMAIL_REQUIRED", "event
// Microsoft-Windows-CertificationAuthority 53 on ca.lab.test", "TGT
// forwardable: no".
struct ParsedInput {
  std::string name;
  InputType type = InputType::client_text;
  std::vector<std::string> facts;
};

// Inputs larger than this are refused (8 MiB: far above any real export of
// a few events, small enough to keep a malicious input cheap).
inline constexpr std::size_t kMaxInputBytes = 8 * 1024 * 1024;

// The record to start from: operation and auth `unknown`, nothing else set.
// (A default-constructed Evidence says enroll/anonymous, which an artefact
// may not support.)
core::Evidence empty_evidence();

// The type the content looks like (UTF-8 text, or UTF-16 with a BOM).
// Text that matches no specific form is client_text.
InputType detect_input_type(std::string_view content);

// Reads one input into `into`. `content` may be UTF-8 (with or without BOM)
// or UTF-16LE/BE (as PowerShell and Event Viewer write exports); `forced`
// overrides detection. Throws InputError naming `name` and the problem:
// empty, binary (NUL bytes, or more invalid UTF-8 / control bytes than a
// mis-encoded console text has), over kMaxInputBytes, a DOCTYPE, malformed
// content, or nothing of its type recognisable in it. On InputError `into`
// is left unchanged.
ParsedInput read_input(std::string_view name, std::string_view content,
                       std::optional<InputType> forced, core::Evidence& into);

// The same for a file; the name in facts and errors is the path as given.
// Refuses a path that cannot be read (missing, a directory, no permission)
// and a file over kMaxInputBytes before reading it.
ParsedInput read_input_file(const std::filesystem::path& path, std::optional<InputType> forced,
                            core::Evidence& into);

// A raw HTTP response as a customer saved it, parsed as the http_response
// reader parses it: leading blank lines, an LF-only head and a
// Content-Length that no longer matches the saved body are forgiven
// (`ceslab scenario from-artefacts` replays it). Headers are as saved, not
// redacted. Throws InputError naming `name` when it is not a response.
core::HttpResponse parse_saved_http_response(std::string_view name, std::string_view text);

}  // namespace ceslab::diagnosis
