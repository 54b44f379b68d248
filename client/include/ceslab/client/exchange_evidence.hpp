// SPDX-License-Identifier: GPL-2.0-or-later
// Building the Evidence record (core/evidence.hpp) from what the client saw:
// one SOAP exchange, or a whole enroll/renew/retrieve. The record itself
// lives in core so that diagnosis/ reads it without depending on the client.
#pragma once

#include "ceslab/client/enroll.hpp"
#include "ceslab/client/policy.hpp"
#include "ceslab/client/soap_call.hpp"
#include "ceslab/core/evidence.hpp"

namespace ceslab::client {

// The client fills the record; these names keep its call sites short.
using core::AuthMode;
using core::Evidence;
using core::EvidenceError;
using core::Operation;
using core::Outcome;
using core::tls_evidence_of;

// The evidence of one SOAP exchange: outcome `failed` for a transport error,
// a non-SOAP answer or a fault, `answered` otherwise; `messages` are
// failure_messages() for a failure. Response headers are redacted.
Evidence evidence_of(const SoapCall& call, Operation operation, core::AuthMode auth);
// The evidence of an enroll/renew/retrieve: as above, plus the RSTR facts,
// the result's status as outcome and its messages.
Evidence evidence_of(const EnrollResult& result, Operation operation, core::AuthMode auth);
// The evidence of an enrollment through a policy (enroll_via_policy): the
// exchange that decided the outcome, with the GetPolicies call and every CES
// URI that could not be reached before it as prior_exchanges. When no CES
// was called (GetPolicies failed, or the policy offers no usable URI), the
// GetPolicies exchange is the record, with outcome `failed` and the
// result's messages.
Evidence evidence_of(const PolicyEnrollResult& result, core::AuthMode auth);

}  // namespace ceslab::client
