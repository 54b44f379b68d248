// SPDX-License-Identifier: GPL-2.0-or-later
// Console output of certreq, certutil, CertEnroll (Get-Certificate) and the
// like: every line carrying a Windows code becomes a client message in
// certreq's form; URLs give the endpoint and its authentication, the command
// line the operation; a connection-level code (TLS, WinHTTP) the transport
// error, an HTTP_E_STATUS_* code the HTTP status.
#include <algorithm>
#include <unordered_set>

#include "ceslab/core/codes.hpp"
#include "ceslab/core/text.hpp"

#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

constexpr std::uint32_t kWsEndpointFaultReceived = 0x803D0013;  // WS_E_ENDPOINT_FAULT_RECEIVED

bool has_word(std::string_view line, std::string_view word) {
  for (std::size_t i = 0; i + word.size() <= line.size(); ++i) {
    if (!starts_with_icase(line.substr(i), word)) continue;
    const bool before = i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t';
    const std::size_t after = i + word.size();
    const bool behind = after == line.size() || line[after] == ' ' || line[after] == '\t';
    if (before && behind) return true;
  }
  return false;
}

// What the command line in the paste asked for: certreq -enroll ... Renew,
// certreq -retrieve, certreq -submit / -enroll, Get-Certificate.
std::optional<core::Operation> operation_of_command(std::string_view line) {
  const bool certreq = contains_icase(line, "certreq");
  // Get-Certificate itself, not Get-CertificateEnrollmentPolicyServer.
  const std::size_t cmdlet = line.find("Get-Certificate");
  const bool get_certificate =
      cmdlet != std::string_view::npos &&
      (cmdlet + 15 == line.size() || line[cmdlet + 15] == ' ' || line[cmdlet + 15] == '\t');
  if (!certreq && !get_certificate) return std::nullopt;
  if (certreq && has_word(line, "-retrieve")) return core::Operation::retrieve;
  if (has_word(line, "renew") || has_word(line, "-renew")) return core::Operation::renew;
  if (certreq && (has_word(line, "-enroll") || has_word(line, "-submit")))
    return core::Operation::enroll;
  if (!certreq) return core::Operation::enroll;
  return std::nullopt;
}

// Get-Certificate's EnrollmentResult: "Status      : Issued" (Format-List) or
// a table row under "Status Certificate" that starts with "Issued [Subject]".
bool is_issued_status(std::string_view t) {
  if (starts_with_icase(t, "Issued [Subject]")) return true;
  if (!starts_with_icase(t, "Status")) return false;
  std::string_view rest = trim(t.substr(6));
  if (rest.empty() || rest.front() != ':') return false;
  return core::iequals(trim(rest.substr(1)), "Issued");
}

// What the lines of a paste showed, gathered line by line; the record is
// written from it once all lines are read.
struct ClientLines {
  bool fault_seen = false;
  std::optional<std::pair<core::TransportErrorKind, std::string>> transport;
  std::optional<std::pair<int, std::uint32_t>> http;
  std::unordered_set<std::uint32_t> codes_seen;
  // A set beside the list of messages: a long log must not cost a pass per line.
  std::unordered_set<std::string> known_messages;
  bool issued = false;
  std::string request_id;
  std::optional<std::string> pending;
};

void read_command_line(std::string_view line, Reading& r) {
  const auto op = operation_of_command(line);
  if (!op || r.evidence.operation != core::Operation::unknown) return;
  r.evidence.operation = *op;
  r.facts.push_back("operation " + std::string(core::to_string(*op)) + " (command line '" +
                    std::string(trim(line)) + "')");
}

