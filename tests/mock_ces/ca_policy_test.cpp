// SPDX-License-Identifier: GPL-2.0-or-later
// The mock CA's policy module on the wire: each world setting of causes.md
// section A/B (CA policy) yields exactly the fault Windows sends.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "ceslab/client/enroll.hpp"
#include "ceslab/client/soap_call.hpp"
#include "ceslab/core/codes.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/core/x509.hpp"
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
  std::string subject = "CN=host.lab.test";  // what the request asks for
  // The V2 template extension the request carries (unset: the V1 name).
  std::optional<core::TemplateRef> template_info{};
  // Non-empty: alice first enrolls for an EnrollmentAgent certificate and
  // then requests on behalf of this account with it.
  std::string on_behalf_of{};
  // The CA event expected: -1 = event 53 for a policy denial (Warning,
  // "Denied by Policy Module", checked in parts), none otherwise.
  int event_id = -1;
  std::string event_level{};
  std::string event_text{};  // the whole message; "{id}" stands for the request id
  std::string issued_upn{};  // non-empty: the issued certificate's SAN UPN
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

// What enrollment on behalf of needs in the lab: an Enrollment Agent
// template (EKU Certificate Request Agent, 1.3.6.1.4.1.311.20.2.1) and a
// second user.
void add_agent_lab(World& w) {
  TemplateSettings agent;
  agent.name = "EnrollmentAgent";
  agent.oid = "1.3.6.1.4.1.311.21.8.1.9";
  agent.schema = 1;
  agent.name_flags = {"SUBJECT_REQUIRE_DIRECTORY_PATH", "SUBJECT_ALT_REQUIRE_UPN"};
  agent.ekus = {"1.3.6.1.4.1.311.20.2.1"};
  agent.acl = {{"Domain Users", {"read", "enroll"}, {}}};
  w.templates.push_back(agent);
  w.ca.published_templates->push_back("EnrollmentAgent");
  Account bob;
  bob.name = "bob";
  bob.email = "bob@lab.test";
  bob.upn = "bob@lab.test";
  bob.groups = {"Domain Users"};
  w.accounts.push_back(bob);
}

std::string with_request_id(std::string text, const std::string& id) {
  const auto at = text.find("{id}");
  if (at != std::string::npos) text.replace(at, 4, id);
  return text;
}

