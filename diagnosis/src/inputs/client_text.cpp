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

}  // namespace

Reading read_client_text(std::string_view name, std::string_view text) {
  Reading r;
  core::Evidence& e = r.evidence;
  bool fault_seen = false;
  std::optional<std::pair<core::TransportErrorKind, std::string>> transport;
  std::optional<std::pair<int, std::uint32_t>> http;
  std::unordered_set<std::uint32_t> seen;
  bool issued = false;
  std::string request_id;
  std::optional<std::string> pending;

  std::unordered_set<std::string> known_messages(e.messages.begin(), e.messages.end());
  for (const std::string_view line : split_lines(text)) {
    if (const auto op = operation_of_command(line); op && e.operation == core::Operation::unknown) {
      e.operation = *op;
      r.facts.push_back("operation " + std::string(core::to_string(*op)) + " (command line '" +
                        std::string(trim(line)) + "')");
    }
    const std::string_view t = trim(line);
    if (starts_with_icase(t, "RequestId:")) {  // certreq prints it twice: 62, then "62"
      std::string_view id = trim(t.substr(10));
      if (id.size() >= 2 && id.front() == '"' && id.back() == '"') id = id.substr(1, id.size() - 2);
      if (request_id != id) r.facts.push_back("CA RequestId " + std::string(id));
      request_id = std::string(id);
    }
    // certreq: "Certificate request is pending: Taken Under Submission (0)".
    if (starts_with_icase(t, "Certificate request is pending:")) {
      std::string_view disposition = trim(t.substr(31));
      if (const std::size_t paren = disposition.rfind(" ("); paren != std::string_view::npos)
        disposition = disposition.substr(0, paren);
      pending = std::string(disposition);
    }
    // certreq: "Certificate retrieved(Issued) Issued"; Get-Certificate's
    // EnrollmentResult as a list ("Status      : Issued") or its table row.
    if (starts_with_icase(t, "Certificate retrieved(Issued)") || is_issued_status(t)) issued = true;

    const std::vector<FoundCode> codes = find_codes(line);
    if (codes.empty()) continue;
    const std::string message = normalised_message(line, codes);
    // A set beside the list: a long log must not cost a pass per line.
    if (known_messages.insert(message).second) e.messages.push_back(message);
    for (const std::uint32_t v : distinct_values(codes)) {
      if (v == kWsEndpointFaultReceived) fault_seen = true;
      if (!transport) {
        if (const auto kind = transport_kind_of(v)) transport.emplace(*kind, message);
      }
      if (!http) {
        if (const auto status = http_status_of(v)) http.emplace(*status, v);
      }
      if (seen.insert(v).second) {
        r.facts.push_back("client message " + core::hex_code(v) + " " + describe_code(v));
      }
    }
  }
  endpoint_from_text(text, e, r.facts);

  // A chain or WinHTTP code after "a fault was received" is the CA's answer
  // (an expired renewal certificate), not the connection.
  if (transport && !fault_seen) {
    e.transport = core::TransportEvidence{transport->first, transport->second};
    r.facts.push_back("transport " + std::string(core::to_string(transport->first)) +
                      " (the connection to the server failed)");
  }
  if (http && !fault_seen) {
    e.http = core::HttpEvidence{http->first, "", {}, 0, {}};
    r.facts.push_back("HTTP " + std::to_string(http->first) + " (from " +
                      core::hex_code(http->second) + ")");
  }
  if (issued && e.messages.empty()) {
    core::ResponseEvidence response;
    response.disposition = "Issued";
    response.request_id = request_id;
    response.certificate = true;
    e.response = response;
    e.outcome = core::Outcome::issued;
    r.facts.push_back("issued" + (request_id.empty() ? "" : ": RequestID " + request_id));
  }
  if (pending && e.messages.empty()) {
    core::ResponseEvidence response;
    response.disposition = *pending;
    response.request_id = request_id;
    e.response = response;
    e.outcome = core::Outcome::pending;
    r.facts.push_back("pending: '" + *pending + "'" +
                      (request_id.empty() ? "" : ", RequestID " + request_id));
  }
  if (e.messages.empty() && e.endpoint.empty() && e.operation == core::Operation::unknown &&
      !e.response) {
    throw InputError(std::string(name),
                     "holds no Windows error code, CES/CEP URL or certreq command line");
  }
  return r;
}

}  // namespace ceslab::diagnosis::inputs
