// SPDX-License-Identifier: GPL-2.0-or-later
// The output options of `ceslab policy` and of `ceslab enroll --policy-url`
// as a user runs them against the mock over loopback TLS: the result object
// on stdout, the evidence of every exchange of the run (GetPolicies, each
// CES URI tried) and its capture, and the password in none of the files.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/cli_support.hpp"
#include "ceslab/client/exchange_evidence.hpp"
#include "ceslab/mock/server.hpp"
#include "mock_ces/lab_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using ceslab::app::testing::files_containing;
using ceslab::app::testing::Invocation;
using ceslab::app::testing::read_file;
using ceslab::app::testing::run_split;
using ceslab::core::AuthMode;
using ceslab::core::Service;
using ceslab::mock::testing::refused_url;
using ceslab::mock::testing::TempDir;
using nlohmann::json;

const std::string kCesPath = "/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES";

// Every output option pointing into `dir`.
std::string output_options(const fs::path& dir) {
  return " --json --evidence '" + (dir / "evidence.json").string() + "' --capture '" +
         (dir / "capture").string() + "'";
}

std::vector<std::string> file_names(const json& result) {
  std::vector<std::string> names;
  for (const auto& f : result["files"]) names.push_back(fs::path(f.get<std::string>()).filename());
  return names;
}

class PolicyOutput : public ::testing::Test {
 protected:
  // A mock whose policy lists `uris` for every template (the lab's own
  // endpoints when nullopt).
  void start(std::optional<std::vector<ceslab::mock::AdvertisedCesUri>> uris = std::nullopt) {
    ceslab::mock::MockOptions options;
    options.world.cep.ces_uris = std::move(uris);
    server_ = std::make_unique<ceslab::mock::MockServer>(std::move(options));
    server_->start();
  }

  std::string cep_url() const { return server_->endpoint_url(Service::cep, AuthMode::username); }
  std::string ca_file() const { return server_->ca_certificate_path().string(); }

  // `ceslab policy` with the password in CESLAB_PASSWORD (docs/cli.md).
  Invocation policy(const std::string& password, const std::string& url) const {
    return run_split("CESLAB_PASSWORD='" + password + "' " + CESLAB_BINARY + " policy --url '" +
                         url + "' --username alice --ca-file '" + ca_file() + "'" +
                         output_options(dir_.path()),
                     dir_.path());
  }

  // `ceslab enroll --policy-url` for `tmpl`.
  Invocation enroll(const std::string& password, const std::string& policy_url,
                    const std::string& tmpl = "User") const {
    return run_split("CESLAB_PASSWORD='" + password + "' " + CESLAB_BINARY +
                         " enroll --policy-url '" + policy_url + "' --template " + tmpl +
                         " --username alice --key ecdsa-p256 --ca-file '" + ca_file() +
                         "' --out '" + (dir_.path() / "out").string() + "'" +
                         output_options(dir_.path()),
                     dir_.path());
  }

  json evidence_file() const { return json::parse(read_file(dir_.path() / "evidence.json")); }

  // `policy` or `enroll --policy-url` with a wrong password: CEP refuses
  // the UsernameToken, and the GetPolicies exchange is the record.
  json expect_refused_by_cep(const Invocation& r) const {
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    const json result = json::parse(r.out);
    EXPECT_EQ(result["operation"], "policy");
    EXPECT_EQ(result["status"], "failed");
    const json& messages = result["messages"];
    EXPECT_EQ(messages.empty() ? json() : messages[0],
              "A message containing a fault was received from the remote endpoint. 0x803d0013 "
              "(-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)");
    const json evidence = evidence_file();
    EXPECT_EQ(result["evidence"], evidence);
    EXPECT_EQ(evidence["operation"], "policy");
    EXPECT_EQ(evidence["outcome"], "failed");
    EXPECT_EQ(evidence["endpoint"], cep_url());
    EXPECT_EQ(evidence["fault"]["subcode"], "InvalidSecurity");
    EXPECT_TRUE(evidence["prior_exchanges"].empty());
    const std::vector<std::string> expected = {"01-policy-request.http", "01-policy-response.http",
                                               "01-policy-exchange.json", "evidence.json"};
    EXPECT_EQ(file_names(result), expected);
    EXPECT_NE(captured("01-policy-request.http").find("[redacted]"), std::string::npos);
    EXPECT_EQ((r.out + r.err).find("wrong-password"), std::string::npos);
    EXPECT_EQ(files_containing(dir_.path(), "wrong-password"), std::vector<std::string>{});
    return result;
  }
  std::string captured(const std::string& name) const {
    return read_file(dir_.path() / "capture" / name);
  }