// The User template as a schema 2 template at version 100.4 in AD, with
// `loaded` the version the CA has cached.
void template_v2(World& w, TemplateVersion loaded) {
  TemplateSettings& user = tmpl(w, "User");
  user.schema = 2;
  user.oid = "1.3.6.1.4.1.311.21.8.1.1";
  user.major_version = 100;
  user.minor_version = 4;
  user.ca_loaded_version = loaded;
}
// What a Windows client asks for after reading that template from CEP.
const core::TemplateRef kUserV2Request{"", "1.3.6.1.4.1.311.21.8.1.1", 100, 4};

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
  request.template_info = c.template_info;
  request.key = core::KeySpec::parse(c.key);
  request.subject = c.subject;
  request.username = client::UsernameCredentials{"alice", "alice-password"};
  client::TlsSettings tls;
  tls.ca_files = {server.ca_certificate_path().string()};

  client::EnrollResult agent;
  if (!c.on_behalf_of.empty()) {
    client::EnrollRequest agent_request = request;
    agent_request.template_name = "EnrollmentAgent";
    agent_request.template_info.reset();
    agent = client::enroll(agent_request, tls);
    ASSERT_EQ(agent.status, client::EnrollStatus::issued)
        << (agent.messages.empty() ? "" : agent.messages.back());
    request.on_behalf_of =
        client::OnBehalfOf{c.on_behalf_of, agent.certificate.get(), agent.key.get()};
  }
  const client::EnrollResult result = client::enroll(request, tls);

  if (c.hresult == 0) {
    ASSERT_EQ(result.status, client::EnrollStatus::issued)
        << (result.messages.empty() ? "" : result.messages.back());
    if (!c.issued_upn.empty()) {
      EXPECT_EQ(core::describe(result.certificate.get()).san.upn,
                std::vector<std::string>{c.issued_upn});
    }
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

  // A policy-module denial is what the CA logs as event 53; faults raised
  // before the CA assigned an id leave no CA event.
  const std::vector<Event> events = server.events().events();
  const bool policy_denial = c.request_id_expected && c.invalid_request;
  const int expected_id = c.event_id >= 0 ? c.event_id : (policy_denial ? 53 : 0);
  if (expected_id == 0) {
    EXPECT_TRUE(events.empty()) << events.front().message;
    return;
  }
  ASSERT_EQ(events.size(), 1u);
  ASSERT_TRUE(f.request_id);
  const Event& event = events.front();
  EXPECT_EQ(event.id, expected_id);
  if (!c.event_text.empty()) {
    EXPECT_EQ(event.source, "Microsoft-Windows-CertificationAuthority");
    EXPECT_EQ(event.log, "Application");
    EXPECT_EQ(event.host, "ca.lab.test");
    EXPECT_EQ(event.level, c.event_level);
    EXPECT_EQ(event.message, with_request_id(c.event_text, *f.request_id));
    return;
  }
  // Event 53 of a policy denial, checked in parts.
  EXPECT_EQ(event.source, "Microsoft-Windows-CertificationAuthority");
  EXPECT_EQ(event.level, "Warning");
  EXPECT_EQ(event.host, "ca.lab.test");
  EXPECT_EQ(
      event.message.rfind(
          "Active Directory Certificate Services denied request " + *f.request_id + " because ", 0),
      0u)
      << event.message;
  EXPECT_NE(event.message.find(core::format_code(c.hresult)), std::string::npos) << event.message;
  EXPECT_NE(event.message.find(
                "The request was for LAB\\alice. Additional information: Denied by Policy Module"),
            std::string::npos)
      << event.message;
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
                   }},
        // The template was edited in AD (100.4, which CEP hands the client);
        // the CA still has 100.3 cached (MS-WCCE 3.2.2.6.2.1.4.2).
        PolicyCase{.name = "ca_template_version_newer",
                   .change =
                       [](World& w) {
                         template_v2(w, TemplateVersion{100, 3});
                       },
                   .hresult = 0x80094807,
                   .template_info = kUserV2Request,
                   .event_id = 53,
                   .event_level = "Warning",
                   .event_text =
                       "Active Directory Certificate Services denied request {id} because The "
                       "request template version is newer than the supported template version. "
                       "0x80094807 (-2146875385 CERTSRV_E_BAD_TEMPLATE_VERSION). The request was "
                       "for LAB\\alice. Additional information: Denied by Policy Module"},
        // `ceslab enroll --template <OID>` (no CEP): the client cannot know
        // the AD version and sends 0.0, which is never newer than the CA's
        // copy (docs/world.md, ca_loaded_version).
        PolicyCase{.name = "template_by_oid_is_version_0_0_and_never_newer",
                   .change =
                       [](World& w) {
                         template_v2(w, TemplateVersion{100, 3});
                       },
                   .template_name = "1.3.6.1.4.1.311.21.8.1.1"},
        PolicyCase{.name = "template_version_the_ca_has",
                   .change =
                       [](World& w) {
                         template_v2(w, TemplateVersion{100, 4});
                       },
                   .template_info = kUserV2Request},
        // Enrollment agent alice may enroll only Domain Admins for User;
        // bob is a Domain User (MS-WCCE 3.2.2.6.2.1.2.1).
        PolicyCase{.name = "ca_restricted_officer",
                   .change =
                       [](World& w) {
                         add_agent_lab(w);
                         w.ca.enrollment_agent_restrictions = std::vector<EnrollmentAgentRule>{
                             {"alice", {"User"}, {"Domain Admins"}, {}}};
                       },
                   .hresult = 0x80094009,
                   .reason = "",
                   .on_behalf_of = "LAB\\bob",
                   .event_id = 21,
                   .event_level = "Error",
                   .event_text =
                       "Active Directory Certificate Services could not process request {id} due "
                       "to an error: The operation is denied. It can only be performed by a "
                       "certificate manager that is allowed to manage certificates for the "
                       "current requester. 0x80094009 (-2146877431 CERTSRV_E_RESTRICTEDOFFICER). "
                       "The request was for LAB\\bob."},
        PolicyCase{.name = "enroll_on_behalf_permitted_by_agent_rule",
                   .change =
                       [](World& w) {
                         add_agent_lab(w);
                         w.ca.enrollment_agent_restrictions = std::vector<EnrollmentAgentRule>{
                             {"alice", {"User"}, {"Domain Users"}, {}}};
                       },
                   .on_behalf_of = "LAB\\bob",
                   .issued_upn = "bob@lab.test"},
        PolicyCase{.name = "enroll_on_behalf_without_agent_certificate",
                   .change =
                       [](World& w) {
                         add_agent_lab(w);
                         tmpl(w, "EnrollmentAgent").ekus = {"1.3.6.1.5.5.7.3.2"};
                       },
                   .hresult = 0x8009480B,
                   .on_behalf_of = "LAB\\bob"},
        PolicyCase{.name = "enroll_on_behalf_of_unknown_account",
                   .change = [](World& w) { add_agent_lab(w); },
                   .hresult = 0x80070525,
                   .on_behalf_of = "LAB\\nobody"},
        // A supplied subject whose CN is longer than the CA allows (64).
        PolicyCase{.name = "ca_bad_request_subject",
                   .change = [](World&) {},
                   .template_name = "WebServer",
                   .hresult = 0x80094001,
                   .reason = "Error Parsing Request",
                   .subject = "CN=" + std::string(65, 'a'),
                   .event_id = 22,
                   .event_level = "Error",
                   .event_text =
                       "Active Directory Certificate Services could not process request {id} due "
                       "to an error: The request subject name is invalid or too long. 0x80094001 "
                       "(-2146877439 CERTSRV_E_BAD_REQUESTSUBJECT). The request was for CN=" +
                       std::string(65, 'a') + ". Additional information: Error Parsing Request"},
        PolicyCase{.name = "common_name_of_64_characters",
                   .change = [](World&) {},
                   .template_name = "WebServer",
                   .subject = "CN=" + std::string(64, 'a')},
        PolicyCase{.name = "long_common_name_without_x500_length_check",
                   .change = [](World& w) { w.ca.enforce_x500_name_lengths = false; },
                   .template_name = "WebServer",
                   .subject = "CN=" + std::string(65, 'a')},
        // The template archives keys; the CA's only KRA certificate expired.
        PolicyCase{.name = "ca_key_archival_failed_no_valid_kra",
                   .change =
                       [](World& w) {
                         tmpl(w, "User").archive_key = true;
                         w.ca.key_archival = KeyArchival{1, {KraStatus::expired}};
                       },
                   .hresult = 0x8009400B,
                   .reason = "Error Archiving Private Key",
                   .event_id = 22,
                   .event_level = "Error",
                   .event_text =
                       "Active Directory Certificate Services could not process request {id} due "
                       "to an error: Cannot archive private key. The certification authority "
                       "could not verify one or more key recovery certificates. 0x8009400b "
                       "(-2146877429 CERTSRV_E_NO_VALID_KRA). The request was for LAB\\alice. "
                       "Additional information: Error Archiving Private Key"},
        // A valid KRA, but the request carries no private key to archive.
        PolicyCase{.name = "ca_key_archival_failed_key_missing",
                   .change =
                       [](World& w) {
                         tmpl(w, "User").archive_key = true;
                         w.ca.key_archival = KeyArchival{1, {KraStatus::revoked, KraStatus::valid}};
                       },
                   .hresult = 0x80094804,
                   .reason = "Error Archiving Private Key",
                   .event_id = 22,
                   .event_level = "Error",
                   .event_text =
                       "Active Directory Certificate Services could not process request {id} due "
                       "to an error: The request is missing a required private key for archival "
                       "by the server. 0x80094804 (-2146875388 CERTSRV_E_ARCHIVED_KEY_REQUIRED). "
                       "The request was for LAB\\alice. Additional information: Error Archiving "
                       "Private Key"},
        // The CA's HSM is offline: it cannot sign what the policy module approved.
        PolicyCase{
            .name = "ca_internal_error",
            .change = [](World& w) { w.ca.signing_key_available = false; },
            .hresult = 0x80090020,
            .reason = "Error Constructing or Publishing Certificate",
            .event_id = 53,
            .event_level = "Warning",
            .event_text = "Active Directory Certificate Services denied request {id} because An "
                          "internal error occurred. 0x80090020 (-2146893792 NTE_FAIL). The request "
                          "was for LAB\\alice. Additional information: Error Constructing or "
                          "Publishing Certificate"}),
    [](const ::testing::TestParamInfo<PolicyCase>& info) { return info.param.name; });

