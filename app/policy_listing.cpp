// SPDX-License-Identifier: GPL-2.0-or-later
#include "policy_listing.hpp"

#include <algorithm>
#include <iomanip>
#include <string>
#include <vector>

#include "ceslab/client/policy.hpp"

namespace ceslab::app {
namespace {

using nlohmann::json;

// msPKI-Enrollment-Flag bits worth a word in the listing (MS-CRTD 2.26).
constexpr unsigned kPendAllRequests = 0x2;
constexpr unsigned kAllowKeyBasedRenewal = 0x10000;

std::string auth_name(unsigned flag) {
  if (const auto mode = core::auth_mode_from_flag(flag)) return std::string(core::iis_name(*mode));
  return "unknown (" + std::to_string(flag) + ")";
}

std::string ca_name(const core::GetPoliciesResponse& policy, int reference) {
  if (policy.cas) {
    for (const core::PolicyCa& ca : *policy.cas) {
      if (ca.reference_id != reference) continue;
      const std::vector<client::CesUri> uris = client::uris_by_priority(ca);
      if (!uris.empty()) return uris.front().ca_subject;
    }
  }
  return "CA #" + std::to_string(reference);
}

// A CA's URIs by authentication mode, and by priority within each (stable).
std::vector<client::CesUri> uris_by_mode(const core::PolicyCa& ca) {
  std::vector<client::CesUri> uris = client::uris_by_priority(ca);
  std::stable_sort(uris.begin(), uris.end(), [](const auto& a, const auto& b) {
    return a.client_authentication < b.client_authentication;
  });
  return uris;
}

std::string version_of(const core::PolicyTemplate& t) {
  return std::to_string(t.major_revision) + "." + std::to_string(t.minor_revision.value_or(0));
}

void print_templates(const core::GetPoliciesResponse& policy, std::ostream& out) {
  if (!policy.policies) {
    out << "Templates: none (the policy lists no template this account may enroll for)\n";
    return;
  }
  out << "Templates (" << policy.policies->size() << "):\n"
      << "  " << std::left << std::setw(20) << "NAME" << std::setw(8) << "SCHEMA" << std::setw(10)
      << "VERSION" << std::setw(9) << "MIN KEY"
      << "OID\n";
  for (const core::PolicyTemplate& t : *policy.policies) {
    const core::PolicyOid* oid = client::find_oid(policy, t.oid_reference);
    out << "  " << std::setw(20) << t.common_name << std::setw(8) << t.policy_schema
        << std::setw(10) << version_of(t) << std::setw(9) << t.minimal_key_length
        << (oid ? oid->value : "-") << "\n";
    std::string notes = "issued by: ";
    if (!t.ca_references || t.ca_references->empty()) notes += "none";
    for (std::size_t i = 0; t.ca_references && i < t.ca_references->size(); ++i) {
      notes += (i ? ", " : "") + ca_name(policy, (*t.ca_references)[i]);
    }
    const unsigned flags = t.enrollment_flags.value_or(0);
    if (flags & kPendAllRequests) notes += "; manager approval";
    if (flags & kAllowKeyBasedRenewal) notes += "; key-based renewal";
    if (t.auto_enroll) notes += "; autoenroll";
    out << "      " << notes << "\n";
  }
}

void print_cas(const core::GetPoliciesResponse& policy, std::ostream& out) {
  if (!policy.cas) {
    out << "CAs: none\n";
    return;
  }
  out << "CAs (" << policy.cas->size() << "):\n";
  for (const core::PolicyCa& ca : *policy.cas) {
    out << "  [" << ca.reference_id << "] " << ca_name(policy, ca.reference_id)
        << "  (may request: " << (ca.enroll_permission ? "yes" : "no") << ")\n"
        << "      " << std::left << std::setw(18) << "AUTH" << std::setw(10) << "PRIORITY"
        << std::setw(14) << "RENEWAL-ONLY"
        << "URI\n";
    for (const client::CesUri& u : uris_by_mode(ca)) {
      out << "      " << std::setw(18) << auth_name(u.client_authentication) << std::setw(10)
          << (u.priority ? std::to_string(*u.priority) : "nil") << std::setw(14)
          << (u.renewal_only ? "yes" : "no") << u.uri << "\n";
    }
  }
}

template <typename T>
json or_null(const std::optional<T>& value) {
  return value ? json(*value) : json(nullptr);
}

json template_json(const core::GetPoliciesResponse& policy, const core::PolicyTemplate& t) {
  const core::PolicyOid* oid = client::find_oid(policy, t.oid_reference);
  const unsigned flags = t.enrollment_flags.value_or(0);
  return {{"name", t.common_name},
          {"oid", oid ? json(oid->value) : json(nullptr)},
          {"schema", t.policy_schema},
          {"major_revision", t.major_revision},
          {"minor_revision", t.minor_revision.value_or(0)},
          {"minimal_key_length", t.minimal_key_length},
          {"ca_references", or_null(t.ca_references)},
          {"enrollment_flags", or_null(t.enrollment_flags)},
          {"manager_approval", (flags & kPendAllRequests) != 0},
          {"key_based_renewal", (flags & kAllowKeyBasedRenewal) != 0},
          {"autoenroll", t.auto_enroll}};
}

json ca_json(const core::GetPoliciesResponse& policy, const core::PolicyCa& ca) {
  json uris = json::array();
  for (const client::CesUri& u : uris_by_mode(ca)) {
    const auto mode = core::auth_mode_from_flag(u.client_authentication);
    uris.push_back({{"uri", u.uri},
                    {"auth", mode ? json(core::iis_name(*mode)) : json(nullptr)},
                    {"client_authentication", u.client_authentication},
                    {"priority", or_null(u.priority)},
                    {"renewal_only", u.renewal_only}});
  }
  return {{"reference", ca.reference_id},
          {"subject", ca_name(policy, ca.reference_id)},
          {"enroll_permission", ca.enroll_permission},
          {"uris", uris}};
}

}  // namespace

void print_policy(const core::GetPoliciesResponse& policy, std::ostream& out) {
  out << "Enrollment policy " << policy.policy_id;
  if (policy.policy_friendly_name) out << " \"" << *policy.policy_friendly_name << "\"";
  if (policy.next_update_hours) out << " (next update in " << *policy.next_update_hours << " h)";
  out << "\n";
  print_templates(policy, out);
  print_cas(policy, out);
}

json policy_json(const core::GetPoliciesResponse& policy) {
  json templates = nullptr;
  if (policy.policies) {
    templates = json::array();
    for (const core::PolicyTemplate& t : *policy.policies)
      templates.push_back(template_json(policy, t));
  }
  json cas = nullptr;
  if (policy.cas) {
    cas = json::array();
    for (const core::PolicyCa& ca : *policy.cas) cas.push_back(ca_json(policy, ca));
  }
  return {{"id", policy.policy_id},
          {"friendly_name", or_null(policy.policy_friendly_name)},
          {"next_update_hours", or_null(policy.next_update_hours)},
          {"templates", templates},
          {"cas", cas}};
}

}  // namespace ceslab::app
