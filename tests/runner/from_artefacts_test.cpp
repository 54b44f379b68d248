// SPDX-License-Identifier: GPL-2.0-or-later
// A customer's artefacts turned into a scenario and run (the round trip of
// `ceslab scenario from-artefacts`): a capture of a CA-side denial and
// certreq text come back as the bundled world of their cause (a standalone
// fault does in tests/app/scenario_cli_test.cpp, through the binary); an
// unknown cause and a cause no world reproduces come back as a replay of the
// recorded answer; each runs against the real mock and passes
// with the verdict the artefacts had. Secrets never reach the scenario, and
// bad input is refused naming the file.
#include "ceslab/runner/from_artefacts.hpp"

#include <gtest/gtest.h>

#include "ceslab/diagnosis/catalog.hpp"
#include "ceslab/runner/scenario.hpp"
#include "ceslab/runner/suite.hpp"
#include "mock_ces/lab_fixture.hpp"

namespace ceslab::runner {
namespace {

namespace fs = std::filesystem;

using mock::testing::read_file;
using mock::testing::TempDir;

fs::path fixture(const std::string& relative) {
  return fs::path(CESLAB_FIXTURES_DIR) / relative;
}

const Scenario& bundled(const std::string& id) {
  static std::vector<Scenario> loaded;
  for (const Scenario& s : loaded) {
    if (s.id == id) return s;
  }
  loaded.push_back(
      load_scenario(bundled_scenarios_dir() / (id + ".yaml"), diagnosis::Catalog::builtin()));
  return loaded.back();
}

// Writes the scenario as `-o DIR/<name>.yaml` does, loads it as `ceslab run
// --scenario` does, and runs it against the embedded mock.
ScenarioResult round_trip(const ArtefactScenario& made, const fs::path& dir) {
  const fs::path file = dir / (made.name + ".yaml");
  write_artefact_scenario(made, file);
  const Scenario s = load_scenario(file, diagnosis::Catalog::builtin());
  const std::vector<ScenarioResult> results = run_suite({s}, SuiteOptions{});
  return results.at(0);
}

std::string diffs_of(const ScenarioResult& r) {
  std::string text = r.error;
  for (const auto& d : r.diffs)
    text += "\n" + d.step + " " + d.field + ": expected " + d.expected + ", got " + d.actual;
  return text;
}

TEST(FromArtefacts, ACaptureOfACaDenialComesBackAsItsWorldAndPasses) {
  TempDir out;
  // The customer's side of a CA that denies alice "Request Certificates":
  // what `--capture` kept of a real run of the bundled scenario.
  SuiteOptions keep;
  keep.out_dir = out.path() / "run";
  const auto ran = run_suite({bundled("causes/user_lacks_ca_request_right")}, keep);
  ASSERT_EQ(ran.at(0).result, Result::pass) << diffs_of(ran.at(0));
  const fs::path capture = ran.at(0).artefacts / "capture";
  ASSERT_TRUE(fs::is_directory(capture));

  FromArtefactsOptions options;
  options.name = "denied-request-right";
  const ArtefactScenario made = scenario_from_artefacts({capture}, options);
  EXPECT_EQ(made.verdict, "user_lacks_ca_request_right");
  EXPECT_EQ(made.reproduced_by, "causes/user_lacks_ca_request_right");
  EXPECT_FALSE(made.replay);
  ASSERT_FALSE(made.inputs.empty());
  EXPECT_EQ(made.inputs[0].type, "http_response");  // the answer, not the request

  const ScenarioResult r = round_trip(made, out.path());
  EXPECT_EQ(r.result, Result::pass) << diffs_of(r) << "\n" << made.yaml;
  EXPECT_EQ(r.verdict_with_events, made.verdict);

  // The run's whole --out folder: its evidence and capture are read, its
  // own conclusions (diagnosis*.txt, diagnosis.json) are not.
  const ArtefactScenario whole = scenario_from_artefacts({ran.at(0).artefacts}, options);
  EXPECT_EQ(whole.verdict, made.verdict);
  EXPECT_EQ(whole.reproduced_by, made.reproduced_by);
  bool evidence_read = false;
  for (const ArtefactRead& read : whole.inputs) {
    EXPECT_EQ(read.name.find("diagnosis"), std::string::npos) << read.name;
    evidence_read = evidence_read || read.name.find("client.evidence.json") != std::string::npos;
  }
  EXPECT_TRUE(evidence_read);
}

TEST(FromArtefacts, CertreqTextComesBackAsItsWorldAndPasses) {
  TempDir out;
  const ArtefactScenario made =
      scenario_from_artefacts({fixture("diagnose/ca_subject_email_required--certreq/certreq.txt")});
  EXPECT_EQ(made.verdict, "ca_subject_email_required");
  EXPECT_EQ(made.reproduced_by, "causes/ca_subject_email_required");
  const ScenarioResult r = round_trip(made, out.path());
  EXPECT_EQ(r.result, Result::pass) << diffs_of(r) << "\n" << made.yaml;
  EXPECT_EQ(r.verdict_with_events, made.verdict);
}

TEST(FromArtefacts, AnUnknownCauseBecomesAReplayThatPasses) {
  TempDir out;
  // IIS's 500.19 page: another product answered, no catalog cause.
  const fs::path page = fixture("diagnose/iis--500-19-config-error/response.http");
  const ArtefactScenario made = scenario_from_artefacts({page});
  EXPECT_EQ(made.verdict, "unknown");
  ASSERT_TRUE(made.replay);
  EXPECT_EQ(made.replay_source, page.string());
  EXPECT_TRUE(made.reproduced_by.empty());
  EXPECT_NE(made.yaml.find("recorded: true"), std::string::npos) << made.yaml;
  EXPECT_NE(made.yaml.find("# REPLAY:"), std::string::npos) << made.yaml;
  // The page is served as recorded.
  EXPECT_NE(made.replay->find("HTTP Error 500.19"), std::string::npos);

  const ScenarioResult r = round_trip(made, out.path());
  EXPECT_EQ(r.result, Result::pass) << diffs_of(r) << "\n" << made.yaml;
  EXPECT_EQ(r.verdict_client_only, "unknown");
  EXPECT_EQ(r.verdict_with_events, "unknown");
}

// IIS's 404.3 page (no handler for .svc): the lab client meeting the replayed
// page diagnoses it as `ceslab diagnose` does the saved one, because both read
// the page's text (core::html_page_text). Before, the client left http.page
// empty and named wrong_endpoint_url (issue 18).
TEST(FromArtefacts, AnIisPageReplayedIsDiagnosedAsTheSavedPage) {
  TempDir out;
  const ArtefactScenario made =
      scenario_from_artefacts({fixture("diagnose/iis--404-3-no-svc-handler/response.http")});
  ASSERT_TRUE(made.replay);
  const ScenarioResult r = round_trip(made, out.path());
  EXPECT_EQ(r.result, Result::pass) << diffs_of(r) << "\n" << made.yaml;
  EXPECT_EQ(r.verdict_client_only, made.verdict);
}

TEST(FromArtefacts, AnUnknownTieIsReplayedWithoutClaimingTheLabTiesTheSame) {
  TempDir out;
  // WCF's InvalidSecurity alone ties a bad password, clock skew and a
  // missing token; the lab's client, which knows it sent a token, need not
  // tie the same causes. The verdict is what must come back.
  const ArtefactScenario made = scenario_from_artefacts(
      {fixture("diagnose/username_password_rejected--lookalike-invalid-security-only/"
               "response.http")});
  EXPECT_EQ(made.verdict, "unknown");
  ASSERT_TRUE(made.replay);
  const ScenarioResult r = round_trip(made, out.path());
  EXPECT_EQ(r.result, Result::pass) << diffs_of(r) << "\n" << made.yaml;
  EXPECT_EQ(r.verdict_with_events, "unknown");
}

TEST(FromArtefacts, ACauseNoWorldReproducesBecomesAReplayThatPasses) {
  TempDir out;
  // An AddressFilter mismatch comes from the request's wsa:To, which the
  // lab's client always sets right (scenarios/not-reproduced.yaml).
  const ArtefactScenario made = scenario_from_artefacts({fixture("wire/fault_address_filter.xml")});
  EXPECT_EQ(made.verdict, "address_filter_mismatch");
  ASSERT_TRUE(made.replay);
  EXPECT_EQ(made.replay->rfind("HTTP/1.1 500 ", 0), 0u) << *made.replay;
  const ScenarioResult r = round_trip(made, out.path());
  EXPECT_EQ(r.result, Result::pass) << diffs_of(r) << "\n" << made.yaml;
  EXPECT_EQ(r.verdict_with_events, made.verdict);
}

TEST(FromArtefacts, SecretsInTheArtefactsNeverReachTheScenario) {
  TempDir in;
  const std::string password = "Pa55-Secret-1";
  const std::string cookie = "SessionCookie0815";
  const std::string token = "YIIGhgYJKoZIhvcSAQICAQBuggZ1MIIGcaADAgEFoQMCAQ6iBwMFACAAAAA";
  in.file("certreq.txt",
          "C:\\>certreq -submit -username alice -p " + password +
              " -config \"https://ces.lab.test/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/"
              "CES\" user.req\n"
              "Certificate Request Processor: The EMail name is unavailable and cannot be added "
              "to the Subject or Subject Alternate name. 0x80094812 (-2146875374 "
              "CERTSRV_E_SUBJECT_EMAIL_REQUIRED) password=" +
              password + "\nAuthorization: Negotiate " + token +
              "\n-----BEGIN PRIVATE "
              "KEY-----\nMC4CAQAwBQYDK2VwBCIEIBm3kqPOkjD3bUgJ0j1Xn2n0ZqZq9a1JcSoxNcRtYq8Y\n"
              "-----END PRIVATE KEY-----\n");
  const std::string fault = read_file(fixture("wire/fault_address_filter.xml"));
  in.file("response.http",
          "HTTP/1.1 500 Internal Server Error\r\n"
          "Content-Type: application/soap+xml; charset=utf-8\r\n"
          "Set-Cookie: ASP.NET_SessionId=" +
              cookie + "; path=/\r\nWWW-Authenticate: Negotiate " + token +
              "\r\nContent-Length: " + std::to_string(fault.size()) + "\r\n\r\n" + fault);
  in.file("cepces.log",
          "2026-11-26 03:10:57,240 cepces.wstep.service.Service<0x7f3a9c1e3b50>:DEBUG:"
          "Initializing service (endpoint: https://ces.lab.test/Lab%20Issuing%20CA_CES_"
          "UsernamePassword/service.svc/CES, auth: MessageUsernamePasswordAuthentication<0x7f3a>)\n"
          "2026-11-26 03:10:57,241 cepces.soap.service.Service<0x7f3a9c1e3b50>:DEBUG:Sent message: "
          "b'<s:Envelope><s:Header><wsse:Security><wsse:UsernameToken><wsse:Username>alice"
          "</wsse:Username><wsse:Password Type=\"#PasswordText\">" +
              password + "</wsse:Password></wsse:UsernameToken></wsse:Security></s:Header>'\n");

  FromArtefactsOptions options;
  options.name = "with-secrets";
  const ArtefactScenario made =
      scenario_from_artefacts({in.path() / "response.http", in.path() / "certreq.txt"}, options);
  for (const std::string& secret : {password, cookie, token}) {
    EXPECT_EQ(made.yaml.find(secret), std::string::npos) << secret << " in\n" << made.yaml;
    if (made.replay) {
      EXPECT_EQ(made.replay->find(secret), std::string::npos) << secret;
    }
    for (const ArtefactRead& read : made.inputs) {
      for (const std::string& fact : read.facts)
        EXPECT_EQ(fact.find(secret), std::string::npos) << fact;
    }
  }
  ASSERT_EQ(made.inputs.size(), 2u);
  EXPECT_EQ(made.inputs[0].redactions, 2);  // the cookie, the Negotiate token
  EXPECT_EQ(made.inputs[1].redactions, 4);  // -p, password=, Authorization, the key
  EXPECT_EQ(made.yaml.find("MC4CAQAwBQYDK2Vw"), std::string::npos);
  // The scenario still names the artefacts and their diagnosis.
  EXPECT_NE(made.yaml.find("certreq.txt"), std::string::npos);

  // A directory is read whole: the UsernameToken password of the log too.
  const ArtefactScenario whole = scenario_from_artefacts({in.path()}, options);
  EXPECT_EQ(whole.yaml.find(password), std::string::npos) << whole.yaml;
  int in_log = -1;
  for (const ArtefactRead& read : whole.inputs) {
    if (read.name.find("cepces.log") != std::string::npos) in_log = read.redactions;
  }
  EXPECT_EQ(in_log, 1);
}

TEST(FromArtefacts, BadInputIsRefusedNamingTheFile) {
  TempDir in;
  const fs::path missing = in.path() / "no-such-file.xml";
  try {
    scenario_from_artefacts({missing});
    FAIL() << "a missing file was accepted";
  } catch (const ArtefactError& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
  }
  const fs::path noise = in.file("notes.txt", "we rebooted the server twice\n");
  try {
    scenario_from_artefacts({noise});
    FAIL() << "a text without anything diagnose reads was accepted";
  } catch (const ArtefactError& e) {
    EXPECT_NE(std::string(e.what()).find(noise.string()), std::string::npos) << e.what();
  }
  fs::create_directories(in.path() / "empty");
  EXPECT_THROW(scenario_from_artefacts({in.path() / "empty"}), ArtefactError);
  // certreq text alone of an unknown cause holds no answer to replay.
  const fs::path vague =
      in.file("vague.txt",
              "Certificate Request Processor: Unspecified error 0x80004005 (-2147467259 E_FAIL)\n");
  try {
    scenario_from_artefacts({vague});
    FAIL() << "nothing to reproduce was accepted";
  } catch (const ArtefactError& e) {
    EXPECT_NE(std::string(e.what()).find("no artefact holds the server's answer"),
              std::string::npos)
        << e.what();
  }
}

TEST(FromArtefacts, ASavedRequestIsNoAnswerToReplay) {
  // What the client sent says nothing of what came back: no replay of it.
  try {
    const ArtefactScenario made = scenario_from_artefacts({fixture("wire/rst_issue_pkcs10.xml")});
    FAIL() << "a request became a scenario:\n" << made.yaml;
  } catch (const ArtefactError& e) {
    SUCCEED() << e.what();
  }
}

TEST(FromArtefacts, AFileMustBeNamedForItsScenario) {
  TempDir out;
  const ArtefactScenario made =
      scenario_from_artefacts({fixture("diagnose/ca_invalid_policy--fault/fault.xml")});
  EXPECT_THROW(write_artefact_scenario(made, out.path() / "other-name.yaml"), ArtefactError);
}

}  // namespace
}  // namespace ceslab::runner
