// SPDX-License-Identifier: GPL-2.0-or-later
// How Windows names the CES and CEP endpoints and the authentication each
// takes (docs/protocol.md 3.1). Install-AdcsEnrollmentWebService creates the
// IIS application <CA name>_CES_<mode>, Install-AdcsEnrollmentPolicyWebService
// ADPolicyProvider_CEP_<mode> (KeyBasedRenewal_ADPolicyProvider_CEP_<mode> for
// key-based renewal); each serves service.svc/CES or service.svc/CEP. The mock
// builds its paths here, and the runner and the diagnosis inputs read URLs
// with the same rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ceslab::core {

// How a client proves who it is. The values are the clientAuthentication
// values of an MS-XCEP CAURI (3.1.4.1.3.5), so a mode compares directly with
// what CEP advertises.
enum class AuthMode : unsigned {
  anonymous = 1,
  kerberos = 2,     // transport: HTTP Negotiate
  username = 4,     // message: WS-Security UsernameToken
  certificate = 8,  // transport: TLS client certificate
};

enum class Service { ces, cep };

// The IIS application suffix Windows names the mode with: "Anonymous",
// "Kerberos", "UsernamePassword", "Certificate".
std::string_view iis_name(AuthMode mode);
// ceslab's own name for the mode: `--auth`, a scenario's `client.auth` and
// the evidence JSON say "anonymous", "kerberos", "username", "cert".
std::string_view cli_name(AuthMode mode);
// The mode a CAURI clientAuthentication value names; nullopt for any other.
std::optional<AuthMode> auth_mode_from_flag(unsigned client_authentication);
// The mode `name` names in ceslab's words (cli_name); nullopt for any other.
std::optional<AuthMode> auth_mode_from_cli_name(std::string_view name);
// The mode an IIS application suffix names, in any case; nullopt for any other.
std::optional<AuthMode> auth_mode_from_iis_name(std::string_view suffix);

// "CES" or "CEP", as the path's last segment says it.
std::string_view service_name(Service service);

// The path of an endpoint for a CA, %-encoding its spaces ("Lab Issuing CA"
// -> "/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES").
std::string endpoint_path(Service service, AuthMode mode, std::string_view ca_name);

// What a path says about its endpoint, read strictly from the segments
// <application>/service.svc/<CES|CEP> at its end, in any case.
struct EndpointName {
  Service service = Service::ces;
  AuthMode mode = AuthMode::username;
  std::string application;  // the IIS application segment, as given
};

// Why a path is not one Windows would serve.
enum class EndpointNameProblem {
  no_service,      // no service.svc/CES or service.svc/CEP at the end
  no_auth_suffix,  // the application has no _CES_<mode> / _CEP_<mode>
};

struct EndpointNameResult {
  std::optional<EndpointName> name;
  EndpointNameProblem problem = EndpointNameProblem::no_service;
  std::string application;  // set with no_auth_suffix
};

// Reads an endpoint's path (a query string is ignored).
EndpointNameResult read_endpoint_path(std::string_view path);

// The shape read_endpoint_path accepts, for messages that refuse a URL.
std::string_view endpoint_path_shape();

// Lenient readings for URLs found in free text (logs, certreq output), which
// may be cut short or quoted: the mode of the first _<mode>/ application
// suffix anywhere in the URL, and whether it looks like a CES or CEP URL.
std::optional<AuthMode> auth_mode_in_url(std::string_view url);
bool looks_like_ces_url(std::string_view url);
bool looks_like_cep_url(std::string_view url);

}  // namespace ceslab::core
