// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/client/exchange_evidence.hpp"

#include "ceslab/client/redaction.hpp"
#include "ceslab/core/html_page.hpp"

namespace ceslab::client {

Evidence evidence_of(const SoapCall& call, Operation operation, core::AuthMode auth) {
  Evidence e;
  e.operation = operation;
  e.endpoint = call.url;
  e.auth = auth;
  const core::Exchange& ex = call.exchange;
  if (ex.error) e.transport = core::TransportEvidence{*ex.error, ex.error_message};
  e.tls = tls_evidence_of(ex.tls);
  if (ex.response) {
    e.http = core::HttpEvidence{ex.response->status,
                                ex.response->reason,
                                redact_headers(ex.response->headers),
                                ex.response->body.size(),
                                {}};
  }
  // What an HTML answer says (an IIS error page and its substatus, the
  // welcome page, Web Enrollment), read as `ceslab diagnose` reads the same
  // page saved (issue 18: the two gave different verdicts).
  if (ex.response && !call.reply &&
      core::is_html_answer(ex.response->header("Content-Type").value_or(""), ex.response->body))
    e.http->page = core::html_page_text(ex.response->body);
  e.soap_error = call.parse_error;
  if (call.kerberos) e.kerberos = *call.kerberos;
  e.timings = {ex.connect_time, ex.total_time};
  bool failed = ex.error || !call.reply;
  if (call.reply) {
    if (const auto* fault = std::get_if<core::EnrollmentFault>(&call.reply->body)) {
      e.fault = core::fault_evidence(*fault);
      failed = true;
    } else if (const auto* rstr =
                   std::get_if<core::RequestSecurityTokenResponse>(&call.reply->body)) {
      e.response = core::response_evidence(*rstr);
    } else if (const auto* policy = std::get_if<core::GetPoliciesResponse>(&call.reply->body)) {
      e.policy = core::policy_evidence(*policy);
    }
  }
  e.outcome = failed ? Outcome::failed : Outcome::answered;
  if (failed) e.messages = failure_messages(call);
  return e;
}

Evidence evidence_of(const EnrollResult& result, Operation operation, core::AuthMode auth) {
  Evidence e = evidence_of(result.call, operation, auth);
  switch (result.status) {
    case EnrollStatus::issued:
      e.outcome = Outcome::issued;
      break;
    case EnrollStatus::pending:
      e.outcome = Outcome::pending;
      break;
    case EnrollStatus::failed:
      e.outcome = Outcome::failed;
      break;
  }
  e.messages = result.messages;
  return e;
}

Evidence evidence_of(const PolicyEnrollResult& result, core::AuthMode auth) {
  std::vector<Evidence> prior;
  prior.push_back(evidence_of(result.policy.call, Operation::policy, auth));
  // Every URI tried before the last, whose exchange is the result's.
  for (std::size_t i = 0; i + 1 < result.attempts.size(); ++i) {
    prior.push_back(evidence_of(result.attempts[i].call, Operation::enroll, auth));
  }
  Evidence record;
  if (!result.result.call.url.empty()) {
    record = evidence_of(result.result, Operation::enroll, auth);
  } else {
    record = std::move(prior.back());
    prior.pop_back();
    record.outcome = Outcome::failed;
    if (record.messages.empty()) record.messages = result.result.messages;
  }
  record.prior_exchanges = std::move(prior);
  return record;
}

}  // namespace ceslab::client