// ---- worlds as a user writes them (docs/world.md alone) -------------------

// alice (password alice-password, in `groups`) enrolls for User over
// UsernamePassword in a world whose `ca:` section and User template `acl:`
// lines are given.
client::EnrollResult enroll_in(const std::string& ca, const std::string& template_acl,
                               const std::string& groups = "[]") {
  MockOptions options;
  options.world = parse_world(
      "ca:\n  name: Lab Issuing CA\n" + ca +
          "accounts:\n"
          "  - { name: alice, password: alice-password, email: alice@lab.test,\n"
          "      upn: alice@lab.test, groups: " +
          groups +
          " }\n"
          "templates:\n"
          "  - name: User\n"
          "    oid: 1.3.6.1.4.1.311.21.8.1.1\n"
          "    schema: 1\n"
          "    name_flags: [SUBJECT_REQUIRE_DIRECTORY_PATH, SUBJECT_ALT_REQUIRE_UPN]\n" +
          template_acl + "ces:\n  endpoints: [{ auth: username_password }]\n",
      "user-world.yaml");
  MockServer server(std::move(options));
  server.start();
  client::EnrollRequest request;
  request.url = server.endpoint_url(Service::ces, AuthMode::username_password);
  request.template_name = "User";
  request.key = core::KeySpec::parse("ecdsa-p256");
  request.username = client::UsernameCredentials{"alice", "alice-password"};
  client::TlsSettings tls;
  tls.ca_files = {server.ca_certificate_path().string()};
  return client::enroll(request, tls);
}

