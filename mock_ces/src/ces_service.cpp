// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/ces_service.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "ca_failure.hpp"
#include "ca_policy.hpp"
#include "ca_submission.hpp"
#include "ceslab/core/cmc.hpp"
#include "ceslab/core/cms.hpp"
#include "ceslab/core/codes.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/text.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/core/x509.hpp"
#include "ceslab/mock/faults.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "renewal.hpp"
#include "request_decoding.hpp"
#include "soap_stages.hpp"
#include "transport_auth.hpp"

namespace ceslab::mock {

using core::HttpRequest;
using core::HttpResponse;
using core::iequals;
using core::RequestSecurityToken;
using core::SoapMessage;
namespace uri = core::uri;
using namespace pipeline;  // the shared stages

namespace {

// Stage: the CES -> CA hop. CES calls the CA over DCOM *as the user*: it
// impersonates the caller (SeImpersonatePrivilege) and, for the
// UsernamePassword and Certificate endpoints, obtains the user's ticket to the
// CA by protocol transition (S4U2Self + S4U2Proxy), which needs constrained
// delegation with protocol transition and a delegable account (docs/causes.md
// section A). The Kerberos endpoint's hop uses the delegated credential and
// is made with real Kerberos in the Kerberos lab. Faults follow docs/causes.md:
// the CA never sees the request, so there is no request id.
void ces_to_ca_hop(const World& world, const Account& account, const Endpoint& endpoint,
                   const TransportIdentity& who, const CesServiceOptions& options) {
  if (!world.ces.app_pool_privileges.count("SeImpersonatePrivilege")) {
    throw FaultRaised{code_fault("ERROR_BAD_IMPERSONATION_LEVEL")};
  }
  if (who.kerberos && options.kerberos) {
    ces_to_ca_hop_kerberos(world, *who.kerberos, *options.kerberos);
  } else if (endpoint.auth != core::AuthMode::kerberos) {
    const bool s4u_allowed = world.ces.delegation == Delegation::constrained_protocol_transition;
    if (!s4u_allowed || account.not_delegable) {
      throw FaultRaised{code_fault("ERROR_ACCESS_DENIED")};
    }
  }
  if (world.ca.state == CaState::slow) {
    // RPC blocked by a firewall: the DCOM call hangs until it times out.
    std::this_thread::sleep_for(std::chrono::milliseconds(world.ca.slow_ms));
  }
  if (world.ca.state != CaState::online) {
    throw FaultRaised{code_fault("RPC_S_SERVER_UNAVAILABLE")};
  }
}

// The BST checks CES makes before anything reaches the CA.
const core::BinaryToken& request_token(const RequestSecurityToken& rst) {
  if (!rst.token) {
    throw FaultRaised{code_fault("E_INVALIDARG", "The BinarySecurityToken is missing.")};
  }
  // cepces #81: a BST without EncodingType gets exactly this fault.
  if (!rst.token->encoding_type || *rst.token->encoding_type != uri::kEncodingBase64) {
    throw FaultRaised{code_fault("E_INVALIDARG", "The EncodingType is invalid.")};
  }
  return *rst.token;
}

// The CA's access check runs before the request is entered in its
// database, so a requester without "Request Certificates" gets no request
// id (docs/causes.md user_lacks_ca_request_right, model).
void check_request_right(const World& world, const std::set<std::string>& who) {
  if (!has_right(world.ca.acl, who, "request")) {
    throw FaultRaised{code_fault("CERTSRV_E_ENROLL_DENIED", kDeniedByPolicy, true)};
  }
}

// A new request sent to a renewal-only instance (docs/causes.md
// ces_renewal_only_new_request: CES event 6; the fault is the model's).
[[noreturn]] void refuse_new_request(const World& world, const std::string& who, EventLog& events) {
  events.append(EventCatalog::builtin().make("ces_renewal_only_new_request", world.ces.host,
                                             {{"account", who}}));
  throw FaultRaised{code_fault("E_INVALIDARG", "This CES instance only accepts renewal requests.")};
}

core::RequestSecurityTokenResponse issue(const RequestSecurityToken& rst, const Account& account,
                                         const CesEndpoint& settings, const World& world, LabCa& ca,
                                         EventLog& events, const std::string& ces_uri) {
  const core::BinaryToken& token = request_token(rst);
  check_request_right(world, world.memberships(account));
  const DecodedRequest req =
      decode_request(token.data, ca, events, world, world.netbios_domain + "\\" + account.name);
  if (settings.renewal_only && !req.is_renewal()) {
    refuse_new_request(world, world.netbios_domain + "\\" + account.name, events);
  }
  return submit_request(rst, req, account, world, ca, events, ces_uri);
}

// Key-based renewal on a Certificate + RenewalOnly + AllowKeyBasedRenewal
// instance (docs/protocol.md 1.4). CES acts with its own identity: it reads the
// CA's version and flags first (CES events 8 and 9, docs/causes.md
// kbr_app_pool_cannot_read_ca / kbr_ca_renew_on_behalf_of_disabled), then
// submits the renewal on the subject's behalf.
core::RequestSecurityTokenResponse key_based_renewal(const RequestSecurityToken& rst,
                                                     const TransportIdentity& who,
                                                     const World& world, LabCa& ca,
                                                     EventLog& events, const std::string& ces_uri) {
  const core::BinaryToken& token = request_token(rst);
  const std::set<std::string> app_pool = app_pool_principals(world);
  if (!has_right(world.ca.acl, app_pool, "read")) {
    const core::ErrorCode& denied = table_code("ERROR_ACCESS_DENIED");
    events.append(EventCatalog::builtin().make("ces_cannot_read_ca_config", world.ces.host,
                                               {{"ca_name", world.ca.name},
                                                {"message", denied.message},
                                                {"code", core::format_code(denied.value)}}));
    throw FaultRaised{code_fault("ERROR_ACCESS_DENIED")};
  }
  if (!world.ca.edit_flags.count("EDITF_ENABLERENEWONBEHALFOF")) {
    events.append(EventCatalog::builtin().make("ces_ca_renew_on_behalf_of_disabled", world.ces.host,
                                               {{"ca_name", world.ca.name}}));
  }
  check_request_right(world, app_pool);
  const DecodedRequest req =
      decode_request(token.data, ca, events, world, world.ces.app_pool_identity);
  if (!req.is_renewal()) {
    refuse_new_request(world, core::describe(who.client_certificate.get()).subject, events);
  }
  return submit_key_based_renewal(req, who.client_certificate.get(), world, ca, events, ces_uri);
}

// A 200 answer to `m` under `action`, related to its MessageID.
HttpResponse rstr_reply(const SoapMessage& m, std::string_view action,
                        core::RequestSecurityTokenResponse rstr) {
  SoapMessage reply;
  reply.addressing.action = std::string(action);
  reply.addressing.relates_to = m.addressing.message_id;
  reply.body = std::move(rstr);
  return soap_response(200, reply);
}

// KET (docs/protocol.md 1.6): the CA's exchange certificate, for key archival.
HttpResponse key_exchange_reply(const SoapMessage& m, const RequestSecurityToken& rst, LabCa& ca) {
  if (!rst.request_ket) {
    throw FaultRaised{code_fault("E_INVALIDARG")};
  }
  core::RequestSecurityTokenResponse rstr;
  rstr.key_exchange_token =
      core::BinaryToken{std::string(uri::kValueTypeX509v3), std::string(uri::kEncodingBase64),
                        core::certificate_der(ca.exchange_certificate())};
  return rstr_reply(m, uri::kActionRstrKetFinal, std::move(rstr));
}

HttpResponse rstrc_reply(const SoapMessage& m, core::RequestSecurityTokenResponse rstr) {
  return rstr_reply(m, uri::kActionRstrcWstep, std::move(rstr));
}

// This endpoint's settings in the world (served endpoints always have one).
CesEndpoint endpoint_settings(const World& world, core::AuthMode auth) {
  for (const CesEndpoint& e : world.ces.endpoints) {
    if (e.auth == auth) return e;
  }
  return CesEndpoint{auth, false, false};
}

// Key-based renewal needs Certificate authentication and renewal-only mode;
// otherwise the CES instance does not start and WCF answers every call
// with its generic fault (docs/causes.md kbr_incompatible_config; CES event 10
// is logged once, when the server starts).
bool fails_to_start(const CesEndpoint& e) {
  return e.key_based_renewal && (e.auth != core::AuthMode::certificate || !e.renewal_only);
}

}  // namespace

CesService::CesService(const World& world, LabCa& ca, EventLog& events, CesServiceOptions options)
    : world_(world), ca_(ca), events_(events), options_(options) {}

bool CesService::instance_fails_to_start(const CesEndpoint& endpoint) {
  return fails_to_start(endpoint);
}

HttpResponse CesService::handle(const HttpRequest& request, const core::ConnectionInfo& connection,
                                const Endpoint& endpoint, const std::string& endpoint_url) {
  std::shared_ptr<NegotiateLogon> kerberos;
  HttpResponse response = answer(request, connection, endpoint, endpoint_url, kerberos);
  // IIS sends the AP-REP for mutual authentication with the answer, whatever
  // WCF made of the request (RFC 4559 section 5).
  if (kerberos && !kerberos->output_token.empty()) {
    response.headers.push_back({"WWW-Authenticate", "Negotiate " + kerberos->output_token});
  }
  return response;
}

HttpResponse CesService::answer(const HttpRequest& request, const core::ConnectionInfo& connection,
                                const Endpoint& endpoint, const std::string& endpoint_url,
                                std::shared_ptr<NegotiateLogon>& kerberos) {
  const CesEndpoint settings = endpoint_settings(world_, endpoint.auth);
  std::optional<std::string> relates_to;
  try {
    TransportIdentity who;
    try {
      who = authenticate_transport(request, connection, endpoint, settings, world_, options_,
                                   &events_);
      kerberos = who.kerberos;
    } catch (const TransportRefusal& refused) {
      return refused.response;
    }
    if (auto early = check_http(request, world_.ces.quotas)) return *early;
    const SoapMessage m =
        parse(request, {uri::kActionRstWstep, uri::kActionRstKet}, world_.ces.quotas);
    relates_to = m.addressing.message_id;
    if (fails_to_start(settings)) throw FaultRaised{internal_service_fault()};
    check_to(m, endpoint_url);
    const auto* rst = std::get_if<RequestSecurityToken>(&m.body);
    if (rst == nullptr) throw FaultRaised{action_not_supported_fault(m.addressing.action)};
    if (endpoint.auth == core::AuthMode::username) {
      who.account = &authenticate_username(m, world_, &events_);
    }
    const std::string type = rst->request_type.value_or("");
    // MS-WSTEP 3.1.4.2: the action decides which RequestTypes are valid:
    // RST/wstep takes Issue and QueryTokenStatus, RST/KET takes KET.
    const bool ket_action = m.addressing.action == uri::kActionRstKet;
    if ((type == uri::kRequestTypeKet) != ket_action) {
      throw FaultRaised{code_fault("E_INVALIDARG", "The RequestType is invalid.")};
    }
    if (type == uri::kRequestTypeIssue && settings.key_based_renewal) {
      return rstrc_reply(m, key_based_renewal(*rst, who, world_, ca_, events_, endpoint_url));
    }
    if (who.account == nullptr) {
      // An unmapped certificate on a key-based-renewal instance may only renew.
      refuse_new_request(world_, core::describe(who.client_certificate.get()).subject, events_);
    }
    const Account& account = *who.account;
    if (type == uri::kRequestTypeIssue) {
      ces_to_ca_hop(world_, account, endpoint, who, options_);
      return rstrc_reply(m, issue(*rst, account, settings, world_, ca_, events_, endpoint_url));
    }
    if (type == uri::kRequestTypeQueryTokenStatus) {
      ces_to_ca_hop(world_, account, endpoint, who, options_);
      return rstrc_reply(m, request_status(rst->request_id, world_, ca_, events_));
    }
    if (type == uri::kRequestTypeKet) {
      ces_to_ca_hop(world_, account, endpoint, who, options_);
      return key_exchange_reply(m, *rst, ca_);
    }
    // MS-WSTEP 3.1.4.2: a missing or unknown RequestType is refused.
    throw FaultRaised{code_fault("E_INVALIDARG", "The RequestType is invalid.")};
  } catch (const FaultRaised& raised) {
    return fault_response(raised.fault, relates_to ? relates_to : raised.message_id);
  } catch (const EncoderRefusal& refused) {
    return refused.response;
  }
}

}  // namespace ceslab::mock
