// SPDX-License-Identifier: GPL-2.0-or-later
// SOAP envelopes and raw HTTP responses: every fault field reaches the record;
// hostile XML is refused, not resolved.
#include "ceslab/diagnosis/inputs.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "inputs_test_support.hpp"

namespace ceslab::diagnosis {
namespace {

using testing::all_facts;
using testing::has_fact;
using testing::read_fixture;

std::string wire(const std::string& name) {
  std::ifstream in(std::filesystem::path(CESLAB_FIXTURES_DIR) / "wire" / name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(InputSoap, CesFaultFillsEveryFaultField) {
  const auto r = read_fixture("soap/fault_email_required.xml");
  EXPECT_EQ(r.parsed.type, InputType::soap_fault);
  ASSERT_TRUE(r.evidence.fault);
  const core::EnrollmentFault& f = r.evidence.fault->fault;
  EXPECT_EQ(f.kind, core::FaultKind::enrollment_detail);
  EXPECT_EQ(f.action, core::uri::kActionEnrollmentFault);
  EXPECT_EQ(f.code, "Receiver");
  EXPECT_FALSE(f.subcode);
  EXPECT_EQ(f.reason, "Denied by Policy Module");
  EXPECT_EQ(f.error_code, -2146875374);
  EXPECT_EQ(f.invalid_request, true);
  EXPECT_EQ(f.request_id, "17");
  EXPECT_FALSE(f.binary_response);
  EXPECT_EQ(r.evidence.outcome, core::Outcome::failed);
  EXPECT_EQ(r.evidence.operation, core::Operation::unknown);
  EXPECT_EQ(r.evidence.auth, std::nullopt);
  const auto& facts = r.parsed.facts;
  EXPECT_TRUE(has_fact(facts, "fault ErrorCode -2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED"))
      << all_facts(facts);
  EXPECT_TRUE(has_fact(facts, "fault Reason 'Denied by Policy Module'"));
  EXPECT_TRUE(has_fact(facts, "fault RequestID 17"));
}

TEST(InputSoap, TheThreeFaultShapesOfTheWire) {
  struct Case {
    const char* file;
    core::FaultKind kind;
    const char* code;
    std::optional<std::string> subcode;
  };
  for (const Case& c : {Case{"fault_wcf_internal.xml", core::FaultKind::wcf_dispatcher, "Receiver",
                             "InternalServiceFault"},
                        Case{"fault_address_filter.xml", core::FaultKind::ws_addressing, "Sender",
                             "DestinationUnreachable"},
                        Case{"fault_restricted_officer.xml", core::FaultKind::enrollment_detail,
                             "Receiver", std::nullopt}}) {
    core::Evidence e = empty_evidence();
    const ParsedInput p = read_input(c.file, wire(c.file), {}, e);
    ASSERT_TRUE(e.fault) << c.file;
    EXPECT_EQ(e.fault->fault.kind, c.kind) << c.file;
    EXPECT_EQ(e.fault->fault.code, c.code) << c.file;
    EXPECT_EQ(e.fault->fault.subcode, c.subcode) << c.file;
  }
  core::Evidence e = empty_evidence();
  const ParsedInput p = read_input("officer.xml", wire("fault_restricted_officer.xml"), {}, e);
  EXPECT_EQ(e.fault->fault.reason, "");
  EXPECT_EQ(e.fault->fault.error_code, -2146877431);
  // The BinaryResponse there is a CMS blob, decoded or explained.
  EXPECT_TRUE(e.fault->fault.binary_response);
  EXPECT_TRUE(e.fault->binary_response_cmc || !e.fault->binary_response_error.empty());
  EXPECT_TRUE(has_fact(p.facts, "fault Reason empty"));
}

TEST(InputSoap, PendingAnswerIsNotAFailure) {
  const auto r = read_fixture("soap/rstrc_pending.xml");
  EXPECT_FALSE(r.evidence.fault);
  ASSERT_TRUE(r.evidence.response);
  EXPECT_EQ(r.evidence.outcome, core::Outcome::pending);
  EXPECT_EQ(r.evidence.response->disposition, "Taken Under Submission");
  EXPECT_EQ(r.evidence.response->request_id, "62");
  EXPECT_FALSE(r.evidence.response->pending_reference.empty());
}

TEST(InputSoap, DoctypeIsRefusedNotResolved) {
  for (const std::string name : {"xxe_system_entity.xml", "billion_laughs.xml"}) {
    core::Evidence e = empty_evidence();
    try {
      read_input(name, wire("bad/" + name), InputType::soap_fault, e);
      ADD_FAILURE() << name;
    } catch (const InputError& error) {
      EXPECT_NE(error.problem().find("document type declaration"), std::string::npos)
          << error.what();
    }
    EXPECT_FALSE(e.fault);
  }
}

TEST(InputSoap, NotAnEnvelopeIsAnInputError) {
  core::Evidence e = empty_evidence();
  try {
    read_input("page.xml", "<html><body>hello</body></html>", InputType::soap_fault, e);
    ADD_FAILURE();
  } catch (const InputError& error) {
    EXPECT_NE(error.problem().find("not a SOAP 1.2 message"), std::string::npos) << error.what();
  }
}

TEST(InputHttp, FaultInsideA500) {
  const auto r = read_fixture("http/500_fault.http");
  EXPECT_EQ(r.parsed.type, InputType::http_response);
  ASSERT_TRUE(r.evidence.http);
  EXPECT_EQ(r.evidence.http->status, 500);
  EXPECT_EQ(r.evidence.http->reason, "Internal Server Error");
  EXPECT_GT(r.evidence.http->body_bytes, 500u);
  ASSERT_TRUE(r.evidence.fault);
  EXPECT_EQ(r.evidence.fault->fault.error_code, -2146875374);
  EXPECT_TRUE(r.evidence.soap_error.empty());
  EXPECT_TRUE(has_fact(r.parsed.facts, "HTTP 500 Internal Server Error"));
  EXPECT_TRUE(has_fact(r.parsed.facts, "Server: Microsoft-IIS/10.0"));
}

TEST(InputHttp, LineEndsWithoutCarriageReturnAreRead) {
  const auto r = read_fixture("http/500_fault_lf.http");
  ASSERT_TRUE(r.evidence.http);
  EXPECT_EQ(r.evidence.http->status, 500);
  ASSERT_TRUE(r.evidence.fault);
  EXPECT_EQ(r.evidence.fault->fault.request_id, "17");
}

TEST(InputHttp, IisChallengeWithoutSoap) {
  const auto r = read_fixture("http/401_negotiate.http");
  ASSERT_TRUE(r.evidence.http);
  EXPECT_EQ(r.evidence.http->status, 401);
  EXPECT_FALSE(r.evidence.fault);
  EXPECT_EQ(r.evidence.soap_error, "the answer is not SOAP (HTTP 401, Content-Type 'text/html')");
  const auto& h = r.evidence.http->headers;
  EXPECT_TRUE(std::any_of(h.begin(), h.end(), [](const core::HttpHeader& x) {
    return x.name == "WWW-Authenticate" && x.value == "Negotiate";
  }));
  EXPECT_TRUE(has_fact(r.parsed.facts, "WWW-Authenticate: Negotiate"));
  EXPECT_TRUE(has_fact(r.parsed.facts, "HTML page '401 - Unauthorized"));
}

TEST(InputHttp, IisNotFoundPage) {
  const auto r = read_fixture("http/404_iis.http");
  EXPECT_EQ(r.evidence.http->status, 404);
  EXPECT_EQ(r.evidence.soap_error, "the answer is not SOAP (HTTP 404, Content-Type 'text/html')");
  EXPECT_TRUE(has_fact(r.parsed.facts, "404 - File or directory not found."));
}

TEST(InputHttp, TokensAndCookiesAreRedacted) {
  const auto r = read_fixture("http/401_negotiate_token_cookie.http");
  for (const core::HttpHeader& h : r.evidence.http->headers) {
    if (h.name == "WWW-Authenticate") {
      EXPECT_EQ(h.value, "Negotiate [redacted]");
    }
    if (h.name == "Set-Cookie") {
      EXPECT_EQ(h.value, "[redacted]");
    }
    EXPECT_EQ(h.value.find("oYG2MIGz"), std::string::npos);
    EXPECT_EQ(h.value.find("SessionId"), std::string::npos);
  }
}

TEST(InputHttp, ARequestIsRefusedWithAReason) {
  core::Evidence e = empty_evidence();
  try {
    read_input_file(testing::input_fixture("http/request_not_response.http"), {}, e);
    ADD_FAILURE();
  } catch (const InputError& error) {
    EXPECT_NE(error.problem().find("is an HTTP request"), std::string::npos) << error.what();
  }
}

TEST(InputHttp, ContentLengthOfAResavedBodyIsForgiven) {
  // An editor that ended the file with a line break the server never sent.
  const std::string raw = testing::fixture_bytes("http/500_fault.http") + "\r\n";
  core::Evidence e = empty_evidence();
  const ParsedInput p = read_input("saved.http", raw, {}, e);
  ASSERT_TRUE(e.http);
  EXPECT_EQ(e.http->status, 500);
  ASSERT_TRUE(e.fault) << all_facts(p.facts);
  EXPECT_EQ(e.fault->fault.error_code, -2146875374);
}

// An edited capture whose body grew past its Content-Length: the parse must
// not stop inside the XML.
TEST(InputHttp, ABodyLongerThanItsContentLengthIsReadWhole) {
  const std::string body = wire("fault_address_filter.xml");
  const std::string raw =
      "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/soap+xml; "
      "charset=utf-8\r\nContent-Length: " +
      std::to_string(body.size() - 100) + "\r\n\r\n" + body;
  core::Evidence e = empty_evidence();
  const ParsedInput p = read_input("edited.http", raw, {}, e);
  ASSERT_TRUE(e.fault) << all_facts(p.facts);
  EXPECT_EQ(e.fault->fault.subcode, "DestinationUnreachable");
  EXPECT_TRUE(has_fact(p.facts, "is shorter than the")) << all_facts(p.facts);
}

TEST(InputHttp, DoctypeInASoapBodyIsRefused) {
  std::string body = wire("bad/xxe_system_entity.xml");
  std::string raw =
      "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/soap+xml; "
      "charset=utf-8\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  core::Evidence e = empty_evidence();
  EXPECT_THROW(read_input("evil.http", raw, {}, e), InputError);
  EXPECT_FALSE(e.http);
}

TEST(InputHttp, GarbageAfterTheStatusLineIsAnInputError) {
  core::Evidence e = empty_evidence();
  EXPECT_THROW(read_input("x.http", "HTTP/1.1 5x0 Oops\r\n\r\n", {}, e), InputError);
}

}  // namespace
}  // namespace ceslab::diagnosis
