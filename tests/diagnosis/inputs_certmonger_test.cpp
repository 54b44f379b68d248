// SPDX-License-Identifier: GPL-2.0-or-later
// certmonger's `getcert list`: the request's status says the outcome, and
// its ca-error (what the cepces helper printed) is read as cepces' own text.
#include "ceslab/diagnosis/inputs.hpp"

#include <gtest/gtest.h>

#include "inputs_test_support.hpp"

namespace ceslab::diagnosis {
namespace {

using testing::all_facts;
using testing::has_fact;
using testing::read_fixture;

TEST(InputGetcertList, CaRejectedWithTheSoapFaultText) {
  const auto r = read_fixture("certmonger/ca_rejected_soapfault.txt");
  EXPECT_EQ(r.parsed.type, InputType::getcert_list);
  EXPECT_EQ(r.evidence.outcome, core::Outcome::failed);
  ASSERT_TRUE(r.evidence.fault);
  EXPECT_EQ(r.evidence.fault->fault.reason, "Denied by Policy Module");
  EXPECT_EQ(r.evidence.fault->fault.code, "Receiver");
  EXPECT_FALSE(r.evidence.fault->fault.error_code);  // the ca-error holds no Detail
  ASSERT_EQ(r.evidence.messages.size(), 1u);
  EXPECT_EQ(r.evidence.messages[0], "Denied by Policy Module (Code: s:Receiver; Subcode: None)");
  EXPECT_TRUE(has_fact(r.parsed.facts,
                       "certmonger request 'MachineCertificate': status CA_REJECTED, stuck yes, "
                       "CA cepces, template Machine"))
      << all_facts(r.parsed.facts);
}

TEST(InputGetcertList, CaUnreachableWithAnSslErrorSaysTheTransportKind) {
  const auto r = read_fixture("certmonger/ca_unreachable_ssl.txt");
  ASSERT_TRUE(r.evidence.transport);
  EXPECT_EQ(r.evidence.transport->kind, core::TransportErrorKind::tls_untrusted);
  EXPECT_EQ(r.evidence.tls.verify_result, 20);
  EXPECT_EQ(r.evidence.outcome, core::Outcome::failed);
}

TEST(InputGetcertList, CaUnreachableWithoutTextIsATransportFailureOfUnknownKind) {
  // Two requests: the issued one is not the one the diagnosis is about.
  const auto r = read_fixture("certmonger/ca_unreachable_no_text.txt");
  ASSERT_TRUE(r.evidence.transport);
  EXPECT_EQ(r.evidence.transport->kind, core::TransportErrorKind::protocol);
  EXPECT_EQ(r.evidence.transport->message, "certmonger CA_UNREACHABLE");
  EXPECT_EQ(r.evidence.outcome, core::Outcome::failed);
  EXPECT_TRUE(has_fact(r.parsed.facts, "unknown kind")) << all_facts(r.parsed.facts);
  EXPECT_TRUE(has_fact(r.parsed.facts, "also tracked, not read: 'WebServer' (MONITORING)"))
      << all_facts(r.parsed.facts);
}

TEST(InputGetcertList, MonitoringIsIssued) {
  const auto r = read_fixture("certmonger/monitoring.txt");
  EXPECT_EQ(r.evidence.outcome, core::Outcome::issued);
  EXPECT_FALSE(r.evidence.transport);
  EXPECT_FALSE(r.evidence.fault);
}

TEST(InputGetcertList, NeedToSubmitWithAnHttpError) {
  const auto r = read_fixture("certmonger/need_to_submit_http_401.txt");
  ASSERT_TRUE(r.evidence.http);
  EXPECT_EQ(r.evidence.http->status, 401);
  EXPECT_EQ(r.evidence.endpoint,
            "https://ces.lab.test/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES");
  EXPECT_FALSE(r.evidence.transport);  // the server answered
}

TEST(InputGetcertList, SubmittingWithAGssError) {
  const auto r = read_fixture("certmonger/submitting_gss_clock_skew.txt");
  EXPECT_EQ(r.evidence.kerberos.gss_major, 851968u);
  EXPECT_EQ(r.evidence.kerberos.gss_minor, 2529638949u);
}

TEST(InputGetcertList, ACaErrorInAnotherHelpersWordsIsStillAMessage) {
  // FreeIPA's helper, as in public getcert list outputs.
  core::Evidence e = empty_evidence();
  read_input("ipa.txt",
             "Request ID '20130823131914':\n"
             "\tstatus: CA_REJECTED\n"
             "\tca-error: Server at https://ipa.example.com/ipa/xml denied our request, giving "
             "up: 2100 (Insufficient access).\n"
             "\tstuck: yes\n",
             {}, e);
  EXPECT_EQ(e.outcome, core::Outcome::failed);
  ASSERT_EQ(e.messages.size(), 1u);
  EXPECT_EQ(e.messages[0].rfind("Server at https://ipa.example.com/ipa/xml denied", 0), 0u);
}

TEST(InputGetcertList, IsNotMistakenForOtherFormsNorTheyForIt) {
  EXPECT_EQ(detect_input_type(testing::fixture_bytes("certmonger/ca_rejected_soapfault.txt")),
            InputType::getcert_list);
  for (const char* other :
       {"cepces/soapfault_access_denied.log", "cepces/journal_http_401.txt",
        "events/eventviewer_copy.txt", "klist/mit_ok.txt", "text/certreq_email.txt"}) {
    EXPECT_NE(detect_input_type(testing::fixture_bytes(other)), InputType::getcert_list) << other;
  }
}

TEST(InputGetcertList, NoRequestIsAnInputError) {
  core::Evidence e = empty_evidence();
  try {
    read_input("empty.txt", "Number of certificates and requests being tracked: 0.\n", {}, e);
    ADD_FAILURE();
  } catch (const InputError& error) {
    EXPECT_EQ(error.name(), "empty.txt");
    EXPECT_NE(error.problem().find("no certmonger request"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace ceslab::diagnosis
