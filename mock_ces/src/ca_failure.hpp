// SPDX-License-Identifier: GPL-2.0-or-later
// How a stage of the mock's pipeline stops a request (private to mock_ces):
// the fault it throws, and what the CA records and logs for a request it
// assigned an id and did not issue (docs/protocol.md 6).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ceslab/mock/event_log.hpp"
#include "ceslab/mock/faults.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::mock::pipeline {

// The CA's disposition text for a policy-module denial (docs/protocol.md 6).
inline constexpr const char* kDeniedByPolicy = "Denied by Policy Module";

// How the CA records a request it assigned an id and did not issue: the
// event it logs and its disposition text, which is that event's "Additional
// information" and which CES relays as the fault's Reason (model, from the
// real faults: "Denied by Policy Module" with CERTSRV_E_BAD_TEMPLATE_VERSION,
// an empty Reason with CERTSRV_E_RESTRICTEDOFFICER whose event 21 has no
// additional information (docs/protocol.md 6); certreq prints "Error Parsing
// Request The request subject name is invalid or too long. 0x80094001" for
// an event 22 (gradenegger.eu, CERTSRV_E_BAD_REQUESTSUBJECT article)).
enum class CaDisposition {
  denied_by_policy,       // event 53 "Denied by Policy Module"
  error_constructing,     // event 53 "Error Constructing or Publishing Certificate"
  error_parsing_request,  // event 22 "Error Parsing Request"
  error_archiving_key,    // event 22 "Error Archiving Private Key"
  error_without_info,     // event 21, no additional information, empty disposition
};

// What the CA logs for a failed request, carried with the fault.
struct CaFailure {
  CaDisposition disposition;
  // "The request was for …": DOMAIN\sam of the requester when unset.
  std::optional<std::string> request_for;
};

// A stage that cannot go on throws the fault Windows would send; `ca` is set
// when the CA failed a request it had assigned an id.
struct FaultRaised {
  FaultRaised(WireFault wire, std::optional<CaFailure> failure = std::nullopt)
      : fault(std::move(wire)), ca(std::move(failure)) {}

  WireFault fault;
  std::optional<CaFailure> ca;
  // The request's MessageID when the fault came before the message was
  // whole (an action WCF cannot dispatch): the fault still relates to it.
  std::optional<std::string> message_id;
};

// The fault for a request the CA failed with the table's code `code`
// ("CERTSRV_E_TEMPLATE_DENIED"): Reason = the disposition text,
// InvalidRequest true, the CA's request id.
FaultRaised ca_failure(std::string_view code, CaDisposition disposition,
                       const std::string& request_id,
                       std::optional<std::string> request_for = std::nullopt);

// The CA event (21, 22 or 53) for a request the CA failed; nothing for
// faults raised before the CA assigned an id.
void log_ca_failure(EventLog& events, const World& world, const Account& account,
                    const FaultRaised& raised);
// The same for a requester that is not a directory account ("LAB\\svc-ces").
void log_ca_failure(EventLog& events, const World& world, const std::string& requester,
                    const FaultRaised& raised);

}  // namespace ceslab::mock::pipeline
