// SPDX-License-Identifier: GPL-2.0-or-later
// The mock CA and CES on the wire. Which world setting produces which fault
// is written once, in the bundled scenarios (scenarios/<group>/<name>.yaml,
// docs/scenarios.md): each is replayed here and the mock's part of it — the
// HTTP status, the fault, the RequestID, the hosts' events — must be exactly
// what the scenario expects (the diagnosis is the runner's concern,
// `ctest -R scenarios.bundled`). Besides: enrollment on behalf of another
// account, which no scenario step can make yet, worlds written as a user
// writes them, and requests the CA cannot decode.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "ceslab/client/enroll.hpp"
#include "ceslab/client/soap_call.hpp"
#include "ceslab/core/codes.hpp"
#include "ceslab/core/csr.hpp"
#include "ceslab/core/evidence.hpp"
#include "ceslab/core/keys.hpp"
#include "ceslab/core/url.hpp"
#include "ceslab/core/x509.hpp"
#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/mock/server.hpp"
#include "ceslab/runner/scenario.hpp"
#include "ceslab/runner/suite.hpp"
#include "lab_fixture.hpp"
#include "soap_requests.hpp"

namespace ceslab::mock {
namespace {

namespace fs = std::filesystem;

std::string with_request_id(std::string text, const std::string& id) {
  const auto at = text.find("{id}");
  if (at != std::string::npos) text.replace(at, 4, id);
  return text;
}

// ---- the bundled scenarios, the mock's side -------------------------------

std::vector<std::string> bundled_scenario_files() {
  std::vector<std::string> files;
  for (const auto& f : runner::scenario_files(runner::bundled_scenarios_dir())) {
    files.push_back(f.string());
  }
  return files;
}

// Diffs in what the hosts answered and logged; a diagnosis that differs is
// the engine's business, not the mock's.
bool about_the_mock(const runner::FieldDiff& d) {
  return d.step.rfind("diagnosis", 0) != 0;
}

core::Evidence read_evidence(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": not written");
  core::Evidence e;
  from_json(nlohmann::json::parse(in), e);
  return e;
}

// What the CA logs for a request it failed (MS-WCCE; the texts of
// mock_ces/data/events.yaml): event 53 "denied request N because ...",
// 21 and 22 "could not process request N due to an error: ...", each with
// the error code as certutil formats it and, when the fault has one, the
// reason as "Additional information".
void expect_ca_event_matches_fault(const core::ServerEvent& event, const core::Evidence& e,
                                   const std::string& ca_host) {
  SCOPED_TRACE("CA event " + std::to_string(event.id) + ": " + event.message);
  EXPECT_EQ(event.log, "Application");
  EXPECT_EQ(event.host, ca_host);
  ASSERT_TRUE(e.fault) << "a CA event for a request, but no fault";
  const core::EnrollmentFault& f = e.fault->fault;
  ASSERT_TRUE(f.request_id) << "a CA event for a request without a RequestID";
  const std::string lead = "Active Directory Certificate Services ";
  if (event.id == 53) {
    EXPECT_EQ(event.level, "Warning");
    EXPECT_EQ(event.message.rfind(lead + "denied request " + *f.request_id + " because ", 0), 0u);
  } else {
    EXPECT_EQ(event.level, "Error");
    EXPECT_EQ(
        event.message.rfind(lead + "could not process request " + *f.request_id + " due to", 0),
        0u);
  }
  ASSERT_TRUE(f.error_code);
  EXPECT_NE(event.message.find(core::format_code(static_cast<std::uint32_t>(*f.error_code)) +
                               ". The request was for "),
            std::string::npos);
  const std::string info = "Additional information: " + f.reason;
  if (!f.reason.empty()) {
    EXPECT_EQ(event.message.size() >= info.size() &&
                  event.message.compare(event.message.size() - info.size(), info.size(), info) == 0,
              true);
  }
}

class ScenarioWire : public ::testing::TestWithParam<std::string> {};

TEST_P(ScenarioWire, TheMockAnswersAndLogsWhatTheScenarioExpects) {
  const fs::path file = GetParam();
  const runner::Scenario scenario = runner::load_scenario(file, diagnosis::Catalog::builtin());
  testing::TempDir out;
  runner::SuiteOptions options;
  options.out_dir = out.path();
  const std::vector<runner::ScenarioResult> results = runner::run_suite({scenario}, options);
  ASSERT_EQ(results.size(), 1u);
  const runner::ScenarioResult& r = results[0];
  ASSERT_TRUE(r.error.empty()) << scenario.id << ": " << r.error;
  std::string diffs;
  for (const auto& d : r.diffs) {
    if (about_the_mock(d)) {
      diffs += d.step + ": " + d.field + "\n  expected: " + d.expected +
               "\n  actual:   " + d.actual + "\n";
    }
  }
  EXPECT_TRUE(diffs.empty()) << scenario.id << " (" << file.string() << "):\n" << diffs;

  // The CA's events name the request, the code and the reason of the fault.
  std::string folder = scenario.id;
  std::replace(folder.begin(), folder.end(), '/', '_');
  const core::Evidence e = read_evidence(out.path() / folder / "evidence-with-server-events.json");
  for (const core::ServerEvent& event : e.server_events) {
    const bool request_event = event.id == 21 || event.id == 22 || event.id == 53;
    if (event.source == "Microsoft-Windows-CertificationAuthority" && request_event) {
      expect_ca_event_matches_fault(event, e, scenario.world.ca.host);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Bundled, ScenarioWire, ::testing::ValuesIn(bundled_scenario_files()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           const fs::path p(info.param);
                           std::string name =
                               p.parent_path().filename().string() + "_" + p.stem().string();
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(BundledScenarios, AreFound) {
  EXPECT_GE(bundled_scenario_files().size(), 40u) << runner::bundled_scenarios_dir();
}

// ---- enrollment on behalf of another account ------------------------------
// (MS-WCCE 3.2.2.6.2.1.2.1.) No scenario step enrolls on behalf of anyone
// yet, so ca_restricted_officer is derived from a world here only
// (scenarios/not-reproduced.yaml).

using testing::tmpl;

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

struct OnBehalf {
  client::EnrollResult result;
  std::vector<Event> events;  // logged by the request on behalf of
};

// alice enrolls for an EnrollmentAgent certificate, then for User on behalf
// of `requester` with it, in the agent lab changed by `change`.
OnBehalf enroll_on_behalf(const std::function<void(World&)>& change, const std::string& requester) {
  MockOptions options;
  add_agent_lab(options.world);
  change(options.world);
  MockServer server(std::move(options));
  server.start();
  client::EnrollRequest request;
  request.url = server.endpoint_url(core::Service::ces, core::AuthMode::username);
  request.template_name = "EnrollmentAgent";
  request.key = core::KeySpec::parse("ecdsa-p256");
  request.credentials.username = testing::kAlice;
  const client::TlsSettings tls = testing::tls_for(server);
  const client::EnrollResult agent = client::enroll(request, tls);
  OnBehalf o;
  if (agent.status != client::EnrollStatus::issued) {
    ADD_FAILURE() << "no agent certificate: " << testing::first_message(agent);
    return o;
  }
  request.template_name = "User";
  request.on_behalf_of = client::OnBehalfOf{requester, agent.certificate.get(), agent.key.get()};
  const std::size_t before = server.events().size();
  o.result = client::enroll(request, tls);
  o.events = server.events().since(before);
  return o;
}

// Enrollment agent restrictions (docs/world.md): agent alice may enroll for
// User only on behalf of members of `group`.
std::function<void(World&)> agent_alice_for(std::string group) {
  return [group = std::move(group)](World& w) {
    w.ca.enrollment_agent_restrictions =
        std::vector<EnrollmentAgentRule>{{"alice", {"User"}, {group}, {}}};
  };
}

// A CA denial with a RequestID and exactly one CA event, `event_id`.
void expect_denied(const OnBehalf& o, std::uint32_t code, const std::string& reason, int event_id) {
  ASSERT_TRUE(o.result.fault) << (o.result.messages.empty() ? "no fault" : o.result.messages[0]);
  const core::EnrollmentFault& f = *o.result.fault;
  EXPECT_EQ(o.result.call.exchange.response->status, 500);
  EXPECT_EQ(f.kind, core::FaultKind::enrollment_detail);
  EXPECT_EQ(f.action,
            "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/"
            "RequestSecurityTokenCertificateEnrollmentWSDetailFault");
  EXPECT_EQ(f.code, "Receiver");
  EXPECT_EQ(f.reason, reason);
  EXPECT_EQ(f.error_code, static_cast<std::int32_t>(code));
  EXPECT_EQ(f.invalid_request, true);
  EXPECT_TRUE(f.request_id);
  ASSERT_EQ(o.events.size(), 1u);
  EXPECT_EQ(o.events.front().source, "Microsoft-Windows-CertificationAuthority");
  EXPECT_EQ(o.events.front().id, event_id);
}

// Agent alice may enroll only Domain Admins for User; bob is a Domain User.
TEST(EnrollOnBehalfOf, AgentRestrictedToOtherGroupsIsARestrictedOfficer) {
  const OnBehalf o = enroll_on_behalf(agent_alice_for("Domain Admins"), "LAB\\bob");
  expect_denied(o, 0x80094009, "", 21);
  ASSERT_TRUE(o.result.fault && o.result.fault->request_id);
  ASSERT_EQ(o.events.size(), 1u);
  const Event& event = o.events.front();
  EXPECT_EQ(event.source, "Microsoft-Windows-CertificationAuthority");
  EXPECT_EQ(event.log, "Application");
  EXPECT_EQ(event.host, "ca.lab.test");
  EXPECT_EQ(event.id, 21);
  EXPECT_EQ(event.level, "Error");
  EXPECT_EQ(event.message,
            with_request_id(
                "Active Directory Certificate Services could not process request {id} due to an "
                "error: The operation is denied. It can only be performed by a certificate manager "
                "that is allowed to manage certificates for the current requester. 0x80094009 "
                "(-2146877431 CERTSRV_E_RESTRICTEDOFFICER). The request was for LAB\\bob.",
                *o.result.fault->request_id));
}

TEST(EnrollOnBehalfOf, AgentRulePermittingTheGroupIssuesForTheRequester) {
  const OnBehalf o = enroll_on_behalf(agent_alice_for("Domain Users"), "LAB\\bob");
  ASSERT_EQ(o.result.status, client::EnrollStatus::issued) << testing::first_message(o.result);
  EXPECT_EQ(core::describe(o.result.certificate.get()).san.upn,
            std::vector<std::string>{"bob@lab.test"});
}

// The "agent" certificate lacks the Certificate Request Agent EKU.
TEST(EnrollOnBehalfOf, SignerWithoutTheAgentEkuIsRefused) {
  const OnBehalf o = enroll_on_behalf(
      [](World& w) { tmpl(w, "EnrollmentAgent").ekus = {"1.3.6.1.5.5.7.3.2"}; }, "LAB\\bob");
  expect_denied(o, 0x8009480B, "Denied by Policy Module", 53);
}

TEST(EnrollOnBehalfOf, UnknownRequesterIsNoSuchUser) {
  const OnBehalf o = enroll_on_behalf([](World&) {}, "LAB\\nobody");
  expect_denied(o, 0x80070525, "Denied by Policy Module", 53);
}

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
  return testing::enroll_alice(server, "User");
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
  EXPECT_EQ(r.status, client::EnrollStatus::issued) << testing::first_message(r);
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
  EXPECT_EQ(admin.status, client::EnrollStatus::issued) << testing::first_message(admin);
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
  EXPECT_EQ(r.status, client::EnrollStatus::issued) << testing::first_message(r);
}

// Requests the CA cannot decode still reach it: it assigns an id and fails
// them as "Error Parsing Request" with event 22 (docs/causes.md section B).
TEST(CaPolicyDecoding, UndecodableAndBadlySignedRequestsAreEvent22) {
  MockServer server(MockOptions{});
  server.start();
  const std::string url = server.endpoint_url(core::Service::ces, core::AuthMode::username);
  const client::TlsSettings tls = testing::tls_for(server);
  auto issue = [&](core::Bytes blob) {
    core::SoapMessage m = test_support::issue_request(
        url, client::new_message_id(), std::move(blob), "WebServer", core::uri::kValueTypePkcs10);
    m.security = test_support::username_security({"alice", "alice-password"});
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
