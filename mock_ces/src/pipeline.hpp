// SPDX-License-Identifier: GPL-2.0-or-later
// What the stages of the CES pipeline share (private to mock_ces): the codes
// they answer with, the fault they throw, and the CA-side stages that more
// than one operation runs (request decoding, the policy module).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ceslab/core/ca.hpp"
#include "ceslab/core/cmc.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/core/gss.hpp"
#include "ceslab/core/http_types.hpp"
#include "ceslab/core/messages.hpp"
#include "ceslab/mock/ces_service.hpp"
#include "ceslab/mock/event_log.hpp"
#include "ceslab/mock/faults.hpp"
#include "ceslab/mock/lab_ca.hpp"
#include "ceslab/mock/world.hpp"

namespace ceslab::mock::pipeline {

// HRESULTs the pipeline answers with (values: winerror.h / certsrv; texts in
// core/data/codes.yaml).
inline constexpr std::uint32_t kEInvalidArg = 0x80070057;
inline constexpr std::uint32_t kNteBadSignature = 0x80090006;
inline constexpr std::uint32_t kCryptAsn1BadTag = 0x8009310B;
inline constexpr std::uint32_t kNoCertType = 0x80094801;
inline constexpr std::uint32_t kUnsupportedCertType = 0x80094800;
inline constexpr std::uint32_t kSubjectEmailRequired = 0x80094812;
inline constexpr std::uint32_t kSubjectDnsRequired = 0x8009480F;
inline constexpr std::uint32_t kSubjectUpnRequired = 0x8009480D;
inline constexpr std::uint32_t kKeyLength = 0x80094811;
inline constexpr std::uint32_t kTemplateDenied = 0x80094012;
inline constexpr std::uint32_t kEnrollDenied = 0x80094011;
inline constexpr std::uint32_t kCertInvalidPolicy = 0x800B0113;
inline constexpr std::uint32_t kAccessDenied = 0x80070005;
inline constexpr std::uint32_t kBadImpersonationLevel = 0x80070542;
inline constexpr std::uint32_t kRpcServerUnavailable = 0x800706BA;
inline constexpr std::uint32_t kPropertyEmpty = 0x80094004;
inline constexpr std::uint32_t kBadRenewalCertAttribute = 0x8009400E;
inline constexpr std::uint32_t kBadRenewalSubject = 0x80094806;
inline constexpr std::uint32_t kCertExpired = 0x800B0101;
inline constexpr std::uint32_t kNteFail = 0x80090020;
inline constexpr std::uint32_t kBadRequestSubject = 0x80094001;
inline constexpr std::uint32_t kRestrictedOfficer = 0x80094009;
inline constexpr std::uint32_t kNoValidKra = 0x8009400B;
inline constexpr std::uint32_t kArchivedKeyRequired = 0x80094804;
inline constexpr std::uint32_t kBadTemplateVersion = 0x80094807;
inline constexpr std::uint32_t kSignatureRejected = 0x8009480B;
inline constexpr std::uint32_t kNoSuchUser = 0x80070525;

// The CA's disposition text for a policy-module denial (docs/protocol.md 6).
inline constexpr const char* kDeniedByPolicy = "Denied by Policy Module";

// How the CA records a request it assigned an id and did not issue: the
// event it logs and its disposition text, which is that event's "Additional
// information" and which CES relays as the fault's Reason (model, from the
// real faults: "Denied by Policy Module" with CERTSRV_E_BAD_TEMPLATE_VERSION,
// an empty Reason with CERTSRV_E_RESTRICTEDOFFICER whose event 21 has no
// additional information (docs/protocol.md 6); certreq prints "Error Parsing
// Request The request subject name is invalid or too long. 0x80094001" for
// an event 22 (gradenegger.eu, CERTSRV_E_BAD_REQUESTSUBJECT article)).
enum class CaDisposition {
  denied_by_policy,       // event 53 "Denied by Policy Module"
  error_constructing,     // event 53 "Error Constructing or Publishing Certificate"
  error_parsing_request,  // event 22 "Error Parsing Request"
  error_archiving_key,    // event 22 "Error Archiving Private Key"
  error_without_info,     // event 21, no additional information, empty disposition
};

// What the CA logs for a failed request, carried with the fault.
struct CaFailure {
  CaDisposition disposition;
  // "The request was for …": DOMAIN\sam of the requester when unset.
  std::optional<std::string> request_for;
};

// A stage that cannot go on throws the fault Windows would send; `ca` is set
// when the CA failed a request it had assigned an id.
struct FaultRaised {
  FaultRaised(WireFault wire, std::optional<CaFailure> failure = std::nullopt)
      : fault(std::move(wire)), ca(std::move(failure)) {}

