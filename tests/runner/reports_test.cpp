// SPDX-License-Identifier: GPL-2.0-or-later
// The run's reports as their readers take them: the JSON schema
// (docs/scenarios.md), JUnit XML parsed by a real XML parser the way CI
// servers read it, and the table a person reads.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>
#include <sstream>

#include "ceslab/runner/reports.hpp"

namespace ceslab::runner {
namespace {

std::vector<ScenarioResult> sample() {
  ScenarioResult pass;
  pass.id = "causes/ca_subject_email_required";
  pass.group = "causes";
  pass.expected = pass.expected_client_only = "ca_subject_email_required";
  pass.verdict_client_only = pass.verdict_with_events = "ca_subject_email_required";
  pass.result = Result::pass;
  pass.duration = std::chrono::milliseconds(412);

  ScenarioResult fail;
  fail.id = "causes/broken<&>";
  fail.group = "causes";
  fail.expected = "template_enroll_denied";
  fail.verdict_client_only = "ca_subject_email_required";
  fail.verdict_with_events = "ca_subject_email_required";
  fail.result = Result::fail;
  fail.diffs = {{"step 1 (enroll)", "fault.error_code", "0x80094800 (CERTSRV_E_TEMPLATE_DENIED)",
                 "0x80094812 (CERTSRV_E_SUBJECT_EMAIL_REQUIRED)"},
                {"diagnosis (client only)", "verdict", "template_enroll_denied",
                 "ca_subject_email_required"}};
  fail.artefacts = "/tmp/out/causes_broken";
  fail.duration = std::chrono::milliseconds(1500);

  ScenarioResult skip;
  skip.id = "baseline/issue-user-kerberos";
  skip.group = "baseline";
  skip.expected = "unknown";
  skip.result = Result::skip;
  skip.reason = "Kerberos scenarios are off (--no-kerberos)";
  return {pass, fail, skip};
}

TEST(RunJson, HasTheDocumentedShape) {
  const auto results = sample();
  const Summary summary = summarize(results, std::chrono::milliseconds(2000));
  const nlohmann::json j = nlohmann::json::parse(to_json(results, summary).dump());
  EXPECT_EQ(j["schema"], "ceslab.run/1");
  ASSERT_EQ(j["scenarios"].size(), 3u);
  const auto& first = j["scenarios"][0];
  EXPECT_EQ(first["name"], "causes/ca_subject_email_required");
  EXPECT_EQ(first["group"], "causes");
  EXPECT_EQ(first["expected"], "ca_subject_email_required");
  EXPECT_EQ(first["verdict"]["client_only"], "ca_subject_email_required");
  EXPECT_EQ(first["verdict"]["with_server_events"], "ca_subject_email_required");
  EXPECT_EQ(first["result"], "PASS");
  EXPECT_DOUBLE_EQ(first["seconds"].get<double>(), 0.412);
  EXPECT_TRUE(first["error"].is_null());
  const auto& second = j["scenarios"][1];
  EXPECT_EQ(second["result"], "FAIL");
  ASSERT_EQ(second["diffs"].size(), 2u);
  EXPECT_EQ(second["diffs"][0]["field"], "fault.error_code");
  EXPECT_EQ(second["artefacts"], "/tmp/out/causes_broken");
  EXPECT_TRUE(j["scenarios"][2]["verdict"]["client_only"].is_null());
  EXPECT_EQ(j["scenarios"][2]["reason"], "Kerberos scenarios are off (--no-kerberos)");
  EXPECT_EQ(j["summary"]["passed"], 1);
  EXPECT_EQ(j["summary"]["failed"], 1);
  EXPECT_EQ(j["summary"]["skipped"], 1);
  EXPECT_EQ(j["summary"]["ok"], false);
}

using XmlDoc = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

std::string attribute(xmlNode* node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return "";
  std::string text(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return text;
}

std::vector<xmlNode*> children(xmlNode* node, const char* name) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && xmlStrcmp(c->name, BAD_CAST name) == 0) out.push_back(c);
  }
  return out;
}

TEST(RunJunit, ParsesAsJunitWithASuitePerGroupAndTheDiffAsTheFailure) {
  const auto results = sample();
  const std::string xml = to_junit(results, summarize(results, std::chrono::milliseconds(2000)));
  XmlDoc doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "junit.xml", nullptr,
                           XML_PARSE_NONET),
             xmlFreeDoc);
  ASSERT_NE(doc, nullptr) << xml;
  xmlNode* root = xmlDocGetRootElement(doc.get());
  ASSERT_STREQ(reinterpret_cast<const char*>(root->name), "testsuites");
  EXPECT_EQ(attribute(root, "tests"), "3");
  EXPECT_EQ(attribute(root, "failures"), "1");
  const auto suites = children(root, "testsuite");
  ASSERT_EQ(suites.size(), 2u);
  EXPECT_EQ(attribute(suites[0], "name"), "baseline");
  EXPECT_EQ(attribute(suites[1], "name"), "causes");
  EXPECT_EQ(attribute(suites[1], "tests"), "2");
  EXPECT_EQ(attribute(suites[1], "failures"), "1");
  const auto cases = children(suites[1], "testcase");
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(attribute(cases[0], "classname"), "causes");
  EXPECT_EQ(attribute(cases[0], "name"), "ca_subject_email_required");
  EXPECT_TRUE(children(cases[0], "failure").empty());
  EXPECT_EQ(attribute(cases[1], "name"), "broken<&>");  // escaped and read back
  const auto failures = children(cases[1], "failure");
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_NE(attribute(failures[0], "message").find("fault.error_code: expected 0x80094800"),
            std::string::npos);
  xmlChar* text = xmlNodeGetContent(failures[0]);
  const std::string body(reinterpret_cast<const char*>(text));
  xmlFree(text);
  EXPECT_NE(body.find("diagnosis (client only): verdict"), std::string::npos) << body;
  EXPECT_NE(body.find("/tmp/out/causes_broken"), std::string::npos) << body;
  const auto skipped = children(children(suites[0], "testcase")[0], "skipped");
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(attribute(skipped[0], "message"), "Kerberos scenarios are off (--no-kerberos)");
}

TEST(RunTable, ShowsBothVerdictsAndTheDiffOfEachFailure) {
  std::ostringstream out;
  print_table(out, sample());
  const std::string text = out.str();
  EXPECT_NE(text.find("verdict (client only)"), std::string::npos) << text;
  EXPECT_NE(text.find("verdict (with server events)"), std::string::npos) << text;
  EXPECT_NE(text.find("causes/ca_subject_email_required"), std::string::npos) << text;
  EXPECT_NE(text.find("FAIL causes/broken<&>\n  step 1 (enroll): fault.error_code\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("expected: 0x80094800 (CERTSRV_E_TEMPLATE_DENIED)"), std::string::npos)
      << text;
  EXPECT_EQ(summary_line(summarize(sample(), {})), "1 passed, 1 failed, 1 skipped");
}

}  // namespace
}  // namespace ceslab::runner
