// SPDX-License-Identifier: GPL-2.0-or-later
// certreq / certutil / CertEnroll console output: codes in every form Windows
// prints become certreq's one form; URLs, command lines and connection-level
// codes fill endpoint, auth, operation, transport and HTTP status.
#include "ceslab/diagnosis/inputs.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "inputs_test_support.hpp"

namespace ceslab::diagnosis {
namespace {

using testing::all_facts;
using testing::has_fact;
using testing::read_fixture;

TEST(InputClientText, CertreqThroughAPolicyServer) {
  const auto r = read_fixture("text/certreq_email.txt");
  const core::Evidence& e = r.evidence;
  ASSERT_EQ(e.messages.size(), 2u);
  EXPECT_EQ(e.messages[0],
            "Certificate Request Processor: A message containing a fault was received from the "
            "remote endpoint. 0x803d0013 (-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)");
  EXPECT_EQ(e.messages[1],
            "The EMail name is unavailable and cannot be added to the Subject or Subject Alternate "
            "name. 0x80094812 (-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED)");
  EXPECT_EQ(e.operation, core::Operation::enroll);
  EXPECT_EQ(e.endpoint, "https://ces.lab.test/ADPolicyProvider_CEP_Kerberos/service.svc/CEP");
  EXPECT_EQ(e.auth, core::AuthMode::kerberos);
  // A fault was received: not a transport failure, no invented fault record.
  EXPECT_FALSE(e.transport);
  EXPECT_FALSE(e.fault);
  EXPECT_TRUE(has_fact(r.parsed.facts,
                       "client message 0x80094812 -2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED"))
      << all_facts(r.parsed.facts);
}

TEST(InputClientText, EveryFormOfACodeIsNormalised) {
  const auto r = read_fixture("text/codes_every_form.txt");
  const std::vector<std::string> expected = {
      "Certificate Request Processor: A message containing a fault was received from the remote "
      "endpoint. 0x803d0013 (-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)",
      "Access is denied. 0x80070005 (WIN32: 5 ERROR_ACCESS_DENIED)",
      "Error: 0x80094012 (-2146877422 CERTSRV_E_TEMPLATE_DENIED)",
      "Status: 0x80094800 (-2146875392 CERTSRV_E_UNSUPPORTED_CERT_TYPE)",
      "ErrorCode: 0x8009480f (-2146875377 CERTSRV_E_SUBJECT_DNS_REQUIRED)",
      "CertUtil: 0x8009480d (-2146875379 CERTSRV_E_SUBJECT_UPN_REQUIRED)",
      "Certificate not issued (Denied) Denied by Policy Module, The public key does not meet the "
      "minimum size required by the specified certificate template. 0x80094811 (-2146875375 "
      "CERTSRV_E_KEY_LENGTH)",
  };
  // The GUID, the request id and the date on the last line are not codes.
  EXPECT_EQ(r.evidence.messages, expected);
}

TEST(InputClientText, ALineThatIsOnlyACodeGetsWindowsText) {
  core::Evidence e = empty_evidence();
  read_input("x.txt", "0x80094012\n-2146875374\nCERTSRV_E_TEMPLATE_DENIED 0x80094012\n", {}, e);
  ASSERT_EQ(e.messages.size(), 2u);
  EXPECT_EQ(e.messages[0],
            "The permissions on the certificate template do not allow the current user to enroll "
            "for this type of certificate. 0x80094012 (-2146877422 CERTSRV_E_TEMPLATE_DENIED)");
  EXPECT_NE(e.messages[1].find("0x80094812 (-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED)"),
            std::string::npos);
}

TEST(InputClientText, UnknownCodeInCertreqFormIsKeptOthersAreNot) {
  core::Evidence e = empty_evidence();
  read_input(
      "x.txt",
      "Weird failure. 0x8badf00d (-1951535091)\n"
      "trace id 8badf00d, counter -1951535091, GUID {9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d}\n",
      {}, e);
  ASSERT_EQ(e.messages.size(), 1u);
  EXPECT_EQ(e.messages[0], "Weird failure. 0x8badf00d (-1951535091)");
}

TEST(InputClientText, UntrustedRootIsATransportFailure) {
  const auto r = read_fixture("text/certreq_tls_untrusted.txt");
  ASSERT_TRUE(r.evidence.transport);
  EXPECT_EQ(r.evidence.transport->kind, core::TransportErrorKind::tls_untrusted);
  EXPECT_NE(r.evidence.transport->message.find("CERT_E_UNTRUSTEDROOT"), std::string::npos);
  EXPECT_FALSE(r.evidence.http);
}

TEST(InputClientText, ExpiredCertificateInsideAFaultIsNotTls) {
  core::Evidence e = empty_evidence();
  read_input("renew.txt",
             "A message containing a fault was received from the remote endpoint. 0x803d0013 "
             "(-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)\r\n"
             "A required certificate is not within its validity period when verifying against the "
             "current system clock or the timestamp in the signed file. 0x800b0101 (-2146762495 "
             "CERT_E_EXPIRED)\r\n",
             {}, e);
  EXPECT_FALSE(e.transport);
  EXPECT_EQ(e.messages.size(), 2u);
}

TEST(InputClientText, HttpStatusCodeGivesTheStatus) {
  const auto r = read_fixture("text/certreq_http_401.txt");
  ASSERT_TRUE(r.evidence.http);
  EXPECT_EQ(r.evidence.http->status, 401);
  EXPECT_TRUE(has_fact(r.parsed.facts, "HTTP 401 (from 0x80190191)"));
}

TEST(InputClientText, GetCertificateRenewalOnACertificateEndpoint) {
  const auto r = read_fixture("text/get_certificate_renew.txt");
  EXPECT_EQ(r.evidence.operation, core::Operation::renew);
  EXPECT_EQ(r.evidence.auth, core::AuthMode::certificate);
  EXPECT_EQ(r.evidence.endpoint,
            "https://ces.lab.test/Lab%20Issuing%20CA_CES_Certificate/service.svc/CES");
  ASSERT_EQ(r.evidence.messages.size(), 1u);
  EXPECT_NE(r.evidence.messages[0].find("0x803d0013 (-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)"),
            std::string::npos);
}

TEST(InputClientText, CertreqPendingIsNotAFailure) {
  core::Evidence e = empty_evidence();
  const ParsedInput p = read_input("pending.txt",
                                   "RequestId: 62\r\nRequestId: \"62\"\r\nCertificate request is "
                                   "pending: Taken Under Submission (0)\r\n",
                                   {}, e);
  EXPECT_EQ(e.outcome, core::Outcome::pending);
  ASSERT_TRUE(e.response);
  EXPECT_EQ(e.response->disposition, "Taken Under Submission");
  EXPECT_EQ(e.response->request_id, "62");
  EXPECT_FALSE(e.response->certificate);
  EXPECT_TRUE(e.messages.empty());
  EXPECT_EQ(std::count(p.facts.begin(), p.facts.end(), "CA RequestId 62"), 1);
}

TEST(InputClientText, CertreqRetrieveCommand) {
  core::Evidence e = empty_evidence();
  read_input("retrieve.txt",
             "C:\\>certreq -retrieve -config \"https://ces.lab.test/Lab%20Issuing%20CA_CES_"
             "UsernamePassword/service.svc/CES\" 62\r\n"
             "Certificate Request Processor: The request was denied by a certificate manager or CA "
             "administrator. 0x80094014 (-2146877420 CERTSRV_E_ADMIN_DENIED_REQUEST)\r\n",
             {}, e);
  EXPECT_EQ(e.operation, core::Operation::retrieve);
  EXPECT_EQ(e.auth, core::AuthMode::username);
}

// A UsernamePassword application names what the endpoint takes; whether the
// client sent a user name and password is the command line's to say.
TEST(InputClientText, CertreqQuietWithoutUsernameSentNoCredentials) {
  const std::string failure =
      "Certificate Request Processor: The input data was not in the expected format or did not "
      "have the expected value. 0x803d0000 (-2143485952 WS_E_INVALID_FORMAT)\r\n";
  const std::string url =
      "\"https://ces.lab.test/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP\"";
  core::Evidence quiet = empty_evidence();
  const auto p = read_input(
      "quiet.txt", "C:\\>certreq -enroll -user -q -PolicyServer " + url + " User\r\n" + failure, {},
      quiet);
  EXPECT_EQ(quiet.auth, core::AuthMode::anonymous);
  EXPECT_TRUE(has_fact(p.facts, "auth anonymous (certreq -q without -username"))
      << all_facts(p.facts);

  core::Evidence given = empty_evidence();
  read_input("given.txt",
             "C:\\>certreq -enroll -user -q -PolicyServer " + url +
                 " User -username LAB\\alice -p *\r\n" + failure,
             {}, given);
  EXPECT_EQ(given.auth, core::AuthMode::username);

  core::Evidence anonymous = empty_evidence();
  read_input("anonymous.txt",
             "C:\\>certreq -enroll -user -PolicyServer " + url + " User -anonymous\r\n" + failure,
             {}, anonymous);
  EXPECT_EQ(anonymous.auth, core::AuthMode::anonymous);

  // The CES URL printed later is the endpoint; the run's command line still
  // says how the credentials were given.
  core::Evidence later = empty_evidence();
  read_input("later.txt",
             "C:\\>certreq -enroll -user -q -PolicyServer " + url +
                 " User -username LAB\\alice -p *\r\n"
                 "Enrollment server: https://ces.lab.test/Lab%20Issuing%20CA_CES_UsernamePassword/"
                 "service.svc/CES\r\n" +
                 failure,
             {}, later);
  EXPECT_EQ(later.endpoint,
            "https://ces.lab.test/Lab%20Issuing%20CA_CES_UsernamePassword/service.svc/CES");
  EXPECT_EQ(later.auth, core::AuthMode::username);
}

TEST(InputClientText, AUsernamePasswordUrlOutsideACommandLineLeavesAuthUnknown) {
  core::Evidence e = empty_evidence();
  read_input("policy-server.txt",
             "Url : https://ces.lab.test/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP\r\n"
             "Certificate enrollment failed. 0x803d0000 (-2143485952 WS_E_INVALID_FORMAT)\r\n",
             InputType::client_text, e);
  EXPECT_EQ(e.endpoint,
            "https://ces.lab.test/ADPolicyProvider_CEP_UsernamePassword/service.svc/CEP");
  EXPECT_EQ(e.auth, std::nullopt);
  // Kerberos and Certificate endpoints say how the client authenticated.
  core::Evidence k = empty_evidence();
  read_input("listing.txt",
             "Url : https://ces.lab.test/ADPolicyProvider_CEP_Kerberos/service.svc/CEP\r\n",
             InputType::client_text, k);
  EXPECT_EQ(k.auth, core::AuthMode::kerberos);
}

}  // namespace
}  // namespace ceslab::diagnosis
