// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <map>

#include "ca_failure.hpp"
#include "ca_policy.hpp"
#include "ceslab/core/codes.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/text.hpp"
#include "ceslab/core/x509.hpp"

namespace ceslab::mock::pipeline {

using core::iequals;
using core::RequestSecurityToken;

namespace {

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

// Whether any of `principals` (accounts or groups) is one of `who`.
bool names_any(const std::vector<std::string>& principals, const std::set<std::string>& who) {
  return std::any_of(principals.begin(), principals.end(), [&](const std::string& p) {
    return std::any_of(who.begin(), who.end(),
                       [&](const std::string& name) { return iequals(name, p); });
  });
}

// "Restrict enrollment agents": an agent may request the template for the
// account only if a rule for one of the agent's groups covers the template
// and allows one of the account's groups; a matching deny wins.
bool agent_permitted(const std::vector<EnrollmentAgentRule>& rules,
                     const std::set<std::string>& agent, const TemplateSettings& t,
                     const std::set<std::string>& target) {
  bool allowed = false;
  for (const EnrollmentAgentRule& rule : rules) {
    if (!names_any({rule.agent}, agent)) continue;
    if (!rule.templates.empty() && !names_any(rule.templates, {t.name})) continue;
    if (names_any(rule.deny, target)) return false;
    if (names_any(rule.allow, target)) allowed = true;
  }
  return allowed;
}

// The account a request on behalf of another names (MS-WCCE 3.2.1.4.2.1.4:
// the RequesterName name/value pair; CertEnroll's
// IX509CertificateRequestCmc::RequesterName).
std::optional<std::string> requester_name(const DecodedRequest& req) {
  for (const auto& [name, value] : req.attributes) {
    if (iequals(name, "RequesterName")) return value;
  }
  return std::nullopt;
}

// szOID_ENROLLMENT_AGENT, the "Certificate Request Agent" application policy.
constexpr const char* kOidCertificateRequestAgent = "1.3.6.1.4.1.311.20.2.1";

struct DispositionText {
  const char* event_key;  // mock_ces/data/events.yaml
  const char* text;       // the disposition; the event's "Additional information"
};

// Texts: gradenegger.eu event 53 and 22 pages (real examples); event 21 has
// no "Additional information" (MSG_E_PROCESS_REQUEST_FAILED).
DispositionText disposition_text(CaDisposition d) {
  switch (d) {
    case CaDisposition::denied_by_policy:
      return {"ca_request_denied", kDeniedByPolicy};
    case CaDisposition::error_constructing:
      return {"ca_request_denied", "Error Constructing or Publishing Certificate"};
    case CaDisposition::error_parsing_request:
      return {"ca_request_failed_with_info", "Error Parsing Request"};
    case CaDisposition::error_archiving_key:
      return {"ca_request_failed_with_info", "Error Archiving Private Key"};
    case CaDisposition::error_without_info:
      return {"ca_request_failed", ""};
  }
  return {"ca_request_failed", ""};
}

}  // namespace

const std::vector<AccessEntry>& template_acl(const TemplateSettings& t) {
  return t.acl;
}

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

FaultRaised ca_failure(std::string_view code, CaDisposition disposition,
                       const std::string& request_id, std::optional<std::string> request_for) {
  return FaultRaised{enrollment_fault(table_code(code).value, disposition_text(disposition).text,
                                      true, request_id),
                     CaFailure{disposition, std::move(request_for)}};
}

namespace {

// How the policy module refuses a request: the CA's failure for request
// `request_id`, logged for `request_for` once an enroll-on-behalf request
// has named its target.
struct Denial {
  const std::string& request_id;
  std::optional<std::string> request_for;

