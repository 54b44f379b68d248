// SPDX-License-Identifier: GPL-2.0-or-later
// The Kerberos lab end to end: the real client does HTTP Negotiate against
// the mock over TLS, both with tickets from a real MIT KDC on loopback, and
// the mock makes the CES -> CA hop with what the client delegated. Each
// delegation cause of docs/causes.md comes out of principal attributes and
// client behaviour, and the evidence is what the client observed: ticket
// flags read from its ccache, GSS status, whether it delegated.
#include <gtest/gtest.h>

#include <cstdlib>

#include "ceslab/client/auth.hpp"
#include "ceslab/client/enroll.hpp"
#include "ceslab/client/exchange_evidence.hpp"
#include "ceslab/kdc/kdc_lab.hpp"
#include "ceslab/mock/server.hpp"
#include "ceslab/runner/kerberos_lab.hpp"
#include "mock_ces/lab_fixture.hpp"

namespace ceslab::client {
namespace {

using core::AuthMode;
using core::Service;
using mock::Delegation;
using mock::MockServer;
using mock::World;

class KerberosLab : public ::testing::Test {
 protected:
  // One KDC for the suite; each test sets the principals its world needs.
  static void SetUpTestSuite() {
    kdc_ = kdc::KdcLab::start({});
    // MIT reads its configuration from here whenever it creates a context.
    ::setenv("KRB5_CONFIG", kdc_->krb5_conf().c_str(), 1);
    std::cout << "KDC start-up: " << kdc_->startup_time().count() << " ms\n";
  }
  static void TearDownTestSuite() { kdc_.reset(); }

  static World world(Delegation delegation) {
    World w = mock::default_world();
    w.ces.delegation = delegation;
    return w;
  }

  std::unique_ptr<MockServer> serve(const World& w) {
    mock::MockOptions options;
    options.world = w;
    options.kerberos = runner::prepare_kerberos(*kdc_, w);
    auto server = std::make_unique<MockServer>(std::move(options));
    server->start();
    return server;
  }

  static KerberosSettings alice(const World& w) {
    KerberosSettings k;
    k.principal = "alice";
    k.password = "alice-password";
    // The mock listens on 127.0.0.1; the SPN is the CES host's, as in AD.
    k.service = runner::ces_service_principal(w);
    return k;
  }

  // alice on a client with Credential Guard, which never forwards a TGT.
  static KerberosSettings guarded_alice(const World& w) {
    KerberosSettings k = alice(w);
    k.credential_guard = true;
    return k;
  }

  static EnrollResult enroll_with(const MockServer& server, const KerberosSettings& settings) {
    const KerberosAuthenticator auth(settings);
    EnrollRequest request;
    request.url = server.endpoint_url(Service::ces, AuthMode::kerberos);
    request.template_name = "User";
    const CallCredentials c = credentials_for(auth, request.url, mock::testing::tls_for(server));
    request.credentials.http_challenge = c.http_challenge;
    return enroll(request, mock::testing::tls_for(server));
  }

  static Evidence evidence(const EnrollResult& r) {
    return evidence_of(r, Operation::enroll, core::AuthMode::kerberos);
  }

  // docs/causes.md section A: HTTP 500, "Access is denied." 0x80070005, no
  // request id; nothing reached the CA's policy module.
  static void expect_access_denied(const EnrollResult& r, const MockServer& server) {
    ASSERT_EQ(r.status, EnrollStatus::failed) << r.messages.back();
    ASSERT_TRUE(r.fault);
    ASSERT_TRUE(r.call.exchange.response);
    EXPECT_EQ(r.call.exchange.response->status, 500);
    EXPECT_EQ(r.fault->error_code, static_cast<std::int32_t>(0x80070005));
    EXPECT_EQ(r.fault->reason, "Access is denied.");
    EXPECT_EQ(r.fault->invalid_request, false);
    EXPECT_FALSE(r.fault->request_id && !r.fault->request_id->empty());
    for (const auto& e : server.events().events()) {
      EXPECT_NE(e.source, "Microsoft-Windows-CertificationAuthority") << e.message;
    }
  }

