// SPDX-License-Identifier: GPL-2.0-or-later
// The mock CA's policy module on the wire: each world setting of causes.md
// section A/B (CA policy) yields exactly the fault Windows sends.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "ceslab/client/enroll.hpp"
#include "ceslab/core/codes.hpp"
#include "ceslab/mock/server.hpp"

namespace ceslab::mock {
namespace {

struct PolicyCase {
  // Reason text expected; empty = "Denied by Policy Module" with InvalidRequest true.
  std::string name;                    // the cause id of causes.md
  std::function<void(World&)> change;  // the world's misconfiguration
  std::string template_name = "User";
  std::string key = "ecdsa-p256";
  std::uint32_t hresult = 0;  // 0: expect issued
  bool request_id_expected = true;
  std::string reason = "Denied by Policy Module";
  bool invalid_request = true;
};

std::ostream& operator<<(std::ostream& os, const PolicyCase& c) {
  return os << c.name;
}

TemplateSettings& tmpl(World& w, const std::string& name) {
  return const_cast<TemplateSettings&>(*w.find_template(name));
}
Account& account(World& w, const std::string& name) {
  return const_cast<Account&>(*w.find_account(name));
}

class CaPolicyTest : public ::testing::TestWithParam<PolicyCase> {};

TEST_P(CaPolicyTest, FaultComesOutOfTheWorld) {
  const PolicyCase& c = GetParam();
  MockOptions options;
  c.change(options.world);
  MockServer server(std::move(options));
  server.start();

  client::EnrollRequest request;
  request.url = server.endpoint_url(Service::ces, AuthMode::username_password);
  request.template_name = c.template_name;
  request.key = core::KeySpec::parse(c.key);
  request.subject = "CN=host.lab.test";
  request.username = client::UsernameCredentials{"alice", "alice-password"};
  client::TlsSettings tls;
  tls.ca_files = {server.ca_certificate_path().string()};
  const client::EnrollResult result = client::enroll(request, tls);

  if (c.hresult == 0) {
    EXPECT_EQ(result.status, client::EnrollStatus::issued)
        << (result.messages.empty() ? "" : result.messages.back());
    return;
  }
  ASSERT_TRUE(result.fault) << (result.messages.empty() ? "no fault" : result.messages[0]);
  const core::EnrollmentFault& f = *result.fault;
  EXPECT_EQ(result.call.exchange.response->status, 500);
  EXPECT_EQ(f.kind, core::FaultKind::enrollment_detail);
  EXPECT_EQ(f.action,
            "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/"
            "RequestSecurityTokenCertificateEnrollmentWSDetailFault");
  EXPECT_EQ(f.code, "Receiver");
  EXPECT_EQ(f.reason, c.reason);
  EXPECT_EQ(f.error_code, static_cast<std::int32_t>(c.hresult));
  EXPECT_EQ(f.invalid_request, c.invalid_request);
  EXPECT_EQ(f.request_id.has_value(), c.request_id_expected);

  // A policy-module denial is what the CA logs as event 53; the others never
  // reached the policy module and leave no CA event.
  const std::vector<Event> events = server.events().events();
  const bool policy_denial = c.request_id_expected && c.invalid_request;
  const auto denial =
      std::find_if(events.begin(), events.end(), [](const Event& e) { return e.id == 53; });
  ASSERT_EQ(denial != events.end(), policy_denial);
  if (policy_denial) {
    EXPECT_EQ(denial->source, "Microsoft-Windows-CertificationAuthority");
    EXPECT_EQ(denial->level, "Warning");
    EXPECT_EQ(denial->host, "ca.lab.test");
    EXPECT_EQ(denial->message.rfind("Active Directory Certificate Services denied request " +
                                        *f.request_id + " because ",
                                    0),
              0u)
        << denial->message;
    EXPECT_NE(denial->message.find(core::format_code(c.hresult)), std::string::npos)
        << denial->message;
    EXPECT_NE(denial->message.find("The request was for LAB\\alice. Additional information: Denied "
                                   "by Policy Module"),
              std::string::npos)
        << denial->message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Causes, CaPolicyTest,
    ::testing::Values(
        PolicyCase{"baseline_issued", [](World&) {}},
        PolicyCase{"user_lacks_ca_request_right",
                   [](World& w) {
                     w.ca.acl = {{"Domain Admins", {"read", "request", "manage_ca"}, {}}};
                   },
                   "User", "ecdsa-p256", 0x80094011, false},
        PolicyCase{"user_denied_request_by_deny_entry",
                   [](World& w) {
                     w.ca.acl.push_back({"alice", {}, {"request"}});
                   },
                   "User", "ecdsa-p256", 0x80094011, false},
        PolicyCase{"template_enroll_denied",
                   [](World& w) {
                     tmpl(w, "User").acl = {{"Domain Admins", {"read", "enroll"}, {}}};
                   },
                   "User", "ecdsa-p256", 0x80094012},
        PolicyCase{
            "template_not_on_ca",
            [](World& w) { w.ca.published_templates = std::vector<std::string>{"WebServer"}; },
            "User", "ecdsa-p256", 0x80094800},
        PolicyCase{"ca_subject_email_required", [](World& w) { account(w, "alice").email.reset(); },
                   "User", "ecdsa-p256", 0x80094812},
        PolicyCase{"email_optional_by_edit_flag",
                   [](World& w) {
                     account(w, "alice").email.reset();
                     w.ca.edit_flags.insert("EDITF_EMAILOPTIONAL");
                   }},
        PolicyCase{"ca_subject_upn_required", [](World& w) { account(w, "alice").upn.reset(); },
                   "User", "ecdsa-p256", 0x8009480D},
        PolicyCase{"ca_subject_dns_required",
                   [](World& w) { tmpl(w, "User").name_flags.insert("SUBJECT_ALT_REQUIRE_DNS"); },
                   "User", "ecdsa-p256", 0x8009480F},
        PolicyCase{"ca_key_too_short", [](World& w) { tmpl(w, "User").min_key_size = 3072; },
                   "User", "rsa2048", 0x80094811},
        PolicyCase{"ca_invalid_policy",
                   [](World& w) {
                     w.ca.policy_oids = {"1.3.6.1.4.1.99999.1.1"};
                     tmpl(w, "User").issuance_policies = {"1.3.6.1.4.1.99999.1.2"};
                   },
                   "User", "ecdsa-p256", 0x800B0113},
        PolicyCase{"ces_lacks_impersonate_privilege",
                   [](World& w) { w.ces.app_pool_privileges.clear(); }, "User", "ecdsa-p256",
                   0x80070542, false,
                   "Either a required impersonation level was not provided, or the provided "
                   "impersonation level is invalid.",
                   false},
        PolicyCase{"ces_not_trusted_for_delegation_protocol_transition",
                   [](World& w) { w.ces.delegation = Delegation::constrained; }, "User",
                   "ecdsa-p256", 0x80070005, false, "Access is denied.", false},
        PolicyCase{"user_not_delegable_protocol_transition",
                   [](World& w) { account(w, "alice").not_delegable = true; }, "User", "ecdsa-p256",
                   0x80070005, false, "Access is denied.", false},
        PolicyCase{"ca_unreachable", [](World& w) { w.ca.state = CaState::offline; }, "User",
                   "ecdsa-p256", 0x800706BA, false, "The RPC server is unavailable.", false},
        PolicyCase{"ca_unreachable_slow",
                   [](World& w) {
                     w.ca.state = CaState::slow;
                     w.ca.slow_ms = 200;
                   },
                   "User", "ecdsa-p256", 0x800706BA, false, "The RPC server is unavailable.",
                   false},
        PolicyCase{"issuance_policy_the_ca_carries",
                   [](World& w) {
                     w.ca.policy_oids = {"1.3.6.1.4.1.99999.1.1"};
                     tmpl(w, "User").issuance_policies = {"1.3.6.1.4.1.99999.1.1"};
                   }}),
    [](const ::testing::TestParamInfo<PolicyCase>& info) { return info.param.name; });

}  // namespace
}  // namespace ceslab::mock
