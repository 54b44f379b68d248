// SPDX-License-Identifier: GPL-2.0-or-later
// Inside diagnosis/src/inputs: one reader per input type, each turning
// decoded UTF-8 text into a fresh partial record plus facts, and the helpers
// they share. read_input.cpp decodes, dispatches and merges.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/core/evidence.hpp"
#include "ceslab/core/messages.hpp"
#include "ceslab/core/text.hpp"
#include "ceslab/diagnosis/inputs.hpp"

namespace ceslab::diagnosis::inputs {

using Facts = std::vector<std::string>;

// What one reader found: a record that holds only what the input shows
// (operation/auth unknown unless it says), and the facts for the report.
struct Reading {
  core::Evidence evidence = empty_evidence();
  Facts facts;
};

// ---- text.cpp --------------------------------------------------------------

// Bytes as read -> UTF-8 text: a UTF-8 BOM is dropped, UTF-16LE/BE (with a
// BOM, or LE recognised by its zero high bytes) converted, an XML
// declaration that names UTF-16 removed after conversion. Refuses empty
// (also: only white space), binary (NUL bytes; invalid UTF-8 or control
// bytes beyond a small share, which a console text saved in a Windows code
// page stays under; those few are replaced by U+FFFD) and over-size input.
std::string decode_text(std::string_view name, std::string_view bytes);

// The lines of `text` without their line ends (LF or CRLF).
std::vector<std::string_view> split_lines(std::string_view text);
std::string_view trim(std::string_view text);
bool starts_with_icase(std::string_view text, std::string_view prefix);
using core::contains_icase;  // ceslab/core/text.hpp

// ---- xml_safety.cpp --------------------------------------------------------

// Throws InputError when `xml` carries a document type declaration or an
// entity declaration: refused before any parser sees it (XXE, billion laughs).
void refuse_doctype(std::string_view name, std::string_view xml);

// ---- codes_in_text.cpp -----------------------------------------------------

// A Windows error code found in a line of text, in any form Windows prints:
// "0x80094812 (-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED)",
// "0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)", bare "0x80094812" or
// "80094812", "-2146875374", "CERTSRV_E_SUBJECT_EMAIL_REQUIRED".
struct FoundCode {
  std::uint32_t value = 0;
  std::size_t begin = 0;  // the span in the line that spelled it
  std::size_t end = 0;
};

// Every code spelled in one line, in order of appearance (a value may occur
// more than once: "0x80094812 ... CERTSRV_E_SUBJECT_EMAIL_REQUIRED"). A
// full certreq form is taken as written (also for a code the table does not
// know); an isolated hex, decimal or name only when the code table knows it
// (so that GUID parts and counters are not mistaken for codes).
std::vector<FoundCode> find_codes(std::string_view line);
// The distinct values of `codes`, in order of first appearance.
std::vector<std::uint32_t> distinct_values(const std::vector<FoundCode>& codes);

// The line as certreq prints it, with every code in the one canonical form
// (core::format_code) so that hex, signed decimal and name are all findable:
// a line already in that form stays as it is; a code spelled otherwise is
// rewritten; a line that is only a code becomes core::format_message_line.
std::string normalised_message(std::string_view line, const std::vector<FoundCode>& codes);

// "-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED" (the name when the table
// knows it, else the hex form).
std::string describe_code(std::uint32_t value);

// What a Windows code says about the transport, when it is a WinHTTP or
// certificate-chain error of the connection to CES/CEP itself (the code
// table's `transport`, core/data/codes.yaml).
std::optional<core::TransportErrorKind> transport_kind_of(std::uint32_t value);
// 401 for HTTP_E_STATUS_DENIED (0x80190191): FACILITY_HTTP keeps the status
// in the low word.
std::optional<int> http_status_of(std::uint32_t value);

// ---- endpoint_urls.cpp -----------------------------------------------------

// The http(s) URLs in a line.
std::vector<std::string> find_urls(std::string_view line);
// The host part of a URL, lower-cased ("ces.lab.test").
std::string host_of_url(std::string_view url);
// Sets endpoint/auth of `e` from the URLs in `text` (a CES URL before a CEP
// one), with facts.
void endpoint_from_text(std::string_view text, core::Evidence& e, Facts& facts);

// ---- soap_fault.cpp --------------------------------------------------------

// Puts a parsed SOAP message into `e`: a fault into e.fault, an RSTR into
// e.response (and outcome), a GetPoliciesResponse as outcome `answered`.
void apply_soap_message(const core::SoapMessage& message, core::Evidence& e, Facts& facts);
// The facts of a fault (kind, code/subcode, Reason, ErrorCode, ...).
void fault_facts(const core::EnrollmentFault& fault, Facts& facts);

// ---- one reader per type ---------------------------------------------------

Reading read_soap(std::string_view name, std::string_view text);
Reading read_http_response(std::string_view name, std::string_view text);
Reading read_client_text(std::string_view name, std::string_view text);
Reading read_event_xml(std::string_view name, std::string_view text);
Reading read_event_text(std::string_view name, std::string_view text);
// `so_far` is the record before this input: its endpoint picks the service
// ticket when the cache holds several HTTP/ tickets.
Reading read_klist(std::string_view name, std::string_view text, const core::Evidence& so_far);
Reading read_cepces_log(std::string_view name, std::string_view text);
// cepces_log.cpp: lines in cepces' wording (SOAPFault, HTTPError, SSLError,
// ConnectionError, GSS-API status, ...) read into `r` as read_cepces_log
// reads a log, without refusing what it does not know; true when any line
// was recognised. The certmonger reader gives it getcert's ca-error text,
// which is what the cepces helper printed.
bool read_cepces_lines(std::string_view name, const std::vector<std::string_view>& lines,
                       Reading& r);
// getcert_list.cpp: certmonger's `getcert list` output; looks_like_getcert_list
// for detection (its count line, or a "Request ID '...':" with a status line).
Reading read_getcert_list(std::string_view name, std::string_view text);
bool looks_like_getcert_list(std::string_view text);
Reading read_evidence_json(std::string_view name, std::string_view text);
// event_jsonl.cpp: the lab's events.jsonl. A malformed line is an InputError
// naming the line.
Reading read_event_jsonl(std::string_view name, std::string_view text);
// One line that is a JSON object with every member of an event-log line
// (and no "schema", which an evidence document has): for detection.
bool is_event_log_line(std::string_view line);

// ---- events.cpp (shared by the event readers) ------------------------------

// Adds one event to `reading`: server_events, the fact, and — for the
// Windows certificate client's own events (CertEnroll, AutoEnrollment) —
// the code-bearing parts of its message as client message lines.
void add_event(core::ServerEvent event, Reading& reading);
// "Error" for 2 and so on (the Windows level numbers); 0 is LogAlways,
// shown as Information.
std::string level_name(int level);

// ---- event_labels.cpp (localized exports) ----------------------------------

// The English label for a German or French one of Event Viewer's or
// wevtutil's text ("Protokollname" -> "Log Name", "ID de l'événement" ->
// "Event ID"); any other label is returned as it is.
std::string_view english_label(std::string_view label);
// "Error" for "Fehler" / "Erreur" and so on, "Audit Failure" for
// "FailureAudit"; any other text trimmed, as it is.
std::string english_level(std::string_view level);

// ---- evidence_merge.cpp ----------------------------------------------------

// Adds `part` to `into`: a field is set only where `into` has none; lists
// are appended without exact duplicates; a field both set differently is
// kept as it was and the conflict is said in `facts`.
void merge(const core::Evidence& part, core::Evidence& into, Facts& facts);

}  // namespace ceslab::diagnosis::inputs