  TempDir dir_;
  std::unique_ptr<ceslab::mock::MockServer> server_;
};

TEST_F(PolicyOutput, PolicyJsonListsTemplatesAndUrisAndWritesEvidenceAndCapture) {
  start();
  const Invocation r = policy("alice-password", cep_url());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json result = json::parse(r.out);  // stdout is the JSON object and nothing else
  EXPECT_EQ(result["schema"], "ceslab.result/1");
  EXPECT_EQ(result["operation"], "policy");
  EXPECT_EQ(result["status"], "answered");
  EXPECT_TRUE(result["request_id"].is_null());
  EXPECT_TRUE(result["messages"].empty());
  // The listing went to stderr.
  EXPECT_NE(r.err.find("\"Lab Enrollment Policy\""), std::string::npos) << r.err;

  const json& policy = result["policy"];
  EXPECT_EQ(policy["friendly_name"], "Lab Enrollment Policy");
  json user, manual;
  for (const json& t : policy["templates"]) {
    if (t["name"] == "User") user = t;
    if (t["name"] == "ManualApproval") manual = t;
  }
  ASSERT_TRUE(user.is_object()) << policy.dump(2);
  // A template OID (szOID_CERTIFICATE_TEMPLATE arc 1.3.6.1.4.1.311.21.8).
  ASSERT_TRUE(user["oid"].is_string()) << user.dump();
  EXPECT_EQ(user["oid"].get<std::string>().rfind("1.3.6.1.4.1.311.21.8.", 0), 0u) << user.dump();
  EXPECT_EQ(user["ca_references"], json::array({0}));
  EXPECT_FALSE(user["manager_approval"]);
  ASSERT_TRUE(manual.is_object()) << policy.dump(2);
  EXPECT_TRUE(manual["manager_approval"]);

  ASSERT_EQ(policy["cas"].size(), 1u) << policy.dump(2);
  const json& ca = policy["cas"][0];
  EXPECT_EQ(ca["subject"], "CN=Lab Issuing CA,DC=lab,DC=test");
  EXPECT_TRUE(ca["enroll_permission"]);
  // By authentication mode (Kerberos 2 before UsernamePassword 4), each
  // with its priority, as the listing shows them.
  std::vector<std::string> order;
  for (const json& u : ca["uris"]) order.push_back(u["auth"]);
  const auto kerberos = std::find(order.begin(), order.end(), "Kerberos");
  const auto username = std::find(order.begin(), order.end(), "UsernamePassword");
  ASSERT_NE(kerberos, order.end()) << ca.dump(2);
  ASSERT_NE(username, order.end()) << ca.dump(2);
  EXPECT_LT(kerberos, username);
  const json& up = ca["uris"][username - order.begin()];
  EXPECT_EQ(up["uri"], server_->endpoint_url(Service::ces, AuthMode::username));
  EXPECT_EQ(up["client_authentication"], 4);
  EXPECT_EQ(up["priority"], 1);
  EXPECT_FALSE(up["renewal_only"]);

  const std::vector<std::string> expected = {"01-policy-request.http", "01-policy-response.http",
                                             "01-policy-exchange.json", "evidence.json"};
  EXPECT_EQ(file_names(result), expected);
  for (const auto& f : result["files"]) EXPECT_TRUE(fs::exists(f.get<std::string>())) << f;

  // The evidence of the GetPolicies exchange, readable by the diagnosis side.
  const auto evidence = evidence_file().get<ceslab::client::Evidence>();
  EXPECT_EQ(evidence.operation, ceslab::client::Operation::policy);
  EXPECT_EQ(evidence.outcome, ceslab::client::Outcome::answered);
  EXPECT_EQ(evidence.endpoint, cep_url());
  ASSERT_TRUE(evidence.http);
  EXPECT_EQ(evidence.http->status, 200);
  EXPECT_TRUE(evidence.prior_exchanges.empty());
  EXPECT_EQ(result["evidence"], evidence_file());

  // The request held the password: redacted in the capture, and nowhere else.
  EXPECT_NE(captured("01-policy-request.http").find("[redacted]"), std::string::npos);
  EXPECT_NE(captured("01-policy-response.http").find("GetPoliciesResponse"), std::string::npos);
  EXPECT_EQ((r.out + r.err).find("alice-password"), std::string::npos);
  EXPECT_EQ(files_containing(dir_.path(), "alice-password"), std::vector<std::string>{});
}

