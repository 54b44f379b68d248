// SPDX-License-Identifier: GPL-2.0-or-later
// The message model: CES (MS-WSTEP) and CEP (MS-XCEP) messages as plain C++
// values. Nothing here knows XML or gSOAP; wsdl/ translates these to and from
// the wire (ceslab/wsdl/codec.hpp), which depends on core, never the other
// way round.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ceslab::core {

// Constant strings of docs/protocol.md section 0, copied exactly.
namespace uri {
inline constexpr std::string_view kSoap12Envelope = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr std::string_view kAddressing = "http://www.w3.org/2005/08/addressing";
inline constexpr std::string_view kAnonymous = "http://www.w3.org/2005/08/addressing/anonymous";

// The namespaces of the elements these messages are made of.
inline constexpr std::string_view kSoap11Envelope = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr std::string_view kTrustNs = "http://docs.oasis-open.org/ws-sx/ws-trust/200512";
inline constexpr std::string_view kWsseNs =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
inline constexpr std::string_view kEnrollmentNs =
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollment";
inline constexpr std::string_view kPolicyNs =
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy";
inline constexpr std::string_view kXsiNs = "http://www.w3.org/2001/XMLSchema-instance";
inline constexpr std::string_view kXmlNs = "http://www.w3.org/XML/1998/namespace";

inline constexpr std::string_view kActionGetPolicies =
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/GetPolicies";
inline constexpr std::string_view kActionGetPoliciesResponse =
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollmentpolicy/IPolicy/"
    "GetPoliciesResponse";
inline constexpr std::string_view kActionRstWstep =
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RST/wstep";
inline constexpr std::string_view kActionRstrcWstep =
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/RSTRC/wstep";
inline constexpr std::string_view kActionRstKet =
    "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/KET";
inline constexpr std::string_view kActionRstrKetFinal =
    "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTR/KETFinal";
inline constexpr std::string_view kActionEnrollmentFault =
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/"
    "RequestSecurityTokenCertificateEnrollmentWSDetailFault";
inline constexpr std::string_view kActionWcfFault =
    "http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher/fault";
inline constexpr std::string_view kActionAddressingFault =
    "http://www.w3.org/2005/08/addressing/soap/fault";
inline constexpr std::string_view kWcfDispatcher =
    "http://schemas.microsoft.com/net/2005/12/windowscommunicationfoundation/dispatcher";

inline constexpr std::string_view kTokenTypeX509v3 =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3";
inline constexpr std::string_view kRequestTypeIssue =
    "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue";
inline constexpr std::string_view kRequestTypeQueryTokenStatus =
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/QueryTokenStatus";
inline constexpr std::string_view kRequestTypeKet =
    "http://docs.oasis-open.org/ws-sx/ws-trust/200512/KET";

// Lower-case "b" in "base64binary", exactly as Windows sends it.
inline constexpr std::string_view kEncodingBase64 =
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-wssecurity-secext-1.0.xsd#base64binary";
inline constexpr std::string_view kValueTypePkcs7 =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd#PKCS7";
inline constexpr std::string_view kValueTypePkcs10 =
    "http://schemas.microsoft.com/windows/pki/2009/01/enrollment#PKCS10";
inline constexpr std::string_view kValueTypeX509v3 = kTokenTypeX509v3;
inline constexpr std::string_view kPasswordText =
    "http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-username-token-profile-1.0#PasswordText";
}  // namespace uri

using ByteString = std::vector<unsigned char>;
using TimePoint = std::chrono::system_clock::time_point;

// WS-Addressing 1.0 header fields (docs/protocol.md 1.2). Empty optionals are
// simply not written.
struct Addressing {
  std::string action;
  std::optional<std::string> message_id;
  std::optional<std::string> to;
  std::optional<std::string> reply_to;  // Address of ReplyTo
  std::optional<std::string> relates_to;
};

// WS-Security header content a CES/CEP UsernamePassword endpoint reads
// (docs/protocol.md 3.3).
struct UsernameToken {
  std::string username;
  std::string password;  // PasswordText, inside TLS
  std::string password_type = std::string(uri::kPasswordText);
  // wsse:Nonce (base64 text as sent) and wsu:Created inside the token, as
  // cepces sends them (WSS UsernameToken Profile 1.0, 3.1). The profile lets
  // a server refuse a replayed token with them; WCF ignores both.
  std::optional<std::string> nonce{};
  std::optional<TimePoint> created{};
};
struct SecurityHeader {
  std::optional<TimePoint> created;  // wsu:Timestamp
  std::optional<TimePoint> expires;
  std::optional<UsernameToken> username_token;
};

// A wsse:BinarySecurityToken. `data` is the decoded DER; the attributes are
// kept as received so a server can judge them (e.g. a missing EncodingType).
struct BinaryToken {
  std::string value_type;
  std::optional<std::string> encoding_type = std::string(uri::kEncodingBase64);
  ByteString data;
};

struct ContextItem {
  std::string name;
  std::optional<std::string> value;
};

// wst:RequestSecurityToken as MS-WSTEP 3.1.4.1.3.3 profiles it.
struct RequestSecurityToken {
  std::optional<std::string> token_type = std::string(uri::kTokenTypeX509v3);
  std::optional<std::string> request_type = std::string(uri::kRequestTypeIssue);
  std::optional<BinaryToken> token;
  std::vector<ContextItem> context;       // auth:AdditionalContext; omitted when empty
  bool request_ket = false;               // <RequestKET/>
  std::optional<std::string> request_id;  // nullopt is written as xsi:nil
};

