// SPDX-License-Identifier: GPL-2.0-or-later
// The SOAP stages every CES and CEP endpoint runs (private to mock_ces):
// HTTP, SOAP parse and validation, a:To, and the UsernameToken
// authentication (docs/protocol.md 1, 3.3).
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "ceslab/core/http_types.hpp"
#include "ceslab/core/messages.hpp"
#include "ceslab/mock/event_log.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::mock::pipeline {

// Stage: HTTP. A response when the request is refused before its body is
// read (wrong method: 405; wrong media type: 415; a body over the binding's
// maxReceivedMessageSize: 413, as WCF answers).
std::optional<core::HttpResponse> check_http(const core::HttpRequest& request,
                                             const WcfQuotas& quotas);

// WCF's text encoder could not read the envelope or its headers (not
// well-formed, over a reader quota, a SOAP 1.1 envelope): no SOAP answer, a
// bare HTTP status (docs/wire-acceptance.md, "XML").
struct EncoderRefusal {
  core::HttpResponse response;
};

// Stage: SOAP parse and validation; throws the fault WCF gives, or
// EncoderRefusal. `operations` are the actions this endpoint has an
// operation for.
core::SoapMessage parse(const core::HttpRequest& request,
                        std::initializer_list<std::string_view> operations,
                        const WcfQuotas& quotas);

// Stage: WS-Addressing a:To against this endpoint's address.
void check_to(const core::SoapMessage& m, const std::string& endpoint_url);

// Stage: authentication on a UsernamePassword endpoint (docs/protocol.md 3.3):
// the wsu:Timestamp, when there is one, in WCF's range, then the logon.
// With `events`, a failed logon is audited there (Security 4625).
const Account& authenticate_username(const core::SoapMessage& m, const World& world,
                                     EventLog* events = nullptr);

}  // namespace ceslab::mock::pipeline
