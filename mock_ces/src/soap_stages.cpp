// SPDX-License-Identifier: GPL-2.0-or-later
#include <chrono>

#include "ceslab/core/text.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "pipeline.hpp"

namespace ceslab::mock::pipeline {

using core::HttpRequest;
using core::HttpResponse;
using core::iequals;
using core::SoapMessage;
namespace uri = core::uri;

namespace {
// WCF rejects a UsernameToken whose timestamp is off by more than this.
constexpr auto kMaxClockSkew = std::chrono::minutes(5);
}  // namespace

// Stage: HTTP. WCF answers a wrong media type before reading the body.
std::optional<HttpResponse> check_http(const HttpRequest& request) {
  if (request.method != "POST") {
    HttpResponse r;
    r.status = 405;
    r.reason = "Method Not Allowed";
    r.headers.push_back({"Allow", "POST"});
    r.headers.push_back({"Content-Type", "text/html"});
    r.body = "<html><body><h1>Method Not Allowed</h1></body></html>";
    return r;
  }
  const std::string type = request.header("Content-Type").value_or("");
  if (type.rfind("application/soap+xml", 0) != 0) {
    HttpResponse r;
    r.status = 415;
    r.reason = "Cannot process the message because the content type '" + type +
               "' was not the expected type 'application/soap+xml; charset=utf-8'.";
    return r;
  }
  return std::nullopt;
}

// Stage: SOAP parse and validation.
SoapMessage parse(const HttpRequest& request) {
  try {
    return wsdl::read_message(request.body);
  } catch (const wsdl::MessageError& e) {
    switch (e.kind()) {
      case wsdl::MessageErrorKind::missing_action:
      case wsdl::MessageErrorKind::action_mismatch:
        throw FaultRaised{action_not_supported_fault(e.action())};
      case wsdl::MessageErrorKind::invalid_base64:
        throw FaultRaised{enrollment_fault(kEInvalidArg, "The parameter is incorrect.", false)};
      default:
        // WCF fails to deserialize and answers with its generic fault.
        throw FaultRaised{internal_service_fault()};
    }
  }
}

// Stage: WS-Addressing. WCF's default AddressFilter compares a:To with the
// endpoint address; the host name is not compared (HostNameComparisonMode
// StrongWildcard), the port and path are (case-insensitively for the path,
// as IIS routes). An absent a:To is accepted (MS-WSTEP examples omit it).
void check_to(const SoapMessage& m, const std::string& endpoint_url) {
  if (!m.addressing.to) return;
  try {
    const core::Url to = core::parse_url(*m.addressing.to);
    const core::Url self = core::parse_url(endpoint_url);
    if (to.port == self.port && iequals(to.target, self.target)) return;
  } catch (const std::invalid_argument&) {
  }
  throw FaultRaised{address_filter_fault(*m.addressing.to)};
}

// Stage: authentication, UsernamePassword endpoint (protocol.md 3.3).
const Account& authenticate_username(const SoapMessage& m, const World& world) {
  if (!m.security || !m.security->username_token) throw FaultRaised{invalid_security_fault()};
  const auto now = std::chrono::system_clock::now();
  if (m.security->created &&
      (*m.security->created > now + kMaxClockSkew || *m.security->created < now - kMaxClockSkew)) {
    throw FaultRaised{invalid_security_fault()};
  }
  if (m.security->expires && *m.security->expires < now - kMaxClockSkew) {
    throw FaultRaised{invalid_security_fault()};
  }
  const core::UsernameToken& token = *m.security->username_token;
  const Account* account = world.find_account(token.username);
  if (account == nullptr || account->password != token.password ||
      token.password_type != uri::kPasswordText) {
    throw FaultRaised{invalid_security_fault()};
  }
  return *account;
}

}  // namespace ceslab::mock::pipeline
