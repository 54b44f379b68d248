// SPDX-License-Identifier: GPL-2.0-or-later
// The fault shapes a Windows CES/CEP puts on the wire, built in one place so
// every stage of the pipeline answers the same way. Sources are cited per
// function (docs/protocol.md sections 1.8 and 6, docs/causes.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "ceslab/core/codes.hpp"
#include "ceslab/core/http_types.hpp"
#include "ceslab/core/messages.hpp"

namespace ceslab::mock {

// A SOAP fault plus the HTTP status it travels with (500 for every SOAP fault
// a WCF service sends, docs/protocol.md 1.1).
struct WireFault {
  core::EnrollmentFault fault;
  int http_status = 500;
};

// CertificateEnrollmentWSDetail fault: CA and CES errors (docs/protocol.md 1.8).
// `hresult` is the unsigned HRESULT; it travels as a signed xs:int.
WireFault enrollment_fault(std::uint32_t hresult, std::string reason, bool invalid_request,
                           std::optional<std::string> request_id = std::nullopt);

// The code table's entry Windows prints as `name` (a name or an alias:
// "CERTSRV_E_SUBJECT_EMAIL_REQUIRED", "E_INVALIDARG"; core/data/codes.yaml).
// A name the table lacks is the mock's own mistake: throws std::logic_error
// naming it (tests/mock_ces/table_codes_test.cpp resolves every name the mock
// uses).
const core::ErrorCode& table_code(std::string_view name);

// A CertificateEnrollmentWSDetail fault CES raises before the CA assigns an
// id: the table's code `name` with `reason`, by default the code's message
// (FormatMessage's text, which is what CES relays).
WireFault code_fault(std::string_view name, std::optional<std::string> reason = std::nullopt,
                     bool invalid_request = false);

// WCF a:InternalServiceFault with the IncludeExceptionDetailInFaults
// boilerplate and no detail (adcs-rs fixture fault_server_response.xml).
WireFault internal_service_fault();

// WCF AddressFilter mismatch: a:To is not this endpoint (adcs-rs fixture
// fault_address_filter_mismatch_server_response.xml).
// SOAP 1.2 Part 1, 5.4.8: a header block marked mustUnderstand that the
// service does not know; WCF's words.
WireFault must_understand_fault(const std::string& ns, const std::string& name);

WireFault address_filter_fault(const std::string& to);

// WCF ContractFilter mismatch: an action this endpoint has no operation for.
WireFault action_not_supported_fault(const std::string& action);

// WCF message-security failure on a UsernamePassword endpoint: missing,
// unknown or wrong credentials, stale timestamp (docs/causes.md
// username_password_rejected, "(model)").
WireFault invalid_security_fault();

// The whole HTTP response for a fault, relating it to the request's MessageID.
core::HttpResponse fault_response(const WireFault& fault,
                                  const std::optional<std::string>& relates_to);

// A SOAP 1.2 message as an HTTP response (application/soap+xml).
core::HttpResponse soap_response(int status, const core::SoapMessage& message);

}  // namespace ceslab::mock
