// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/endpoints.hpp"

#include <algorithm>
#include <cctype>

#include "ceslab/core/text.hpp"

namespace ceslab::mock {
namespace {

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

}  // namespace

std::string_view to_string(AuthMode mode) {
  switch (mode) {
    case AuthMode::kerberos:
      return "Kerberos";
    case AuthMode::username_password:
      return "UsernamePassword";
    case AuthMode::certificate:
      return "Certificate";
  }
  return "UsernamePassword";
}

std::string endpoint_path(Service service, AuthMode auth, std::string_view ca_name) {
  if (service == Service::ces) {
    return "/" + percent_encode_spaces(ca_name) + "_CES_" + std::string(to_string(auth)) +
           "/service.svc/CES";
  }
  return "/ADPolicyProvider_CEP_" + std::string(to_string(auth)) + "/service.svc/CEP";
}

std::optional<Endpoint> match_endpoint(std::string_view target, std::string_view ca_name,
                                       const std::vector<AuthMode>& served) {
  std::string_view path = target.substr(0, target.find('?'));
  const std::string wanted = core::to_lower(path);
  for (Service service : {Service::ces, Service::cep}) {
    for (AuthMode auth : served) {
      const std::string candidate = endpoint_path(service, auth, ca_name);
      if (core::to_lower(candidate) == wanted) return Endpoint{service, auth, candidate};
    }
  }
  return std::nullopt;
}

}  // namespace ceslab::mock
