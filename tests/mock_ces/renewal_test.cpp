// SPDX-License-Identifier: GPL-2.0-or-later
// Renewal signed by the old certificate, and key-based renewal on a
// Certificate + RenewalOnly instance, over real TLS: the success paths and
// each world setting of docs/causes.md that breaks them, with the wire fault and
// the event the Windows host logs.
#include <gtest/gtest.h>

#include <algorithm>

#include "ceslab/core/ca.hpp"
#include "ceslab/core/x509.hpp"
#include "ceslab/mock/lab_ca.hpp"
#include "lab_fixture.hpp"

namespace ceslab::mock {
namespace {

using testing::enroll_alice;
using testing::first_message;
using testing::kAlice;
using testing::TempDir;
using testing::tls_for;

using testing::tmpl;

std::optional<Event> find_event(const std::vector<Event>& events, const std::string& key) {
  const auto it =
      std::find_if(events.begin(), events.end(), [&](const Event& e) { return e.key == key; });
  if (it == events.end()) return std::nullopt;
  return *it;
}

// A certificate issued directly by the lab CA (or by `issuer`), for the
// cases a client cannot get through enrollment: expired, unmapped, foreign.
struct Credential {
  core::X509Ptr certificate;
  core::EvpPkeyPtr key;
};
Credential make_credential(const core::CertificateAuthority& issuer, const std::string& subject,
                           std::vector<std::string> upns, std::chrono::hours age = {},
                           std::chrono::hours validity = std::chrono::hours(24 * 30)) {
  Credential c;
  c.key = core::generate_key(core::KeySpec::parse("ecdsa-p256"));
  core::IssueOptions options;
  options.subject = subject;
  options.san.upn = std::move(upns);
  options.validity = validity;
  if (age.count() != 0) options.not_before = std::chrono::system_clock::now() - age;
  options.template_ref = core::TemplateRef{"User", "", 0, 0};
  c.certificate = issuer.issue(c.key.get(), options);
  return c;
}

client::RenewRequest renewal_of(const client::EnrollResult& old, const std::string& url) {
  client::RenewRequest r;
  r.url = url;
  r.old_certificate = core::share(old.certificate.get());
  r.old_key = core::share(old.key.get());
  return r;
}

// ---- renewal on the UsernamePassword endpoint ------------------------------

class Renewal : public ::testing::Test {
 protected:
  void SetUp() override {
    MockOptions options;
    options.state_dir = state_.path();
    server_ = std::make_unique<MockServer>(std::move(options));
    server_->start();
    url_ = server_->endpoint_url(core::Service::ces, core::AuthMode::username);
  }
  // The lab CA itself, opened on the server's state dir (same key pair).
  LabCa lab_ca() { return LabCa::open(state_.path(), server_->world().ca); }

