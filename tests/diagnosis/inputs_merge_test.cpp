// SPDX-License-Identifier: GPL-2.0-or-later
// Evidence JSON in, and several inputs into one record: nothing overwritten,
// conflicts said, duplicates dropped.
#include "ceslab/diagnosis/inputs.hpp"

#include <gtest/gtest.h>

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
  EXPECT_EQ(r.evidence.auth, core::AuthMethod::username);
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
  EXPECT_EQ(e.auth, core::AuthMethod::kerberos);
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

}  // namespace
}  // namespace ceslab::diagnosis
