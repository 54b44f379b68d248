// SPDX-License-Identifier: GPL-2.0-or-later
// The HTML pages as text: every value escaped, failed scenarios first, a
// row per scenario, exchanges pretty-printed with the password redacted
// (real runs through the runner, and a crafted exchange whose password is
// also markup), a diagnosis page's candidates, a bench page's charts.
#include "ceslab/report/html_pages.hpp"

#include <gtest/gtest.h>

#include <regex>

#include "ceslab/client/capture.hpp"
#include "ceslab/runner/scenario_record.hpp"
#include "ceslab/wsdl/codec.hpp"
#include "report/page_fixtures.hpp"
#include "soap_requests.hpp"

namespace ceslab::report {
namespace {

using runner::Result;
using runner::ScenarioResult;

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

std::vector<std::string> row_results(const std::string& html) {
  static const std::regex attribute(R"re(data-result="([A-Z]+)")re");
  std::vector<std::string> out;
  for (std::sregex_iterator it(html.begin(), html.end(), attribute), end; it != end; ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

runner::Summary summary_of(const std::vector<ScenarioResult>& results) {
  return runner::summarize(results, std::chrono::milliseconds(1234));
}

TEST(HtmlPages, MarkupInANameOrAnErrorIsShownEscaped) {
  const std::vector<ScenarioResult> results = {testing::hostile_result(Result::fail)};
  const std::string html = run_page(results, summary_of(results));
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;id&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(
      html.find("fault text &lt;script&gt;alert(&quot;error&quot;)&lt;/script&gt; &amp; more"),
      std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;bold&lt;/b&gt;"), std::string::npos);
  // The page's own script is the only one.
  EXPECT_EQ(occurrences(html, "<script"), 1u);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos);
}

TEST(HtmlPages, FailedScenariosComeFirstOneRowEach) {
  ScenarioResult pass;
  pass.id = "a/pass";
  pass.result = Result::pass;
  ScenarioResult fail = pass;
  fail.id = "b/fail";
  fail.result = Result::fail;
  ScenarioResult skip = pass;
  skip.id = "c/skip";
  skip.result = Result::skip;
  ScenarioResult xpass = pass;
  xpass.id = "d/xpass";
  xpass.result = Result::xpass;
  ScenarioResult xfail = pass;
  xfail.id = "e/xfail";
  xfail.result = Result::xfail;
  const std::vector<ScenarioResult> results = {pass, fail, skip, xpass, xfail};
  const std::string html = run_page(results, summary_of(results));
  EXPECT_EQ(row_results(html),
            (std::vector<std::string>{"FAIL", "XPASS", "PASS", "SKIP", "XFAIL"}));
  EXPECT_EQ(occurrences(html, "<details class=\"scenario\" data-row"), 5u);
  EXPECT_LT(html.find("b/fail"), html.find("d/xpass"));
  EXPECT_LT(html.find("d/xpass"), html.find("a/pass"));
  // A filter box for each result there is.
  EXPECT_EQ(occurrences(html, "data-filter=\""), 5u);
}

TEST(HtmlPages, ACraftedExchangeShowsNeitherThePasswordNorItsEscapedForms) {
  // A password that is also markup: the SOAP body carries it XML-escaped.
  const std::string password = "Tr0ub4dor&3<x>\"'";
  core::SoapMessage m =
      test_support::issue_request("https://ces.lab.test/CES", "urn:uuid:1",
                                  core::ByteString{0x30, 0x03, 0x02, 0x01, 0x00}, "User");
  m.security = test_support::username_security({"alice", password});
  client::SoapCall call;
  call.url = "https://ces.lab.test/CES";
  call.request.method = "POST";
  call.request.target = "/CES";
  call.request.headers = {{"Content-Type", "application/soap+xml; charset=utf-8"}};
  call.request.body = wsdl::write_message(m);
  ASSERT_NE(call.request.body.find("Tr0ub4dor"), std::string::npos);
  core::HttpResponse echoed;
  echoed.status = 500;
  echoed.reason = "Internal Server Error";
  // A server that echoes it back, XML-escaped.
  echoed.body = "<e>you said Tr0ub4dor&amp;3&lt;x&gt;&quot;&apos;</e>";
  call.exchange.response = echoed;
  client::Secrets secrets;
  secrets.add_password(password);

  auto record = std::make_shared<runner::ScenarioRecord>();
  record->exchanges.push_back({"step 1 (enroll)", "enroll", call.url,
                               client::redact_exchange(call, secrets), "",
                               std::chrono::milliseconds(12)});
  ScenarioResult r;
  r.id = "causes/crafted";
  r.record = record;
  const std::vector<ScenarioResult> results = {r};
  const std::string html = run_page(results, summary_of(results));
  EXPECT_EQ(html.find("Tr0ub4dor"), std::string::npos);
  EXPECT_NE(html.find("[redacted]"), std::string::npos);
  // Pretty-printed: the envelope's children each on a line of their own.
  EXPECT_NE(html.find("\n  &lt;"), std::string::npos);
  EXPECT_NE(html.find("Password"), std::string::npos);
}

TEST(HtmlPages, ARealRunShowsItsTimelineEventsEvidenceAndBothDiagnoses) {
  const std::vector<ScenarioResult> results = testing::real_results();
  ASSERT_EQ(results.size(), 2u);
  ASSERT_EQ(results[0].result, Result::pass) << results[0].error;
  ASSERT_EQ(results[1].result, Result::fail);
  for (const auto& r : results) {
    ASSERT_TRUE(r.record) << r.id;
    ASSERT_EQ(r.record->exchanges.size(), 1u) << r.id;
    EXPECT_EQ(r.record->exchanges[0].step, "step 1 (enroll)");
    ASSERT_TRUE(r.record->client_only);
    ASSERT_TRUE(r.record->with_server_events);
    EXPECT_FALSE(r.record->server_events.empty());
  }
  const std::string html = run_page(results, summary_of(results));
  EXPECT_EQ(row_results(html), (std::vector<std::string>{"FAIL", "PASS"}));
  // alice's password went out in the UsernameToken; the page holds none of it.
  EXPECT_EQ(html.find("alice-password"), std::string::npos);
  EXPECT_NE(html.find("[redacted]"), std::string::npos);
  EXPECT_NE(html.find("CERTSRV_E_SUBJECT_EMAIL_REQUIRED"), std::string::npos);
  EXPECT_NE(html.find("Microsoft-Windows-CertificationAuthority"), std::string::npos);
  EXPECT_NE(html.find("From the client&#39;s evidence alone"), std::string::npos);
  EXPECT_NE(html.find("With the server&#39;s events"), std::string::npos);
  EXPECT_NE(html.find("Next checks"), std::string::npos);
  EXPECT_NE(html.find("ceslab.evidence/1"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<script"), 1u);
}

TEST(HtmlPages, TheDiagnosisPageHasARowPerCandidate) {
  const std::vector<ScenarioResult> results = testing::real_results();
  ASSERT_TRUE(results[0].record && results[0].record->with_server_events);
  const diagnosis::Diagnosis& d = *results[0].record->with_server_events;
  ASSERT_FALSE(d.candidates.empty());
  const std::string html =
      diagnosis_page(d, {{"<evil>.xml", "soap_fault", {"fault <code>", "x & y"}}});
  EXPECT_EQ(occurrences(html, "<tr data-row>"), d.candidates.size());
  EXPECT_NE(html.find("&lt;evil&gt;.xml"), std::string::npos);
  EXPECT_NE(html.find("fault &lt;code&gt;"), std::string::npos);
  EXPECT_NE(html.find(d.verdict), std::string::npos);
  EXPECT_EQ(occurrences(html, "<script"), 1u);
}

TEST(HtmlPages, TheBenchPageHasTheHistogramThroughputAndEscapedCauses) {
  const load::LoadReport r = testing::bench_report();
  ASSERT_EQ(r.per_second.size(), 5u);
  const std::string html = bench_page(r, {"https://ces/<x>", "User", "username"});
  EXPECT_EQ(occurrences(html, "<svg"), 2u);
  EXPECT_EQ(occurrences(html, "<tr data-row>"), r.per_second.size());
  EXPECT_NE(html.find("Latency histogram"), std::string::npos);
  EXPECT_NE(html.find("&lt;i&gt;The template needs an e-mail&lt;/i&gt;"), std::string::npos);
  EXPECT_NE(html.find("https://ces/&lt;x&gt;"), std::string::npos);
  EXPECT_EQ(occurrences(html, "<script"), 1u);
  // Every latency is counted in one bar of the histogram: 30 requests.
  static const std::regex bar(R"(<title>[^<]*: ([0-9]+) requests</title>)");
  int counted = 0;
  for (std::sregex_iterator it(html.begin(), html.end(), bar), end; it != end; ++it) {
    counted += std::stoi((*it)[1].str());
  }
  EXPECT_EQ(counted, 30);
}

}  // namespace
}  // namespace ceslab::report