std::string why(const client::EnrollResult& r) {
  return r.messages.empty() ? "" : r.messages.back();
}

std::int32_t error_of(const client::EnrollResult& r) {
  return r.fault ? r.fault->error_code.value_or(0) : 0;
}

const std::string kDomainUsersEnroll =
    "    acl: [{ principal: Domain Users, allow: [read, enroll] }]\n";

// No `ca.acl`: the security tab of a fresh enterprise CA, where
// Authenticated Users may request (it used to mean: nobody may).
TEST(UserWorlds, OmittedCaAclIsAFreshEnterpriseCa) {
  const client::EnrollResult r = enroll_in("", kDomainUsersEnroll);
  EXPECT_EQ(r.status, client::EnrollStatus::issued) << why(r);
}

// `acl: []` is still an empty security tab.
TEST(UserWorlds, ExplicitlyEmptyCaAclDeniesEveryone) {
  const client::EnrollResult r = enroll_in("  acl: []\n", kDomainUsersEnroll);
  EXPECT_EQ(error_of(r), static_cast<std::int32_t>(0x80094011));
}

// No template `acl`: a freshly duplicated template, which Domain Users may
// read but not enroll for; Domain Admins may.
TEST(UserWorlds, OmittedTemplateAclIsAFreshDuplicatedTemplate) {
  EXPECT_EQ(error_of(enroll_in("", "")), static_cast<std::int32_t>(0x80094012));
  const client::EnrollResult admin = enroll_in("", "", "[Domain Admins]");
  EXPECT_EQ(admin.status, client::EnrollStatus::issued) << why(admin);
  EXPECT_EQ(error_of(enroll_in("", "    acl: []\n", "[Domain Admins]")),
            static_cast<std::int32_t>(0x80094012));
}

