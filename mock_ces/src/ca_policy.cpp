// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>

#include "ceslab/core/codes.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/text.hpp"
#include "pipeline.hpp"

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

}  // namespace

const std::vector<AccessEntry>& template_acl(const TemplateSettings& t) {
  static const std::vector<AccessEntry> kDefault = {
      {"Authenticated Users", {"read", "enroll"}, {}}};
  return t.acl.empty() ? kDefault : t.acl;
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
  log_policy_denial(events, world, world.netbios_domain + "\\" + account.name, fault);
}

void log_policy_denial(EventLog& events, const World& world, const std::string& requester,
                       const WireFault& fault) {
  const core::EnrollmentFault& f = fault.fault;
  if (!f.request_id || !f.error_code || f.invalid_request != true) return;
  const auto code = static_cast<std::uint32_t>(*f.error_code);
  const core::ErrorCode* known = core::CodeTable::builtin().find(code);
  events.append(EventCatalog::builtin().make("ca_request_denied", world.ca.host,
                                             {{"request_id", *f.request_id},
                                              {"message", known ? known->message : "Unknown error"},
                                              {"code", core::format_code(code)},
                                              {"requester", requester}}));
}

}  // namespace ceslab::mock::pipeline
