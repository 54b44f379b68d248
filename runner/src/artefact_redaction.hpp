// SPDX-License-Identifier: GPL-2.0-or-later
// Secrets out of what a customer sent, before anything reads it
// (`ceslab scenario from-artefacts`): the artefacts' secrets are nobody's to
// know, so unlike the client's captures (client/redaction.hpp) there is no
// list of known passwords; what is removed is found by its place.
#pragma once

#include <string>
#include <string_view>

namespace ceslab::runner {

// How many secrets one artefact held, by kind.
struct ArtefactRedactions {
  int private_keys = 0;  // PEM private-key blocks (client::Secrets)
  int headers = 0;       // Authorization, WWW-Authenticate tokens, Cookie, Set-Cookie lines
  int passwords = 0;     // UsernameToken <Password>, command-line and key=value passwords
  int total() const { return private_keys + headers + passwords; }
};

// `text` with, each replaced by core::kRedacted ("replace, never drop"):
//   - PEM private-key blocks (client::Secrets::redact);
//   - the value of every header line core::redact_header redacts
//     ("Authorization: Negotiate YII..." -> "Authorization: Negotiate [redacted]"),
//     in a raw HTTP dump or quoted in a log;
//   - the text of any <Password> element, with or without a prefix
//     (wsse:Password of a UsernameToken, as cepces logs its sent message);
//   - the argument of -p / -password / -pwd (certreq -username U -p P, per
//     https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/certreq_1),
//     of ConvertTo-SecureString, and the value of NAME=VALUE where NAME
//     contains "password", "passwd" or "pwd" (CESLAB_PASSWORD=..., a URL query).
// Text other than UTF-8/ANSI (UTF-16 exports) passes the key and header
// rules only where it is ASCII-compatible; the generated scenario is
// redacted again as a whole before it is written.
std::string redact_artefact(std::string_view text, ArtefactRedactions* count = nullptr);

}  // namespace ceslab::runner
