// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/core/endpoint_names.hpp"

#include <vector>

#include "ceslab/core/enum_names.hpp"
#include "ceslab/core/text.hpp"

namespace ceslab::core {
namespace {

constexpr EnumNames<AuthMode, 4> kIisNames{{{AuthMode::anonymous, "Anonymous"},
                                            {AuthMode::kerberos, "Kerberos"},
                                            {AuthMode::username, "UsernamePassword"},
                                            {AuthMode::certificate, "Certificate"}}};
// Only these three have CES/CEP applications; anonymous has none.
constexpr EnumNames<AuthMode, 3> kEndpointModes{{{AuthMode::kerberos, "Kerberos"},
                                                 {AuthMode::username, "UsernamePassword"},
                                                 {AuthMode::certificate, "Certificate"}}};
constexpr EnumNames<AuthMode, 4> kCliNames{{{AuthMode::anonymous, "anonymous"},
                                            {AuthMode::kerberos, "kerberos"},
                                            {AuthMode::username, "username"},
                                            {AuthMode::certificate, "cert"}}};
constexpr EnumNames<Service, 2> kServices{{{Service::ces, "CES"}, {Service::cep, "CEP"}}};

std::string percent_encode_spaces(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ') {
      out += "%20";
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string_view> path_segments(std::string_view path) {
  path = path.substr(0, path.find('?'));
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const std::size_t slash = path.find('/');
    const std::string_view segment = path.substr(0, slash);
    if (!segment.empty()) out.push_back(segment);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

std::string_view iis_name(AuthMode mode) {
  return name_of(kIisNames, mode);
}

std::string_view cli_name(AuthMode mode) {
  return name_of(kCliNames, mode);
}

std::optional<AuthMode> auth_mode_from_flag(unsigned client_authentication) {
  for (const auto& [mode, name] : kCliNames) {
    if (static_cast<unsigned>(mode) == client_authentication) return mode;
  }
  return std::nullopt;
}

std::optional<AuthMode> auth_mode_from_cli_name(std::string_view name) {
  return value_of(kCliNames, name);
}

std::optional<AuthMode> auth_mode_from_iis_name(std::string_view suffix) {
  return value_of_icase(kEndpointModes, suffix);
}

std::string_view service_name(Service service) {
  return name_of(kServices, service);
}

std::string endpoint_path(Service service, AuthMode mode, std::string_view ca_name) {
  const std::string suffix = std::string(iis_name(mode));
  if (service == Service::ces) {
    return "/" + percent_encode_spaces(ca_name) + "_CES_" + suffix + "/service.svc/CES";
  }
  return "/ADPolicyProvider_CEP_" + suffix + "/service.svc/CEP";
}

EndpointNameResult read_endpoint_path(std::string_view path) {
  const std::vector<std::string_view> segments = path_segments(path);
  const std::size_t n = segments.size();
  EndpointNameResult result;
  const std::optional<Service> service = n < 3 || !iequals(segments[n - 2], "service.svc")
                                             ? std::nullopt
                                             : value_of_icase(kServices, segments[n - 1]);
  if (!service) {
    result.problem = EndpointNameProblem::no_service;
    return result;
  }
  const std::string_view application = segments[n - 3];
  const std::string marker = *service == Service::ces ? "_ces_" : "_cep_";
  const std::size_t at = to_lower(application).rfind(marker);
  const std::optional<AuthMode> mode =
      at == std::string::npos ? std::nullopt
                              : auth_mode_from_iis_name(application.substr(at + marker.size()));
  if (!mode) {
    result.problem = EndpointNameProblem::no_auth_suffix;
    result.application = std::string(application);
    return result;
  }
  result.name = EndpointName{*service, *mode, std::string(application)};
  return result;
}

std::string_view endpoint_path_shape() {
  return "a CES URL ends in <CA name>_CES_<Kerberos|UsernamePassword|Certificate>/service.svc/CES, "
         "a CEP URL in "
         "ADPolicyProvider_CEP_<Kerberos|UsernamePassword|Certificate>/service.svc/CEP";
}

std::optional<AuthMode> auth_mode_in_url(std::string_view url) {
  for (const auto& [mode, name] : kEndpointModes) {
    if (contains_icase(url, "_" + std::string(name) + "/")) return mode;
  }
  return std::nullopt;
}

bool looks_like_ces_url(std::string_view url) {
  return contains_icase(url, "_CES_") || contains_icase(url, "/service.svc/CES");
}

bool looks_like_cep_url(std::string_view url) {
  return contains_icase(url, "_CEP_") || contains_icase(url, "/service.svc/CEP");
}

}  // namespace ceslab::core
