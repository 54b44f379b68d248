// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/faults.hpp"

#include "ceslab/wsdl/codec.hpp"

namespace ceslab::mock {

using core::EnrollmentFault;
using core::FaultKind;
namespace uri = core::uri;

namespace {
// WS-Security 1.0 namespace: WCF puts its security fault subcodes there.
constexpr std::string_view kWsse = uri::kWsseNs;
}  // namespace

WireFault enrollment_fault(std::uint32_t hresult, std::string reason, bool invalid_request,
                           std::optional<std::string> request_id) {
  EnrollmentFault f;
  f.kind = FaultKind::enrollment_detail;
  f.action = std::string(uri::kActionEnrollmentFault);
  f.code = "Receiver";
  f.reason = std::move(reason);
  f.has_detail = true;
  f.error_code = static_cast<std::int32_t>(hresult);
  f.invalid_request = invalid_request;
  f.request_id = std::move(request_id);
  return {f, 500};
}

WireFault internal_service_fault() {
  EnrollmentFault f;
  f.kind = FaultKind::wcf_dispatcher;
  f.action = std::string(uri::kActionWcfFault);
  f.code = "Receiver";
  f.subcode = "InternalServiceFault";
  f.subcode_namespace = std::string(uri::kWcfDispatcher);
  f.reason =
      "The server was unable to process the request due to an internal error.  For more "
      "information about the error, either turn on IncludeExceptionDetailInFaults (either from "
      "ServiceBehaviorAttribute or from the <serviceDebug> configuration behavior) on the server "
      "in order to send the exception information back to the client, or turn on tracing as per "
      "the Microsoft .NET Framework SDK documentation and inspect the server trace logs.";
  return {f, 500};
}

WireFault address_filter_fault(const std::string& to) {
  EnrollmentFault f;
  f.kind = FaultKind::ws_addressing;
  f.action = std::string(uri::kActionAddressingFault);
  f.code = "Sender";
  f.subcode = "DestinationUnreachable";
  f.subcode_namespace = std::string(uri::kAddressing);
  f.reason = "The message with To '" + to +
             "' cannot be processed at the receiver, due to an AddressFilter mismatch at the "
             "EndpointDispatcher.  Check that the sender and receiver's EndpointAddresses agree.";
  return {f, 500};
}

WireFault must_understand_fault(const std::string& ns, const std::string& name) {
  EnrollmentFault f;
  f.kind = FaultKind::other;
  f.action = std::string(uri::kActionAddressingFault);
  f.code = "MustUnderstand";
  f.reason = "The header '" + name + "' from the namespace '" + ns +
             "' was not understood by the recipient of this message, causing the message to not "
             "be processed.  This error typically indicates that the sender of this message has "
             "enabled a communication protocol that the receiver cannot process.  Please ensure "
             "that the configuration of the client's binding is consistent with the service's "
             "binding.";
  return {f, 500};
}

WireFault action_not_supported_fault(const std::string& action) {
  EnrollmentFault f;
  f.kind = FaultKind::ws_addressing;
  f.action = std::string(uri::kActionAddressingFault);
  f.code = "Sender";
  f.subcode = "ActionNotSupported";
  f.subcode_namespace = std::string(uri::kAddressing);
  f.reason = "The message with Action '" + action +
             "' cannot be processed at the receiver, due to a ContractFilter mismatch at the "
             "EndpointDispatcher. This may be because of either a contract mismatch (mismatched "
             "Actions between sender and receiver) or a binding/security mismatch between the "
             "sender and the receiver.  Check that sender and receiver have the same contract and "
             "the same binding (including security requirements, e.g. Message, Transport, None).";
  return {f, 500};
}

WireFault invalid_security_fault() {
  EnrollmentFault f;
  f.kind = FaultKind::other;
  f.action = std::string(uri::kActionAddressingFault);
  f.code = "Sender";
  f.subcode = "InvalidSecurity";
  f.subcode_namespace = std::string(kWsse);
  f.reason = "An error occurred when verifying security for the message.";
  return {f, 500};
}

core::HttpResponse soap_response(int status, const core::SoapMessage& message) {
  core::HttpResponse r;
  r.status = status;
  r.reason = status == 200 ? "OK" : "Internal Server Error";
  r.headers.push_back({"Content-Type", "application/soap+xml; charset=utf-8"});
  r.body = wsdl::write_message(message);
  return r;
}

core::HttpResponse fault_response(const WireFault& fault,
                                  const std::optional<std::string>& relates_to) {
  core::SoapMessage m;
  m.addressing.action = fault.fault.action;
  m.addressing.relates_to = relates_to;
  m.body = fault.fault;
  return soap_response(fault.http_status, m);
}

}  // namespace ceslab::mock