  TempDir state_;
  std::unique_ptr<MockServer> server_;
  std::string url_;
};

TEST_F(Renewal, CmcSignedByTheOldCertificateIsIssuedForItsTemplate) {
  const client::EnrollResult old = enroll_alice(*server_);
  ASSERT_EQ(old.status, client::EnrollStatus::issued) << first_message(old);
  client::RenewRequest r = renewal_of(old, url_);
  r.new_key = core::KeySpec::parse("rsa2048");
  r.credentials.username = kAlice;
  const client::EnrollResult renewed = client::renew(r, tls_for(*server_));
  ASSERT_EQ(renewed.status, client::EnrollStatus::issued) << first_message(renewed);
  const core::CertificateInfo before = core::describe(old.certificate.get());
  const core::CertificateInfo after = core::describe(renewed.certificate.get());
  // No template was named: the CA took the old certificate's.
  ASSERT_TRUE(after.template_ref);
  EXPECT_EQ(after.template_ref->name, "User");
  EXPECT_EQ(after.subject, before.subject);
  EXPECT_NE(after.serial_hex, before.serial_hex);
  EXPECT_TRUE(core::certificate_matches_key(renewed.certificate.get(), renewed.key.get()));
  EXPECT_FALSE(core::certificate_matches_key(renewed.certificate.get(), old.key.get()));
}

TEST_F(Renewal, Pkcs7WithTheSameKeyIsIssued) {
  const client::EnrollResult old = enroll_alice(*server_);
  ASSERT_EQ(old.status, client::EnrollStatus::issued) << first_message(old);
  client::RenewRequest r = renewal_of(old, url_);
  r.pkcs7 = true;
  r.credentials.username = kAlice;
  const client::EnrollResult renewed = client::renew(r, tls_for(*server_));
  ASSERT_EQ(renewed.status, client::EnrollStatus::issued) << first_message(renewed);
  EXPECT_TRUE(core::certificate_matches_key(renewed.certificate.get(), old.key.get()));
}

// docs/causes.md renewal_cert_invalid: expired, foreign, or a renewal attribute
// that names another certificate. The CA assigns an id and denies.
void expect_renewal_denied(const client::EnrollResult& r, std::uint32_t hresult,
                           const MockServer& server) {
  ASSERT_TRUE(r.fault) << first_message(r);
  EXPECT_EQ(r.fault->error_code, static_cast<std::int32_t>(hresult));
  EXPECT_EQ(r.fault->reason, "Denied by Policy Module");
  EXPECT_EQ(r.fault->invalid_request, true);
  ASSERT_TRUE(r.fault->request_id);
  const std::optional<Event> e = find_event(server.events().events(), "ca_request_denied");
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("request " + *r.fault->request_id + " because"), std::string::npos);
}

TEST_F(Renewal, ExpiredCertificateIsCertExpired) {
  Credential expired =
      make_credential(lab_ca().authority(), "CN=alice,CN=Users,DC=lab,DC=test", {"alice@lab.test"},
                      std::chrono::hours(24 * 10), std::chrono::hours(24));
  client::RenewRequest r;
  r.url = url_;
  r.old_certificate = std::move(expired.certificate);
  r.old_key = std::move(expired.key);
  r.credentials.username = kAlice;
  expect_renewal_denied(client::renew(r, tls_for(*server_)), 0x800B0101, *server_);
}

TEST_F(Renewal, CertificateOfAnotherCaIsRefused) {
  Credential foreign =
      make_credential(testing::make_ca("CN=Somebody Else CA"), "CN=alice", {"alice@lab.test"});
  client::RenewRequest r;
  r.url = url_;
  r.old_certificate = std::move(foreign.certificate);
  r.old_key = std::move(foreign.key);
  r.credentials.username = kAlice;
  expect_renewal_denied(client::renew(r, tls_for(*server_)), 0x8009400E, *server_);
}

// ---- key-based renewal ------------------------------------------------------

// The KBR lab: a Certificate + RenewalOnly + AllowKeyBasedRenewal instance,
// the CA flag set, and the User template allowing key-based renewal.
World kbr_world() {
  World w = default_world();
  w.ces.endpoints.push_back({core::AuthMode::certificate, true, true});
  w.ca.edit_flags.insert("EDITF_ENABLERENEWONBEHALFOF");
  tmpl(w, "User").key_based_renewal = true;
  return w;
}

class KeyBasedRenewal : public ::testing::Test {
 protected:
  void start(World world) {
    MockOptions options;
    options.world = std::move(world);
    options.state_dir = state_.path();
    server_ = std::make_unique<MockServer>(std::move(options));
    server_->start();
  }
  std::string kbr_url() const {
    return server_->endpoint_url(core::Service::ces, core::AuthMode::certificate);
  }
  // Renew `old` on the KBR endpoint, authenticating with `tls_cert` (by
  // default the old certificate itself, as Windows does).
  client::EnrollResult renew(const Credential& old, const Credential* tls_cert = nullptr) {
    client::RenewRequest r;
    r.url = kbr_url();
    r.old_certificate = core::share(old.certificate.get());
    r.old_key = core::share(old.key.get());
    r.new_key = core::KeySpec::parse("ecdsa-p256");
    client::TlsSettings tls = tls_for(*server_);
    const Credential& client = tls_cert ? *tls_cert : old;
    tls.client_certificate = core::share(client.certificate.get());
    tls.client_key = core::share(client.key.get());
    return client::renew(r, tls);
  }
  Credential alice_certificate() {
    client::EnrollResult r = enroll_alice(*server_);
    EXPECT_EQ(r.status, client::EnrollStatus::issued) << first_message(r);
    return {std::move(r.certificate), std::move(r.key)};
  }
  LabCa lab_ca() { return LabCa::open(state_.path(), server_->world().ca); }

