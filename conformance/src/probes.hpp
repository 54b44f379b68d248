// SPDX-License-Identifier: GPL-2.0-or-later
// The requests the conformance cases send, each at most once per run: a case
// asks for a probe's reply and the first asker sends it. Every request goes
// to the URL under test; docs/conformance.md lists what each one is.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ceslab/conformance/conformance.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/messages.hpp"
#include "ceslab/runner/target.hpp"
#include "reply.hpp"

namespace ceslab::conformance {

enum class ProbeKind {
  soap11,                  // the service's request in a SOAP 1.1 envelope, text/xml, no credentials
  no_credentials,          // the service's request without credentials
  ket,                     // CES: KET
  issue_unknown_template,  // CES: Issue for a template no CA has (the CA denies it)
  issue_no_encoding_type,  // CES: Issue whose BinarySecurityToken has no EncodingType
  issue_no_token,          // CES: Issue without a BinarySecurityToken
  query_nil_request_id,    // CES: QueryTokenStatus with RequestID xsi:nil
  ket_type_on_wstep,       // CES: RequestType KET under the RST/wstep action
  unknown_action,          // an action the contract does not have
  issue,                   // CES: Issue for --template
  issue_pending,           // CES: Issue for --pending-template
  query_pending,           // CES: QueryTokenStatus for the pending request's RequestID
  get_policies,            // CEP: GetPolicies, lastUpdate nil, versions 0/0
  get_policies_version_3,  // CEP: clientVersion 3, serverVersion 3
  get_policies_one_oid,    // CEP: policyOIDs = the first template's OID
  get_policies_up_to_date,  // CEP: lastUpdate a day ahead
  get_policies_nil_client,  // CEP: <client xsi:nil="true"/>
};

// A probe that could not be sent; the case that needed it is SKIP.
struct NotSent {
  std::string why;
};

class Probes {
 public:
  Probes(const ConformanceOptions& options, runner::TargetEndpoint endpoint);

  const runner::TargetEndpoint& endpoint() const { return endpoint_; }
  bool has_credentials() const { return options_.auth != nullptr; }
  const ConformanceOptions& options() const { return options_; }

  // The reply to `kind`, sent now if it was not yet. Throws NotSent when the
  // probe cannot be made (no credentials, no --template, nothing to query) or
  // when the server refused the credentials: then no further request is
  // sent with them, and refused() is the answer that refused them.
  const Reply& get(ProbeKind kind);
  const Reply* refused() const;
  // The client could not use the credentials at all (no ticket, no key);
  // then refusal() says why.
  bool credentials_unusable() const { return unusable_; }
  const std::string& refusal() const { return refusal_; }
  // Every reply so far, in the order sent.
  std::vector<const Reply*> sent() const;
  // The key of the Issue probes' requests.
  EVP_PKEY* key() const { return key_.get(); }

 private:
  // Sends `kind`, grouped as the probes are: the two that go without
  // credentials, the two any service answers, then MS-WSTEP's and MS-XCEP's.
  Reply send(ProbeKind kind);
  Reply send_without_credentials(ProbeKind kind);
  Reply send_to_either_service(ProbeKind kind);
  Reply send_wstep(ProbeKind kind);
  Reply send_issue(const std::string& template_name);
  Reply send_query_pending();
  Reply send_xcep(ProbeKind kind);
  Reply send_get_policies_one_oid();
  // Throws NotSent when no credentials were given.
  void require_credentials() const;
  Reply send_message(const std::string& request, core::SoapMessage message, bool credentials,
                     const std::function<std::string(std::string)>& edit = {},
                     std::string content_type = "application/soap+xml; charset=utf-8");
  core::SoapMessage message(std::string_view action, bool credentials);
  client::CallCredentials credentials_for_call(client::TlsSettings tls);
  core::SoapMessage issue(const std::string& template_name, bool with_token = true,
                          bool with_encoding_type = true);
  core::SoapMessage service_request(bool credentials);
  // QueryTokenStatus for `request_id` (nullopt: RequestID xsi:nil).
  core::SoapMessage query_token_status(std::optional<std::string> request_id);

  ConformanceOptions options_;
  runner::TargetEndpoint endpoint_;
  core::EvpPkeyPtr key_;
  std::map<ProbeKind, Reply> replies_;
  std::string refusal_;  // set once the credentials were refused or found unusable
  bool unusable_ = false;
  std::vector<ProbeKind> order_;
};

}  // namespace ceslab::conformance
