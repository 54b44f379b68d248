// SPDX-License-Identifier: GPL-2.0-or-later
// The throw-away realm as the Kerberos lab uses it: real tickets from a real
// krb5kdc, whose flags come from the principals' attributes.
#include "ceslab/kdc/kdc_lab.hpp"

#include <gtest/gtest.h>
#include <krb5/krb5.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <vector>

namespace ceslab::kdc {
namespace {

// One realm for the whole program, as a run shares one KDC.
class KdcLabTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    KdcOptions options;
    options.principals = {
        {"alice", "alice-password", {}},
        {"bob", "bob-password", {"-allow_forwardable"}},  // "cannot be delegated"
        {"carol", "carol-password", {"-allow_tix"}},      // disabled
        {"HTTP/ces.lab.test", std::nullopt, {"+ok_as_delegate"}},
        {"HTTP/plain.lab.test", std::nullopt, {}},
    };
    lab_ = KdcLab::start(std::move(options)).release();
    std::cout << "KDC start-up: " << lab_->startup_time().count() << " ms\n";
    // libkrb5 reads its configuration from the environment; this test
    // program talks to one realm only.
    setenv("KRB5_CONFIG", lab_->krb5_conf().c_str(), 1);
  }
  static void TearDownTestSuite() {
    delete lab_;
    lab_ = nullptr;
  }

  struct Context {
    Context() { EXPECT_EQ(krb5_init_context(&ctx), 0); }
    ~Context() { krb5_free_context(ctx); }
    krb5_context ctx = nullptr;
  };

  // kinit with a password; returns the error code, fills `flags` on success.
  static krb5_error_code tgt(const std::string& user, const std::string& password,
                             krb5_flags* flags) {
    Context c;
    krb5_principal client = nullptr;
    krb5_parse_name(c.ctx, user.c_str(), &client);
    krb5_get_init_creds_opt* opt = nullptr;
    krb5_get_init_creds_opt_alloc(c.ctx, &opt);
    krb5_get_init_creds_opt_set_forwardable(opt, 1);  // ask as Windows does
    krb5_creds creds{};
    const krb5_error_code rc = krb5_get_init_creds_password(c.ctx, &creds, client, password.c_str(),
                                                            nullptr, nullptr, 0, nullptr, opt);
    if (rc == 0) {
      *flags = creds.ticket_flags;
      krb5_free_cred_contents(c.ctx, &creds);
    }
    krb5_get_init_creds_opt_free(c.ctx, opt);
    krb5_free_principal(c.ctx, client);
    return rc;
  }

  // alice's service ticket for `service`; returns its flags.
  static krb5_flags service_ticket_flags(const std::string& service) {
    Context c;
    krb5_ccache cache = nullptr;
    EXPECT_EQ(krb5_cc_new_unique(c.ctx, "MEMORY", nullptr, &cache), 0);
    krb5_principal client = nullptr;
    krb5_parse_name(c.ctx, "alice", &client);
    krb5_get_init_creds_opt* opt = nullptr;
    krb5_get_init_creds_opt_alloc(c.ctx, &opt);
    krb5_get_init_creds_opt_set_forwardable(opt, 1);
    krb5_creds tgt{};
    EXPECT_EQ(krb5_get_init_creds_password(c.ctx, &tgt, client, "alice-password", nullptr, nullptr,
                                           0, nullptr, opt),
              0);
    krb5_cc_initialize(c.ctx, cache, client);
    krb5_cc_store_cred(c.ctx, cache, &tgt);
    krb5_creds in{};
    in.client = client;
    krb5_parse_name(c.ctx, service.c_str(), &in.server);
    krb5_creds* out = nullptr;
    const krb5_error_code rc = krb5_get_credentials(c.ctx, 0, cache, &in, &out);
    EXPECT_EQ(rc, 0) << krb5_get_error_message(c.ctx, rc);
    const krb5_flags flags = out ? out->ticket_flags : 0;
    if (out) krb5_free_creds(c.ctx, out);
    krb5_free_principal(c.ctx, in.server);
    krb5_free_cred_contents(c.ctx, &tgt);
    krb5_get_init_creds_opt_free(c.ctx, opt);
    krb5_free_principal(c.ctx, client);
    krb5_cc_destroy(c.ctx, cache);
    return flags;
  }

  static KdcLab* lab_;
};
KdcLab* KdcLabTest::lab_ = nullptr;

TEST_F(KdcLabTest, AnOrdinaryUserGetsAForwardableTgt) {
  krb5_flags flags = 0;
  ASSERT_EQ(tgt("alice", "alice-password", &flags), 0);
  EXPECT_TRUE(flags & TKT_FLG_FORWARDABLE);
  EXPECT_TRUE(flags & TKT_FLG_INITIAL);
}

TEST_F(KdcLabTest, AUserThatCannotBeDelegatedGetsNoForwardableTgt) {
  krb5_flags flags = 0;
  ASSERT_EQ(tgt("bob", "bob-password", &flags), 0);
  EXPECT_FALSE(flags & TKT_FLG_FORWARDABLE);
}