  TempDir state_;
  std::unique_ptr<MockServer> server_;
};

TEST_F(KeyBasedRenewal, RenewsOnBehalfOfTheSubjectWithSubjectAndSanCopied) {
  start(kbr_world());
  const Credential old = alice_certificate();
  const client::EnrollResult renewed = renew(old);
  ASSERT_EQ(renewed.status, client::EnrollStatus::issued) << first_message(renewed);
  const core::CertificateInfo before = core::describe(old.certificate.get());
  const core::CertificateInfo after = core::describe(renewed.certificate.get());
  EXPECT_EQ(after.subject, before.subject);
  EXPECT_EQ(after.san.upn, before.san.upn);
  EXPECT_EQ(after.san.email, before.san.email);
  const auto row = lab_ca().store().find(std::stoll(renewed.request_id));
  ASSERT_TRUE(row);
  EXPECT_EQ(row->requester, "LAB\\svc-ces");  // the CES app pool, on alice's behalf
  EXPECT_EQ(row->template_name, "User");
}

TEST_F(KeyBasedRenewal, CertificateNeedNotMapToAnAccount) {
  start(kbr_world());
  const Credential ghost = make_credential(lab_ca().authority(), "CN=ghost.lab.test", {});
  const client::EnrollResult renewed = renew(ghost);
  ASSERT_EQ(renewed.status, client::EnrollStatus::issued) << first_message(renewed);
  EXPECT_EQ(core::describe(renewed.certificate.get()).subject, "CN=ghost.lab.test");
}

TEST_F(KeyBasedRenewal, CaWithoutRenewOnBehalfOfLogsEvent9AndDenies) {
  World w = kbr_world();
  w.ca.edit_flags.erase("EDITF_ENABLERENEWONBEHALFOF");
  start(std::move(w));
  const client::EnrollResult r = renew(alice_certificate());
  ASSERT_TRUE(r.fault) << first_message(r);
  EXPECT_EQ(r.fault->error_code, static_cast<std::int32_t>(0x80094806u));
  EXPECT_EQ(r.fault->reason, "Denied by Policy Module");
  EXPECT_EQ(r.fault->invalid_request, true);
  EXPECT_TRUE(r.fault->request_id);
  const std::optional<Event> e9 =
      find_event(server_->events().events(), "ces_ca_renew_on_behalf_of_disabled");
  ASSERT_TRUE(e9);
  EXPECT_EQ(e9->id, 9);
  EXPECT_EQ(e9->source, "Microsoft-Windows-EnrollmentWebService");
  EXPECT_EQ(e9->host, "ces.lab.test");
  EXPECT_NE(e9->message.find("\"Lab Issuing CA\""), std::string::npos) << e9->message;
  EXPECT_NE(e9->message.find("+EDITF_ENABLERENEWONBEHALFOF"), std::string::npos);
}

TEST_F(KeyBasedRenewal, AppPoolWithoutCaReadLogsEvent8AndIsAccessDenied) {
  World w = kbr_world();
  // Read only for admins: the CES app pool account cannot read the CA.
  w.ca.acl = {{"Authenticated Users", {"request"}, {}},
              {"Domain Admins", {"read", "request", "manage_ca"}, {}}};
  start(std::move(w));
  const client::EnrollResult r = renew(alice_certificate());
  ASSERT_TRUE(r.fault) << first_message(r);
  EXPECT_EQ(r.fault->error_code, static_cast<std::int32_t>(0x80070005u));
  EXPECT_EQ(r.fault->reason, "Access is denied.");
  EXPECT_EQ(r.fault->invalid_request, false);
  EXPECT_FALSE(r.fault->request_id);
  const std::optional<Event> e8 =
      find_event(server_->events().events(), "ces_cannot_read_ca_config");
  ASSERT_TRUE(e8);
  EXPECT_EQ(e8->id, 8);
  EXPECT_EQ(e8->level, "Error");
  EXPECT_NE(e8->message.find("Grant Read permission"), std::string::npos) << e8->message;
  EXPECT_FALSE(find_event(server_->events().events(), "ca_request_denied"));
}

TEST_F(KeyBasedRenewal, TemplateWithoutKeyBasedRenewalIsBadRenewalSubject) {
  World w = kbr_world();
  tmpl(w, "User").key_based_renewal = false;
  start(std::move(w));
  const client::EnrollResult r = renew(alice_certificate());
  ASSERT_TRUE(r.fault) << first_message(r);
  EXPECT_EQ(r.fault->error_code, static_cast<std::int32_t>(0x80094806u));
  EXPECT_TRUE(r.fault->request_id);
}

TEST_F(KeyBasedRenewal, TlsCertificateOtherThanTheRenewedOneIsRefused) {
  start(kbr_world());
  const Credential old = alice_certificate();
  const Credential other = alice_certificate();
  const client::EnrollResult r = renew(old, &other);
  ASSERT_TRUE(r.fault) << first_message(r);
  EXPECT_EQ(r.fault->error_code, static_cast<std::int32_t>(0x8009400Eu));
}

TEST_F(KeyBasedRenewal, NewRequestOnTheRenewalOnlyInstanceLogsEvent6) {
  start(kbr_world());
  const Credential old = alice_certificate();
  client::EnrollRequest request;
  request.url = kbr_url();
  request.template_name = "User";
  request.key = core::KeySpec::parse("ecdsa-p256");
  client::TlsSettings tls = tls_for(*server_);
  tls.client_certificate = core::share(old.certificate.get());
  tls.client_key = core::share(old.key.get());
  const client::EnrollResult r = client::enroll(request, tls);
  ASSERT_TRUE(r.fault) << first_message(r);
  EXPECT_EQ(r.fault->error_code, static_cast<std::int32_t>(0x80070057u));
  EXPECT_EQ(r.fault->reason, "This CES instance only accepts renewal requests.");
  EXPECT_EQ(r.fault->invalid_request, false);
  const std::optional<Event> e6 =
      find_event(server_->events().events(), "ces_renewal_only_new_request");
  ASSERT_TRUE(e6);
  EXPECT_EQ(e6->id, 6);
  EXPECT_NE(e6->message.find("CN=alice"), std::string::npos) << e6->message;
}

}  // namespace
}  // namespace ceslab::mock
