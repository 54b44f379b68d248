// SPDX-License-Identifier: GPL-2.0-or-later
// CES/CEP URLs in text, and what their IIS application names say about the
// authentication (core/endpoint_names.hpp, docs/protocol.md 3.1).
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ceslab/core/endpoint_names.hpp"
#include "ceslab/core/text.hpp"
#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

bool ends_url(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '"' || c == '\'' || c == '<' ||
         c == '>' || c == ')' || c == ']' || c == '`';
}

// An option on a command line, as a word of its own ("-q", "-username").
bool has_option(std::string_view line, std::string_view option) {
  for (std::size_t i = 0; i + option.size() <= line.size(); ++i) {
    if (!starts_with_icase(line.substr(i), option)) continue;
    const bool before = i == 0 || std::isspace(static_cast<unsigned char>(line[i - 1])) != 0;
    const std::size_t after = i + option.size();
    const bool behind =
        after == line.size() || std::isspace(static_cast<unsigned char>(line[after])) != 0;
    if (before && behind) return true;
  }
  return false;
}

struct AuthReading {
  std::optional<core::AuthMode> auth;
  std::string why;
};

// A UsernamePassword application says what the endpoint takes, not that the
// client sent a UsernameToken: only a command line shows that. certreq takes
// the credentials with -username (and -p), and asks for them interactively
// unless -q ("suppress all interactive prompts", learn.microsoft.com certreq)
// forbids it, so `-q` without `-username` sends none.
AuthReading auth_of(std::string_view url, std::string_view command) {
  const auto auth = core::auth_mode_in_url(url);
  if (auth != core::AuthMode::username) return {auth, "the endpoint's IIS application name"};
  if (command.empty())
    return {std::nullopt, ""};  // a listing or a log line: whether credentials went is not shown
  if (contains_icase(command, "certreq")) {
    if (has_option(command, "-username"))
      return {core::AuthMode::username, "certreq -username on a UsernamePassword endpoint"};
    if (has_option(command, "-anonymous")) return {core::AuthMode::anonymous, "certreq -anonymous"};
    if (has_option(command, "-q"))
      return {core::AuthMode::anonymous,
              "certreq -q without -username: silent mode cannot ask for the user name and "
              "password of this UsernamePassword endpoint, so none were sent"};
    return {core::AuthMode::username,
            "certreq asks for the credentials of a UsernamePassword endpoint"};
  }
  if (has_option(command, "-Credential"))
    return {core::AuthMode::username, "Get-Certificate -Credential"};
  return {std::nullopt, ""};
}

}  // namespace

std::vector<std::string> find_urls(std::string_view line) {
  std::vector<std::string> urls;
  std::size_t i = 0;
  while (i < line.size()) {
    const std::string_view rest = line.substr(i);
    const bool https = starts_with_icase(rest, "https://");
    if (!https && !starts_with_icase(rest, "http://")) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < line.size() && !ends_url(line[end])) ++end;
    std::string_view url = line.substr(i, end - i);
    while (!url.empty() && (url.back() == '.' || url.back() == ',' || url.back() == ';'))
      url.remove_suffix(1);
    if (url.size() > (https ? 8u : 7u)) urls.emplace_back(url);
    i = end;
  }
  return urls;
}

std::string host_of_url(std::string_view url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {};
  std::string_view rest = url.substr(scheme + 3);
  const std::size_t end = rest.find_first_of(":/?#");
  return core::to_lower(rest.substr(0, end));
}

void endpoint_from_text(std::string_view text, core::Evidence& e, Facts& facts) {
  std::string ces;
  std::string cep;
  std::string commanded;  // any URL a certreq / Get-Certificate command line names
  std::vector<std::pair<std::string, std::string_view>> command_urls;  // url, its command line
  std::string_view first_command;  // the run's command line, when no line names the URL
  for (const std::string_view line : split_lines(text)) {
    const bool command =
        contains_icase(line, "certreq") || contains_icase(line, "Get-Certificate ");
    if (command && first_command.empty()) first_command = line;
    for (const std::string& url : find_urls(line)) {
      if (ces.empty() && core::looks_like_ces_url(url)) ces = url;
      if (cep.empty() && core::looks_like_cep_url(url)) cep = url;
      if (commanded.empty() && command) commanded = url;
      if (command) command_urls.emplace_back(url, line);
    }
  }
  const std::string& url = !ces.empty() ? ces : !cep.empty() ? cep : commanded;
  if (url.empty() || !e.endpoint.empty()) return;
  std::string_view command = first_command;
  for (const auto& [named, line] : command_urls) {
    if (named == url) {
      command = line;
      break;
    }
  }
  e.endpoint = url;
  facts.push_back("endpoint " + url +
                  (!ces.empty()   ? ""
                   : !cep.empty() ? " (a CEP URL)"
                                  : " (the command line's URL, neither a CES nor a CEP path)"));
  if (const AuthReading r = auth_of(url, command); r.auth && !e.auth) {
    e.auth = *r.auth;
    facts.push_back("auth " + std::string(core::cli_name(*r.auth)) + " (" + r.why + ")");
  }
}

}  // namespace ceslab::diagnosis::inputs
