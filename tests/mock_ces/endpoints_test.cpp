// SPDX-License-Identifier: GPL-2.0-or-later
#include "ceslab/mock/endpoints.hpp"

#include <gtest/gtest.h>

namespace ceslab::mock {
namespace {

TEST(Endpoints, MatchingIsCaseInsensitiveAndIgnoresTheQuery) {
  const std::vector<core::AuthMode> served{core::AuthMode::username};
  auto e = match_endpoint("/lab%20issuing%20ca_ces_usernamepassword/SERVICE.SVC/ces?x=1",
                          "Lab Issuing CA", served);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->service, core::Service::ces);
  EXPECT_EQ(e->auth, core::AuthMode::username);
  EXPECT_FALSE(
      match_endpoint("/Lab%20Issuing%20CA_CES_Kerberos/service.svc/CES", "Lab Issuing CA", served));
  EXPECT_FALSE(match_endpoint("/", "Lab Issuing CA", served));
  EXPECT_FALSE(
      match_endpoint("/Other_CES_UsernamePassword/service.svc/CES", "Lab Issuing CA", served));
}

}  // namespace
}  // namespace ceslab::mock
