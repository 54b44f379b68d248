// SPDX-License-Identifier: GPL-2.0-or-later
// The Evidence record (docs/evidence.md): what one finished
// exchange revealed at every layer — transport, TLS, HTTP, SOAP fault or
// RSTR — plus the lines certreq would print, as plain data. Its JSON form is
// versioned and documented in docs/evidence.md ("ceslab.evidence/1"); the
// diagnosis engine reads it back with from_json.
//
// No secrets, by construction: no request body, no password, no key; the
// response headers are kept with their credentials and cookies redacted
// (client/redaction.hpp does it before the record is built).
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "ceslab/core/endpoint_names.hpp"
#include "ceslab/core/https_client.hpp"
#include "ceslab/core/messages.hpp"

namespace ceslab::core {

inline constexpr std::string_view kEvidenceSchema = "ceslab.evidence/1";

// `unknown`: the record was rebuilt from artefacts that do not say (ceslab diagnose).
enum class Operation { enroll, renew, retrieve, policy, unknown };
// issued / pending / failed for CES operations; `answered` for an exchange
// that got a SOAP reply which is not a fault (a GetPolicies response).
enum class Outcome { issued, pending, failed, answered };

std::string_view to_string(Operation operation);
// How the client authenticated, as the JSON names it: core::cli_name
// ("anonymous", "kerberos", "username", "cert"), or "unknown" for nullopt.
std::string_view to_string(const std::optional<AuthMode>& auth);
// A mode has two names: say which (iis_name, cli_name).
std::string_view to_string(AuthMode) = delete;
std::string_view to_string(Outcome outcome);

// Evidence JSON that does not fit the schema. what() names the JSON path
// ("fault.error_code: ...").
class EvidenceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TransportEvidence {
  TransportErrorKind kind = TransportErrorKind::protocol;
  std::string message;  // the one line the transport gave
};

struct TlsEvidence {
  bool handshake_done = false;
  std::string version;  // "TLSv1.3"
  std::string cipher;
  bool insecure = false;  // verification was switched off (--insecure)
  // Set once the server showed a certificate: X509_V_* and its text.
  std::optional<long> verify_result;
  std::string verify_text;
  std::string peer_subject;    // leaf, RFC 2253
  std::string peer_issuer;     // leaf, RFC 2253
  std::string peer_not_after;  // "YYYY-MM-DDTHH:MM:SSZ"
  std::size_t chain_length = 0;
};

struct HttpEvidence {
  int status = 0;
  std::string reason;
  std::vector<HttpHeader> headers;  // as received, credentials and cookies redacted
  std::size_t body_bytes = 0;
  // For an HTML answer: its title and visible text, white space collapsed and
  // cut short. It says which server answered (an IIS error page and its
  // substatus, IIS's welcome page, the certsrv pages, NDES). Empty otherwise.
  std::string page;
};

// A CMC Full PKI Response (RFC 5272), decoded with parse_cmc_response.
struct CmcEvidence {
  std::string status;  // "success", "failed", "pending", ... (RFC 5272 CMCStatus)
  std::string status_string;
  std::optional<int> fail_info;  // CMCFailInfo
};

// Every field of a SOAP fault (docs/protocol.md 6, MS-WSTEP 3.1.4.1.3.7).
struct FaultEvidence {
  EnrollmentFault fault;
  // BinaryResponse decoded when it is a CMC response; otherwise why not.
  std::optional<CmcEvidence> binary_response_cmc;
  std::string binary_response_error;
};

// The RSTR of an issued or pending request (MS-WSTEP 3.1.4.1.3.4, docs/protocol.md 1.7).
struct ResponseEvidence {
  std::string disposition;        // DispositionMessage: "Issued", "Taken Under Submission"
  std::string request_id;         // RequestID
  std::string pending_reference;  // RequestedSecurityToken/.../Reference/@URI
  bool certificate = false;       // an issued certificate came back
  std::optional<CmcEvidence> cmc;
  std::string cmc_error;  // the outer BST is there but is not a CMC response
};

// What a GetPolicies answer listed (MS-XCEP 3.1.4.1.3.9), enough to tell an
// empty policy from a full one; nil collections count as empty.
struct PolicyEvidence {
  std::size_t templates = 0;          // policies
  std::size_t cas = 0;                // cAs
  bool not_changed = false;           // policiesNotChanged
  std::vector<std::string> ces_uris;  // every CA's cAURI/uri, as advertised
};

struct TimingEvidence {
  std::chrono::milliseconds connect{};  // DNS + TCP connect
  std::chrono::milliseconds total{};
};

// What GSS-API and the tickets showed (Kerberos authentication only).
struct KerberosEvidence {
  std::optional<std::uint32_t> gss_major;
  std::optional<std::uint32_t> gss_minor;
  std::optional<std::string> gss_text;
  std::optional<bool> forwardable;      // the TGT's forwardable flag
  std::optional<bool> ok_as_delegate;   // the service ticket's ok-as-delegate flag
  std::optional<bool> delegated;        // a forwarded TGT went to the server
  std::optional<bool> channel_binding;  // tls-server-end-point was bound
};

// One event a Windows host logged (the mock's event log when the harness owns
// the server; an event-log export given to `ceslab diagnose` otherwise).
struct ServerEvent {
  std::string log;     // "Application", "Security", "Microsoft-Windows-.../Operational"
  std::string source;  // provider: "Microsoft-Windows-CertificationAuthority"
  int id = 0;
  std::string level;  // "Error", "Warning", "Information", "Audit Failure"
  std::string host;   // the computer that logged it
  std::string time;   // ISO 8601 UTC, as the export gives it; may be empty
  std::string message;
};

struct Evidence {
  Operation operation = Operation::enroll;
  std::string endpoint;  // the URL the client called
  // How the client authenticated (docs/protocol.md 2.5); nullopt: the record
  // was rebuilt from artefacts that do not say.
  std::optional<AuthMode> auth = AuthMode::anonymous;
  Outcome outcome = Outcome::failed;
  std::optional<TransportEvidence> transport;  // set when no HTTP response came
  TlsEvidence tls;
  std::optional<HttpEvidence> http;
  std::string soap_error;  // why the HTTP body was not SOAP, if it was not
  std::optional<FaultEvidence> fault;
  std::optional<ResponseEvidence> response;
  std::optional<PolicyEvidence> policy;  // a GetPolicies answer (added in 1, additive)
  TimingEvidence timings;
  std::vector<std::string> messages;  // as certreq would print them
  KerberosEvidence kerberos;
  std::vector<ServerEvent> server_events;
  // The exchanges of the same run before this one, in the order they
  // happened (enroll --policy-url: the GetPolicies call, then each CES URI
  // that could not be reached). The record itself is the exchange that
  // decided the outcome; these say how the client got there.
  std::vector<Evidence> prior_exchanges;
};

// The parts the client builds from what it received (captures use the TLS
// part alone). A BinaryResponse or RSTR CMC that does not decode is said in
// the *_error member, not thrown.
TlsEvidence tls_evidence_of(const TlsFacts& facts);
FaultEvidence fault_evidence(const EnrollmentFault& fault);
ResponseEvidence response_evidence(const RequestSecurityTokenResponse& rstr);
PolicyEvidence policy_evidence(const GetPoliciesResponse& policy);

// JSON (docs/evidence.md). from_json checks "schema" and every type, accepts
// a missing optional member as null, ignores members it does not know, and
// throws EvidenceError naming the path.
void to_json(nlohmann::json& out, const Evidence& evidence);
void from_json(const nlohmann::json& in, Evidence& evidence);
void to_json(nlohmann::json& out, const TlsEvidence& tls);

}  // namespace ceslab::core
