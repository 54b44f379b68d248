// SPDX-License-Identifier: GPL-2.0-or-later
// What every event reader does with one event it read.
#include <algorithm>

#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

// The Windows certificate client's own channels: their messages are what the
// client reports, e.g. CertEnroll 13 "... (A message containing a fault was
// received from the remote endpoint. 0x803d0013 (-2143485933
// WS_E_ENDPOINT_FAULT_RECEIVED))".
bool is_client_source(std::string_view source) {
  return starts_with_icase(source, "Microsoft-Windows-CertificateServicesClient");
}

// The "(message code)" group a client event wraps its error in, when there is
// one with text before the code; the whole line otherwise.
std::string client_message(std::string_view line, const std::vector<FoundCode>& codes) {
  const std::size_t first = codes.front().begin;
  const std::size_t open = line.rfind('(', first);
  if (open != std::string_view::npos && trim(line.substr(open + 1, first - open - 1)).size() > 0) {
    int depth = 0;
    for (std::size_t i = open; i < line.size(); ++i) {
      if (line[i] == '(') ++depth;
      if (line[i] == ')' && --depth == 0) {
        std::string_view inner = line.substr(open + 1, i - open - 1);
        std::vector<FoundCode> shifted = find_codes(inner);
        if (!shifted.empty()) return normalised_message(inner, shifted);
        break;
      }
    }
  }
  return normalised_message(line, codes);
}

}  // namespace

std::string level_name(int level) {
  switch (level) {
    case 1:
      return "Critical";
    case 2:
      return "Error";
    case 3:
      return "Warning";
    case 5:
      return "Verbose";
    default:
      return "Information";  // 4, and 0 (LogAlways, used by audit events)
  }
}

void add_event(core::ServerEvent event, Reading& reading) {
  // Exports write CRLF inside messages (&#xD;&#xA;); one line end is enough.
  std::string message;
  for (std::size_t i = 0; i < event.message.size(); ++i) {
    if (event.message[i] == '\r' && i + 1 < event.message.size() && event.message[i + 1] == '\n')
      continue;
    message += event.message[i];
  }
  event.message = std::string(trim(message));

  std::string fact = "event " + event.source + " " + std::to_string(event.id);
  if (!event.host.empty()) fact += " on " + event.host;
  if (!event.level.empty()) fact += " (" + event.level + ")";
  reading.facts.push_back(fact);

  if (is_client_source(event.source)) {
    for (const std::string_view line : split_lines(event.message)) {
      const std::vector<FoundCode> codes = find_codes(line);
      if (codes.empty()) continue;
      const std::string m = client_message(line, codes);
      auto& messages = reading.evidence.messages;
      if (std::find(messages.begin(), messages.end(), m) == messages.end()) messages.push_back(m);
    }
  }
  reading.evidence.server_events.push_back(std::move(event));
}

}  // namespace ceslab::diagnosis::inputs
