// SPDX-License-Identifier: GPL-2.0-or-later
// The enrollment client against the real mock over loopback TLS.
#include "ceslab/client/enroll.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "ceslab/core/pem.hpp"
#include "ceslab/mock/server.hpp"
#include "mock_ces/lab_fixture.hpp"

namespace ceslab::client {
namespace {

class EnrollTest : public mock::testing::SharedLab<EnrollTest> {
 public:
  static mock::MockOptions lab_options() { return mock::testing::lab_with_bob(); }

 protected:
  static std::string url() {
    return server_->endpoint_url(core::Service::ces, core::AuthMode::username);
  }
  static TlsSettings tls() { return mock::testing::tls_for(*server_); }
  static EnrollRequest request(std::string user, std::string password, std::string tmpl = "User") {
    EnrollRequest r;
    r.url = url();
    r.template_name = std::move(tmpl);
    r.key = core::KeySpec::parse("ecdsa-p256");
    r.credentials.username = UsernameCredentials{std::move(user), std::move(password)};
    return r;
  }
};

TEST_F(EnrollTest, IssuesAUserCertificateThatMatchesTheKeyAndChainsToTheCa) {
  for (RequestWrapping wrapping : {RequestWrapping::cmc, RequestWrapping::pkcs10}) {
    EnrollRequest r = request("alice", "alice-password");
    r.wrapping = wrapping;
    const EnrollResult result = enroll(r, tls());
    ASSERT_EQ(result.status, EnrollStatus::issued)
        << (result.messages.empty() ? "" : result.messages[0]);
    EXPECT_EQ(result.disposition, "Issued");
    EXPECT_FALSE(result.request_id.empty());
    const auto check =
        check_enrollment(result, core::read_certificates_pem(server_->ca_certificate_path()));
    EXPECT_TRUE(check.key_matches);
    EXPECT_TRUE(check.chain.ok) << check.chain.error_text;
    const core::CertificateInfo info = core::describe(result.certificate.get());
    EXPECT_NE(info.subject.find("CN=alice"), std::string::npos) << info.subject;
    EXPECT_EQ(info.san.email, std::vector<std::string>{"alice@lab.test"});
    EXPECT_EQ(info.san.upn, std::vector<std::string>{"alice@lab.test"});
    ASSERT_TRUE(info.template_ref);
    EXPECT_EQ(info.template_ref->name, "User");
    EXPECT_EQ(result.chain.size(), 1u);  // the CA certificate from the CMC response
  }
}

TEST_F(EnrollTest, AcceptsEveryLogonNameForm) {
  for (const char* name : {"LAB\\alice", "alice@lab.test"}) {
    EXPECT_EQ(enroll(request(name, "alice-password"), tls()).status, EnrollStatus::issued) << name;
  }
}

TEST_F(EnrollTest, WebServerTemplateTakesTheSubjectFromTheRequest) {
  EnrollRequest r = request("alice", "alice-password", "WebServer");
  r.subject = "CN=www.lab.test";
  r.san.dns = {"www.lab.test"};
  const EnrollResult result = enroll(r, tls());
  ASSERT_EQ(result.status, EnrollStatus::issued);
  const core::CertificateInfo info = core::describe(result.certificate.get());
  EXPECT_EQ(info.subject, "CN=www.lab.test");
  EXPECT_EQ(info.san.dns, std::vector<std::string>{"www.lab.test"});
  EXPECT_NE(std::find(info.ekus.begin(), info.ekus.end(), "1.3.6.1.5.5.7.3.1"), info.ekus.end());
}

TEST_F(EnrollTest, WritesKeyWithMode0600AndTheCertificates) {
  const EnrollResult result = enroll(request("alice", "alice-password"), tls());
  ASSERT_EQ(result.status, EnrollStatus::issued);
  const auto dir =
      std::filesystem::temp_directory_path() / ("ceslab-enroll-test-" + std::to_string(getpid()));
  write_enrollment(result, dir);
  struct stat st {};
  ASSERT_EQ(stat((dir / "key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_EQ(core::read_certificates_pem(dir / "cert.pem").size(), 1u);
  EXPECT_EQ(core::read_certificates_pem(dir / "chain.pem").size(), 1u);
  std::filesystem::remove_all(dir);
}

TEST_F(EnrollTest, WrongPasswordIsAMessageSecurityFault) {
  const EnrollResult result = enroll(request("alice", "wrong"), tls());
  ASSERT_EQ(result.status, EnrollStatus::failed);
  ASSERT_TRUE(result.fault);
  EXPECT_EQ(result.fault->code, "Sender");
  EXPECT_EQ(result.fault->subcode, "InvalidSecurity");
  EXPECT_EQ(result.fault->reason, "An error occurred when verifying security for the message.");
  EXPECT_FALSE(result.fault->has_detail);
  EXPECT_EQ(result.call.exchange.response->status, 500);
  ASSERT_FALSE(result.messages.empty());
  EXPECT_EQ(result.messages[0],
            "A message containing a fault was received from the remote endpoint. 0x803d0013 "
            "(-2143485933 WS_E_ENDPOINT_FAULT_RECEIVED)");
}

TEST_F(EnrollTest, UnknownTemplateIsDeniedByThePolicyModule) {
  const EnrollResult result = enroll(request("alice", "alice-password", "NoSuchTemplate"), tls());
  ASSERT_TRUE(result.fault);
  EXPECT_EQ(result.fault->kind, core::FaultKind::enrollment_detail);
  EXPECT_EQ(result.fault->reason, "Denied by Policy Module");
  EXPECT_EQ(result.fault->error_code, static_cast<std::int32_t>(0x80094800));
  EXPECT_EQ(result.fault->invalid_request, true);
  EXPECT_TRUE(result.fault->request_id.has_value());
}

TEST_F(EnrollTest, AccountWithoutEmailGetsSubjectEmailRequired) {
  const EnrollResult result = enroll(request("bob", "bob-password"), tls());
  ASSERT_EQ(result.status, EnrollStatus::failed);
  ASSERT_TRUE(result.fault);
  EXPECT_EQ(result.fault->action,
            "http://schemas.microsoft.com/windows/pki/2009/01/enrollment/"
            "RequestSecurityTokenCertificateEnrollmentWSDetailFault");
  EXPECT_EQ(result.fault->error_code, -2146875374);
  EXPECT_EQ(result.fault->invalid_request, true);
  EXPECT_FALSE(result.request_id.empty());
  ASSERT_EQ(result.messages.size(), 2u);
  EXPECT_EQ(result.messages[1],
            "The EMail name is unavailable and cannot be added to the Subject or Subject Alternate "
            "name. 0x80094812 (-2146875374 CERTSRV_E_SUBJECT_EMAIL_REQUIRED)");
}

TEST_F(EnrollTest, WrongUrlGetsIisNotFoundReportedAsInvalidFormat) {
  EnrollRequest r = request("alice", "alice-password");
  r.url = server_->base_url() + "/Lab%20Issuing%20CA_CES_UsernamePasword/service.svc/CES";
  const EnrollResult result = enroll(r, tls());
  ASSERT_EQ(result.status, EnrollStatus::failed);
  EXPECT_FALSE(result.fault);
  EXPECT_EQ(result.call.exchange.response->status, 404);
  ASSERT_FALSE(result.messages.empty());
  EXPECT_NE(result.messages[0].find("0x803d0000 (-2143485952 WS_E_INVALID_FORMAT)"),
            std::string::npos)
      << result.messages[0];
}

TEST_F(EnrollTest, UntrustedServerCertificateStopsBeforeSendingAnything) {
  TlsSettings t;
  t.ca_files = {};  // system store: does not know the lab CA
  const EnrollResult result = enroll(request("alice", "alice-password"), t);
  ASSERT_EQ(result.status, EnrollStatus::failed);
  ASSERT_TRUE(result.call.exchange.error);
  EXPECT_EQ(*result.call.exchange.error, core::TransportErrorKind::tls_untrusted);
  EXPECT_FALSE(result.call.exchange.response);
}

}  // namespace
}  // namespace ceslab::client
