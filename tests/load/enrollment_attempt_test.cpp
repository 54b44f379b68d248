// SPDX-License-Identifier: GPL-2.0-or-later
// Load runs of real enrollments against the mock on loopback: issued ones
// are counted, failed ones grouped under the cause the diagnosis engine
// names from the client's evidence.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "ceslab/load/enrollment_attempt.hpp"
#include "ceslab/load/load_run.hpp"
#include "mock_ces/lab_fixture.hpp"

namespace {

using ceslab::client::UsernameAuthenticator;
using ceslab::core::AuthMode;
using ceslab::core::KeySpec;
using ceslab::core::Service;
using ceslab::load::enrollment_attempt;
using ceslab::load::EnrollmentTarget;
using ceslab::load::KeyPool;
using ceslab::load::LoadPlan;
using ceslab::load::LoadReport;
using ceslab::load::run_load;
using ceslab::load::SteadyLoadClock;

// `count` enrollments at `server` for `template_name` by alice with
// `password`, two at a time.
LoadReport run_at(const ceslab::mock::MockServer& server, const std::string& template_name,
                  const std::string& password, std::uint64_t count) {
  const UsernameAuthenticator auth({"alice", password});
  EnrollmentTarget target;
  target.url = server.endpoint_url(Service::ces, AuthMode::username);
  target.template_name = template_name;
  target.auth = &auth;
  target.tls = ceslab::mock::testing::tls_for(server);
  const KeyPool keys(KeySpec::parse("ecdsa-p256"), 2);
  LoadPlan plan;
  plan.concurrency = 2;
  plan.count = count;
  SteadyLoadClock clock;
  return run_load(plan, enrollment_attempt(target, keys), clock);
}

class EnrollmentLoad : public ceslab::mock::testing::SharedLab<EnrollmentLoad> {};

TEST_F(EnrollmentLoad, EveryEnrollmentIsIssuedWithKeysFromThePool) {
  const LoadReport r = run_at(*server_, "User", "alice-password", 6);
  EXPECT_EQ(r.counts.issued, 6u);
  EXPECT_EQ(r.counts.failed, 0u);
  EXPECT_TRUE(r.causes.empty());
  ASSERT_TRUE(r.latency);
  EXPECT_LE(r.latency->p50, r.latency->p90);
  EXPECT_LE(r.latency->p90, r.latency->p99);
  EXPECT_LE(r.latency->p99, r.latency->max);
}

// A run sets up its TLS context, trust anchors included, once
// (docs/performance.md): attempts made after the anchor file is gone still
// verify the server and enroll.
TEST_F(EnrollmentLoad, ARunReadsItsTrustAnchorsOnce) {
  const ceslab::mock::testing::TempDir dir;
  const std::filesystem::path anchors = dir.path() / "anchors.pem";
  const UsernameAuthenticator auth({"alice", "alice-password"});
  EnrollmentTarget target;
  target.url = server_->endpoint_url(Service::ces, AuthMode::username);
  target.template_name = "User";
  target.auth = &auth;
  target.tls = ceslab::mock::testing::tls_for(*server_);
  ASSERT_EQ(target.tls.ca_files.size(), 1u);
  std::filesystem::copy_file(target.tls.ca_files.front(), anchors);
  target.tls.ca_files = {anchors.string()};
  const KeyPool keys(KeySpec::parse("ecdsa-p256"), 1);
  const ceslab::load::Attempt attempt = enrollment_attempt(target, keys);
  std::filesystem::remove(anchors);
  for (std::uint64_t i = 0; i < 2; ++i) {
    const ceslab::load::AttemptResult r = attempt(i);
    EXPECT_EQ(r.status, ceslab::load::AttemptStatus::issued) << r.message;
  }
}

TEST_F(EnrollmentLoad, AWrongPasswordIsGroupedWithTheCausesItCannotBeToldFrom) {
  // InvalidSecurity alone does not tell a wrong password from a clock skew
  // (scenarios/causes/username_password_rejected.yaml, client_only): the
  // engine says unknown, and the group keeps both candidates.
  const LoadReport r = run_at(*server_, "User", "not-alice-password", 4);
  EXPECT_EQ(r.counts.failed, 4u);
  ASSERT_EQ(r.causes.size(), 1u);
  EXPECT_EQ(r.causes[0].cause, "unknown");
  const std::vector<std::string> tied = r.causes[0].tied;
  EXPECT_NE(std::find(tied.begin(), tied.end(), "username_password_rejected"), tied.end());
  EXPECT_EQ(r.causes[0].count, 4u);
  EXPECT_FALSE(r.causes[0].title.empty());
  EXPECT_FALSE(r.causes[0].example.empty());
}

// Domain Users may read the User template but not enroll for it
// (scenarios/causes/template_enroll_denied.yaml).
class DeniedLoad : public ceslab::mock::testing::SharedLab<DeniedLoad> {
 public:
  static ceslab::mock::MockOptions lab_options() {
    ceslab::mock::MockOptions o;
    o.world = ceslab::mock::parse_world(
        "world:\n"
        "  templates:\n"
        "    - name: User\n"
        "      acl:\n"
        "        - { principal: Domain Users, allow: [read] }\n",
        "denied lab");
    return o;
  }
};

TEST_F(DeniedLoad, ATemplateAliceMayNotEnrollForIsGroupedUnderItsCause) {
  const LoadReport r = run_at(*server_, "User", "alice-password", 3);
  EXPECT_EQ(r.counts.failed, 3u);
  ASSERT_EQ(r.causes.size(), 1u);
  EXPECT_EQ(r.causes[0].cause, "template_enroll_denied");
  EXPECT_TRUE(r.causes[0].tied.empty());
}

TEST(KeyPoolTest, AnEmptyPoolIsRefused) {
  EXPECT_THROW(KeyPool(KeySpec::parse("ecdsa-p256"), 0), std::invalid_argument);
}

TEST(KeyPoolTest, KeysAreUsedInTurn) {
  const KeyPool keys(KeySpec::parse("ecdsa-p256"), 3);
  EXPECT_EQ(keys.key(0), keys.key(3));
  EXPECT_NE(keys.key(0), keys.key(1));
}

}  // namespace
