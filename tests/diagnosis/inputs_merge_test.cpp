// SPDX-License-Identifier: GPL-2.0-or-later
// Evidence JSON in, and several inputs into one record: nothing overwritten,
// conflicts said, duplicates dropped.
#include "ceslab/diagnosis/inputs.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "inputs_test_support.hpp"

namespace ceslab::diagnosis {
namespace {

using testing::all_facts;
using testing::has_fact;
using testing::input_fixture;
using testing::read_fixture;

TEST(InputEvidenceJson, TheRecordComesBackWhole) {
  const auto r = read_fixture("json/evidence_email.json");
  EXPECT_EQ(r.parsed.type, InputType::evidence_json);
  EXPECT_EQ(r.evidence.operation, core::Operation::enroll);
  EXPECT_EQ(r.evidence.auth, core::AuthMode::username);
  ASSERT_TRUE(r.evidence.fault);
  EXPECT_EQ(r.evidence.fault->fault.error_code, -2146875374);
  EXPECT_EQ(r.evidence.tls.verify_result, 0);
  EXPECT_EQ(r.evidence.messages.size(), 2u);
  EXPECT_TRUE(has_fact(r.parsed.facts, "evidence: operation enroll, auth username"))
      << all_facts(r.parsed.facts);
}

TEST(InputEvidenceJson, ResultDocumentCarriesOne) {
  const auto r = read_fixture("json/result_wrapped.json");
  ASSERT_TRUE(r.evidence.fault);
  EXPECT_EQ(r.evidence.fault->fault.request_id, "17");
  EXPECT_TRUE(has_fact(r.parsed.facts, "inside a ceslab.result/1"));
}

TEST(InputEvidenceJson, UnknownSchemaVersionAndBadJsonAreInputErrors) {
  core::Evidence e = empty_evidence();
  try {
    read_input_file(input_fixture("json/evidence_v2.json"), {}, e);
    ADD_FAILURE();
  } catch (const InputError& error) {
    EXPECT_NE(error.problem().find("ceslab.evidence/2"), std::string::npos) << error.what();
  }
  EXPECT_THROW(read_input("x.json", "{\"schema\": ", {}, e), InputError);
}

TEST(InputMerge, CertreqPlusCaEventsPlusKlistMakeOneRecord) {
  core::Evidence e = empty_evidence();
  read_input_file(input_fixture("text/certreq_email.txt"), {}, e);
  read_input_file(input_fixture("events/wevtutil_rendered_many.xml"), {}, e);
  read_input_file(input_fixture("klist/mit_ok.txt"), {}, e);
  EXPECT_EQ(e.operation, core::Operation::enroll);
  EXPECT_EQ(e.auth, core::AuthMode::kerberos);
  EXPECT_EQ(e.server_events.size(), 3u);
  EXPECT_EQ(e.kerberos.forwardable, true);
  EXPECT_EQ(e.kerberos.ok_as_delegate, true);
  // certreq's two lines, and CertEnroll 13's line (without certreq's prefix).
  EXPECT_EQ(e.messages.size(), 3u);
}

TEST(InputMerge, TheSameFileTwiceAddsNothing) {
  core::Evidence e = empty_evidence();
  read_input_file(input_fixture("events/wevtutil_ca53.xml"), {}, e);
  const ParsedInput again = read_input_file(input_fixture("events/wevtutil_ca53.xml"), {}, e);
  EXPECT_EQ(e.server_events.size(), 1u);
  EXPECT_FALSE(has_fact(again.facts, "ignored"));
}

TEST(InputMerge, ASecondFaultAndAConflictingOperationAreReportedNotTaken) {
  core::Evidence e = empty_evidence();
  read_input_file(input_fixture("soap/fault_email_required.xml"), {}, e);
  read_input_file(input_fixture("text/get_certificate_renew.txt"), {}, e);
  EXPECT_EQ(e.operation, core::Operation::renew);
  const ParsedInput p1 = read_input_file(input_fixture("json/evidence_email.json"), {}, e);
  EXPECT_TRUE(has_fact(p1.facts, "a second SOAP fault was ignored")) << all_facts(p1.facts);
  EXPECT_TRUE(has_fact(p1.facts, "operation enroll conflicts with renew")) << all_facts(p1.facts);
  EXPECT_EQ(e.operation, core::Operation::renew);
  EXPECT_EQ(e.fault->fault.error_code, -2146875374);
}

TEST(InputMerge, KlistFlagsFromTwoCachesThatDisagree) {
  core::Evidence e = empty_evidence();
  read_input_file(input_fixture("klist/mit_ok.txt"), {}, e);
  const ParsedInput p = read_input_file(input_fixture("klist/mit_not_forwardable.txt"), {}, e);
  EXPECT_EQ(e.kerberos.forwardable, true);
  EXPECT_TRUE(has_fact(p.facts, "a second TGT forwardable flag was ignored"));
}

TEST(InputMerge, TheLabsEvidenceAndItsEventLogMakeOneRecord) {
  // `ceslab enroll --evidence` and `<state dir>/events.jsonl` of the same run.
  core::Evidence e = empty_evidence();
  const ParsedInput a =
      read_input_file(input_fixture("json/lab_evidence_unsupported_template.json"), {}, e);
  const ParsedInput b = read_input_file(input_fixture("events/lab_events.jsonl"), {}, e);
  EXPECT_EQ(a.type, InputType::evidence_json);
  EXPECT_EQ(b.type, InputType::event_jsonl);
  ASSERT_TRUE(e.fault);
  EXPECT_EQ(e.fault->fault.error_code, -2146875392);
  EXPECT_EQ(e.server_events.size(), 2u);
}

// ---- every member of the record survives a merge ----------------------------
// A part that carries one member alone, read (as evidence JSON, the way
// `ceslab diagnose` reads it) into an empty record, must come out whole: the
// merged record is the part. One case per member of core::Evidence, so a
// member merge forgets (as it once forgot `policy`) fails by name.

struct MemberCase {
  std::string name;
  std::function<void(core::Evidence&)> set;
  std::function<void(const core::Evidence&)> check;
};

std::ostream& operator<<(std::ostream& out, const MemberCase& c) {
  return out << c.name;
}

nlohmann::json json_of(const core::Evidence& e) {
  nlohmann::json j;
  core::to_json(j, e);
  return j;
}

core::Evidence merged_into_empty(const core::Evidence& part, std::vector<std::string>& facts) {
  core::Evidence into = empty_evidence();
  facts = read_input("part.json", json_of(part).dump(), InputType::evidence_json, into).facts;
  return into;
}

class MergeKeepsMember : public ::testing::TestWithParam<MemberCase> {};

TEST_P(MergeKeepsMember, APartWithOnlyThisMemberKeepsItInAnEmptyRecord) {
  core::Evidence part = empty_evidence();
  GetParam().set(part);
  std::vector<std::string> facts;
  const core::Evidence merged = merged_into_empty(part, facts);
  GetParam().check(merged);
  EXPECT_EQ(json_of(merged), json_of(part));
  EXPECT_FALSE(has_fact(facts, "ignored")) << all_facts(facts);
}

core::Evidence exchange(std::string endpoint) {
  core::Evidence e = empty_evidence();
  e.operation = core::Operation::policy;
  e.endpoint = std::move(endpoint);
  e.outcome = core::Outcome::answered;
  return e;
}

const MemberCase kMembers[] = {
    {"operation", [](core::Evidence& e) { e.operation = core::Operation::renew; },
     [](const core::Evidence& e) { EXPECT_EQ(e.operation, core::Operation::renew); }},
    {"endpoint",
     [](core::Evidence& e) { e.endpoint = "https://ces.lab.test/CA_CES_Kerberos/service.svc/CES"; },
     [](const core::Evidence& e) {
       EXPECT_EQ(e.endpoint, "https://ces.lab.test/CA_CES_Kerberos/service.svc/CES");
     }},
    {"auth", [](core::Evidence& e) { e.auth = core::AuthMode::certificate; },
     [](const core::Evidence& e) { EXPECT_EQ(e.auth, core::AuthMode::certificate); }},
    {"outcome", [](core::Evidence& e) { e.outcome = core::Outcome::pending; },
     [](const core::Evidence& e) { EXPECT_EQ(e.outcome, core::Outcome::pending); }},
    {"transport",
     [](core::Evidence& e) {
       e.transport = core::TransportEvidence{core::TransportErrorKind::dns, "no such host"};
     },
     [](const core::Evidence& e) {
       ASSERT_TRUE(e.transport);
       EXPECT_EQ(e.transport->kind, core::TransportErrorKind::dns);
     }},
    // Only the insecure flag and the version: no handshake, no verify result.
    {"tls",
     [](core::Evidence& e) {
       e.tls.insecure = true;
       e.tls.version = "TLSv1.2";
     },
     [](const core::Evidence& e) {
       EXPECT_TRUE(e.tls.insecure);
       EXPECT_EQ(e.tls.version, "TLSv1.2");
     }},
    {"tls_peer_issuer_only", [](core::Evidence& e) { e.tls.peer_issuer = "CN=Lab Root"; },
     [](const core::Evidence& e) { EXPECT_EQ(e.tls.peer_issuer, "CN=Lab Root"); }},
    {"http",
     [](core::Evidence& e) {
       e.http = core::HttpEvidence{};
       e.http->status = 503;
       e.http->reason = "Service Unavailable";
     },
     [](const core::Evidence& e) {
       ASSERT_TRUE(e.http);
       EXPECT_EQ(e.http->status, 503);
     }},
    {"soap_error", [](core::Evidence& e) { e.soap_error = "the body is HTML"; },
     [](const core::Evidence& e) { EXPECT_EQ(e.soap_error, "the body is HTML"); }},
    {"fault",
     [](core::Evidence& e) {
       core::EnrollmentFault f;
       f.code = "Receiver";
       f.has_detail = true;
       f.error_code = -2146875374;
       e.fault = core::fault_evidence(f);
     },
     [](const core::Evidence& e) {
       ASSERT_TRUE(e.fault);
       EXPECT_EQ(e.fault->fault.error_code, -2146875374);
     }},
    {"response",
     [](core::Evidence& e) {
       e.outcome = core::Outcome::pending;
       e.response = core::ResponseEvidence{};
       e.response->disposition = "Taken Under Submission";
       e.response->request_id = "42";
     },
     [](const core::Evidence& e) {
       ASSERT_TRUE(e.response);
       EXPECT_EQ(e.response->request_id, "42");
     }},
    // The case that was lost: a CEP answer that listed no template.
    {"policy",
     [](core::Evidence& e) {
       e.operation = core::Operation::policy;
       e.outcome = core::Outcome::answered;
       e.policy = core::PolicyEvidence{};
       e.policy->templates = 0;
       e.policy->cas = 1;
       e.policy->ces_uris = {"https://ces.lab.test/CA_CES_Kerberos/service.svc/CES"};
     },
     [](const core::Evidence& e) {
       ASSERT_TRUE(e.policy);
       EXPECT_EQ(e.policy->templates, 0u);
       EXPECT_EQ(e.policy->cas, 1u);
     }},
    {"timings_connect_only",
     [](core::Evidence& e) { e.timings.connect = std::chrono::milliseconds(12); },
     [](const core::Evidence& e) { EXPECT_EQ(e.timings.connect.count(), 12); }},
    {"timings",
     [](core::Evidence& e) {
       e.timings.connect = std::chrono::milliseconds(3);
       e.timings.total = std::chrono::milliseconds(40);
     },
     [](const core::Evidence& e) { EXPECT_EQ(e.timings.total.count(), 40); }},
    {"messages",
     [](core::Evidence& e) {
       e.messages = {"Certificate Request Processor: The endpoint returned a fault."};
     },
     [](const core::Evidence& e) { EXPECT_EQ(e.messages.size(), 1u); }},
    {"kerberos",
     [](core::Evidence& e) {
       e.kerberos.gss_major = 851968;
       e.kerberos.gss_minor = 2529638949u;
       e.kerberos.gss_text = "Clock skew too great";
       e.kerberos.forwardable = false;
       e.kerberos.ok_as_delegate = true;
       e.kerberos.delegated = false;
       e.kerberos.channel_binding = true;
     },
     [](const core::Evidence& e) {
       EXPECT_EQ(e.kerberos.gss_minor, 2529638949u);
       EXPECT_EQ(e.kerberos.channel_binding, true);
     }},
    {"server_events",
     [](core::Evidence& e) {
       e.server_events.push_back({"Microsoft-Windows-EnrollmentWebService/Admin",
                                  "Microsoft-Windows-EnrollmentWebService", 9, "Error",
                                  "ces.lab.test", "2024-01-01T00:00:00Z", "text"});
     },
     [](const core::Evidence& e) {
       ASSERT_EQ(e.server_events.size(), 1u);
       EXPECT_EQ(e.server_events[0].id, 9);
     }},
    {"prior_exchanges",
     [](core::Evidence& e) {
       e.prior_exchanges.push_back(
           exchange("https://cep.lab.test/ADPolicyProvider_CEP_Kerberos/"
                    "service.svc/CEP"));
     },
     [](const core::Evidence& e) {
       ASSERT_EQ(e.prior_exchanges.size(), 1u);
       EXPECT_EQ(e.prior_exchanges[0].operation, core::Operation::policy);
     }},
};

INSTANTIATE_TEST_SUITE_P(EveryMember, MergeKeepsMember, ::testing::ValuesIn(kMembers),
                         [](const auto& info) { return info.param.name; });

TEST(InputMerge, APolicyWithNoTemplateSurvivesBesideOtherInputs) {
  core::Evidence part = empty_evidence();
  part.operation = core::Operation::policy;
  part.outcome = core::Outcome::answered;
  part.policy = core::PolicyEvidence{};
  core::Evidence e = empty_evidence();
  read_input_file(input_fixture("klist/mit_ok.txt"), {}, e);
  read_input("policy.json", json_of(part).dump(), InputType::evidence_json, e);
  ASSERT_TRUE(e.policy);
  EXPECT_EQ(e.policy->templates, 0u);
}

TEST(InputMerge, PriorExchangesTwiceAreNoConflictAndADifferentListIsReported) {
  core::Evidence part = empty_evidence();
  part.prior_exchanges.push_back(exchange("https://cep.lab.test/a/service.svc/CEP"));
  core::Evidence e = empty_evidence();
  read_input("a.json", json_of(part).dump(), InputType::evidence_json, e);
  const ParsedInput again = read_input("a.json", json_of(part).dump(), InputType::evidence_json, e);
  EXPECT_FALSE(has_fact(again.facts, "ignored")) << all_facts(again.facts);
  part.prior_exchanges[0].endpoint = "https://cep.lab.test/b/service.svc/CEP";
  const ParsedInput other = read_input("b.json", json_of(part).dump(), InputType::evidence_json, e);
  EXPECT_TRUE(has_fact(other.facts, "a second list of earlier exchanges was ignored"))
      << all_facts(other.facts);
  EXPECT_EQ(e.prior_exchanges[0].endpoint, "https://cep.lab.test/a/service.svc/CEP");
}

// Two whole records, as two evidence files given to `ceslab diagnose`: the
// first leads and the second fills only what it lacks.
TEST(InputMerge, TheFirstRecordLeadsAndTheSecondFillsWhatItLacks) {
  core::Evidence client = empty_evidence();
  client.operation = core::Operation::renew;
  client.auth = core::AuthMode::certificate;
  client.endpoint = "https://ces/Lab_CES_Certificate/service.svc/CES";
  client.http = core::HttpEvidence{500, "Internal Server Error", {}, 10, {}};
  client.messages = {"line one", "shared line"};
  client.kerberos.forwardable = true;

  core::Evidence events = empty_evidence();
  events.endpoint = "https://elsewhere/";
  events.http = core::HttpEvidence{401, "Unauthorized", {}, 0, {}};
  events.messages = {"shared line", "line two"};
  events.kerberos.forwardable = false;
  events.kerberos.ok_as_delegate = true;
  events.server_events.push_back({"Application", "Microsoft-Windows-CertificationAuthority", 53,
                                  "Warning", "ca", "", "denied"});

  core::Evidence e = empty_evidence();
  read_input("client.json", json_of(client).dump(), InputType::evidence_json, e);
  read_input("events.json", json_of(events).dump(), InputType::evidence_json, e);
  EXPECT_EQ(e.operation, core::Operation::renew);
  EXPECT_EQ(e.auth, core::AuthMode::certificate);
  EXPECT_EQ(e.endpoint, "https://ces/Lab_CES_Certificate/service.svc/CES");
  ASSERT_TRUE(e.http);
  EXPECT_EQ(e.http->status, 500);
  EXPECT_EQ(e.messages, (std::vector<std::string>{"line one", "shared line", "line two"}));
  EXPECT_EQ(e.kerberos.forwardable, true);
  EXPECT_EQ(e.kerberos.ok_as_delegate, true);
  ASSERT_EQ(e.server_events.size(), 1u);
  EXPECT_EQ(e.server_events[0].id, 53);
}

TEST(InputMerge, ARecordWithoutAnExchangeTakesWhatALaterOneShows) {
  core::Evidence text = empty_evidence();
  text.messages = {"Taken Under Submission"};
  core::Evidence e = empty_evidence();
  read_input("text.json", json_of(text).dump(), InputType::evidence_json, e);
  core::Evidence client = empty_evidence();
  client.operation = core::Operation::enroll;
  client.auth = core::AuthMode::username;
  client.outcome = core::Outcome::pending;
  client.response = core::ResponseEvidence{
      "Taken Under Submission", "17", "https://ces/x", false, std::nullopt, ""};
  read_input("client.json", json_of(client).dump(), InputType::evidence_json, e);
  EXPECT_EQ(e.operation, core::Operation::enroll);
  EXPECT_EQ(e.auth, core::AuthMode::username);
  EXPECT_EQ(e.outcome, core::Outcome::pending);
  ASSERT_TRUE(e.response);
  EXPECT_EQ(e.response->request_id, "17");
}

}  // namespace
}  // namespace ceslab::diagnosis
