// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <map>
#include <string_view>

#include "ca_failure.hpp"
#include "ceslab/core/text.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "soap_stages.hpp"

namespace ceslab::mock::pipeline {

using core::HttpRequest;
using core::HttpResponse;
using core::iequals;
using core::SoapMessage;
namespace uri = core::uri;

namespace {
// WCF's defaults (LocalServiceSecuritySettings): how far the sender's clock
// may be off, and how long after its creation a message is still fresh.
constexpr auto kMaxClockSkew = std::chrono::minutes(5);
constexpr auto kReplayWindow = std::chrono::minutes(5);

// The range check WCF makes on a wsu:Timestamp that is there
// (SecurityTimestamp.ValidateRangeAndFreshness). An absent one is fine: the
// transport binding turns replay detection off, the only thing that demands one.
bool timestamp_in_range(const core::SecurityHeader& sec,
                        std::chrono::system_clock::time_point now) {
  if (sec.created && sec.expires && *sec.created >= *sec.expires) return false;
  if (sec.expires && *sec.expires <= now - kMaxClockSkew) return false;
  if (sec.created && *sec.created >= now + kMaxClockSkew) return false;
  if (sec.created && *sec.created <= now - (kReplayWindow + kMaxClockSkew)) return false;
  return true;
}
}  // namespace

// What IIS/WCF send when the message never becomes a SOAP message: a status
// and no body (WCF's HttpRequestContext.SendResponseAndClose writes an empty
// reply with SuppressEntityBody).
HttpResponse bare_status(int status, std::string reason) {
  HttpResponse r;
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

// Stage: HTTP. WCF answers a wrong media type before reading the body, then
// refuses a body over maxReceivedMessageSize: HttpInput.GetMessageBuffer
// compares the Content-Length (a chunked body: its length as read) with the
// quota and throws a ProtocolException carrying 413 (.NET Framework 4.5 and
// later; 400 before: learn.microsoft.com, "Runtime changes in .NET Framework
// 4.5", "Error codes for maxRequestLength or maxReceivedMessageSize are
// different"; CoreWCF HttpChannelHelpers.cs, ThrowMaxReceivedMessageSizeExceeded).
std::optional<HttpResponse> check_http(const HttpRequest& request, const WcfQuotas& quotas) {
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
  if (request.body.size() > quotas.max_received_message_size) {
    return bare_status(413, "Request Entity Too Large");
  }
  return std::nullopt;
}

namespace {
// An error WCF's encoder meets while it reads the envelope and the headers
// (BufferedMessage reads up to the Body's start tag when the message
// arrives): an XmlException becomes a ProtocolException, the envelope of
// another SOAP version a CommunicationException (EncoderEnvelopeVersionMismatch),
// and HttpChannelListener.HandleProcessInboundException answers either with a
// bare 400 (.NET reference source, System.ServiceModel/System/ServiceModel/
// Channels/HttpChannelListener.cs, BufferedMessage.cs; CoreWCF
// HttpChannelHelpers.cs, DecodeBufferedMessageAsync).
bool refused_by_encoder(const wsdl::MessageError& e) {
  switch (e.kind()) {
    case wsdl::MessageErrorKind::not_soap12:
      return true;
    case wsdl::MessageErrorKind::malformed_xml:
    case wsdl::MessageErrorKind::quota_exceeded:
    case wsdl::MessageErrorKind::doctype_refused:  // before the envelope (XmlUTF8TextReader.Read)
      return e.part() == wsdl::MessagePart::headers;
    default:
      return false;
  }
}
}  // namespace

// Stage: SOAP parse and validation. WCF picks the operation by the Action
// header before it reads the body (its ContractFilter): an action this
// endpoint has no operation for is a ContractFilter mismatch whatever the
// body; a body the operation cannot read (none, another operation's, an
// unknown element, not well-formed or nested over the depth quota) reaches
// the operation without its request, which fails with WCF's generic fault.
SoapMessage parse(const HttpRequest& request, std::initializer_list<std::string_view> operations,
                  const WcfQuotas& quotas) {
  try {
    wsdl::CodecLimits limits;
    limits.max_depth = quotas.max_depth;
    return wsdl::read_message(request.body, limits);
  } catch (const wsdl::MessageError& e) {
    if (refused_by_encoder(e)) throw EncoderRefusal{bare_status(400, "Bad Request")};
    // WCF relates its fault to the request whenever it read the MessageID
    // (its RequestContext sets RelatesTo on every reply, as the recorded
    // Windows faults show).
    const auto raise = [&](WireFault fault) {
      FaultRaised raised{std::move(fault)};
      raised.message_id = e.message_id();
      throw raised;
    };
    const bool has_operation =
        std::find(operations.begin(), operations.end(), e.action()) != operations.end();
    switch (e.kind()) {
      case wsdl::MessageErrorKind::missing_action:
        raise(action_not_supported_fault(e.action()));
        break;
      case wsdl::MessageErrorKind::action_mismatch:
      case wsdl::MessageErrorKind::unknown_body:
      case wsdl::MessageErrorKind::empty_body:
        if (has_operation) raise(internal_service_fault());
        raise(action_not_supported_fault(e.action()));
        break;
      case wsdl::MessageErrorKind::must_understand:
        raise(must_understand_fault(e.header_namespace(), e.header_name()));
        break;
      case wsdl::MessageErrorKind::invalid_base64:
        raise(code_fault("E_INVALIDARG"));
        break;
      default:
        // WCF fails to deserialize and answers with its generic fault.
        raise(internal_service_fault());
    }
    throw;  // not reached: raise throws
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

// Stage: authentication, UsernamePassword endpoint (docs/protocol.md 3.3). WCF
// logs the user on with LogonUser; a failed logon is audited on the CES host
// as Security 4625 with the NTSTATUS of the reason (docs/causes.md
// username_password_rejected). The token's wsse:Nonce and wsu:Created are
// not looked at: WCF's UsernameToken reader skips both.
const Account& authenticate_username(const SoapMessage& m, const World& world, EventLog* events) {
  if (!m.security || !m.security->username_token) throw FaultRaised{invalid_security_fault()};
  if (!timestamp_in_range(*m.security, std::chrono::system_clock::now())) {
    throw FaultRaised{invalid_security_fault()};
  }
  const core::UsernameToken& token = *m.security->username_token;
  const Account* account = world.find_account(token.username);
  // No Type means PasswordText (UsernameToken Profile 1.0, 3.1); WCF reads
  // only the unqualified attribute, so a wsse:Type is no Type to it.
  const bool text_password =
      token.password_type.empty() || token.password_type == uri::kPasswordText;
  const bool password_ok =
      account != nullptr && account->password == token.password && text_password;
  if (password_ok && !account->disabled && !account->password_expired) return *account;
  if (events != nullptr) {
    // NTSTATUS pairs of 4625 (learn.microsoft.com event-4625): no such user,
    // wrong password, account disabled, password expired.
    std::map<std::string, std::string> fields{{"account", account ? account->name : token.username},
                                              {"domain", world.netbios_domain}};
    if (account == nullptr) {
      fields["sub_status"] = "0xC0000064";
    } else if (!password_ok) {
      fields["sub_status"] = "0xC000006A";
    } else if (account->disabled) {
      fields["failure_reason"] = "Account currently disabled.";
      fields["status"] = "0xC000006E";
      fields["sub_status"] = "0xC0000072";
    } else {
      fields["failure_reason"] = "The specified account's password has expired.";
      fields["status"] = "0xC000006E";
      fields["sub_status"] = "0xC0000071";
    }
    events->append(EventCatalog::builtin().make("logon_failed", world.ces.host, fields));
  }
  throw FaultRaised{invalid_security_fault()};
}

}  // namespace ceslab::mock::pipeline
