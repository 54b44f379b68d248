// SPDX-License-Identifier: GPL-2.0-or-later
// The CEP (MS-XCEP GetPolicies) as a Windows ADPolicyProvider answers it:
// HTTP -> SOAP parse and validation -> authentication -> the enrollment
// policy the caller may use, derived from the world (templates published on
// the CA and enrollable by the caller, the CA with one URI per CES endpoint,
// the OIDs they reference), plus the CEP events a Windows host would log.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "ceslab/core/ca.hpp"
#include "ceslab/core/http_types.hpp"
#include "ceslab/core/https_server.hpp"
#include "ceslab/core/messages.hpp"
#include "ceslab/mock/endpoints.hpp"
#include "ceslab/mock/event_log.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::mock {

// Thread-safe: handle() may run on several I/O threads at once (the world
// and the CA are read only, the event log locks).
class CepService {
 public:
  // `ca` is the lab's issuing CA (the one cA of the policy). The policy's
  // LastUpdateTime (MS-XCEP 3.1.1) is the construction time: the world does
  // not change while it is served.
  CepService(const World& world, const core::CertificateAuthority& ca, EventLog& events);

  // A request to a CEP endpoint. `endpoint_url` is this endpoint's address
  // (for the a:To check); `base_url` ("https://127.0.0.1:PORT") is where the
  // CES endpoints the policy advertises live. The UsernamePassword endpoint
  // authenticates the SOAP UsernameToken itself; the Kerberos and
  // Certificate endpoints authenticate in the transport, which has no stage
  // yet, so they answer as CES does today (WCF InternalServiceFault) until
  // that stage calls handle_authenticated().
  core::HttpResponse handle(const core::HttpRequest& request,
                            const core::ConnectionInfo& connection, const Endpoint& endpoint,
                            const std::string& endpoint_url, const std::string& base_url);

  // The seam for the Kerberos and Certificate endpoints: their caller is
  // authenticated before any SOAP is read (HTTP Negotiate, TLS client
  // certificate; docs/protocol.md 3.2, 3.4). The transport authentication stage
  // calls this with the account it authenticated; the SOAP stages and the
  // answer are then the same as on the UsernamePassword endpoint.
  core::HttpResponse handle_authenticated(const core::HttpRequest& request, const Account& caller,
                                          const std::string& endpoint_url,
                                          const std::string& base_url);

  // The GetPoliciesResponse `caller` gets for `request`, and the CEP events
  // it causes (appended to the event log). What handle() sends.
  core::GetPoliciesResponse policies_for(const Account& caller,
                                         const core::GetPoliciesRequest& request,
                                         const std::string& base_url);

 private:
  // Returns the caller of a parsed request or throws the fault (FaultRaised).
  using Authenticate = std::function<const Account&(const core::SoapMessage&)>;
  core::HttpResponse answer(const core::HttpRequest& request, const std::string& endpoint_url,
                            const std::string& base_url, const Authenticate& authenticate);

  const World& world_;
  const core::CertificateAuthority& ca_;
  EventLog& events_;
  std::chrono::system_clock::time_point last_update_time_;
};

}  // namespace ceslab::mock