TEST_F(PolicyOutput, PolicyFailureStillWritesEvidenceAndCapture) {
  start();
  const json result = expect_refused_by_cep(policy("wrong-password", cep_url()));
  EXPECT_TRUE(result["policy"].is_null());
}

TEST_F(PolicyOutput, EnrollThroughThePolicyRecordsGetPoliciesAndTheDeadUriBeforeTheIssuingOne) {
  const std::string dead = refused_url();
  // The dead URI has the lower priority value, so it is tried first.
  start(std::vector<ceslab::mock::AdvertisedCesUri>{{kCesPath, AuthMode::username, 2, false},
                                                    {dead, AuthMode::username, 1, false}});
  const std::string good = server_->endpoint_url(Service::ces, AuthMode::username);
  const Invocation r = enroll("alice-password", cep_url());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const json result = json::parse(r.out);  // the policy lines went to stderr too
  EXPECT_NE(r.err.find("not reachable: " + dead + ": "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sent to " + good), std::string::npos) << r.err;
  EXPECT_EQ(result["operation"], "enroll");
  EXPECT_EQ(result["status"], "issued");
  EXPECT_EQ(result["policy_url"], cep_url());
  EXPECT_EQ(result["template"]["name"], "User");
  ASSERT_TRUE(result["template"]["oid"].is_string()) << result["template"].dump();
  EXPECT_EQ(result["template"]["oid"].get<std::string>().rfind("1.3.6.1.4.1.311.21.8.", 0), 0u);
  ASSERT_EQ(result["attempts"].size(), 2u) << result["attempts"].dump(2);
  EXPECT_EQ(result["attempts"][0]["uri"], dead);
  EXPECT_EQ(result["attempts"][0]["transport_error"]["kind"], "connect_refused");
  EXPECT_EQ(result["attempts"][1]["uri"], good);
  EXPECT_TRUE(result["attempts"][1]["transport_error"].is_null());

  // GetPolicies, the dead URI (a request and no response), the issuing URI.
  const std::vector<std::string> expected = {"key.pem",
                                             "cert.pem",
                                             "chain.pem",
                                             "01-policy-request.http",
                                             "01-policy-response.http",
                                             "01-policy-exchange.json",
                                             "02-enroll-request.http",
                                             "02-enroll-exchange.json",
                                             "03-enroll-request.http",
                                             "03-enroll-response.http",
                                             "03-enroll-exchange.json",
                                             "evidence.json"};
  EXPECT_EQ(file_names(result), expected);
  for (const auto& f : result["files"]) EXPECT_TRUE(fs::exists(f.get<std::string>())) << f;
  EXPECT_NE(captured("02-enroll-exchange.json").find(dead), std::string::npos);
  const json dead_exchange = json::parse(captured("02-enroll-exchange.json"));
  EXPECT_EQ(dead_exchange["transport_error"]["kind"], "connect_refused");
  EXPECT_TRUE(dead_exchange["response"].is_null());

  // The record is the issuing exchange; the two before it are in
  // prior_exchanges, in order, each a whole record.
  const auto evidence = evidence_file().get<ceslab::client::Evidence>();
  EXPECT_EQ(evidence.operation, ceslab::client::Operation::enroll);
  EXPECT_EQ(evidence.outcome, ceslab::client::Outcome::issued);
  EXPECT_EQ(evidence.endpoint, good);
  ASSERT_EQ(evidence.prior_exchanges.size(), 2u);
  const auto& cep = evidence.prior_exchanges[0];
  EXPECT_EQ(cep.operation, ceslab::client::Operation::policy);
  EXPECT_EQ(cep.outcome, ceslab::client::Outcome::answered);
  EXPECT_EQ(cep.endpoint, cep_url());
  ASSERT_TRUE(cep.http);
  EXPECT_EQ(cep.http->status, 200);
  const auto& refused = evidence.prior_exchanges[1];
  EXPECT_EQ(refused.operation, ceslab::client::Operation::enroll);
  EXPECT_EQ(refused.outcome, ceslab::client::Outcome::failed);
  EXPECT_EQ(refused.endpoint, dead);
  ASSERT_TRUE(refused.transport);
  EXPECT_EQ(refused.transport->kind, ceslab::core::TransportErrorKind::connect_refused);
  EXPECT_FALSE(refused.messages.empty());
  EXPECT_EQ(result["evidence"], evidence_file());

  // Three requests carried the password: every capture file and the
  // evidence are free of it.
  for (const char* request :
       {"01-policy-request.http", "02-enroll-request.http", "03-enroll-request.http"}) {
    EXPECT_NE(captured(request).find("[redacted]"), std::string::npos) << request;
  }
  EXPECT_EQ((r.out + r.err).find("alice-password"), std::string::npos);
  EXPECT_EQ(files_containing(dir_.path(), "alice-password"), std::vector<std::string>{});
}

TEST_F(PolicyOutput, EnrollWhoseGetPoliciesFailsGivesPolicyEvidence) {
  start();
  // Refused by CEP: the record is the GetPolicies exchange, no CES is tried.
  const json result = expect_refused_by_cep(enroll("wrong-password", cep_url()));
  EXPECT_TRUE(result["template"].is_null());
  EXPECT_TRUE(result["attempts"].empty());
  EXPECT_FALSE(fs::exists(dir_.path() / "out" / "key.pem"));

  // CEP not reachable at all: a transport failure, still operation policy.
  const std::string dead_cep =
      refused_url("/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP");
  const Invocation down = enroll("alice-password", dead_cep);
  EXPECT_EQ(down.exit_code, 1) << down.out << down.err;
  const json down_evidence = evidence_file();
  EXPECT_EQ(down_evidence["operation"], "policy");
  EXPECT_EQ(down_evidence["endpoint"], dead_cep);
  EXPECT_EQ(down_evidence["transport"]["kind"], "connect_refused");
  EXPECT_TRUE(fs::exists(dir_.path() / "capture" / "02-policy-exchange.json"));
  EXPECT_EQ(files_containing(dir_.path(), "alice-password"), std::vector<std::string>{});
}

TEST_F(PolicyOutput, EnrollForATemplateThePolicyDoesNotListGivesTheAnsweredPolicyAsFailed) {
  start();
  const Invocation r = enroll("alice-password", cep_url(), "NoSuchTemplate");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const json result = json::parse(r.out);
  EXPECT_EQ(result["status"], "failed");
  const json evidence = evidence_file();
  EXPECT_EQ(evidence["operation"], "policy");
  EXPECT_EQ(evidence["outcome"], "failed");  // CEP answered; the run failed on its answer
  ASSERT_TRUE(evidence["http"].is_object());
  EXPECT_EQ(evidence["http"]["status"], 200);
  ASSERT_EQ(evidence["messages"].size(), 1u);
  EXPECT_NE(evidence["messages"][0].get<std::string>().find(
                "the policy does not list template 'NoSuchTemplate'"),
            std::string::npos)
      << evidence.dump(2);
  EXPECT_EQ(files_containing(dir_.path(), "alice-password"), std::vector<std::string>{});
}

}  // namespace