  FaultRaised operator()(std::string_view code,
                         CaDisposition disposition = CaDisposition::denied_by_policy) const {
    return ca_failure(code, disposition, request_id, request_for);
  }
};

// The template the request names, which the CA must publish.
const TemplateSettings& published_template(const RequestSecurityToken& rst,
                                           const DecodedRequest& req, const World& world,
                                           const Denial& deny) {
  const std::optional<std::string> name = requested_template(rst, req);
  if (!name) throw deny("CERTSRV_E_NO_CERT_TYPE");
  const TemplateSettings* tmpl = world.find_template(*name);
  if (tmpl == nullptr || !world.is_published(*tmpl)) throw deny("CERTSRV_E_UNSUPPORTED_CERT_TYPE");
  return *tmpl;
}

// MS-WCCE 3.2.2.6.2.1.4.2: for a schema 2+ template, the version in the
// request's V2 template extension (which the client took from CEP, i.e.
// from AD) may not be newer than the CA's cached copy; major and minor are
// compared each on their own, as the spec says. No extension = (0, 0).
void check_template_version(const TemplateSettings& tmpl, const DecodedRequest& req,
                            const Denial& deny) {
  if (tmpl.schema < 2 || !req.csr.template_ref || req.csr.template_ref->oid != tmpl.oid) return;
  const TemplateVersion loaded =
      tmpl.ca_loaded_version.value_or(TemplateVersion{tmpl.major_version, tmpl.minor_version});
  const core::TemplateRef& asked = *req.csr.template_ref;
  if (asked.major > static_cast<int>(loaded.major) ||
      asked.minor > static_cast<int>(loaded.minor)) {
    throw deny("CERTSRV_E_BAD_TEMPLATE_VERSION");
  }
}

// Enroll on behalf of another account (MS-WCCE 3.2.2.6.2.1.2.1): the
// account the certificate is for. The request must be signed with an
// enrollment agent certificate of this CA (Microsoft Learn, enrollEOBOCMC
// sample); otherwise the policy module finds no valid agent signature
// (model: CERTSRV_E_SIGNATURE_REJECTED). An account the directory does not
// know fails as ERROR_NO_SUCH_USER (model). With "Restrict enrollment
// agents" an agent without the right gets CERTSRV_E_RESTRICTEDOFFICER
// (MS-WCCE 3.2.2.6.2.1.2.1), which the CA logs as event 21 with an empty
// disposition (docs/causes.md ca_restricted_officer; the adcs-rs fixture's
// empty Reason).
const Account& certificate_subject(const DecodedRequest& req, const Account& account,
                                   const std::set<std::string>& who, const TemplateSettings& tmpl,
                                   const World& world, Denial& deny) {
  const std::optional<std::string> target_name = requester_name(req);
  if (!target_name) return account;
  const std::vector<std::string> agent_ekus =
      req.signer ? core::describe(req.signer.get()).ekus : std::vector<std::string>{};
  if (std::find(agent_ekus.begin(), agent_ekus.end(), kOidCertificateRequestAgent) ==
      agent_ekus.end()) {
    throw deny("CERTSRV_E_SIGNATURE_REJECTED");
  }
  const Account* target = world.find_account(*target_name);
  if (target == nullptr) throw deny("ERROR_NO_SUCH_USER");
  deny.request_for = world.netbios_domain + "\\" + target->name;
  if (world.ca.enrollment_agent_restrictions &&
      !agent_permitted(*world.ca.enrollment_agent_restrictions, who, tmpl,
                       world.memberships(*target))) {
    throw deny("CERTSRV_E_RESTRICTEDOFFICER", CaDisposition::error_without_info);
  }
  return *target;
}

void check_key_length(const TemplateSettings& tmpl, const DecodedRequest& req, const Denial& deny) {
  if (req.csr.public_key &&
      static_cast<unsigned>(core::key_bits(req.csr.public_key.get())) < tmpl.min_key_size &&
      EVP_PKEY_base_id(req.csr.public_key.get()) == EVP_PKEY_RSA) {
    throw deny("CERTSRV_E_KEY_LENGTH");
  }
}

// Key archival (docs/causes.md ca_key_archival_failed; CA event 22 "Error
// Archiving Private Key"). The CA loads its KRA certificates at start and,
// with fewer valid ones than it must use, accepts no archival request
// (TechNet ee449484, events 82/83/98: "Requests to archive private keys
// will not be accepted"); a CA that does not archive has none (model: this
// is checked before the request's key). The mock reads no encrypted
// private key (szOID_ARCHIVED_KEY_ATTR) out of requests, so a request for
// an archival template always lacks one.
void check_key_archival(const TemplateSettings& tmpl, const World& world, const Denial& deny) {
  if (!tmpl.archive_key) return;
  const unsigned needed = world.ca.key_archival ? world.ca.key_archival->agents_to_use : 1;
  const unsigned valid = world.ca.key_archival ? world.ca.key_archival->valid_agents() : 0;
  if (valid < needed) throw deny("CERTSRV_E_NO_VALID_KRA", CaDisposition::error_archiving_key);
  throw deny("CERTSRV_E_ARCHIVED_KEY_REQUIRED", CaDisposition::error_archiving_key);
}

// Subject and SAN (msPKI-Certificate-Name-Flag, docs/protocol.md 2.6), from the
// account the certificate is for.
void name_subject(const TemplateSettings& tmpl, const DecodedRequest& req, const Account& subject,
                  const World& world, const Denial& deny, core::IssueOptions& issue) {
  const auto& flags = tmpl.name_flags;
  const bool email_optional = world.ca.edit_flags.count("EDITF_EMAILOPTIONAL") != 0;
  if (flags.count("ENROLLEE_SUPPLIES_SUBJECT")) issue.subject = req.csr.subject;
  if (flags.count("ENROLLEE_SUPPLIES_SUBJECT_ALT_NAME") ||
      flags.count("ENROLLEE_SUPPLIES_SUBJECT")) {
    issue.san = req.csr.san;
  }
  if (flags.count("SUBJECT_REQUIRE_DNS_AS_CN")) {
    if (!subject.dns_name) throw deny("CERTSRV_E_SUBJECT_DNS_REQUIRED");
    issue.subject = "CN=" + *subject.dns_name;
  } else if (flags.count("SUBJECT_REQUIRE_DIRECTORY_PATH")) {
    issue.subject = directory_dn(subject, world);
  } else if (flags.count("SUBJECT_REQUIRE_COMMON_NAME")) {
    issue.subject = "CN=" + subject.name;
  }
  if (flags.count("SUBJECT_REQUIRE_EMAIL")) {
    if (subject.email) {
      issue.subject = "E=" + *subject.email + (issue.subject.empty() ? "" : "," + issue.subject);
    } else if (!email_optional) {
      throw deny("CERTSRV_E_SUBJECT_EMAIL_REQUIRED");
    }
  }
  if (flags.count("SUBJECT_ALT_REQUIRE_EMAIL")) {
    if (subject.email) {
      issue.san.email.push_back(*subject.email);
    } else if (!email_optional) {
      throw deny("CERTSRV_E_SUBJECT_EMAIL_REQUIRED");
    }
  }
  if (flags.count("SUBJECT_ALT_REQUIRE_UPN")) {
    if (!subject.upn) throw deny("CERTSRV_E_SUBJECT_UPN_REQUIRED");
    issue.san.upn.push_back(*subject.upn);
  }
  if (flags.count("SUBJECT_ALT_REQUIRE_DNS")) {
    if (!subject.dns_name) throw deny("CERTSRV_E_SUBJECT_DNS_REQUIRED");
    issue.san.dns.push_back(*subject.dns_name);
  }
}

// Issuance policies the CA certificate does not allow (docs/causes.md
// ca_invalid_policy): a CA restricted by certificatePolicies can only issue
// those, unless it carries anyPolicy.
void check_issuance_policies(const TemplateSettings& tmpl, const World& world, const Denial& deny) {
  const auto& ca_policies = world.ca.policy_oids;
  const bool any_policy =
      std::find(ca_policies.begin(), ca_policies.end(), "2.5.29.32.0") != ca_policies.end();
  if (ca_policies.empty() || any_policy) return;
  for (const std::string& oid : tmpl.issuance_policies) {
    if (std::find(ca_policies.begin(), ca_policies.end(), oid) == ca_policies.end()) {
      throw deny("CERT_E_INVALID_POLICY");
    }
  }
}

}  // namespace

core::IssueOptions template_issue_options(const TemplateSettings& tmpl) {
  core::IssueOptions issue;
  issue.ekus = tmpl.ekus;
  issue.policy_oids = tmpl.issuance_policies;
  issue.validity = std::chrono::hours(24) * tmpl.validity_days;
  issue.template_ref = core::TemplateRef{tmpl.name, tmpl.oid, static_cast<int>(tmpl.major_version),
                                         static_cast<int>(tmpl.minor_version)};
  return issue;
}

// Stage: CA policy module (the Enterprise policy module's checks, in its
// order) and the CA's own steps around it. Builds what the certificate will
// say, or throws the failure.
core::IssueOptions apply_policy(const RequestSecurityToken& rst, const DecodedRequest& req,
                                const Account& account, const World& world,
                                const std::string& request_id) {
  Denial deny{request_id, std::nullopt};
  const TemplateSettings& tmpl = published_template(rst, req, world, deny);
  check_template_version(tmpl, req, deny);
  const std::set<std::string> who = world.memberships(account);
  if (!has_right(template_acl(tmpl), who, "enroll")) throw deny("CERTSRV_E_TEMPLATE_DENIED");
  const Account& subject = certificate_subject(req, account, who, tmpl, world, deny);
  check_key_length(tmpl, req, deny);
  check_key_archival(tmpl, world, deny);
  core::IssueOptions issue = template_issue_options(tmpl);
  name_subject(tmpl, req, subject, world, deny, issue);
  check_issuance_policies(tmpl, world, deny);
  // The CA core now builds and signs the certificate the policy module
  // approved; without its signing key (HSM offline, key container
  // unreadable) that fails with NTE_FAIL and event 53 "Error Constructing or
  // Publishing Certificate" (docs/causes.md ca_internal_error; gradenegger.eu
  // event 53 page).
  if (!world.ca.signing_key_available) throw deny("NTE_FAIL", CaDisposition::error_constructing);
  return issue;
}

// CA events 21, 22 and 53 (docs/protocol.md 6; the texts and the placeholders are
// data in mock_ces/data/events.yaml).
void log_ca_failure(EventLog& events, const World& world, const Account& account,
                    const FaultRaised& raised) {
  log_ca_failure(events, world, world.netbios_domain + "\\" + account.name, raised);
}

void log_ca_failure(EventLog& events, const World& world, const std::string& requester,
                    const FaultRaised& raised) {
  const core::EnrollmentFault& f = raised.fault.fault;
  if (!raised.ca || !f.request_id || !f.error_code) return;
  const auto code = static_cast<std::uint32_t>(*f.error_code);
  const core::ErrorCode* known = core::CodeTable::builtin().find(code);
  const DispositionText disposition = disposition_text(raised.ca->disposition);
  std::map<std::string, std::string> fields = {
      {"request_id", *f.request_id},
      {"message", known ? known->message : "Unknown error"},
      {"code", core::format_code(code)},
      {"requester", raised.ca->request_for.value_or(requester)}};
  if (*disposition.text != '\0') fields["additional"] = disposition.text;
  events.append(
      EventCatalog::builtin().make(disposition.event_key, world.ca.host, std::move(fields)));
}

}  // namespace ceslab::mock::pipeline