// The lines that say how the request ended when it did not fail.
void read_answer_line(std::string_view t, ClientLines& lines, Facts& facts) {
  if (starts_with_icase(t, "RequestId:")) {  // certreq prints it twice: 62, then "62"
    std::string_view id = trim(t.substr(10));
    if (id.size() >= 2 && id.front() == '"' && id.back() == '"') id = id.substr(1, id.size() - 2);
    if (lines.request_id != id) facts.push_back("CA RequestId " + std::string(id));
    lines.request_id = std::string(id);
  }
  // certreq: "Certificate request is pending: Taken Under Submission (0)".
  if (starts_with_icase(t, "Certificate request is pending:")) {
    std::string_view disposition = trim(t.substr(31));
    if (const std::size_t paren = disposition.rfind(" ("); paren != std::string_view::npos)
      disposition = disposition.substr(0, paren);
    lines.pending = std::string(disposition);
  }
  // certreq: "Certificate retrieved(Issued) Issued"; Get-Certificate's
  // EnrollmentResult as a list ("Status      : Issued") or its table row.
  if (starts_with_icase(t, "Certificate retrieved(Issued)") || is_issued_status(t))
    lines.issued = true;
}

// A line carrying Windows codes: a client message, and perhaps the transport
// error or HTTP status the code stands for.
void read_code_line(std::string_view line, ClientLines& lines, Reading& r) {
  const std::vector<FoundCode> codes = find_codes(line);
  if (codes.empty()) return;
  const std::string message = normalised_message(line, codes);
  if (lines.known_messages.insert(message).second) r.evidence.messages.push_back(message);
  for (const std::uint32_t v : distinct_values(codes)) {
    if (v == kWsEndpointFaultReceived) lines.fault_seen = true;
    if (!lines.transport) {
      if (const auto kind = transport_kind_of(v)) lines.transport.emplace(*kind, message);
    }
    if (!lines.http) {
      if (const auto status = http_status_of(v)) lines.http.emplace(*status, v);
    }
    if (lines.codes_seen.insert(v).second)
      r.facts.push_back("client message " + core::hex_code(v) + " " + describe_code(v));
  }
}

// A chain or WinHTTP code after "a fault was received" is the CA's answer
// (an expired renewal certificate), not the connection.
void add_connection(const ClientLines& lines, Reading& r) {
  if (lines.fault_seen) return;
  if (lines.transport) {
    r.evidence.transport = core::TransportEvidence{lines.transport->first, lines.transport->second};
    r.facts.push_back("transport " + std::string(core::to_string(lines.transport->first)) +
                      " (the connection to the server failed)");
  }
  if (lines.http) {
    r.evidence.http = core::HttpEvidence{lines.http->first, "", {}, 0, {}};
    r.facts.push_back("HTTP " + std::to_string(lines.http->first) + " (from " +
                      core::hex_code(lines.http->second) + ")");
  }
}

// An issued or pending request, when no line carried an error.
void add_answer(const ClientLines& lines, Reading& r) {
  core::Evidence& e = r.evidence;
  if (!e.messages.empty()) return;
  const std::string& id = lines.request_id;
  if (lines.issued) {
    core::ResponseEvidence response;
    response.disposition = "Issued";
    response.request_id = id;
    response.certificate = true;
    e.response = response;
    e.outcome = core::Outcome::issued;
    r.facts.push_back("issued" + (id.empty() ? "" : ": RequestID " + id));
  }
  if (lines.pending) {
    core::ResponseEvidence response;
    response.disposition = *lines.pending;
    response.request_id = id;
    e.response = response;
    e.outcome = core::Outcome::pending;
    r.facts.push_back("pending: '" + *lines.pending + "'" +
                      (id.empty() ? "" : ", RequestID " + id));
  }
}

}  // namespace

Reading read_client_text(std::string_view name, std::string_view text) {
  Reading r;
  ClientLines lines;
  for (const std::string_view line : split_lines(text)) {
    read_command_line(line, r);
    read_answer_line(trim(line), lines, r.facts);
    read_code_line(line, lines, r);
  }
  endpoint_from_text(text, r.evidence, r.facts);
  add_connection(lines, r);
  add_answer(lines, r);
  const core::Evidence& e = r.evidence;
  if (e.messages.empty() && e.endpoint.empty() && e.operation == core::Operation::unknown &&
      !e.response) {
    throw InputError(std::string(name),
                     "holds no Windows error code, CES/CEP URL or certreq command line");
  }
  return r;
}

}  // namespace ceslab::diagnosis::inputs
