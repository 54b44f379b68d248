// SPDX-License-Identifier: GPL-2.0-or-later
// The rate limit: a token bucket, checked on time points the test chooses.
#include <gtest/gtest.h>

#include "ceslab/load/token_bucket.hpp"

namespace {

using ceslab::load::TokenBucket;
using std::chrono::milliseconds;
using time_point = TokenBucket::time_point;

const time_point t0{};

TEST(TokenBucket, BurstOneSpacesRequestsEvenly) {
  // 10 per second: asked all at once, the slots are 100 ms apart.
  TokenBucket bucket(10, 1, t0);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(bucket.reserve(t0), t0 + milliseconds(100 * i)) << i;
}

TEST(TokenBucket, ALaterRequestFindsTheTokenThere) {
  TokenBucket bucket(10, 1, t0);
  EXPECT_EQ(bucket.reserve(t0), t0);
  EXPECT_EQ(bucket.reserve(t0 + milliseconds(250)), t0 + milliseconds(250));
  // Idle time does not bank more than the burst: the next one waits 100 ms.
  EXPECT_EQ(bucket.reserve(t0 + milliseconds(250)), t0 + milliseconds(350));
}

TEST(TokenBucket, ABurstIsTakenAtOnceThenTheRate) {
  TokenBucket bucket(4, 3, t0);
  EXPECT_EQ(bucket.reserve(t0), t0);
  EXPECT_EQ(bucket.reserve(t0), t0);
  EXPECT_EQ(bucket.reserve(t0), t0);
  EXPECT_EQ(bucket.reserve(t0), t0 + milliseconds(250));
}

TEST(TokenBucket, RefusesARateOrBurstThatCannotWork) {
  EXPECT_THROW(TokenBucket(0, 1, t0), std::invalid_argument);
  EXPECT_THROW(TokenBucket(-1, 1, t0), std::invalid_argument);
  EXPECT_THROW(TokenBucket(5, 0.5, t0), std::invalid_argument);
}

}  // namespace