  // docs/causes.md http_auth_failed: no ticket for HTTP/<ces> -> the 401 stands.
  static void expect_unauthorized(const EnrollResult& r) {
    ASSERT_EQ(r.status, EnrollStatus::failed);
    ASSERT_TRUE(r.call.exchange.response);
    EXPECT_EQ(r.call.exchange.response->status, 401);
    EXPECT_FALSE(r.call.reply);
    bool negotiate = false;
    for (const auto& h : r.call.exchange.response->headers) {
      negotiate |= h.name == "WWW-Authenticate" && h.value == "Negotiate";
    }
    EXPECT_TRUE(negotiate);
  }

  // The AS exchange failed: no TGT, the 401 stands, and the client kept the
  // KDC's reason.
  static void expect_refused_by_the_kdc(const EnrollResult& r, const std::string& kdc_text) {
    expect_unauthorized(r);
    const Evidence e = evidence(r);
    ASSERT_TRUE(e.kerberos.gss_text);
    EXPECT_NE(e.kerberos.gss_text->find(kdc_text), std::string::npos) << *e.kerberos.gss_text;
    EXPECT_FALSE(e.kerberos.forwardable);  // no TGT at all
  }

  static std::unique_ptr<kdc::KdcLab> kdc_;
};

std::unique_ptr<kdc::KdcLab> KerberosLab::kdc_;

TEST_F(KerberosLab, UnconstrainedDelegationIssuesWithARealDoubleHop) {
  const World w = world(Delegation::unconstrained);
  const auto server = serve(w);
  const EnrollResult r = enroll_with(*server, alice(w));
  ASSERT_EQ(r.status, EnrollStatus::issued) << r.messages.back();
  ASSERT_TRUE(r.call.challenge);  // IIS challenged first
  EXPECT_EQ(r.call.challenge->response->status, 401);
  const Evidence e = evidence(r);
  EXPECT_EQ(e.kerberos.forwardable, true);
  EXPECT_EQ(e.kerberos.ok_as_delegate, true);
  EXPECT_EQ(e.kerberos.delegated, true);
  EXPECT_EQ(e.kerberos.channel_binding, true);
  EXPECT_EQ(e.kerberos.gss_major, 0u);  // mutual authentication completed
}

TEST_F(KerberosLab, ConstrainedDelegationIssuesWithoutForwardingTheTgt) {
  const World w = world(Delegation::constrained_protocol_transition);
  const auto server = serve(w);
  const EnrollResult r = enroll_with(*server, alice(w));
  ASSERT_EQ(r.status, EnrollStatus::issued) << r.messages.back();
  const Evidence e = evidence(r);
  EXPECT_EQ(e.kerberos.forwardable, true);
  EXPECT_EQ(e.kerberos.ok_as_delegate, false);  // not "trusted for delegation to any service"
  EXPECT_EQ(e.kerberos.delegated, false);
}

TEST_F(KerberosLab, UserNotDelegable) {
  World w = world(Delegation::unconstrained);
  w.accounts.front().not_delegable = true;  // alice
  ASSERT_EQ(w.accounts.front().name, "alice");
  const auto server = serve(w);
  const EnrollResult r = enroll_with(*server, alice(w));
  expect_access_denied(r, *server);
  const Evidence e = evidence(r);
  EXPECT_EQ(e.kerberos.forwardable, false);    // the KDC gave a non-forwardable TGT
  EXPECT_EQ(e.kerberos.ok_as_delegate, true);  // the CES is trusted
  EXPECT_EQ(e.kerberos.delegated, false);      // so nothing could be forwarded
}

TEST_F(KerberosLab, UserNotDelegableAlsoFailsConstrainedDelegation) {
  World w = world(Delegation::constrained_protocol_transition);
  w.accounts.front().not_delegable = true;
  const auto server = serve(w);
  expect_access_denied(enroll_with(*server, alice(w)), *server);
}

TEST_F(KerberosLab, CesNotTrustedForDelegation) {
  const World w = world(Delegation::none);
  const auto server = serve(w);
  const EnrollResult r = enroll_with(*server, alice(w));
  expect_access_denied(r, *server);
  const Evidence e = evidence(r);
  EXPECT_EQ(e.kerberos.forwardable, true);
  EXPECT_EQ(e.kerberos.ok_as_delegate, false);  // no O flag on HTTP/<ces>
  EXPECT_EQ(e.kerberos.delegated, false);
}

TEST_F(KerberosLab, CredentialGuardBlocksUnconstrainedDelegation) {
  const World w = world(Delegation::unconstrained);
  const auto server = serve(w);
  const EnrollResult r = enroll_with(*server, guarded_alice(w));
  expect_access_denied(r, *server);
  const Evidence e = evidence(r);
  EXPECT_EQ(e.kerberos.forwardable, true);
  EXPECT_EQ(e.kerberos.ok_as_delegate, true);
  EXPECT_EQ(e.kerberos.delegated, false);  // the client would not forward it
}

TEST_F(KerberosLab, CredentialGuardIsFineWithConstrainedDelegation) {
  const World w = world(Delegation::constrained_protocol_transition);
  const auto server = serve(w);
  const EnrollResult r = enroll_with(*server, guarded_alice(w));
  EXPECT_EQ(r.status, EnrollStatus::issued) << r.messages.back();
}

TEST_F(KerberosLab, HttpAuthFailedWhenTheSpnIsNotRegistered) {
  World w = world(Delegation::unconstrained);
  w.ces.spn = mock::SpnRegistration::missing;
  const auto server = serve(w);
  const EnrollResult r = enroll_with(*server, alice(w));
  expect_unauthorized(r);
  const Evidence e = evidence(r);
  ASSERT_TRUE(e.kerberos.gss_text);
  EXPECT_NE(e.kerberos.gss_text->find("not found in Kerberos database"), std::string::npos)
      << *e.kerberos.gss_text << " major " << e.kerberos.gss_major.value_or(0) << " minor "
      << e.kerberos.gss_minor.value_or(0);
  EXPECT_EQ(e.kerberos.forwardable, true);  // the TGT was fine
  EXPECT_FALSE(e.kerberos.delegated);
  for (const auto& ev : server->events().events()) EXPECT_NE(ev.id, 11) << ev.message;
}

TEST_F(KerberosLab, DuplicateSpnFailsLikeAMissingOneAndTheDcSaysWhy) {
  World w = world(Delegation::unconstrained);
  w.ces.spn = mock::SpnRegistration::duplicate;
  const auto server = serve(w);
  const EnrollResult r = enroll_with(*server, alice(w));
  expect_unauthorized(r);
  bool event11 = false;
  for (const auto& ev : server->events().events()) {
    if (ev.id == 11 && ev.source == "Microsoft-Windows-Kerberos-Key-Distribution-Center") {
      event11 = true;
      EXPECT_EQ(ev.log, "System");
      EXPECT_EQ(ev.host, "dc.lab.test");
      EXPECT_NE(ev.message.find("The duplicate name is HTTP/ces.lab.test"), std::string::npos);
    }
  }
  EXPECT_TRUE(event11);
}

TEST_F(KerberosLab, ClockSkewIsRefusedByTheKdc) {
  const World w = world(Delegation::unconstrained);
  const auto server = serve(w);
  KerberosSettings skewed = alice(w);
  skewed.clock_offset = std::chrono::minutes(10);  // Kerberos allows 5
  expect_refused_by_the_kdc(enroll_with(*server, skewed), "Clock skew too great");
}

TEST_F(KerberosLab, ChannelBindingRequired) {
  World w = world(Delegation::unconstrained);
  w.ces.channel_binding_required = true;
  const auto server = serve(w);
  KerberosSettings old_client = alice(w);
  old_client.channel_binding = false;
  const EnrollResult r = enroll_with(*server, old_client);
  expect_unauthorized(r);
  EXPECT_EQ(evidence(r).kerberos.channel_binding, false);
  // The same client binding its channel, as Windows does, gets through.
  const EnrollResult bound = enroll_with(*server, alice(w));
  EXPECT_EQ(bound.status, EnrollStatus::issued) << bound.messages.back();
  EXPECT_EQ(evidence(bound).kerberos.channel_binding, true);
}

TEST_F(KerberosLab, ExpiredPasswordIsRefusedByTheKdc) {
  World w = world(Delegation::unconstrained);
  w.accounts.front().password_expired = true;  // alice
  const auto server = serve(w);
  // KDC_ERR_KEY_EXPIRED, in MIT's words.
  expect_refused_by_the_kdc(enroll_with(*server, alice(w)), "Password has expired");
  // The same world with the password changed: the KDC serves alice again.
  w.accounts.front().password_expired = false;
  const auto renewed = serve(w);
  EXPECT_EQ(enroll_with(*renewed, alice(w)).status, EnrollStatus::issued);
}

TEST_F(KerberosLab, WrongPasswordGetsNoTicketAndThe401Stands) {
  const World w = world(Delegation::unconstrained);
  const auto server = serve(w);
  KerberosSettings k = alice(w);
  k.password = "wrong";
  const EnrollResult r = enroll_with(*server, k);
  expect_unauthorized(r);
  ASSERT_TRUE(evidence(r).kerberos.gss_text);
}

// One KDC serving worlds in turn: an account of the first world is gone
// when the next world, which does not have it, is prepared.
TEST_F(KerberosLab, APreviousWorldsAccountsLeaveTheKdc) {
  World with_bob = world(Delegation::unconstrained);
  mock::Account bob = with_bob.accounts.front();
  bob.name = "bob";
  bob.password = "bob-password";
  bob.email = "bob@lab.test";
  bob.upn = "bob@lab.test";
  with_bob.accounts.push_back(bob);
  KerberosSettings as_bob = alice(with_bob);
  as_bob.principal = "bob";
  as_bob.password = "bob-password";
  {
    const auto server = serve(with_bob);
    ASSERT_EQ(enroll_with(*server, as_bob).status, EnrollStatus::issued);
  }
  const World without_bob = world(Delegation::unconstrained);
  const auto server = serve(without_bob);
  EXPECT_FALSE(kdc_->has_principal("bob"));
  // The KDC itself no longer knows bob (KDC_ERR_C_PRINCIPAL_UNKNOWN).
  expect_refused_by_the_kdc(enroll_with(*server, as_bob), "not found in Kerberos database");
  EXPECT_EQ(enroll_with(*server, alice(without_bob)).status, EnrollStatus::issued);
}

// The same account with another password in the next world: the KDC takes
// the new one (and only it), and a world that changes nothing is admitted
// without touching the realm.
TEST_F(KerberosLab, TheNextWorldsPasswordReplacesThePreviousOne) {
  World first = world(Delegation::unconstrained);
  {
    const auto server = serve(first);
    ASSERT_EQ(enroll_with(*server, alice(first)).status, EnrollStatus::issued);
  }
  World second = first;
  second.accounts.front().password = "alice-new-password";
  const auto server = serve(second);
  KerberosSettings with_new = alice(second);
  with_new.password = "alice-new-password";
  EXPECT_EQ(enroll_with(*server, with_new).status, EnrollStatus::issued);
  KerberosSettings with_old = alice(second);
  with_old.password = "alice-password";
  expect_refused_by_the_kdc(enroll_with(*server, with_old), "Preauthentication failed");
  // Admitted again unchanged: no kadmin.local at all, the keytabs as they were.
  const auto before = std::filesystem::last_write_time(kdc_->directory() / "principal");
  runner::prepare_kerberos(*kdc_, second);
  EXPECT_EQ(std::filesystem::last_write_time(kdc_->directory() / "principal"), before);
}

// The realm is the world's domain: a world of another domain is refused by
// a KDC of this realm, with both named.
TEST_F(KerberosLab, AWorldOfAnotherRealmIsRefused) {
  World corp = world(Delegation::unconstrained);
  corp.dns_domain = "corp.example";
  corp.netbios_domain = "CORP";
  EXPECT_EQ(corp.kerberos_realm(), "CORP.EXAMPLE");
  try {
    runner::prepare_kerberos(*kdc_, corp);
    FAIL() << "a CORP.EXAMPLE world was prepared in " << kdc_->realm();
  } catch (const kdc::KdcError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("CORP.EXAMPLE"), std::string::npos) << what;
    EXPECT_NE(what.find(kdc_->realm()), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace ceslab::client
