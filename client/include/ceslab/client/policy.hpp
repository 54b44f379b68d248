// SPDX-License-Identifier: GPL-2.0-or-later
// Enrollment policy (MS-XCEP): GetPolicies from a CEP endpoint, the CES URIs
// a policy offers for a template, and enrollment the way a Windows client
// does it from a policy — ask CEP, take the CES URIs for the template and
// the authentication mode by priority, and move to the next URI only when
// one cannot be reached.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/client/auth.hpp"
#include "ceslab/client/enroll.hpp"
#include "ceslab/client/soap_call.hpp"
#include "ceslab/core/messages.hpp"

namespace ceslab::client {

struct PolicyRequest {
  std::string url;  // the CEP endpoint (.../ADPolicyProvider_CEP_<mode>/service.svc/CEP)
  // The request filter's versions: 0/0 as Windows and cepces (since #74)
  // send them, so the server applies its own maximum (MS-XCEP 3.1.4.1.3.22);
  // nullopt sends nil.
  std::optional<int> client_version = 0;
  std::optional<int> server_version = 0;
  std::optional<std::vector<std::string>> policy_oids;  // template OID filter; nullopt = nil
  RequestCredentials credentials;
};

struct PolicyResult {
  std::optional<core::GetPoliciesResponse> response;  // set when CEP answered with one
  std::optional<core::EnrollmentFault> fault;
  SoapCall call;                      // the raw exchange
  std::vector<std::string> messages;  // what went wrong, as certreq would print it
  bool ok() const { return response.has_value(); }
};

// GetPolicies (MS-XCEP 3.1.4.1.1.1), first fetch (lastUpdate nil). Network,
// HTTP and SOAP trouble comes back in the result, never as an exception.
PolicyResult get_policies(const PolicyRequest& request, const TlsSettings& tls);
// What one GetPolicies exchange (its reply read by read_answer) comes to:
// the response, or the fault and certreq's lines. What get_policies() does
// after the call.
PolicyResult policy_result(SoapCall call);

// A policy that does not say what is asked of it (unknown template, a
// dangling reference); what() names what is missing.
class PolicyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One CES URI of a CA in a policy.
struct CesUri {
  std::string uri;
  unsigned client_authentication = 0;  // the CAURI value; see auth_mode_from_flag
  std::optional<unsigned> priority;    // nil sorts after every number (model)
  bool renewal_only = false;           // nil reads as false (model)
  int ca_reference = 0;
  std::string ca_subject;  // the CA certificate's subject (or why it is unreadable)
};

// The CAURIs of `ca`, lowest priority value first: MS-XCEP 3.1.4.1.3.5 makes
// <priority> a relative indicator where a lower value is preferred; equal
// priorities keep the order the policy lists them in.
std::vector<CesUri> uris_by_priority(const core::PolicyCa& ca);

// The OID a reference names in the policy's oIDs, or nullptr.
const core::PolicyOid* find_oid(const core::GetPoliciesResponse& policy, int reference);

// A template of a policy and the CES URIs that issue it for one mode.
struct TemplateEndpoints {
  std::string name;  // commonName: the CertificateTemplate context item (docs/protocol.md 2.4)
  std::string oid;   // the template OID (oIDs group 9); "" if the policy does not list it
  unsigned schema = 1;
  unsigned major_revision = 0;
  unsigned minor_revision = 0;
  // Every CAURI with that clientAuthentication of the CAs the template
  // references, lowest priority value first (equal: CA order, then listed
  // order), renewal-only ones included and marked.
  std::vector<CesUri> uris;

  // The template extension a Windows client puts in a request for it: the
  // V2 extension with OID and revision for schema 2+ (MS-WCCE 2.2.2.7.7.2),
  // the V1 name extension otherwise (MS-WCCE 2.2.2.7.7.1).
  core::TemplateRef extension() const;
};

// The template named `template_name_or_oid` (its commonName, or its OID
// from the oIDs collection) and its CES URIs for `mode`. A template whose
// cAs is nil gets no URIs (model: MS-XCEP 3.1.4.1.3.7 does not say what nil
// means). Throws PolicyError naming the templates the policy does list when
// it has no such template.
TemplateEndpoints ces_uris_for(const core::GetPoliciesResponse& policy,
                               std::string_view template_name_or_oid, core::AuthMode mode);

// ---- Enrollment through a policy --------------------------------------------

struct PolicyEnrollRequest {
  std::string policy_url;  // the CEP endpoint
  // What to request. `template_name` may be a name or an OID; url,
  // template_info and the credentials are filled from the policy and the
  // authenticator.
  EnrollRequest enroll;
};

struct UriAttempt {
  std::string uri;
  std::string transport_error;  // empty: this URI answered
  SoapCall call;                // the exchange with it (the last attempt's is also result.call)
};

struct PolicyEnrollResult {
  PolicyResult policy;
  std::optional<TemplateEndpoints> endpoints;  // when the policy lists the template
  std::vector<UriAttempt> attempts;            // in the order tried
  EnrollResult result;  // the answering URI's, or the last one tried; failed when none
};

// GetPolicies from `policy_url` with `auth`; then the CES URIs for the
// template and auth.mode(), renewal-only ones skipped for a new request
// (docs/protocol.md 2.5), lowest priority value first; enrolls on the first, and
// on a transport failure (refused, unreachable, timeout, TLS: nothing reached
// the CES) moves to the next. An answer — a certificate, pending, a SOAP
// fault, an HTTP error — ends the search: the next CES would submit to the
// same CA (model of the Windows client's failover, which public sources
// describe only as load balancing over equivalent URIs).
PolicyEnrollResult enroll_via_policy(const PolicyEnrollRequest& request, const Authenticator& auth,
                                     const TlsSettings& tls);

}  // namespace ceslab::client