// MIT answers -allow_tix with KDC_ERR_CLIENT_REVOKED, the error an AD KDC
// gives for a disabled account (RFC 4120 7.5.9 code 18).
TEST_F(KdcLabTest, ADisabledUserGetsNoTicket) {
  krb5_flags flags = 0;
  EXPECT_EQ(tgt("carol", "carol-password", &flags), KRB5KDC_ERR_CLIENT_REVOKED);
}

TEST_F(KdcLabTest, AWrongPasswordIsRefused) {
  krb5_flags flags = 0;
  const krb5_error_code rc = tgt("alice", "wrong", &flags);
  EXPECT_TRUE(rc == KRB5KDC_ERR_PREAUTH_FAILED || rc == KRB5KRB_AP_ERR_BAD_INTEGRITY) << rc;
}

TEST_F(KdcLabTest, OkAsDelegateFollowsTheServicePrincipal) {
  EXPECT_TRUE(service_ticket_flags("HTTP/ces.lab.test") & TKT_FLG_OK_AS_DELEGATE);
  EXPECT_FALSE(service_ticket_flags("HTTP/plain.lab.test") & TKT_FLG_OK_AS_DELEGATE);
}

TEST_F(KdcLabTest, AServiceKeytabHoldsItsKeys) {
  const std::filesystem::path keytab = lab_->export_keytab("HTTP/ces.lab.test");
  ASSERT_TRUE(std::filesystem::exists(keytab));
  Context c;
  krb5_keytab kt = nullptr;
  ASSERT_EQ(krb5_kt_resolve(c.ctx, ("FILE:" + keytab.string()).c_str(), &kt), 0);
  krb5_principal service = nullptr;
  krb5_parse_name(c.ctx, "HTTP/ces.lab.test", &service);
  krb5_keytab_entry entry{};
  EXPECT_EQ(krb5_kt_get_entry(c.ctx, kt, service, 0, 0, &entry), 0);
  krb5_free_keytab_entry_contents(c.ctx, &entry);
  krb5_free_principal(c.ctx, service);
  krb5_kt_close(c.ctx, kt);
}

TEST_F(KdcLabTest, AttributesCanChangeWhileTheKdcRuns) {
  lab_->add_principal({"dave", "dave-password", {}});
  krb5_flags flags = 0;
  ASSERT_EQ(tgt("dave", "dave-password", &flags), 0);
  EXPECT_TRUE(flags & TKT_FLG_FORWARDABLE);
  lab_->modify_principal("dave", {"-allow_forwardable"});
  ASSERT_EQ(tgt("dave", "dave-password", &flags), 0);
  EXPECT_FALSE(flags & TKT_FLG_FORWARDABLE);
}

TEST_F(KdcLabTest, ABadPrincipalNameIsAnErrorNamingIt) {
  try {
    lab_->add_principal({"alice", "again", {}});  // exists already
    FAIL() << "a duplicate principal was accepted";
  } catch (const KdcError& e) {
    EXPECT_NE(std::string(e.what()).find("addprinc alice"), std::string::npos) << e.what();
  }
}

TEST(KdcLabLifetime, StoppingRemovesTheKdcAndItsFiles) {
  auto lab = KdcLab::start({});
  const std::uint16_t port = lab->port();
  const std::filesystem::path dir = lab->directory();
  EXPECT_TRUE(loopback_accepts_tcp(port));
  EXPECT_TRUE(std::filesystem::exists(dir / "principal"));
  lab.reset();
  EXPECT_FALSE(loopback_accepts_tcp(port));
  EXPECT_FALSE(std::filesystem::exists(dir));
}

// The pids of running processes whose environment names this realm's kdc.conf.
std::vector<int> kdc_processes(const std::filesystem::path& dir) {
  const std::string needle = "KRB5_KDC_PROFILE=" + (dir / "kdc.conf").string();
  std::vector<int> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream env(entry.path() / "environ");
    std::string var;
    while (std::getline(env, var, '\0')) {
      if (var == needle) pids.push_back(std::stoi(name));
    }
  }
  return pids;
}

// SigBlk of /proc/PID/status: the signals the process blocks, as hex.
std::string blocked_signals(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("SigBlk:", 0) == 0) return line.substr(line.find_first_not_of(" \t", 7));
  }
  return "";
}

// serve and run block their stop signals for sigwait before they start the
// KDC; the KDC must not inherit that mask, or SIGTERM (from the lab's stop
// or as the parent-death signal) would not end it.
TEST(KdcLabLifetime, TheKdcDoesNotInheritBlockedStopSignals) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);
  auto lab = KdcLab::start({});
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  const std::filesystem::path dir = lab->directory();
  const std::vector<int> pids = kdc_processes(dir);
  ASSERT_EQ(pids.size(), 1u);
  EXPECT_EQ(blocked_signals(pids[0]), "0000000000000000");
  lab.reset();
  EXPECT_TRUE(kdc_processes(dir).empty());
}

}  // namespace
}  // namespace ceslab::kdc
