// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/ces_service.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

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
#include "pipeline.hpp"

namespace ceslab::mock {

using core::HttpRequest;
using core::HttpResponse;
using core::iequals;
using core::RequestSecurityToken;
using core::SoapMessage;
namespace uri = core::uri;
using namespace pipeline;  // the shared stages and codes

namespace {

// Stage: the CES -> CA hop. CES calls the CA over DCOM *as the user*: it
// impersonates the caller (SeImpersonatePrivilege) and, for the
// UsernamePassword and Certificate endpoints, obtains the user's ticket to the
// CA by protocol transition (S4U2Self + S4U2Proxy), which needs constrained
// delegation with protocol transition and a delegable account (causes.md
// section A). The Kerberos endpoint's hop uses the delegated credential and
// is made with real Kerberos in the Kerberos lab. Faults follow causes.md:
// the CA never sees the request, so there is no request id.
void ces_to_ca_hop(const World& world, const Account& account, const Endpoint& endpoint) {
  if (!world.ces.app_pool_privileges.count("SeImpersonatePrivilege")) {
    throw FaultRaised{enrollment_fault(kBadImpersonationLevel,
                                       "Either a required impersonation level was not provided, or "
                                       "the provided impersonation level is invalid.",
                                       false)};
  }
  if (endpoint.auth != AuthMode::kerberos) {
    const bool s4u_allowed = world.ces.delegation == Delegation::constrained_protocol_transition;
    if (!s4u_allowed || account.not_delegable) {
      throw FaultRaised{enrollment_fault(kAccessDenied, "Access is denied.", false)};
    }
  }
  if (world.ca.state == CaState::slow) {
    // RPC blocked by a firewall: the DCOM call hangs until it times out.
    std::this_thread::sleep_for(std::chrono::milliseconds(world.ca.slow_ms));
  }
  if (world.ca.state != CaState::online) {
    throw FaultRaised{
        enrollment_fault(kRpcServerUnavailable, "The RPC server is unavailable.", false)};
  }
}

HttpResponse issue_certificate(const SoapMessage& m, const RequestSecurityToken& rst,
                               const Account& account, const World& world, LabCa& ca,
                               EventLog& events) {
  if (!rst.token) {
    throw FaultRaised{enrollment_fault(kEInvalidArg, "The BinarySecurityToken is missing.", false)};
  }
  // cepces #81: a BST without EncodingType gets exactly this fault.
  if (!rst.token->encoding_type || *rst.token->encoding_type != uri::kEncodingBase64) {
    throw FaultRaised{enrollment_fault(kEInvalidArg, "The EncodingType is invalid.", false)};
  }
  // The CA's access check runs before the request is entered in its
  // database, so a requester without "Request Certificates" gets no request
  // id (causes.md user_lacks_ca_request_right, model).
  if (!has_right(world.ca.acl, world.memberships(account), "request")) {
    throw FaultRaised{enrollment_fault(kEnrollDenied, kDeniedByPolicy, true)};
  }
  const DecodedRequest req = decode_request(rst.token->data, ca, events, world, account);
  const std::string request_id = ca.next_request_id();
  core::IssueOptions options;
  try {
    options = apply_policy(rst, req, account, world, request_id);
  } catch (const FaultRaised& raised) {
    log_ca_failure(events, world, account, raised);
    throw;
  }
  const core::CertificateAuthority& authority = ca.authority();
  core::X509Ptr cert = authority.issue(req.csr.public_key.get(), options);

  core::RequestSecurityTokenResponse rstr;
  rstr.disposition_message = "Issued";
  rstr.cmc_response = core::BinaryToken{
      std::string(uri::kValueTypePkcs7), std::string(uri::kEncodingBase64),
      core::build_cmc_response(core::CmcStatus::success, "Issued", authority.certificate(),
                               authority.key(), {authority.certificate(), cert.get()}, cert.get())};
  rstr.issued_certificate =
      core::BinaryToken{std::string(uri::kValueTypeX509v3), std::string(uri::kEncodingBase64),
                        core::certificate_der(cert.get())};
  rstr.request_id = request_id;

  SoapMessage reply;
  reply.addressing.action = std::string(uri::kActionRstrcWstep);
  reply.addressing.relates_to = m.addressing.message_id;
  reply.body = rstr;
  return soap_response(200, reply);
}

}  // namespace

HttpResponse CesService::handle(const HttpRequest& request,
                                const core::ConnectionInfo& /*connection*/,
                                const Endpoint& endpoint, const std::string& endpoint_url) {
  if (auto early = check_http(request)) return *early;
  std::optional<std::string> relates_to;
  try {
    const SoapMessage m = parse(request);
    relates_to = m.addressing.message_id;
    check_to(m, endpoint_url);
    const auto* rst = std::get_if<RequestSecurityToken>(&m.body);
    if (rst == nullptr) throw FaultRaised{action_not_supported_fault(m.addressing.action)};
    if (endpoint.auth != AuthMode::username_password) {
      // Kerberos and certificate authentication arrive with their own stages.
      throw FaultRaised{internal_service_fault()};
    }
    const Account& account = authenticate_username(m, world_);
    if (rst->request_type && *rst->request_type == uri::kRequestTypeIssue) {
      ces_to_ca_hop(world_, account, endpoint);
      return issue_certificate(m, *rst, account, world_, ca_, events_);
    }
    // MS-WSTEP 3.1.4.2: a missing or unknown RequestType is refused.
    throw FaultRaised{enrollment_fault(kEInvalidArg, "The RequestType is invalid.", false)};
  } catch (const FaultRaised& raised) {
    return fault_response(raised.fault, relates_to);
  }
}

}  // namespace ceslab::mock
