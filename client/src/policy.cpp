// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/client/policy.hpp"

#include <algorithm>

#include "ceslab/core/x509.hpp"

namespace ceslab::client {

namespace uri = core::uri;

PolicyResult get_policies(const PolicyRequest& request, const TlsSettings& tls) {
  core::SoapMessage m =
      request_message(uri::kActionGetPolicies, request.url, request.credentials.username);
  core::GetPoliciesRequest body;
  body.client_version = request.client_version;
  body.server_version = request.server_version;
  body.policy_oids = request.policy_oids;
  m.body = std::move(body);

  return policy_result(call(request.url, m, tls, request.credentials.http_headers,
                            request.credentials.http_challenge.get()));
}

PolicyResult policy_result(SoapCall call) {
  PolicyResult result;
  result.call = std::move(call);
  const auto& reply = result.call.reply;
  if (reply) {
    if (const auto* response = std::get_if<core::GetPoliciesResponse>(&reply->body)) {
      result.response = *response;
      return result;
    }
    if (const auto* fault = std::get_if<core::EnrollmentFault>(&reply->body)) result.fault = *fault;
  }
  result.messages = failure_messages(result.call);
  return result;
}

std::vector<CesUri> uris_by_priority(const core::PolicyCa& ca) {
  std::string subject;
  try {
    subject = core::describe(core::parse_certificate_der(ca.certificate).get()).subject;
  } catch (const core::CryptoError& e) {
    // A broken CA certificate does not hide the URIs; the listing says so.
    subject = std::string("(unreadable CA certificate: ") + e.what() + ")";
  }
  std::vector<CesUri> out;
  for (const core::CaUri& u : ca.uris) {
    out.push_back(CesUri{u.uri, u.client_authentication, u.priority, u.renewal_only.value_or(false),
                         ca.reference_id, subject});
  }
  std::stable_sort(out.begin(), out.end(), [](const CesUri& a, const CesUri& b) {
    if (a.priority.has_value() != b.priority.has_value()) return a.priority.has_value();
    return a.priority.value_or(0) < b.priority.value_or(0);
  });
  return out;
}

const core::PolicyOid* find_oid(const core::GetPoliciesResponse& policy, int reference) {
  if (!policy.oids) return nullptr;
  for (const core::PolicyOid& o : *policy.oids) {
    if (o.reference_id == reference) return &o;
  }
  return nullptr;
}

core::TemplateRef TemplateEndpoints::extension() const {
  if (schema >= 2 && !oid.empty()) {
    return core::TemplateRef{"", oid, static_cast<int>(major_revision),
                             static_cast<int>(minor_revision)};
  }
  return core::TemplateRef{name, "", 0, 0};
}

TemplateEndpoints ces_uris_for(const core::GetPoliciesResponse& policy,
                               std::string_view template_name_or_oid, core::AuthMode mode) {
  const core::PolicyTemplate* found = nullptr;
  std::string listed;
  if (policy.policies) {
    for (const core::PolicyTemplate& t : *policy.policies) {
      const core::PolicyOid* oid = find_oid(policy, t.oid_reference);
      if (t.common_name == template_name_or_oid ||
          (oid != nullptr && oid->value == template_name_or_oid)) {
        found = &t;
        break;
      }
      listed += (listed.empty() ? "" : ", ") + t.common_name;
    }
  }
  if (found == nullptr) {
    throw PolicyError("the policy does not list template '" + std::string(template_name_or_oid) +
                      "' for this account (it lists: " + (listed.empty() ? "none" : listed) + ")");
  }
  TemplateEndpoints out;
  out.name = found->common_name;
  if (const core::PolicyOid* oid = find_oid(policy, found->oid_reference)) out.oid = oid->value;
  out.schema = found->policy_schema;
  out.major_revision = found->major_revision;
  out.minor_revision = found->minor_revision.value_or(0);
  if (!found->ca_references || !policy.cas) return out;
  for (const core::PolicyCa& ca : *policy.cas) {
    const auto& refs = *found->ca_references;
    if (std::find(refs.begin(), refs.end(), ca.reference_id) == refs.end()) continue;
    for (CesUri& u : uris_by_priority(ca)) {
      if (u.client_authentication == static_cast<unsigned>(mode)) out.uris.push_back(std::move(u));
    }
  }
  // Across CAs too, the lowest priority value first (stable: CA order stays).
  std::stable_sort(out.uris.begin(), out.uris.end(), [](const CesUri& a, const CesUri& b) {
    if (a.priority.has_value() != b.priority.has_value()) return a.priority.has_value();
    return a.priority.value_or(0) < b.priority.value_or(0);
  });
  return out;
}

namespace {

EnrollResult failed_with(std::vector<std::string> messages) {
  EnrollResult r;
  r.status = EnrollStatus::failed;
  r.messages = std::move(messages);
  return r;
}

}  // namespace

PolicyEnrollResult enroll_via_policy(const PolicyEnrollRequest& request, const Authenticator& auth,
                                     const TlsSettings& tls) {
  PolicyEnrollResult out;
  {
    CallCredentials cep = credentials_for(auth, request.policy_url, copy_tls_settings(tls));
    PolicyRequest policy;
    policy.url = request.policy_url;
    policy.credentials = cep;
    out.policy = get_policies(policy, cep.tls);
  }
  if (!out.policy.ok()) {
    std::vector<std::string> lines = {"GetPolicies from " + request.policy_url + " failed:"};
    lines.insert(lines.end(), out.policy.messages.begin(), out.policy.messages.end());
    out.result = failed_with(std::move(lines));
    return out;
  }
  try {
    out.endpoints = ces_uris_for(*out.policy.response, request.enroll.template_name, auth.mode());
  } catch (const PolicyError& e) {
    out.result = failed_with({e.what()});
    return out;
  }
  std::vector<const CesUri*> candidates;
  for (const CesUri& u : out.endpoints->uris) {
    if (!u.renewal_only) candidates.push_back(&u);
  }
  if (candidates.empty()) {
    out.result = failed_with({"the policy lists no CES URI for template '" + out.endpoints->name +
                              "' with " + std::string(core::iis_name(auth.mode())) +
                              " authentication that accepts new requests" +
                              (out.endpoints->uris.empty() ? "" : " (only renewal-only ones)")});
    return out;
  }

  EnrollRequest enroll_request = request.enroll;
  enroll_request.template_name = out.endpoints->name;
  if (!enroll_request.template_info) enroll_request.template_info = out.endpoints->extension();
  for (const CesUri* candidate : candidates) {
    CallCredentials ces = credentials_for(auth, candidate->uri, copy_tls_settings(tls));
    enroll_request.url = candidate->uri;
    enroll_request.credentials = ces;
    out.result = enroll(enroll_request, ces.tls);
    const auto& exchange = out.result.call.exchange;
    out.attempts.push_back(UriAttempt{
        candidate->uri, exchange.error ? exchange.error_message : std::string(), out.result.call});
    if (!exchange.error) break;
  }
  return out;
}

}  // namespace ceslab::client
