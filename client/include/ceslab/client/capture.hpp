// SPDX-License-Identifier: GPL-2.0-or-later
// --capture DIR: each raw exchange of a run saved to files, secrets redacted
// (docs/evidence.md, "Captures"). Per exchange, numbered in the order written:
//   NN-<label>-request.http    request line, the headers the client set, the body
//   NN-<label>-response.http   status line, headers and body as received
//                              (absent when no response came); readable by
//                              core::parse_http_response
//   NN-<label>-exchange.json   URL, timings, transport error, TLS facts, what was redacted
// Redacted: UsernameToken passwords (wherever and however escaped they
// appear; checked with the SOAP codec), private keys (PEM blocks, DER,
// base64), Authorization / WWW-Authenticate tokens, Cookie / Set-Cookie.
// TLS session tickets and keys are never recorded at all.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/client/redaction.hpp"
#include "ceslab/client/soap_call.hpp"

namespace ceslab::client {

inline constexpr std::string_view kCaptureSchema = "ceslab.capture/1";

// A capture file could not be written; what() names the path.
class CaptureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The body and what its redaction replaced.
struct RedactedBody {
  std::string text;
  RedactionCount count;
  // The textual pass left a UsernameToken password the codec could still
  // read (an escaping not foreseen, a password that was not registered) or
  // broke the XML (a password that is also markup), so the message was
  // re-serialised from its parsed form with the password replaced, and the
  // textual pass run over that again.
  bool reserialised = false;
};

// A SOAP request body with `secrets` removed; see RedactedBody::reserialised.
RedactedBody redact_soap_body(std::string_view body, const Secrets& secrets);

// One HTTP message of an exchange as a capture stores it: the start line and
// headers (credentials redacted, Content-Length for the stored body), then
// the body with the run's secrets redacted.
struct RedactedMessage {
  std::string head;  // ends with the blank line
  std::string body;
  std::string text() const { return head + body; }
};

// One exchange with its secrets redacted, the one redaction behind both
// --capture and the reports that show an exchange (ceslab run --html).
struct RedactedExchange {
  RedactedMessage request;
  std::optional<RedactedMessage> response;  // none when no answer came
  RedactionCount count;
  int headers_redacted = 0;
  bool request_reserialised = false;  // RedactedBody::reserialised
};
RedactedExchange redact_exchange(const SoapCall& call, const Secrets& secrets);

class CaptureWriter {
 public:
  // Creates `dir` if needed. Numbering continues after the highest "NN-"
  // already in it, so a second run into the same directory adds files.
  CaptureWriter(std::filesystem::path dir, Secrets secrets);

  // Writes one exchange; `label` names it ("enroll", "policy"; letters,
  // digits, '-' and '_' only). Returns the files written. Throws
  // CaptureError (I/O) or std::invalid_argument (label).
  std::vector<std::filesystem::path> write(const SoapCall& call, std::string_view label);

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  Secrets secrets_;
  int next_ = 1;
};

}  // namespace ceslab::client
