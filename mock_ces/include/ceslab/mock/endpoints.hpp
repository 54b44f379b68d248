// SPDX-License-Identifier: GPL-2.0-or-later
// Endpoint paths as Windows names them (docs/protocol.md 3.1):
//   /<CA name>_CES_<Kerberos|UsernamePassword|Certificate>/service.svc/CES
//   /ADPolicyProvider_CEP_<mode>/service.svc/CEP
// IIS matches paths case-insensitively; spaces in the CA name travel as %20.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ceslab::mock {

enum class Service { ces, cep };
enum class AuthMode { kerberos, username_password, certificate };

std::string_view to_string(AuthMode mode);  // "Kerberos", "UsernamePassword", "Certificate"

struct Endpoint {
  Service service = Service::ces;
  AuthMode auth = AuthMode::username_password;
  std::string path;  // as served, %-encoded
};

// The path of an endpoint for a CA ("Lab Issuing CA" -> "/Lab%20Issuing%20CA_CES_...").
std::string endpoint_path(Service service, AuthMode auth, std::string_view ca_name);

// Which endpoint a request target names, if any (query string ignored).
std::optional<Endpoint> match_endpoint(std::string_view target, std::string_view ca_name,
                                       const std::vector<AuthMode>& served);

}  // namespace ceslab::mock
