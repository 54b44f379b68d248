// SPDX-License-Identifier: GPL-2.0-or-later
// CES/CEP URLs in text, and what their IIS application names say about the
// authentication (protocol.md 3.1: <CA>_CES_Kerberos, ..._UsernamePassword,
// ..._Certificate; ADPolicyProvider_CEP_<auth>).
#include <array>
#include <cctype>

#include "ceslab/core/text.hpp"
#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

bool ends_url(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '"' || c == '\'' || c == '<' ||
         c == '>' || c == ')' || c == ']' || c == '`';
}

struct AuthSuffix {
  std::string_view suffix;
  core::AuthMethod auth;
};

constexpr std::array<AuthSuffix, 3> kAuthSuffixes{{
    {"_Kerberos/", core::AuthMethod::kerberos},
    {"_UsernamePassword/", core::AuthMethod::username},
    {"_Certificate/", core::AuthMethod::certificate},
}};

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

bool is_ces_url(std::string_view url) {
  return contains_icase(url, "_CES_") || contains_icase(url, "/service.svc/CES");
}

bool is_cep_url(std::string_view url) {
  return contains_icase(url, "_CEP_") || contains_icase(url, "/service.svc/CEP");
}

std::optional<core::AuthMethod> auth_of_url(std::string_view url) {
  for (const AuthSuffix& s : kAuthSuffixes) {
    if (contains_icase(url, s.suffix)) return s.auth;
  }
  return std::nullopt;
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
  for (const std::string_view line : split_lines(text)) {
    const bool command =
        contains_icase(line, "certreq") || contains_icase(line, "Get-Certificate ");
    for (const std::string& url : find_urls(line)) {
      if (ces.empty() && is_ces_url(url)) ces = url;
      if (cep.empty() && is_cep_url(url)) cep = url;
      if (commanded.empty() && command) commanded = url;
    }
  }
  const std::string& url = !ces.empty() ? ces : !cep.empty() ? cep : commanded;
  if (url.empty() || !e.endpoint.empty()) return;
  e.endpoint = url;
  facts.push_back("endpoint " + url +
                  (!ces.empty()   ? ""
                   : !cep.empty() ? " (a CEP URL)"
                                  : " (the command line's URL, neither a CES nor a CEP path)"));
  if (const auto auth = auth_of_url(url); auth && e.auth == core::AuthMethod::unknown) {
    e.auth = *auth;
    facts.push_back("auth " + std::string(core::to_string(*auth)) +
                    " (the endpoint's IIS application name)");
  }
}

}  // namespace ceslab::diagnosis::inputs
