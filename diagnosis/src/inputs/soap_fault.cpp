// SPDX-License-Identifier: GPL-2.0-or-later
// A SOAP envelope — normally the fault CES sent — read with the project's
// codec (ceslab::wsdl, which also refuses DTDs and oversize input).
#include <variant>

#include "ceslab/core/endpoint_names.hpp"
#include "ceslab/core/fault_kind.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "readers.hpp"

namespace ceslab::diagnosis::inputs {

namespace {

// The fault's shape as its JSON name, with what the two CES shapes are.
std::string kind_text(core::FaultKind kind) {
  std::string text(core::to_string(kind));
  if (kind == core::FaultKind::enrollment_detail) text += " (CertificateEnrollmentWSDetail)";
  if (kind == core::FaultKind::wcf_dispatcher) text += " (WCF InternalServiceFault)";
  return text;
}

std::string last_segment(std::string_view uri) {
  const std::size_t slash = uri.find_last_of('/');
  return std::string(slash == std::string_view::npos ? uri : uri.substr(slash + 1));
}

void set_operation(core::Evidence& e, core::Operation op, Facts& facts, std::string_view why) {
  if (e.operation != core::Operation::unknown) return;
  e.operation = op;
  facts.push_back("operation " + std::string(core::to_string(op)) + " (" + std::string(why) + ")");
}

void apply_request(const core::SoapMessage& message, core::Evidence& e, Facts& facts) {
  facts.push_back("a request, not the server's answer");
  if (message.addressing.to && e.endpoint.empty()) {
    e.endpoint = *message.addressing.to;
    facts.push_back("endpoint " + e.endpoint + " (wsa:To)");
    if (const auto auth = core::auth_mode_in_url(e.endpoint); auth && !e.auth) e.auth = *auth;
  }
  if (message.security && message.security->username_token && !e.auth) {
    e.auth = core::AuthMode::username;
    facts.push_back("auth username (a WS-Security UsernameToken; the password is not kept)");
  }
  if (const auto* rst = std::get_if<core::RequestSecurityToken>(&message.body)) {
    if (rst->request_type == core::uri::kRequestTypeQueryTokenStatus)
      set_operation(e, core::Operation::retrieve, facts, "QueryTokenStatus");
  } else if (std::holds_alternative<core::GetPoliciesRequest>(message.body)) {
    set_operation(e, core::Operation::policy, facts, "GetPolicies");
  }
}

}  // namespace

void fault_facts(const core::EnrollmentFault& f, Facts& facts) {
  facts.push_back("SOAP fault " + f.code +
                  (f.subcode ? "/" + *f.subcode : std::string(", no subcode")));
  facts.push_back("fault kind " + kind_text(f.kind));
  facts.push_back(f.reason.empty() ? std::string("fault Reason empty")
                                   : "fault Reason '" + f.reason + "'");
  if (f.error_code)
    facts.push_back("fault ErrorCode " + describe_code(static_cast<std::uint32_t>(*f.error_code)));
  if (f.invalid_request)
    facts.push_back(std::string("fault InvalidRequest ") + (*f.invalid_request ? "true" : "false"));
  if (f.request_id) facts.push_back("fault RequestID " + *f.request_id);
}

void apply_soap_message(const core::SoapMessage& message, core::Evidence& e, Facts& facts) {
  if (const auto* fault = std::get_if<core::EnrollmentFault>(&message.body)) {
    e.fault = core::fault_evidence(*fault);
    e.outcome = core::Outcome::failed;
    fault_facts(*fault, facts);
    return;
  }
  if (const auto* rstr = std::get_if<core::RequestSecurityTokenResponse>(&message.body)) {
    e.response = core::response_evidence(*rstr);
    e.outcome = rstr->is_issued()    ? core::Outcome::issued
                : rstr->is_pending() ? core::Outcome::pending
                                     : core::Outcome::failed;
    facts.push_back(
        "RSTR DispositionMessage '" + e.response->disposition + "'" +
        (e.response->request_id.empty() ? "" : ", RequestID " + e.response->request_id));
    if (rstr->is_pending()) facts.push_back("pending: poll " + e.response->pending_reference);
    if (rstr->is_issued()) facts.push_back("a certificate was issued");
    return;
  }
  if (const auto* policies = std::get_if<core::GetPoliciesResponse>(&message.body)) {
    e.outcome = core::Outcome::answered;
    set_operation(e, core::Operation::policy, facts, "a GetPoliciesResponse");
    if (!policies->policies) {
      facts.push_back(
          std::string("GetPoliciesResponse with nil policies") +
          (policies->policies_not_changed.value_or(false) ? " (policiesNotChanged)" : ""));
    } else {
      facts.push_back("GetPoliciesResponse with " + std::to_string(policies->policies->size()) +
                      " policies");
    }
    return;
  }
  apply_request(message, e, facts);
}

Reading read_soap(std::string_view name, std::string_view text) {
  refuse_doctype(name, text);
  core::SoapMessage message;
  try {
    message = wsdl::read_message(text, wsdl::CodecLimits{kMaxInputBytes});
  } catch (const wsdl::MessageError& e) {
    throw InputError(std::string(name), "is not a SOAP 1.2 message the codec can read (" +
                                            std::string(wsdl::to_string(e.kind())) +
                                            "): " + e.what());
  }
  Reading r;
  r.facts.push_back("SOAP message " + last_segment(message.addressing.action));
  apply_soap_message(message, r.evidence, r.facts);
  return r;
}

}  // namespace ceslab::diagnosis::inputs