// ACL principals are resolved: a deny entry naming the account as Windows
// shows it (LAB\alice, alice@lab.test) applies to alice.
TEST(UserWorlds, QualifiedPrincipalsMatchTheAccount) {
  for (const char* who : {"LAB\\alice", "alice@lab.test", "lab\\ALICE"}) {
    SCOPED_TRACE(who);
    const std::string ca = std::string("  acl:\n") +
                           "    - { principal: Authenticated Users, allow: [read, request] }\n" +
                           "    - { principal: '" + who + "', deny: [request] }\n";
    EXPECT_EQ(error_of(enroll_in(ca, kDomainUsersEnroll)), static_cast<std::int32_t>(0x80094011));
  }
  // The same for a template's acl and a group in its domain-qualified form.
  const client::EnrollResult r =
      enroll_in("", "    acl: [{ principal: 'LAB\\Domain Users', allow: [read, enroll] }]\n");
  EXPECT_EQ(r.status, client::EnrollStatus::issued) << why(r);
}

// Requests the CA cannot decode still reach it: it assigns an id and fails
// them as "Error Parsing Request" with event 22 (causes.md section B).
TEST(CaPolicyDecoding, UndecodableAndBadlySignedRequestsAreEvent22) {
  MockServer server(MockOptions{});
  server.start();
  const std::string url = server.endpoint_url(Service::ces, AuthMode::username_password);
  client::TlsSettings tls;
  tls.ca_files = {server.ca_certificate_path().string()};
  auto issue = [&](core::Bytes blob) {
    core::SoapMessage m;
    m.addressing.action = std::string(core::uri::kActionRstWstep);
    m.addressing.message_id = client::new_message_id();
    m.addressing.to = url;
    core::SecurityHeader sec;
    sec.created = std::chrono::system_clock::now();
    sec.expires = *sec.created + std::chrono::minutes(5);
    sec.username_token = core::UsernameToken{"alice", "alice-password"};
    m.security = sec;
    core::RequestSecurityToken rst;
    rst.token = core::BinaryToken{std::string(core::uri::kValueTypePkcs10),
                                  std::string(core::uri::kEncodingBase64), std::move(blob)};
    rst.context.push_back({"CertificateTemplate", "WebServer"});
    m.body = rst;
    return client::call(url, m, tls);
  };
  const core::EvpPkeyPtr key = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
  core::CsrOptions csr;
  csr.subject = "CN=tampered.lab.test";
  core::Bytes tampered = core::build_csr(key.get(), csr);
  tampered.back() ^= 0x01;  // the last byte of the signature

  struct Case {
    const char* what;
    core::Bytes blob;
    std::int32_t error_code;
    std::string event_text{};  // "{id}" stands for the request id
  };
  const std::vector<Case> cases = {
      {"garbage",
       {0x30, 0x03, 0x02, 0x01},
       static_cast<std::int32_t>(0x8009310B),
       "Active Directory Certificate Services could not process request {id} due to an error: "
       "ASN1 bad tag value met. 0x8009310b (-2146881269 CRYPT_E_ASN1_BADTAG). The request was for "
       "LAB\\alice. Additional information: Error Parsing Request"},
      {"bad signature", tampered, static_cast<std::int32_t>(0x80090006),
       "Active Directory Certificate Services could not process request {id} due to an error: "
       "Invalid Signature. 0x80090006 (-2146893818 NTE_BAD_SIGNATURE). The request was for "
       "CN=tampered.lab.test. Additional information: Error Parsing Request"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const std::size_t before = server.events().size();
    const client::SoapCall call = issue(c.blob);
    ASSERT_TRUE(call.reply) << call.parse_error << call.exchange.error_message;
    EXPECT_EQ(call.exchange.response->status, 500);
    const auto* f = std::get_if<core::EnrollmentFault>(&call.reply->body);
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->kind, core::FaultKind::enrollment_detail);
    EXPECT_EQ(f->reason, "Error Parsing Request");
    EXPECT_EQ(f->error_code, c.error_code);
    EXPECT_EQ(f->invalid_request, true);
    ASSERT_TRUE(f->request_id);
    const std::vector<Event> events = server.events().since(before);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].source, "Microsoft-Windows-CertificationAuthority");
    EXPECT_EQ(events[0].id, 22);
    EXPECT_EQ(events[0].level, "Error");
    EXPECT_EQ(events[0].message, with_request_id(c.event_text, *f->request_id));
  }
}

}  // namespace
}  // namespace ceslab::mock
