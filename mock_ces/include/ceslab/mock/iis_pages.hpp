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

// HTTP.sys's own 400 "Bad Request - Invalid Hostname" page, with
// `Server: Microsoft-HTTPAPI/2.0` and `Connection: close`: its answer, before
// IIS sees the request, to an HTTP/1.1 request without a Host header (RFC
// 9112, 3.2 requires one; HTTP/1.0 may omit it).
core::HttpResponse httpsys_invalid_hostname();

// True for a request HTTP.sys refuses that way: HTTP/1.1 (or later) and no
// Host header.
bool lacks_required_host(const core::HttpRequest& request);

}  // namespace ceslab::mock
