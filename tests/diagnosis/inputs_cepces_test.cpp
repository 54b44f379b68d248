// SPDX-License-Identifier: GPL-2.0-or-later
// cepces / certmonger logs: the SOAPFault line, the DEBUG envelope, HTTP,
// TLS and GSS-API errors, and the service endpoint with its auth class.
#include "ceslab/diagnosis/inputs.hpp"

#include <gtest/gtest.h>

#include "inputs_test_support.hpp"

namespace ceslab::diagnosis {
namespace {

using testing::all_facts;
using testing::has_fact;
using testing::read_fixture;

TEST(InputCepces, SoapFaultLineGivesReasonAndCode) {
  const auto r = read_fixture("cepces/soapfault_access_denied.log");
  EXPECT_EQ(r.parsed.type, InputType::cepces_log);
  ASSERT_TRUE(r.evidence.fault);
  const core::EnrollmentFault& f = r.evidence.fault->fault;
  EXPECT_EQ(f.reason, "Access is denied.");
  EXPECT_EQ(f.code, "Receiver");
  EXPECT_FALSE(f.subcode);
  EXPECT_FALSE(f.error_code);  // cepces does not log the Detail
  EXPECT_EQ(r.evidence.endpoint,
            "https://ces.lab.test/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES");
  EXPECT_EQ(r.evidence.auth, core::AuthMode::kerberos);
  ASSERT_EQ(r.evidence.messages.size(), 1u);
  EXPECT_EQ(r.evidence.messages[0], "Access is denied. (Code: s:Receiver; Subcode: None)");
  EXPECT_TRUE(has_fact(r.parsed.facts, "does not log the fault's Detail"))
      << all_facts(r.parsed.facts);
}

TEST(InputCepces, DebugEnvelopeGivesTheWholeFault) {
  const auto r = read_fixture("cepces/debug_received_fault.log");
  ASSERT_TRUE(r.evidence.fault);
  const core::EnrollmentFault& f = r.evidence.fault->fault;
  EXPECT_EQ(f.kind, core::FaultKind::enrollment_detail);
  EXPECT_EQ(f.reason, "The EncodingType is invalid.");
  EXPECT_EQ(f.error_code, -2147024809);
  EXPECT_EQ(f.invalid_request, false);
  EXPECT_FALSE(f.request_id);
  EXPECT_TRUE(has_fact(r.parsed.facts, "fault ErrorCode -2147024809 ERROR_INVALID_PARAMETER") ||
              has_fact(r.parsed.facts, "fault ErrorCode -2147024809 E_INVALIDARG"))
      << all_facts(r.parsed.facts);
}

TEST(InputCepces, JournalHttp401) {
  const auto r = read_fixture("cepces/journal_http_401.txt");
  ASSERT_TRUE(r.evidence.http);
  EXPECT_EQ(r.evidence.http->status, 401);
  EXPECT_EQ(r.evidence.http->reason, "Unauthorized");
  EXPECT_FALSE(r.evidence.fault);
  EXPECT_EQ(r.evidence.endpoint,
            "https://ces.lab.test/ADPolicyProvider_CEP_Kerberos/service.svc/CEP");
  EXPECT_EQ(r.evidence.auth, core::AuthMode::kerberos);
}

TEST(InputCepces, SslVerificationFailure) {
  const auto r = read_fixture("cepces/ssl_untrusted.log");
  ASSERT_TRUE(r.evidence.transport);
  EXPECT_EQ(r.evidence.transport->kind, core::TransportErrorKind::tls_untrusted);
  EXPECT_EQ(r.evidence.tls.verify_result, 20);  // X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY
  EXPECT_EQ(r.evidence.tls.verify_text, "unable to get local issuer certificate");
}

TEST(InputCepces, GssClockSkew) {
  const auto r = read_fixture("cepces/gss_clock_skew.log");
  EXPECT_EQ(r.evidence.kerberos.gss_major, 851968u);
  EXPECT_EQ(r.evidence.kerberos.gss_minor, 2529638949u);
  ASSERT_TRUE(r.evidence.kerberos.gss_text);
  EXPECT_NE(r.evidence.kerberos.gss_text->find("Clock skew too great"), std::string::npos);
}

TEST(InputCepces, HostnameMismatchAndRefusedConnection) {
  core::Evidence e = empty_evidence();
  read_input("a.log",
             "requests.exceptions.SSLError: HTTPSConnectionPool(host='pki.lab.test', port=443): "
             "Max retries exceeded with url: /ADPolicyProvider_CEP_Kerberos/service.svc/CEP "
             "(Caused by SSLError(SSLCertVerificationError(1, \"[SSL: CERTIFICATE_VERIFY_FAILED] "
             "certificate verify failed: Hostname mismatch, certificate is not valid for "
             "'pki.lab.test'. (_ssl.c:1006)\")))\n",
             InputType::cepces_log, e);
  ASSERT_TRUE(e.transport);
  EXPECT_EQ(e.transport->kind, core::TransportErrorKind::tls_name_mismatch);
  EXPECT_EQ(e.tls.verify_result, 62);

  core::Evidence c = empty_evidence();
  read_input("b.log",
             "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='ces.lab.test', "
             "port=443): Max retries exceeded with url: /x (Caused by "
             "NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f>: Failed to "
             "establish a new connection: [Errno 111] Connection refused'))\n",
             InputType::cepces_log, c);
  ASSERT_TRUE(c.transport);
  EXPECT_EQ(c.transport->kind, core::TransportErrorKind::connect_refused);
}

// The lines before the final error are evidence too: requests-gssapi logs the
// GSS-API status when it cannot make a token, then the run ends with the
// server's 401 or a fault.
TEST(InputCepces, AGssStatusBeforeTheFinalHttpErrorIsKept) {
  const auto r = read_fixture("cepces/gss_principal_unknown_then_http_401.log");
  ASSERT_TRUE(r.evidence.http);
  EXPECT_EQ(r.evidence.http->status, 401);
  EXPECT_EQ(r.evidence.kerberos.gss_major, 851968u);
  EXPECT_EQ(r.evidence.kerberos.gss_minor, 2529638919u);  // KRB5KDC_ERR_S_PRINCIPAL_UNKNOWN
  ASSERT_TRUE(r.evidence.kerberos.gss_text);
  EXPECT_NE(r.evidence.kerberos.gss_text->find("Server not found in Kerberos database"),
            std::string::npos);
}

TEST(InputCepces, AGssStatusBeforeTheFinalSoapFaultIsKept) {
  const auto r = read_fixture("cepces/gss_no_credentials_then_soapfault.log");
  ASSERT_TRUE(r.evidence.fault);
  EXPECT_EQ(r.evidence.kerberos.gss_major, 458752u);  // GSS_S_NO_CRED
  EXPECT_EQ(r.evidence.kerberos.gss_minor, 39756044u);
  ASSERT_TRUE(r.evidence.kerberos.gss_text);
  EXPECT_NE(r.evidence.kerberos.gss_text->find("No Kerberos credentials available"),
            std::string::npos);
}

TEST(InputCepces, AWarningQuotingOnlyTheMinorTextFillsTheGssText) {
  core::Evidence e = empty_evidence();
  read_input("w.log",
             "2026-11-26 03:10:57,090 cepces.krb5.core:WARNING:Clock skew too great while "
             "getting initial credentials\n"
             "2026-11-26 03:10:57,101 __main__:ERROR:cepces.soap.service.SOAPFault: Access is "
             "denied. (Code: s:Receiver; Subcode: None)\n",
             InputType::cepces_log, e);
  ASSERT_TRUE(e.fault);
  ASSERT_TRUE(e.kerberos.gss_text);
  EXPECT_EQ(e.kerberos.gss_text->rfind("Clock skew too great", 0), 0u);
  EXPECT_FALSE(e.kerberos.gss_minor);  // the line gave no number
}

TEST(InputCepces, UnrelatedLogIsAnInputError) {
  core::Evidence e = empty_evidence();
  EXPECT_THROW(read_input("x.log", "certmonger[12]: started\n", InputType::cepces_log, e),
               InputError);
}

// A DEBUG message pasted pretty-printed (the logger name wrapped onto the
// next line, the bytes literal over many lines) is still the whole fault.
TEST(InputCepces, PrettyPrintedReceivedMessageSpanningLines) {
  const auto r = read_fixture("cepces/debug_received_pretty_printed.log");
  EXPECT_EQ(r.parsed.type, InputType::cepces_log);
  ASSERT_TRUE(r.evidence.fault) << all_facts(r.parsed.facts);
  EXPECT_EQ(r.evidence.fault->fault.error_code, -2146875374);
  EXPECT_EQ(r.evidence.fault->fault.request_id, "17");
}

// One quoted certmonger line with only Python's ssl text, no exception name.
TEST(InputCepces, QuotedSslLineWithoutTheExceptionName) {
  const auto r = read_fixture("cepces/ssl_hostname_mismatch_quoted.txt");
  EXPECT_EQ(r.parsed.type, InputType::cepces_log);
  ASSERT_TRUE(r.evidence.transport) << all_facts(r.parsed.facts);
  EXPECT_EQ(r.evidence.transport->kind, core::TransportErrorKind::tls_name_mismatch);
}

}  // namespace
}  // namespace ceslab::diagnosis
