// SPDX-License-Identifier: GPL-2.0-or-later
// What IIS answers by itself, before WCF (and CES) see a request: its HTML
// error pages for an unknown path, a failed or missing authentication, and a
// refused client certificate. A Windows client reports an HTML answer as
// WS_E_INVALID_FORMAT, a 401 as HTTP_E_STATUS_DENIED (docs/protocol.md 6).
#pragma once

#include "ceslab/core/http_types.hpp"

namespace ceslab::mock {

// 404 "File or directory not found" (wrong_endpoint_url).
core::HttpResponse iis_not_found();

// 401 with `WWW-Authenticate: Negotiate` and `WWW-Authenticate: NTLM`, as
// IIS Windows Authentication challenges (the default CES Kerberos app allows
// both providers; docs/protocol.md 3.2). `negotiate_token`, when given, is the
// server's final SPNEGO token to carry in the Negotiate header.
core::HttpResponse iis_unauthorized();

// 403 "Forbidden: Access is denied." — IIS's answer when the SSL settings
// require a client certificate and none, an untrusted one, or one that maps
// to no account arrives (docs/causes.md client_cert_not_mapped, model).
core::HttpResponse iis_forbidden();

}  // namespace ceslab::mock
