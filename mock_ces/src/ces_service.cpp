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

namespace ceslab::mock {

using core::HttpRequest;
using core::HttpResponse;
using core::iequals;
using core::RequestSecurityToken;
using core::SoapMessage;
namespace uri = core::uri;

namespace {

// HRESULTs the pipeline answers with (values: winerror.h / certsrv; texts in
// core/data/codes.yaml).
constexpr std::uint32_t kEInvalidArg = 0x80070057;
constexpr std::uint32_t kNteBadSignature = 0x80090006;
constexpr std::uint32_t kCryptAsn1BadTag = 0x8009310B;
constexpr std::uint32_t kNoCertType = 0x80094801;
constexpr std::uint32_t kUnsupportedCertType = 0x80094800;
constexpr std::uint32_t kSubjectEmailRequired = 0x80094812;
constexpr std::uint32_t kSubjectDnsRequired = 0x8009480F;
constexpr std::uint32_t kSubjectUpnRequired = 0x8009480D;
constexpr std::uint32_t kKeyLength = 0x80094811;
constexpr std::uint32_t kTemplateDenied = 0x80094012;
constexpr std::uint32_t kEnrollDenied = 0x80094011;
constexpr std::uint32_t kCertInvalidPolicy = 0x800B0113;
constexpr std::uint32_t kAccessDenied = 0x80070005;
constexpr std::uint32_t kBadImpersonationLevel = 0x80070542;
constexpr std::uint32_t kRpcServerUnavailable = 0x800706BA;

// The CA's disposition text for a policy-module denial (protocol.md 6).
constexpr const char* kDeniedByPolicy = "Denied by Policy Module";

// WCF rejects a UsernameToken whose timestamp is off by more than this.
constexpr auto kMaxClockSkew = std::chrono::minutes(5);

// A stage that cannot go on throws the fault Windows would send.
struct FaultRaised {
  WireFault fault;
};

// Stage: HTTP. WCF answers a wrong media type before reading the body.
std::optional<HttpResponse> check_http(const HttpRequest& request) {
  if (request.method != "POST") {
    HttpResponse r;
    r.status = 405;
    r.reason = "Method Not Allowed";
    r.headers.push_back({"Allow", "POST"});
    r.headers.push_back({"Content-Type", "text/html"});
    r.body = "<html><body><h1>Method Not Allowed</h1></body></html>";
    return r;
  }
  const std::string type = request.header("Content-Type").value_or("");
  if (type.rfind("application/soap+xml", 0) != 0) {
    HttpResponse r;
    r.status = 415;
    r.reason = "Cannot process the message because the content type '" + type +
               "' was not the expected type 'application/soap+xml; charset=utf-8'.";
    return r;
  }
  return std::nullopt;
}

// Stage: SOAP parse and validation.
SoapMessage parse(const HttpRequest& request) {
  try {
    return wsdl::read_message(request.body);
  } catch (const wsdl::MessageError& e) {
    switch (e.kind()) {
      case wsdl::MessageErrorKind::missing_action:
      case wsdl::MessageErrorKind::action_mismatch:
        throw FaultRaised{action_not_supported_fault(e.action())};
      case wsdl::MessageErrorKind::invalid_base64:
        throw FaultRaised{enrollment_fault(kEInvalidArg, "The parameter is incorrect.", false)};
      default:
        // WCF fails to deserialize and answers with its generic fault.
        throw FaultRaised{internal_service_fault()};
    }
  }
}

// Stage: WS-Addressing. WCF's default AddressFilter compares a:To with the
// endpoint address; the host name is not compared (HostNameComparisonMode
// StrongWildcard), the port and path are (case-insensitively for the path,
// as IIS routes). An absent a:To is accepted (MS-WSTEP examples omit it).
void check_to(const SoapMessage& m, const std::string& endpoint_url) {
  if (!m.addressing.to) return;
  try {
    const core::Url to = core::parse_url(*m.addressing.to);
    const core::Url self = core::parse_url(endpoint_url);
    if (to.port == self.port && iequals(to.target, self.target)) return;
  } catch (const std::invalid_argument&) {
  }
  throw FaultRaised{address_filter_fault(*m.addressing.to)};
}

// Stage: authentication, UsernamePassword endpoint (protocol.md 3.3).
const Account& authenticate_username(const SoapMessage& m, const World& world) {
  if (!m.security || !m.security->username_token) throw FaultRaised{invalid_security_fault()};
  const auto now = std::chrono::system_clock::now();
  if (m.security->created &&
      (*m.security->created > now + kMaxClockSkew || *m.security->created < now - kMaxClockSkew)) {
    throw FaultRaised{invalid_security_fault()};
  }
  if (m.security->expires && *m.security->expires < now - kMaxClockSkew) {
    throw FaultRaised{invalid_security_fault()};
  }
  const core::UsernameToken& token = *m.security->username_token;
  const Account* account = world.find_account(token.username);
  if (account == nullptr || account->password != token.password ||
      token.password_type != uri::kPasswordText) {
    throw FaultRaised{invalid_security_fault()};
  }
  return *account;
}

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

// What the CA reads out of the request blob, whatever its wrapping.
struct DecodedRequest {
  core::CsrInfo csr;
  core::Bytes csr_der;
  core::NameValuePairs attributes;  // CMC name/value pairs
};

// Stage: request decoding. A robust server sniffs the DER rather than trust
// ValueType (protocol.md 1.3, 5.6). Undecodable requests reach the CA, which
// assigns an id and fails them ("Error Parsing Request", CA event 22).
DecodedRequest decode_request(const core::Bytes& blob, LabCa& ca) {
  DecodedRequest out;
  try {
    switch (core::sniff_request(blob)) {
      case core::RequestFormat::pkcs10:
        out.csr_der = blob;
        break;
      case core::RequestFormat::cms_pkcs10: {
        core::SignedContent signed_content = core::cms_unwrap(blob);
        if (!signed_content.signature_valid) {
          throw FaultRaised{
              enrollment_fault(kNteBadSignature, "Invalid Signature.", true, ca.next_request_id())};
        }
        out.csr_der = signed_content.content;
        break;
      }
      case core::RequestFormat::cmc: {
        core::CmcRequest cmc = core::parse_cmc_request(blob);
        if (!cmc.envelope.signature_valid && !cmc.signed_by_request_key) {
          throw FaultRaised{
              enrollment_fault(kNteBadSignature, "Invalid Signature.", true, ca.next_request_id())};
        }
        out.csr_der = cmc.pkcs10;
        out.attributes = cmc.name_value_pairs;
        break;
      }
    }
    out.csr = core::parse_csr(out.csr_der);
  } catch (const core::CryptoError&) {
    throw FaultRaised{
        enrollment_fault(kCryptAsn1BadTag, "ASN1 bad tag value met.", true, ca.next_request_id())};
  }
  if (!out.csr.signature_valid) {
    throw FaultRaised{
        enrollment_fault(kNteBadSignature, "Invalid Signature.", true, ca.next_request_id())};
  }
  return out;
}

// The template the request names: AdditionalContext first, then the CMC
// name/value pairs, then the CSR's template extensions (protocol.md 1.3).
std::optional<std::string> requested_template(const RequestSecurityToken& rst,
                                              const DecodedRequest& req) {
  for (const auto& item : rst.context) {
    if (iequals(item.name, "CertificateTemplate") && item.value) return item.value;
  }
  for (const auto& [name, value] : req.attributes) {
    if (iequals(name, "CertificateTemplate")) return value;
  }
  if (req.csr.template_ref) {
    if (!req.csr.template_ref->oid.empty()) return req.csr.template_ref->oid;
    if (!req.csr.template_ref->name.empty()) return req.csr.template_ref->name;
  }
  return std::nullopt;
}

// Access check over an ACL: an explicit deny wins, otherwise any allow.
bool has_right(const std::vector<AccessEntry>& acl, const std::set<std::string>& who,
               const std::string& right) {
  auto applies = [&](const AccessEntry& e) {
    return std::any_of(who.begin(), who.end(),
                       [&](const std::string& name) { return iequals(name, e.principal); });
  };
  bool allowed = false;
  for (const AccessEntry& e : acl) {
    if (!applies(e)) continue;
    if (e.deny.count(right)) return false;
    if (e.allow.count(right)) allowed = true;
  }
  return allowed;
}

// Templates without an ACL in the world behave like a new template: readable
// and enrollable by Authenticated Users.
const std::vector<AccessEntry>& template_acl(const TemplateSettings& t) {
  static const std::vector<AccessEntry> kDefault = {
      {"Authenticated Users", {"read", "enroll"}, {}}};
  return t.acl.empty() ? kDefault : t.acl;
}

std::string directory_dn(const Account& account, const World& world) {
  std::string dn = "CN=" + account.name +
                   (account.kind == AccountKind::computer ? ",CN=Computers" : ",CN=Users");
  for (std::string_view rest = world.dns_domain; !rest.empty();) {
    const auto dot = rest.find('.');
    dn += ",DC=" + std::string(rest.substr(0, dot));
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
  }
  return dn;
}

// Stage: CA policy module (the Enterprise policy module's checks, in its
// order). Builds what the certificate will say, or denies.
core::IssueOptions apply_policy(const RequestSecurityToken& rst, const DecodedRequest& req,
                                const Account& account, const World& world,
                                const std::string& request_id) {
  auto deny = [&](std::uint32_t hresult) {
    return FaultRaised{enrollment_fault(hresult, kDeniedByPolicy, true, request_id)};
  };
  const std::optional<std::string> name = requested_template(rst, req);
  if (!name) throw deny(kNoCertType);
  const TemplateSettings* tmpl = world.find_template(*name);
  if (tmpl == nullptr || !world.is_published(*tmpl)) throw deny(kUnsupportedCertType);
  const std::set<std::string> who = world.memberships(account);
  if (!has_right(template_acl(*tmpl), who, "enroll")) throw deny(kTemplateDenied);
  if (req.csr.public_key &&
      static_cast<unsigned>(core::key_bits(req.csr.public_key.get())) < tmpl->min_key_size &&
      EVP_PKEY_base_id(req.csr.public_key.get()) == EVP_PKEY_RSA) {
    throw deny(kKeyLength);
  }

  core::IssueOptions issue;
  issue.ekus = tmpl->ekus;
  issue.policy_oids = tmpl->issuance_policies;
  issue.validity = std::chrono::hours(24) * tmpl->validity_days;
  issue.template_ref =
      core::TemplateRef{tmpl->name, tmpl->oid, static_cast<int>(tmpl->major_version),
                        static_cast<int>(tmpl->minor_version)};

  // Subject and SAN (msPKI-Certificate-Name-Flag, protocol.md 2.6).
  const auto& flags = tmpl->name_flags;
  const bool email_optional = world.ca.edit_flags.count("EDITF_EMAILOPTIONAL") != 0;
  if (flags.count("ENROLLEE_SUPPLIES_SUBJECT")) issue.subject = req.csr.subject;
  if (flags.count("ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME") ||
      flags.count("ENROLLEE_SUPPLIES_SUBJECT")) {
    issue.san = req.csr.san;
  }
  if (flags.count("SUBJECT_REQUIRE_DNS_AS_CN")) {
    if (!account.dns_name) throw deny(kSubjectDnsRequired);
    issue.subject = "CN=" + *account.dns_name;
  } else if (flags.count("SUBJECT_REQUIRE_DIRECTORY_PATH")) {
    issue.subject = directory_dn(account, world);
  } else if (flags.count("SUBJECT_REQUIRE_COMMON_NAME")) {
    issue.subject = "CN=" + account.name;
  }
  if (flags.count("SUBJECT_REQUIRE_EMAIL")) {
    if (account.email) {
      issue.subject = "E=" + *account.email + (issue.subject.empty() ? "" : "," + issue.subject);
    } else if (!email_optional) {
      throw deny(kSubjectEmailRequired);
    }
  }
  if (flags.count("SUBJECT_ALT_REQUIRE_EMAIL")) {
    if (account.email) {
      issue.san.email.push_back(*account.email);
    } else if (!email_optional) {
      throw deny(kSubjectEmailRequired);
    }
  }
  if (flags.count("SUBJECT_ALT_REQUIRE_UPN")) {
    if (!account.upn) throw deny(kSubjectUpnRequired);
    issue.san.upn.push_back(*account.upn);
  }
  if (flags.count("SUBJECT_ALT_REQUIRE_DNS")) {
    if (!account.dns_name) throw deny(kSubjectDnsRequired);
    issue.san.dns.push_back(*account.dns_name);
  }

  // Issuance policies the CA certificate does not allow (causes.md
  // ca_invalid_policy): a CA restricted by certificatePolicies can only issue
  // those, unless it carries anyPolicy.
  const auto& ca_policies = world.ca.policy_oids;
  const bool any_policy =
      std::find(ca_policies.begin(), ca_policies.end(), "2.5.29.32.0") != ca_policies.end();
  if (!ca_policies.empty() && !any_policy) {
    for (const std::string& oid : tmpl->issuance_policies) {
      if (std::find(ca_policies.begin(), ca_policies.end(), oid) == ca_policies.end()) {
        throw deny(kCertInvalidPolicy);
      }
    }
  }
  return issue;
}

// CA event 53: a request the policy module denied (protocol.md 6; the text
// and the placeholders are data in mock_ces/data/events.yaml).
void log_policy_denial(EventLog& events, const World& world, const Account& account,
                       const WireFault& fault) {
  const core::EnrollmentFault& f = fault.fault;
  if (!f.request_id || !f.error_code || f.invalid_request != true) return;
  const auto code = static_cast<std::uint32_t>(*f.error_code);
  const core::ErrorCode* known = core::CodeTable::builtin().find(code);
  events.append(
      EventCatalog::builtin().make("ca_request_denied", world.ca.host,
                                   {{"request_id", *f.request_id},
                                    {"message", known ? known->message : "Unknown error"},
                                    {"code", core::format_code(code)},
                                    {"requester", world.netbios_domain + "\\" + account.name}}));
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
  const DecodedRequest req = decode_request(rst.token->data, ca);
  const std::string request_id = ca.next_request_id();
  core::IssueOptions options;
  try {
    options = apply_policy(rst, req, account, world, request_id);
  } catch (const FaultRaised& raised) {
    log_policy_denial(events, world, account, raised.fault);
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
