// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/faults.hpp"

#include <map>
#include <stdexcept>

#include "ceslab/wsdl/codec.hpp"
#include "windows_texts.hpp"

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

const core::ErrorCode& table_code(std::string_view name) {
  const core::ErrorCode* code = core::CodeTable::builtin().find_name(name);
  if (code == nullptr)
    throw std::logic_error("mock: no code '" + std::string(name) +
                           "' in the code table (core/data/codes.yaml)");
  return *code;
}

WireFault code_fault(std::string_view name, std::optional<std::string> reason,
                     bool invalid_request) {
  const core::ErrorCode& code = table_code(name);
  return enrollment_fault(code.value, reason ? std::move(*reason) : code.message, invalid_request);
}

namespace {

// A fault WCF raises by itself, before or around the service: no detail,
// WCF's own words as Reason (mock_ces/data/windows_texts.yaml).
WireFault wcf_fault(FaultKind kind, std::string_view action, std::string code,
                    std::optional<std::string> subcode, std::string_view subcode_namespace,
                    std::string reason) {
  EnrollmentFault f;
  f.kind = kind;
  f.action = std::string(action);
  f.code = std::move(code);
  f.subcode = std::move(subcode);
  if (f.subcode) f.subcode_namespace = std::string(subcode_namespace);
  f.reason = std::move(reason);
  return {f, 500};
}

std::string wcf_text(std::string_view key, const std::map<std::string, std::string>& values = {}) {
  return WindowsTexts::builtin().text(key, values);
}

}  // namespace

WireFault internal_service_fault() {
  return wcf_fault(FaultKind::wcf_dispatcher, uri::kActionWcfFault, "Receiver",
                   "InternalServiceFault", uri::kWcfDispatcher,
                   wcf_text("wcf_internal_service_fault"));
}

WireFault address_filter_fault(const std::string& to) {
  return wcf_fault(FaultKind::ws_addressing, uri::kActionAddressingFault, "Sender",
                   "DestinationUnreachable", uri::kAddressing,
                   wcf_text("wcf_address_filter_mismatch", {{"to", to}}));
}

WireFault must_understand_fault(const std::string& ns, const std::string& name) {
  return wcf_fault(FaultKind::other, uri::kActionAddressingFault, "MustUnderstand", std::nullopt,
                   {}, wcf_text("wcf_must_understand", {{"name", name}, {"ns", ns}}));
}

WireFault action_not_supported_fault(const std::string& action) {
  return wcf_fault(FaultKind::ws_addressing, uri::kActionAddressingFault, "Sender",
                   "ActionNotSupported", uri::kAddressing,
                   wcf_text("wcf_contract_filter_mismatch", {{"action", action}}));
}

WireFault invalid_security_fault() {
  return wcf_fault(FaultKind::other, uri::kActionAddressingFault, "Sender", "InvalidSecurity",
                   kWsse, wcf_text("wcf_invalid_security"));
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
