// SPDX-License-Identifier: GPL-2.0-or-later
// The evidence record built from what a call saw; its JSON is written by
// evidence_json_writer.cpp and read by evidence_json_reader.cpp.
#include "ceslab/core/evidence.hpp"

#include "ceslab/core/base64.hpp"
#include "ceslab/core/cmc.hpp"
#include "ceslab/core/fault_kind.hpp"
#include "ceslab/core/message_error.hpp"
#include "evidence_names.hpp"

namespace ceslab::core {

using namespace evidence_names;

namespace {

CmcEvidence cmc_evidence(const Bytes& der) {
  const CmcResponse cmc = parse_cmc_response(der);
  return {std::string(name_of(kCmcStatuses, cmc.status)), cmc.status_string, cmc.fail_info};
}

}  // namespace

FaultEvidence fault_evidence(const EnrollmentFault& fault) {
  FaultEvidence out;
  out.fault = fault;
  if (fault.binary_response && !fault.binary_response->empty()) {
    try {
      out.binary_response_cmc = cmc_evidence(decode_base64(*fault.binary_response));
    } catch (const MessageError& e) {
      out.binary_response_error = std::string("not base64: ") + e.what();
    } catch (const CryptoError& e) {
      out.binary_response_error = std::string("not a CMC response: ") + e.what();
    }
  }
  return out;
}

ResponseEvidence response_evidence(const RequestSecurityTokenResponse& rstr) {
  ResponseEvidence out;
  out.disposition = rstr.disposition_message.value_or("");
  out.request_id = rstr.request_id.value_or("");
  out.pending_reference = rstr.pending_reference.value_or("");
  out.certificate = rstr.issued_certificate.has_value();
  if (rstr.cmc_response) {
    try {
      out.cmc = cmc_evidence(rstr.cmc_response->data);
    } catch (const CryptoError& e) {
      out.cmc_error = std::string("not a CMC response: ") + e.what();
    }
  }
  return out;
}

PolicyEvidence policy_evidence(const GetPoliciesResponse& policy) {
  PolicyEvidence out;
  out.templates = policy.policies ? policy.policies->size() : 0;
  out.cas = policy.cas ? policy.cas->size() : 0;
  out.not_changed = policy.policies_not_changed.value_or(false);
  if (policy.cas) {
    for (const PolicyCa& ca : *policy.cas) {
      for (const CaUri& u : ca.uris) out.ces_uris.push_back(u.uri);
    }
  }
  return out;
}

TlsEvidence tls_evidence_of(const TlsFacts& facts) {
  TlsEvidence out;
  out.handshake_done = facts.handshake_done;
  out.version = facts.version;
  out.cipher = facts.cipher;
  out.insecure = facts.insecure;
  // TlsFacts: an empty verify_text means no certificate was seen.
  if (!facts.verify_text.empty()) out.verify_result = facts.verify_result;
  out.verify_text = facts.verify_text;
  out.peer_subject = facts.peer_subject;
  out.peer_issuer = facts.peer_issuer;
  out.peer_not_after = facts.peer_not_after;
  out.chain_length = facts.peer_chain_der.size();
  return out;
}

std::string_view to_string(Operation operation) {
  return name_of(kOperations, operation);
}
std::string_view to_string(const std::optional<AuthMode>& auth) {
  return auth ? cli_name(*auth) : "unknown";
}
std::string_view to_string(Outcome outcome) {
  return name_of(kOutcomes, outcome);
}
std::string_view to_string(FaultKind kind) {
  return name_of(kFaultKinds, kind);
}

}  // namespace ceslab::core
