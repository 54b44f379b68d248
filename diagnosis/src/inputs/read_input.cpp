// SPDX-License-Identifier: GPL-2.0-or-later
// Decode, detect, read, merge; and the file front door with its limits.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "readers.hpp"

namespace ceslab::diagnosis {

namespace {

using inputs::contains_icase;
using inputs::split_lines;
using inputs::starts_with_icase;
using inputs::trim;

bool has_line_starting(std::string_view text, std::initializer_list<std::string_view> keys) {
  for (const std::string_view line : split_lines(text)) {
    for (const std::string_view key : keys) {
      if (!starts_with_icase(line, key)) continue;
      const std::string_view rest = trim(line.substr(key.size()));
      if (!rest.empty() && rest.front() == ':') return true;
    }
  }
  return false;
}

// Get-EventLog's default table header.
bool is_eventlog_table(std::string_view text) {
  for (const std::string_view line : split_lines(text)) {
    const std::string_view t = trim(line);
    if (starts_with_icase(t, "Index") && t.find("EntryType") != std::string_view::npos &&
        contains_icase(t, "InstanceID"))
      return true;
  }
  return false;
}

InputType detect_decoded(std::string_view text) {
  const std::string_view t = trim(text);
  if (t.empty()) return InputType::client_text;
  if (t.front() == '{') {
    // events.jsonl holds one compact object per line; an evidence document
    // is one object (pretty-printed or not) with a "schema".
    return inputs::is_event_log_line(split_lines(t).front()) ? InputType::event_jsonl
                                                             : InputType::evidence_json;
  }
  if (t.substr(0, 7) == "HTTP/1.") return InputType::http_response;
  if (t.front() == '<') {
    if (t.find("schemas.microsoft.com/win/2004/08/events/event") != std::string_view::npos ||
        t.find("EventLogRecord") != std::string_view::npos ||
        t.find("EventLogEntry") != std::string_view::npos)
      return InputType::event_xml;
    return InputType::soap_fault;
  }
  // Before the cepces check: a getcert list names the CA "cepces".
  if (inputs::looks_like_getcert_list(t)) return InputType::getcert_list;
  const std::string_view first = split_lines(t).front();
  if (first.find(" HTTP/1.") != std::string_view::npos) return InputType::http_response;
  // Get-WinEvent / Get-EventLog Format-List, Event Viewer's and wevtutil's
  // text in English, German or French, Get-EventLog's table.
  if (has_line_starting(t, {"TimeCreated", "ProviderName"}) ||
      (has_line_starting(t, {"EntryType"}) && has_line_starting(t, {"InstanceId", "EventID"})) ||
      (has_line_starting(t, {"Log Name", "Protokollname", "Nom du journal", "Event Source"}) &&
       has_line_starting(t,
                         {"Event ID", "Ereignis-ID", "ID de l'événement", "ID de l’événement"})) ||
      t.substr(0, 8) == "Event[0]" || is_eventlog_table(t))
    return InputType::event_text;
  if (t.find("Default principal:") != std::string_view::npos ||
      t.find("Cached Tickets:") != std::string_view::npos ||
      t.find("Ticket Flags 0x") != std::string_view::npos)
    return InputType::klist;
  if ((t.find("(Code: ") != std::string_view::npos &&
       t.find("; Subcode: ") != std::string_view::npos) ||
      contains_icase(t, "cepces") || t.find("certmonger[") != std::string_view::npos ||
      t.find("certmonger:") != std::string_view::npos ||
      t.find("GSSError") != std::string_view::npos ||
      t.find("SPNEGOExchangeError") != std::string_view::npos ||
      t.find("[SSL: CERTIFICATE_VERIFY_FAILED]") != std::string_view::npos)
    return InputType::cepces_log;
  return InputType::client_text;
}

// klist, possibly pasted with the certreq session before it: the certreq
// part (a command line or a CES/CEP URL; klist's own flags are hex but name
// no command) is read as client text, and names the host klist's tickets
// are chosen for.
inputs::Reading read_klist_session(std::string_view name, std::string_view text,
                                   const core::Evidence& so_far) {
  inputs::Reading session;
  try {
    session = inputs::read_client_text(name, text);
  } catch (const InputError&) {
    return inputs::read_klist(name, text, so_far);
  }
  if (session.evidence.operation == core::Operation::unknown && session.evidence.endpoint.empty())
    return inputs::read_klist(name, text, so_far);
  core::Evidence with_session = so_far;
  inputs::Facts unused;
  inputs::merge(session.evidence, with_session, unused);
  inputs::Reading tickets = inputs::read_klist(name, text, with_session);
  session.facts.push_back("the rest is klist output:");
  session.facts.insert(session.facts.end(), tickets.facts.begin(), tickets.facts.end());
  inputs::merge(tickets.evidence, session.evidence, session.facts);
  return session;
}

// The readers that need only the text; klist also looks at the record so far.
using TextReader = inputs::Reading (*)(std::string_view name, std::string_view text);
constexpr std::pair<InputType, TextReader> kTextReaders[] = {
    {InputType::soap_fault, inputs::read_soap},
    {InputType::http_response, inputs::read_http_response},
    {InputType::client_text, inputs::read_client_text},
    {InputType::event_xml, inputs::read_event_xml},
    {InputType::event_text, inputs::read_event_text},
    {InputType::cepces_log, inputs::read_cepces_log},
    {InputType::evidence_json, inputs::read_evidence_json},
    {InputType::event_jsonl, inputs::read_event_jsonl},
    {InputType::getcert_list, inputs::read_getcert_list},
};

inputs::Reading read_as(InputType type, std::string_view name, std::string_view text,
                        const core::Evidence& so_far) {
  if (type == InputType::klist) return read_klist_session(name, text, so_far);
  for (const auto& [t, read] : kTextReaders) {
    if (t == type) return read(name, text);
  }
  throw InputError(std::string(name), "unknown input type");
}

std::string too_large(std::uintmax_t size) {
  return "is " + std::to_string(size) + " bytes, over the input limit of " +
         std::to_string(kMaxInputBytes) + " bytes (8 MiB)";
}

}  // namespace

InputType detect_input_type(std::string_view content) {
  try {
    return detect_decoded(inputs::decode_text("input", content));
  } catch (const InputError&) {
    return detect_decoded(content);
  }
}

ParsedInput read_input(std::string_view name, std::string_view content,
                       std::optional<InputType> forced, core::Evidence& into) {
  const std::string text = inputs::decode_text(name, content);
  const InputType type = forced.value_or(detect_decoded(text));
  inputs::Reading reading = read_as(type, name, text, into);
  ParsedInput parsed{std::string(name), type, std::move(reading.facts)};
  inputs::merge(reading.evidence, into, parsed.facts);
  return parsed;
}

ParsedInput read_input_file(const std::filesystem::path& path, std::optional<InputType> forced,
                            core::Evidence& into) {
  const std::string name = path.string();
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status))
    throw InputError(name, "cannot be read: " + (ec ? ec.message() : "no such file"));
  if (std::filesystem::is_directory(status)) throw InputError(name, "is a directory, not a file");
  std::size_t capacity = kMaxInputBytes + 1;  // a pipe or device has no size
  if (std::filesystem::is_regular_file(status)) {
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size > kMaxInputBytes) throw InputError(name, too_large(size));
    if (!ec) capacity = static_cast<std::size_t>(size) + 1;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(name, std::string("cannot be read: ") + std::strerror(errno));
  // Read at most one byte past what is allowed, to see an over-size stream.
  std::string content(capacity, '\0');
  in.read(content.data(), static_cast<std::streamsize>(content.size()));
  if (in.bad()) throw InputError(name, std::string("cannot be read: ") + std::strerror(errno));
  content.resize(static_cast<std::size_t>(in.gcount()));
  if (content.size() > kMaxInputBytes)
    throw InputError(name, too_large(content.size()) + " or more");
  return read_input(name, content, forced, into);
}

}  // namespace ceslab::diagnosis
