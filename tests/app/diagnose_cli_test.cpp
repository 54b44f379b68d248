// SPDX-License-Identifier: GPL-2.0-or-later
// `ceslab diagnose` as an admin runs it on what a failure left behind:
// several artefacts into one verdict, `unknown` with the tied causes, and
// inputs it refuses by name.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "app/cli_support.hpp"

namespace ceslab::app {
namespace {

namespace fs = std::filesystem;
using testing::run_split;

const fs::path kCases = fs::path(CESLAB_FIXTURES_DIR) / "diagnose";

class DiagnoseCli : public ::testing::Test {
 protected:
  DiagnoseCli() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("ceslab-diagnose-cli-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  ~DiagnoseCli() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  testing::Invocation diagnose(const std::string& args) {
    return run_split(std::string(CESLAB_BINARY) + " diagnose " + args, dir_);
  }
  fs::path dir_;
};

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

TEST_F(DiagnoseCli, CertreqOutputAndKlistTogetherNameTheCause) {
  const fs::path c = kCases / "user_not_delegable--certreq-klist";
  const auto r = diagnose("--json " + quoted(c / "certreq.txt") + " " + quoted(c / "klist.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["verdict"], "user_not_delegable");
  ASSERT_FALSE(j["candidates"].empty());
  EXPECT_EQ(j["candidates"][0]["cause"], "user_not_delegable");
  ASSERT_EQ(j["inputs"].size(), 2u);
  EXPECT_EQ(j["inputs"][0]["type"], "client_text");
  EXPECT_EQ(j["inputs"][1]["type"], "klist");
  // certreq alone cannot tell the delegation causes apart.
  const auto alone = diagnose("--json " + quoted(c / "certreq.txt"));
  EXPECT_EQ(alone.exit_code, 3) << alone.out << alone.err;
  EXPECT_EQ(nlohmann::json::parse(alone.out)["verdict"], "unknown");
}

TEST_F(DiagnoseCli, HumanReportSaysWhatWasReadAndTheVerdict) {
  const fs::path c = kCases / "user_not_delegable--certreq-klist";
  const auto r = diagnose(quoted(c / "certreq.txt") + " " + quoted(c / "klist.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("as client_text"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("user_not_delegable"), std::string::npos) << r.out;
}

TEST_F(DiagnoseCli, HtmlWritesThePageBesideTheTextReport) {
  const fs::path c = kCases / "user_not_delegable--certreq-klist";
  const fs::path page = dir_ / "d.html";
  const auto r = diagnose("--html " + quoted(page) + " " + quoted(c / "certreq.txt") + " " +
                          quoted(c / "klist.txt"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("user_not_delegable"), std::string::npos) << r.out;
  const std::string html = testing::read_file(page);
  EXPECT_NE(html.find("ceslab diagnose: user_not_delegable"), std::string::npos);
  EXPECT_NE(html.find("<tr data-row>"), std::string::npos);
  EXPECT_NE(html.find("klist.txt</code> as <b>klist</b>"), std::string::npos);
}

TEST_F(DiagnoseCli, UnknownWithTheTiedCausesExitsThree) {
  const auto r =
      diagnose("--json " + quoted(kCases / "negotiate_401-tie" / "client.evidence.json"));
  ASSERT_EQ(r.exit_code, 3) << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["verdict"], "unknown");
  EXPECT_GE(j["tied"].size(), 2u) << j.dump(2);
}

TEST_F(DiagnoseCli, BadInputsFailNamingTheFile) {
  std::ofstream(dir_ / "empty.txt").close();
  std::ofstream(dir_ / "xxe.xml")
      << "<?xml version=\"1.0\"?>\n<!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
         "<Event>&x;</Event>\n";
  for (const std::string name : {"empty.txt", "xxe.xml", "missing.txt"}) {
    const auto r = diagnose(quoted(dir_ / name));
    EXPECT_EQ(r.exit_code, 1) << name << r.out << r.err;
    EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("root:"), std::string::npos) << "the entity was resolved";
  }
  const auto usage = diagnose("--type nonsense " + quoted(dir_ / "empty.txt"));
  EXPECT_EQ(usage.exit_code, 2) << usage.err;
}

// The lab's own output as a customer would send it: the evidence of
// `ceslab enroll --evidence` and the server's `<state dir>/events.jsonl`
// (both from one real `ceslab serve` run; tests/fixtures/diagnose-inputs).
TEST_F(DiagnoseCli, TheLabsEvidenceAndEventLogAreReadTogether) {
  const fs::path inputs = fs::path(CESLAB_FIXTURES_DIR) / "diagnose-inputs";
  const auto r =
      diagnose("--json " + quoted(inputs / "json" / "lab_evidence_unsupported_template.json") +
               " " + quoted(inputs / "events" / "lab_events.jsonl"));
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 3) << r.exit_code << r.out << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["inputs"].size(), 2u) << j.dump(2);
  EXPECT_EQ(j["inputs"][0]["type"], "evidence_json");
  EXPECT_EQ(j["inputs"][1]["type"], "event_jsonl");
  EXPECT_NE(j["inputs"][1].dump().find("Microsoft-Windows-CertificationAuthority 53"),
            std::string::npos)
      << j["inputs"][1].dump(2);
}

}  // namespace
}  // namespace ceslab::app