  WireFault fault;
  std::optional<CaFailure> ca;
  // The request's MessageID when the fault came before the message was
  // whole (an action WCF cannot dispatch): the fault still relates to it.
  std::optional<std::string> message_id;
};

// The fault for a request the CA failed: Reason = the disposition text,
// InvalidRequest true, the CA's request id.
FaultRaised ca_failure(std::uint32_t hresult, CaDisposition disposition,
                       const std::string& request_id,
                       std::optional<std::string> request_for = std::nullopt);

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

// Stage: HTTP. A response when the request is refused before its body is
// read (wrong method: 405; wrong media type: 415, as WCF answers).
std::optional<core::HttpResponse> check_http(const core::HttpRequest& request);

// Stage: SOAP parse and validation; throws the fault WCF gives. `operations`
// are the actions this endpoint has an operation for.
core::SoapMessage parse(const core::HttpRequest& request,
                        std::initializer_list<std::string_view> operations);

// Stage: WS-Addressing a:To against this endpoint's address.
void check_to(const core::SoapMessage& m, const std::string& endpoint_url);

// Stage: authentication on a UsernamePassword endpoint (docs/protocol.md 3.3):
// the wsu:Timestamp, when there is one, in WCF's range, then the logon.
// With `events`, a failed logon is audited there (Security 4625).
const Account& authenticate_username(const core::SoapMessage& m, const World& world,
                                     EventLog* events = nullptr);

// What the CA reads out of the request blob, whatever its wrapping.
struct DecodedRequest {
  core::CsrInfo csr;
  core::Bytes csr_der;
  core::NameValuePairs attributes;  // CMC name/value pairs
  // The certificate whose key signed the CMS/CMC wrapper, whenever the
  // signature verifies: the old certificate of a renewal, an enrollment
  // agent's certificate, or anything else a client signed with.
  core::X509Ptr signer_certificate;
  // The same certificate when this CA issued it and it is valid now: the only
  // signer the policy module trusts as an enrollment agent.
  core::X509Ptr signer;

  // A renewal (docs/protocol.md 1.4): signed by a certificate and carrying
  // szOID_RENEWAL_CERTIFICATE. An enroll-on-behalf request is signed by the
  // agent's certificate but carries no renewal attribute.
  bool is_renewal() const {
    return signer_certificate != nullptr && csr.renewal_certificate.has_value();
  }
};

// Stage: request decoding. A robust server sniffs the DER rather than trust
// ValueType (docs/protocol.md 1.3, 5.6). Undecodable requests, bad signatures and
// over-long subject RDNs reach the CA, which assigns an id and fails them
// ("Error Parsing Request", CA event 22, logged here).
// `requester` ("LAB\alice") names whom the CA logs a failure for.
DecodedRequest decode_request(const core::Bytes& blob, LabCa& ca, EventLog& events,
                              const World& world, const std::string& requester);

// The template the request names: AdditionalContext first, then the CMC
// name/value pairs, then the CSR's template extensions (docs/protocol.md 1.3).
std::optional<std::string> requested_template(const core::RequestSecurityToken& rst,
                                              const DecodedRequest& req);

// Access check over an ACL: an explicit deny wins, otherwise any allow.
bool has_right(const std::vector<AccessEntry>& acl, const std::set<std::string>& who,
               const std::string& right);

// The template's ACL (a template without `acl` in the world has the one a
// freshly duplicated template has: fresh_template_acl()).
const std::vector<AccessEntry>& template_acl(const TemplateSettings& t);

// Stage: CA policy module (the Enterprise policy module's checks, in its
// order) and the CA's own steps around it (enroll-on-behalf-of rights, key
// archival, its signing key). Builds what the certificate will say, or
// throws the failure.
core::IssueOptions apply_policy(const core::RequestSecurityToken& rst, const DecodedRequest& req,
                                const Account& account, const World& world,
                                const std::string& request_id);

// The CA event (21, 22 or 53) for a request the CA failed; nothing for
// faults raised before the CA assigned an id.
void log_ca_failure(EventLog& events, const World& world, const Account& account,
                    const FaultRaised& raised);
// The same for a requester that is not a directory account ("LAB\\svc-ces").
void log_ca_failure(EventLog& events, const World& world, const std::string& requester,
                    const FaultRaised& raised);

// The checks the CA makes on a renewal before its policy module runs: the
// signing certificate was issued by this CA and is still valid, and the
// request's szOID_RENEWAL_CERTIFICATE names it. Throws the denial
// (docs/causes.md renewal_cert_invalid).
void check_renewal(const DecodedRequest& req, const LabCa& ca, const std::string& request_id);

// Key-based renewal (docs/protocol.md 1.4): the CES app pool submits the request
// on behalf of the old certificate's subject; the CA needs
// EDITF_ENABLERENEWONBEHALFOF and a template that allows key-based renewal,
// and copies subject and SAN from the old certificate.
core::RequestSecurityTokenResponse submit_key_based_renewal(const DecodedRequest& req,
                                                            const X509* tls_client_certificate,
                                                            const World& world, LabCa& ca,
                                                            EventLog& events,
                                                            const std::string& ces_uri);

// The principals the CES application pool identity acts as (for the CA's
// ACL): itself, its groups if the world knows it as an account, and the
// implicit Everyone / Authenticated Users.
std::set<std::string> app_pool_principals(const World& world);

// The CA takes a decoded request: enters it in its database (new id), runs
// the policy module and issues, leaves it pending (manager approval) or
// denies it (throws the fault, CA event 53). `ces_uri` is where a pending
// request is to be polled.
core::RequestSecurityTokenResponse submit_request(const core::RequestSecurityToken& rst,
                                                  const DecodedRequest& req, const Account& account,
                                                  const World& world, LabCa& ca, EventLog& events,
                                                  const std::string& ces_uri);

// QueryTokenStatus: the state of request `request_id` as the CA has it now;
// a request an officer approved is issued first. Throws the fault for a
// missing/invalid id, an unknown id, or a denied or failed request.
core::RequestSecurityTokenResponse request_status(const std::optional<std::string>& request_id,
                                                  const World& world, LabCa& ca, EventLog& events);

}  // namespace ceslab::mock::pipeline
