// SPDX-License-Identifier: GPL-2.0-or-later
#include "artefact_redaction.hpp"

#include <array>
#include <cctype>

#include "ceslab/client/redaction.hpp"
#include "ceslab/core/header_redaction.hpp"
#include "ceslab/core/text.hpp"

namespace ceslab::runner {

namespace {

constexpr std::string_view kRedacted = core::kRedacted;

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.';
}

bool space(char c) {
  return c == ' ' || c == '\t';
}

// "Name: value" where core::redact_header changes the value: the header
// rules are core's, whatever the line is in (a dump, a log, a paste).
std::string redact_header_line(std::string_view line, int& count) {
  std::size_t start = 0;
  while (start < line.size() && space(line[start])) ++start;
  std::size_t colon = start;
  while (colon < line.size() && name_char(line[colon])) ++colon;
  if (colon == start || colon >= line.size() || line[colon] != ':') return std::string(line);
  std::size_t value = colon + 1;
  while (value < line.size() && space(line[value])) ++value;
  std::size_t end = line.size();
  if (end > value && line[end - 1] == '\r') --end;
  const core::HttpHeader header{std::string(line.substr(start, colon - start)),
                                std::string(line.substr(value, end - value))};
  if (header.value.empty() || !core::header_is_redacted(header)) return std::string(line);
  ++count;
  return std::string(line.substr(0, value)) + core::redact_header(header).value +
         std::string(line.substr(end));
}

// The text of <Password ...>, <wsse:Password ...>: a UsernameToken's.
std::string redact_password_elements(std::string_view line, int& count) {
  std::string out;
  std::size_t copied = 0;
  const std::string folded = core::to_lower(line);
  for (std::size_t at = folded.find("password"); at != std::string::npos;
       at = folded.find("password", at + 1)) {
    // Back over an optional "prefix:" to the '<' that opens the tag.
    std::size_t open = at;
    if (open > 0 && line[open - 1] == ':') {
      --open;
      while (open > 0 && name_char(line[open - 1])) --open;
    }
    if (open == 0 || line[open - 1] != '<') continue;
    const std::size_t after = at + 8;
    if (after >= line.size() || (line[after] != '>' && !space(line[after]))) continue;
    const std::size_t tag_end = line.find('>', after);
    if (tag_end == std::string_view::npos || line[tag_end - 1] == '/') continue;
    const std::size_t text_end = line.find('<', tag_end + 1);
    if (text_end == std::string_view::npos || text_end == tag_end + 1) continue;
    const std::string_view secret = line.substr(tag_end + 1, text_end - tag_end - 1);
    if (secret == kRedacted || tag_end + 1 < copied) continue;
    out.append(line.substr(copied, tag_end + 1 - copied));
    out.append(kRedacted);
    copied = text_end;
    ++count;
  }
  out.append(line.substr(copied));
  return out;
}

// One shell/PowerShell word from `at`: quoted or up to white space.
std::size_t word_end(std::string_view line, std::size_t at) {
  if (at < line.size() && (line[at] == '"' || line[at] == '\'')) {
    const std::size_t close = line.find(line[at], at + 1);
    return close == std::string_view::npos ? line.size() : close + 1;
  }
  while (at < line.size() && !space(line[at]) && line[at] != '\r') ++at;
  return at;
}

// certreq -p P (and -password, -pwd, /p), ConvertTo-SecureString P.
std::string redact_password_arguments(std::string_view line, int& count) {
  static constexpr std::array<std::string_view, 7> kOptions = {
      "-p", "/p", "-password", "/password", "-pwd", "/pwd", "convertto-securestring"};
  std::string out;
  std::size_t copied = 0;
  std::size_t at = 0;
  while (at < line.size()) {
    while (at < line.size() && space(line[at])) ++at;
    const std::size_t end = word_end(line, at);
    if (end == at) break;
    const std::string word = core::to_lower(line.substr(at, end - at));
    bool option = false;
    for (const auto o : kOptions) option = option || word == o;
    std::size_t value = end;
    while (value < line.size() && space(line[value])) ++value;
    const std::size_t value_end = word_end(line, value);
    if (option && value_end > value && line[value] != '-') {
      out.append(line.substr(copied, value - copied));
      out.append(kRedacted);
      copied = value_end;
      ++count;
      at = value_end;
    } else {
      at = end;
    }
  }
  out.append(line.substr(copied));
  return out;
}

// NAME=VALUE where NAME names a password (CESLAB_PASSWORD=..., ?password=...).
std::string redact_password_assignments(std::string_view line, int& count) {
  std::string out;
  std::size_t copied = 0;
  for (std::size_t eq = line.find('='); eq != std::string_view::npos; eq = line.find('=', eq + 1)) {
    if (eq + 1 < line.size() && line[eq + 1] == '=') continue;
    std::size_t name = eq;
    while (name > 0 && name_char(line[name - 1])) --name;
    const std::string key = core::to_lower(line.substr(name, eq - name));
    if (key.find("password") == std::string::npos && key.find("passwd") == std::string::npos &&
        key.find("pwd") == std::string::npos) {
      continue;
    }
    std::size_t end = eq + 1;
    if (end < line.size() && (line[end] == '"' || line[end] == '\'')) {
      end = word_end(line, end);
    } else {
      while (end < line.size() && !space(line[end]) && line[end] != '&' && line[end] != ';' &&
             line[end] != '\r' && line[end] != '"' && line[end] != '\'' && line[end] != '<')
        ++end;
    }
    if (end == eq + 1 || eq + 1 < copied) continue;
    out.append(line.substr(copied, eq + 1 - copied));
    out.append(kRedacted);
    copied = end;
    ++count;
  }
  out.append(line.substr(copied));
  return out;
}

}  // namespace

std::string redact_artefact(std::string_view text, ArtefactRedactions* count) {
  client::RedactionCount keys;
  const std::string keyless = client::Secrets{}.redact(text, &keys);
  ArtefactRedactions local;
  local.private_keys = keys.private_keys;
  std::string out;
  out.reserve(keyless.size());
  std::size_t start = 0;
  while (start <= keyless.size()) {
    const std::size_t nl = keyless.find('\n', start);
    const std::size_t end = nl == std::string::npos ? keyless.size() : nl;
    std::string line =
        redact_header_line(std::string_view(keyless).substr(start, end - start), local.headers);
    line = redact_password_elements(line, local.passwords);
    line = redact_password_arguments(line, local.passwords);
    line = redact_password_assignments(line, local.passwords);
    out += line;
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
  }
  if (count) {
    count->private_keys += local.private_keys;
    count->headers += local.headers;
    count->passwords += local.passwords;
  }
  return out;
}

}  // namespace ceslab::runner