// One wst:RequestSecurityTokenResponse (MS-WSTEP 3.1.4.1.3.4); the collection
// always carries exactly one.
struct RequestSecurityTokenResponse {
  std::optional<std::string> token_type = std::string(uri::kTokenTypeX509v3);
  std::optional<std::string> disposition_message;
  std::optional<std::string> disposition_lang = std::string("en-US");
  std::optional<BinaryToken> cmc_response;        // outer BST (#PKCS7)
  std::optional<BinaryToken> issued_certificate;  // RequestedSecurityToken/BST (#X509v3)
  std::optional<std::string> pending_reference;   // RequestedSecurityToken/STR/Reference/@URI
  std::optional<BinaryToken> key_exchange_token;  // RequestedSecurityToken/KeyExchangeToken/BST
  std::optional<std::string> request_id;

  bool is_issued() const { return issued_certificate.has_value(); }
  bool is_pending() const { return !issued_certificate && pending_reference.has_value(); }
};

// The three fault shapes real servers send (docs/protocol.md section 6).
enum class FaultKind {
  enrollment_detail,  // CertificateEnrollmentWSDetail fault (CA / policy errors)
  wcf_dispatcher,     // a:InternalServiceFault, no detail
  ws_addressing,      // s:Sender / a:DestinationUnreachable etc.
  other,              // any other SOAP fault
};

struct EnrollmentFault {
  FaultKind kind = FaultKind::enrollment_detail;
  std::string action;                            // WS-A action of the fault message
  std::string code;                              // "Receiver" / "Sender" (local name of s:Value)
  std::optional<std::string> subcode;            // local name, e.g. "InternalServiceFault"
  std::optional<std::string> subcode_namespace;  // namespace URI of the subcode QName
  std::string reason;                            // may be empty (CERTSRV_E_RESTRICTEDOFFICER)
  std::string reason_lang = "en-US";
  // CertificateEnrollmentWSDetail (present iff has_detail).
  bool has_detail = false;
  std::optional<std::string> binary_response;  // base64 text as sent, nil when absent
  std::optional<std::int32_t> error_code;      // signed HRESULT
  std::optional<bool> invalid_request;
  std::optional<std::string> request_id;
};

// ---- MS-XCEP -------------------------------------------------------------

struct GetPoliciesRequest {
  std::optional<TimePoint> last_update;                 // nil: "older than the server"
  std::optional<std::string> preferred_language;        // nil
  bool filter_nil = false;                              // requestFilter xsi:nil
  std::optional<std::vector<std::string>> policy_oids;  // nil when nullopt
  std::optional<int> client_version = 0;  // send 0/0 (cepces #74); nullopt = nil/absent
  std::optional<int> server_version = 0;
};

struct CaUri {
  unsigned client_authentication = 4;  // 1 anonymous, 2 Kerberos, 4 username, 8 certificate
  std::string uri;
  std::optional<unsigned> priority = 1;
  std::optional<bool> renewal_only = false;
};

struct PolicyCa {
  std::vector<CaUri> uris;
  ByteString certificate;  // DER
  bool enroll_permission = true;
  int reference_id = 0;
};

struct PolicyOid {
  std::string value;
  unsigned group = 9;
  int reference_id = 0;
  std::string default_name;
};

struct PolicyExtension {
  int oid_reference = 0;
  std::optional<bool> critical;
  std::optional<ByteString> value;
};

struct PolicyTemplate {
  int oid_reference = 0;                          // policyOIDReference -> PolicyOid (group 9)
  std::optional<std::vector<int>> ca_references;  // nil when nullopt
  std::string common_name;
  unsigned policy_schema = 2;
  std::uint64_t validity_seconds = 31536000;
  std::uint64_t renewal_seconds = 3628800;
  bool enroll = true;
  bool auto_enroll = false;
  unsigned minimal_key_length = 2048;
  std::optional<unsigned> key_spec;
  std::optional<unsigned> key_usage_property;
  std::optional<std::string> key_permissions;
  std::optional<int> algorithm_oid_reference;
  std::optional<std::vector<std::string>> crypto_providers;
  unsigned major_revision = 100;
  std::optional<unsigned> minor_revision = 0;
  std::optional<std::vector<std::string>> superseded;
  std::optional<unsigned> private_key_flags;
  std::optional<unsigned> subject_name_flags;
  std::optional<unsigned> enrollment_flags;
  std::optional<unsigned> general_flags;
  std::optional<int> hash_algorithm_oid_reference;
  std::optional<std::vector<PolicyExtension>> extensions;
};

struct GetPoliciesResponse {
  bool response_nil = false;
  std::string policy_id;
  std::optional<std::string> policy_friendly_name;
  std::optional<unsigned> next_update_hours = 8;
  std::optional<bool> policies_not_changed = false;
  std::optional<std::vector<PolicyTemplate>> policies;  // nil when nullopt
  std::optional<std::vector<PolicyCa>> cas;
  std::optional<std::vector<PolicyOid>> oids;
};

// ---- Envelope ------------------------------------------------------------

using MessageBody = std::variant<RequestSecurityToken, RequestSecurityTokenResponse,
                                 EnrollmentFault, GetPoliciesRequest, GetPoliciesResponse>;

// A whole SOAP 1.2 message: header fields plus the one body element.
struct SoapMessage {
  Addressing addressing;
  std::optional<SecurityHeader> security;
  MessageBody body;
};

}  // namespace ceslab::core
