// SPDX-License-Identifier: GPL-2.0-or-later
// The transport authentication stage (private to mock_ces): what IIS
// authenticates before WCF reads the request (Negotiate, TLS client
// certificate; docs/protocol.md 3.2, 3.4), and the CES -> CA hop of a
// Kerberos caller.
#pragma once

#include <memory>
#include <string>

#include "ceslab/core/gss.hpp"
#include "ceslab/core/http_types.hpp"
#include "ceslab/core/https_server.hpp"
#include "ceslab/core/ossl.hpp"
#include "ceslab/mock/ces_service.hpp"
#include "ceslab/mock/event_log.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::mock::pipeline {

// What a successful Negotiate (Kerberos) authentication left the CES with.
struct NegotiateLogon {
  std::string client_principal;     // "alice@LAB.TEST"
  core::GssCred delegated;          // the client's forwarded TGT; null when none came
  bool ticket_forwardable = false;  // the client's service ticket (S4U2Proxy needs it)
  bool channel_bound = false;       // the client bound tls-server-end-point
  std::string output_token;         // AP-REP for the answer's WWW-Authenticate (base64)
};

// Who IIS authenticated at the transport level.
struct TransportIdentity {
  const Account* account = nullptr;  // null: UsernamePassword (decided later) or an unmapped
                                     // certificate on a key-based-renewal endpoint
  core::X509Ptr client_certificate;  // Certificate endpoint
  std::shared_ptr<NegotiateLogon> kerberos;  // Kerberos endpoint with the Kerberos lab
};

// Stage: IIS Negotiate on the Kerberos endpoint, accepted with the CES
// service key (throws TransportRefusal: 401 as IIS sends it).
NegotiateLogon accept_negotiate(const core::HttpRequest& request,
                                const core::ConnectionInfo& connection, const World& world,
                                const KerberosService& service, EventLog* events);
// The lab's domain controller host ("dc.lab.test" next to "ces.lab.test").
std::string domain_controller(const World& world);

// Stage: the CES -> CA hop of a Kerberos caller, by the world's delegation
// mode, with what the client delegated (throws FaultRaised: Access denied).
void ces_to_ca_hop_kerberos(const World& world, const NegotiateLogon& logon,
                            const KerberosService& service);

// IIS refused the request before WCF: send `response` (401/403 HTML) as is.
struct TransportRefusal {
  core::HttpResponse response;
};

// Stage: transport authentication for `endpoint` (throws TransportRefusal).
TransportIdentity authenticate_transport(const core::HttpRequest& request,
                                         const core::ConnectionInfo& connection,
                                         const Endpoint& endpoint, const CesEndpoint& settings,
                                         const World& world, const CesServiceOptions& options,
                                         EventLog* events = nullptr);

}  // namespace ceslab::mock::pipeline
