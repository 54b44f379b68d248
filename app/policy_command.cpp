// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <iomanip>
#include <iostream>

#include "ceslab/client/policy.hpp"
#include "client_options.hpp"
#include "commands.hpp"

namespace ceslab::app {
namespace {

// msPKI-Enrollment-Flag bits worth a word in the listing (MS-CRTD 2.26).
constexpr unsigned kPendAllRequests = 0x2;
constexpr unsigned kAllowKeyBasedRenewal = 0x10000;

std::string auth_name(unsigned flag) {
  if (const auto mode = client::auth_mode_from_flag(flag)) return std::string(to_string(*mode));
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

void print_templates(const core::GetPoliciesResponse& policy) {
  if (!policy.policies) {
    std::cout << "Templates: none (the policy lists no template this account may enroll for)\n";
    return;
  }
  std::cout << "Templates (" << policy.policies->size() << "):\n"
            << "  " << std::left << std::setw(20) << "NAME" << std::setw(8) << "SCHEMA"
            << std::setw(10) << "VERSION" << std::setw(9) << "MIN KEY"
            << "OID\n";
  for (const core::PolicyTemplate& t : *policy.policies) {
    const core::PolicyOid* oid = client::find_oid(policy, t.oid_reference);
    std::cout << "  " << std::setw(20) << t.common_name << std::setw(8) << t.policy_schema
              << std::setw(10)
              << (std::to_string(t.major_revision) + "." +
                  std::to_string(t.minor_revision.value_or(0)))
              << std::setw(9) << t.minimal_key_length << (oid ? oid->value : "-") << "\n";
    std::string notes = "issued by: ";
    if (!t.ca_references || t.ca_references->empty()) notes += "none";
    for (std::size_t i = 0; t.ca_references && i < t.ca_references->size(); ++i) {
      notes += (i ? ", " : "") + ca_name(policy, (*t.ca_references)[i]);
    }
    const unsigned flags = t.enrollment_flags.value_or(0);
    if (flags & kPendAllRequests) notes += "; manager approval";
    if (flags & kAllowKeyBasedRenewal) notes += "; key-based renewal";
    if (t.auto_enroll) notes += "; autoenroll";
    std::cout << "      " << notes << "\n";
  }
}

void print_cas(const core::GetPoliciesResponse& policy) {
  if (!policy.cas) {
    std::cout << "CAs: none\n";
    return;
  }
  std::cout << "CAs (" << policy.cas->size() << "):\n";
  for (const core::PolicyCa& ca : *policy.cas) {
    std::vector<client::CesUri> uris = client::uris_by_priority(ca);
    // By authentication mode, and by priority within each (stable).
    std::stable_sort(uris.begin(), uris.end(), [](const auto& a, const auto& b) {
      return a.client_authentication < b.client_authentication;
    });
    std::cout << "  [" << ca.reference_id << "] " << ca_name(policy, ca.reference_id)
              << "  (may request: " << (ca.enroll_permission ? "yes" : "no") << ")\n"
              << "      " << std::left << std::setw(18) << "AUTH" << std::setw(10) << "PRIORITY"
              << std::setw(14) << "RENEWAL-ONLY"
              << "URI\n";
    for (const client::CesUri& u : uris) {
      std::cout << "      " << std::setw(18) << auth_name(u.client_authentication) << std::setw(10)
                << (u.priority ? std::to_string(*u.priority) : "nil") << std::setw(14)
                << (u.renewal_only ? "yes" : "no") << u.uri << "\n";
    }
  }
}

}  // namespace

void add_policy_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "policy",
      "Ask a CEP endpoint for the enrollment policy (GetPolicies): templates, CAs and "
      "their CES URIs by authentication mode and priority");
  struct Args {
    ClientOptions client;
    std::string url;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("--url", a->url,
                  "CEP endpoint URL (https://host/ADPolicyProvider_CEP_UsernamePassword/"
                  "service.svc/CEP)")
      ->required();
  add_client_options(*cmd, a->client);
  cmd->callback([a, &exit_code] {
    const std::unique_ptr<client::Authenticator> auth = make_authenticator(a->client);
    client::CallCredentials credentials =
        client::credentials_for(*auth, a->url, tls_settings(a->client));
    client::PolicyRequest request;
    request.url = a->url;
    request.username = credentials.username;
    request.http_headers = credentials.http_headers;
    request.http_challenge = credentials.http_challenge;
    const client::PolicyResult result = client::get_policies(request, credentials.tls);
    if (!result.ok()) {
      for (const auto& line : result.messages) std::cerr << line << "\n";
      exit_code = kFailed;
      return;
    }
    const core::GetPoliciesResponse& policy = *result.response;
    std::cout << "Enrollment policy " << policy.policy_id;
    if (policy.policy_friendly_name) std::cout << " \"" << *policy.policy_friendly_name << "\"";
    if (policy.next_update_hours)
      std::cout << " (next update in " << *policy.next_update_hours << " h)";
    std::cout << "\n";
    print_templates(policy);
    print_cas(policy);
    exit_code = kOk;
  });
}

}  // namespace ceslab::app
