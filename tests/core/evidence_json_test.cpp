// SPDX-License-Identifier: GPL-2.0-or-later
// The Evidence record's JSON form (docs/evidence.md) read back: defaults,
// forward compatibility, and errors that name the JSON path.
#include "ceslab/core/evidence.hpp"
#include "error_message.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace ceslab::core {
namespace {

using nlohmann::json;

json minimal() {
  return {{"schema", "ceslab.evidence/1"},
          {"operation", "renew"},
          {"auth", "cert"},
          {"outcome", "failed"}};
}

TEST(EvidenceJson, MinimalDocumentReadsWithDefaults) {
  const Evidence e = minimal().get<Evidence>();
  EXPECT_EQ(e.operation, Operation::renew);
  EXPECT_EQ(e.auth, core::AuthMode::certificate);
  EXPECT_EQ(e.outcome, Outcome::failed);
  EXPECT_FALSE(e.transport);
  EXPECT_FALSE(e.http);
  EXPECT_FALSE(e.tls.verify_result);
  EXPECT_TRUE(e.messages.empty());
}

TEST(EvidenceJson, UnknownMembersAreIgnoredAndKerberosFactsRead) {
  json j = minimal();
  j["added_in_a_later_minor_version"] = {1, 2};
  j["kerberos"] = {{"gss_major", 851968}, {"gss_minor", 2529638919u}, {"forwardable", false}};
  j["transport"] = {{"kind", "tls_expired"}, {"message", "TLS: server certificate has expired"}};
  const Evidence e = j.get<Evidence>();
  EXPECT_EQ(e.kerberos.gss_major, 851968u);
  EXPECT_EQ(e.kerberos.gss_minor, 2529638919u);
  EXPECT_EQ(e.kerberos.forwardable, false);
  EXPECT_FALSE(e.kerberos.delegated);
  ASSERT_TRUE(e.transport);
  EXPECT_EQ(e.transport->kind, TransportErrorKind::tls_expired);
}

TEST(EvidenceJson, ServerEventsRoundTrip) {
  Evidence e;
  e.server_events.push_back({"Application", "Microsoft-Windows-CertificationAuthority", 53,
                             "Warning", "ca.lab.test", "2026-11-26T03:00:00Z",
                             "Active Directory Certificate Services denied request 7 ..."});
  const Evidence back = json(e).get<Evidence>();
  ASSERT_EQ(back.server_events.size(), 1u);
  EXPECT_EQ(back.server_events[0].id, 53);
  EXPECT_EQ(back.server_events[0].source, "Microsoft-Windows-CertificationAuthority");
  EXPECT_EQ(back.server_events[0].message, e.server_events[0].message);
  json j = json(e);
  j["server_events"][0].erase("id");
  try {
    (void)j.get<Evidence>();
    ADD_FAILURE() << "an event without id was accepted";
  } catch (const EvidenceError& error) {
    EXPECT_NE(std::string(error.what()).find("server_events[0].id is missing"), std::string::npos)
        << error.what();
  }
}

// enroll --policy-url: the record of the answering CES carries the
// GetPolicies exchange and the dead URI before it, each a whole record.
TEST(EvidenceJson, PriorExchangesRoundTripInOrder) {
  Evidence policy;
  policy.operation = Operation::policy;
  policy.endpoint = "https://cep.lab.test/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP";
  policy.auth = core::AuthMode::username;
  policy.outcome = Outcome::answered;
  policy.http = HttpEvidence{200, "OK", {{"Content-Type", "application/soap+xml"}}, 4242, {}};
  Evidence dead;
  dead.operation = Operation::enroll;
  dead.endpoint = "https://127.0.0.1:9/Dead%20CA_CES_UsernamePassword/service.svc/CES";
  dead.auth = core::AuthMode::username;
  dead.transport = TransportEvidence{TransportErrorKind::connect_refused, "connection refused"};
  dead.messages = {"connection refused"};
  Evidence e;
  e.outcome = Outcome::issued;
  e.auth = core::AuthMode::username;
  e.prior_exchanges = {policy, dead};

  const json j = e;
  ASSERT_TRUE(j["prior_exchanges"].is_array());
  ASSERT_EQ(j["prior_exchanges"].size(), 2u);
  EXPECT_EQ(j["prior_exchanges"][0]["schema"], "ceslab.evidence/1");
  EXPECT_EQ(j["prior_exchanges"][0]["operation"], "policy");
  EXPECT_TRUE(j["prior_exchanges"][1]["prior_exchanges"].empty());

  const Evidence back = j.get<Evidence>();
  EXPECT_EQ(back.outcome, Outcome::issued);
  ASSERT_EQ(back.prior_exchanges.size(), 2u);
  EXPECT_EQ(back.prior_exchanges[0].operation, Operation::policy);
  EXPECT_EQ(back.prior_exchanges[0].outcome, Outcome::answered);
  EXPECT_EQ(back.prior_exchanges[0].endpoint, policy.endpoint);
  ASSERT_TRUE(back.prior_exchanges[0].http);
  EXPECT_EQ(back.prior_exchanges[0].http->body_bytes, 4242u);
  EXPECT_EQ(back.prior_exchanges[1].endpoint, dead.endpoint);
  ASSERT_TRUE(back.prior_exchanges[1].transport);
  EXPECT_EQ(back.prior_exchanges[1].transport->kind, TransportErrorKind::connect_refused);
  EXPECT_EQ(back.prior_exchanges[1].messages, dead.messages);
  EXPECT_EQ(json(back), j);  // nothing lost or added on the way back

  // A record written before prior_exchanges existed reads as having none.
  json older = j;
  older.erase("prior_exchanges");
  EXPECT_TRUE(older.get<Evidence>().prior_exchanges.empty());
}

// The GetPolicies summary was added to ceslab.evidence/1 additively: older
// records without it still read, and it round-trips.
TEST(EvidenceJson, PolicySummaryIsOptionalAndRoundTrips) {
  EXPECT_FALSE(minimal().get<Evidence>().policy);
  json j = minimal();
  j["policy"] = nullptr;
  EXPECT_FALSE(j.get<Evidence>().policy);

  Evidence e;
  e.operation = Operation::policy;
  e.outcome = Outcome::answered;
  e.policy = PolicyEvidence{
      0, 1, false, {"https://ces.lab.test/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES"}};
  const json written = e;
  EXPECT_EQ(written.at("policy").at("templates"), 0);
  const Evidence back = written.get<Evidence>();
  ASSERT_TRUE(back.policy);
  EXPECT_EQ(back.policy->templates, 0u);
  EXPECT_EQ(back.policy->cas, 1u);
  EXPECT_FALSE(back.policy->not_changed);
  EXPECT_EQ(back.policy->ces_uris, e.policy->ces_uris);

  j["policy"] = {{"templates", -1}};
  EXPECT_THROW((void)j.get<Evidence>(), EvidenceError);
  j["policy"] = {{"ces_uris", {1}}};
  const std::string refused = test_support::error_message<EvidenceError>(
      [&] { (void)j.get<Evidence>(); }, "a numeric URI was accepted");
  EXPECT_NE(refused.find("policy.ces_uris[0] is not a string"), std::string::npos) << refused;
}

TEST(EvidenceJson, PolicyEvidenceCountsNilAsEmpty) {
  GetPoliciesResponse nil;
  nil.policies.reset();
  nil.cas.reset();
  PolicyEvidence p = policy_evidence(nil);
  EXPECT_EQ(p.templates, 0u);
  EXPECT_EQ(p.cas, 0u);
  GetPoliciesResponse full;
  full.policies_not_changed = true;
  full.policies = std::vector<PolicyTemplate>(2);
  PolicyCa ca;
  ca.uris = {CaUri{2, "https://a/CES", 1, false}, CaUri{4, "https://b/CES", 2, true}};
  full.cas = std::vector<PolicyCa>{ca};
  p = policy_evidence(full);
  EXPECT_EQ(p.templates, 2u);
  EXPECT_EQ(p.cas, 1u);
  EXPECT_TRUE(p.not_changed);
  EXPECT_EQ(p.ces_uris, (std::vector<std::string>{"https://a/CES", "https://b/CES"}));
}

// Each broken document and the path its error must name.
TEST(EvidenceJson, SchemaViolationsNameThePath) {
  const auto broken = [](auto&& edit) {
    json j = minimal();
    edit(j);
    return j;
  };
  const std::vector<std::pair<json, std::string>> cases = {
      {broken([](json& j) { j["schema"] = "ceslab.evidence/2"; }), "schema is 'ceslab.evidence/2'"},
      {broken([](json& j) { j.erase("schema"); }), "schema is missing"},
      {broken([](json& j) { j.erase("operation"); }), "operation is missing"},
      {broken([](json& j) { j["outcome"] = "maybe"; }), "outcome has an unknown value 'maybe'"},
      {broken([](json& j) { j["auth"] = 4; }), "auth has the wrong type"},
      {broken([](json& j) {
         j["transport"] = {{"kind", "gremlins"}};
       }),
       "transport.kind has an unknown value 'gremlins'"},
      {broken([](json& j) {
         j["fault"] = {{"kind", "enrollment_detail"}, {"error_code", "0x80094812"}};
       }),
       "fault.error_code has the wrong type"},
      {broken([](json& j) {
         // ErrorCode is xs:int: 0x80094812 must come as -2146875374.
         j["fault"] = {{"kind", "enrollment_detail"}, {"error_code", 2148091922u}};
       }),
       "fault.error_code has the wrong type"},
      {broken([](json& j) {
         j["http"] = {{"status", 500}, {"headers", {{{"value", "x"}}}}};
       }),
       "http.headers[0].name is missing"},
      {broken([](json& j) {
         j["messages"] = {"ok", 3};
       }),
       "messages[1] is not a string"},
      {broken([](json& j) { j["tls"] = "TLSv1.3"; }), "tls is not an object"},
      {broken([](json& j) { j["prior_exchanges"] = minimal(); }),
       "prior_exchanges is not an array"},
      {broken([](json& j) {
         json earlier = minimal();
         earlier["transport"] = {{"kind", "gremlins"}};
         j["prior_exchanges"] = {minimal(), earlier};
       }),
       "prior_exchanges[1].transport.kind has an unknown value 'gremlins'"},
      {broken([](json& j) {
         json earlier = minimal();
         earlier.erase("schema");
         // json::array: a braced single json is a copy under clang, an array under gcc.
         j["prior_exchanges"] = json::array({earlier});
       }),
       "prior_exchanges[0].schema is missing"},
      {json::array(), " is not an object"},
  };
  for (const auto& [document, expected] : cases) {
    try {
      (void)document.get<Evidence>();
      ADD_FAILURE() << "accepted: " << document.dump();
    } catch (const EvidenceError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos)
          << e.what() << " / expected: " << expected;
    }
  }
}

}  // namespace
}  // namespace ceslab::core
