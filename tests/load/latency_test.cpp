// SPDX-License-Identifier: GPL-2.0-or-later
// Latency percentiles are exact nearest-rank values of the samples.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "ceslab/load/latency.hpp"

namespace {

using ceslab::load::Duration;
using ceslab::load::percentile;
using ceslab::load::summarize;
using std::chrono::milliseconds;

TEST(Latency, NoSamplesHaveNoSummary) {
  EXPECT_FALSE(summarize({}).has_value());
}

TEST(Latency, OneSampleIsEveryPercentile) {
  const auto s = summarize({milliseconds(7)});
  ASSERT_TRUE(s);
  EXPECT_EQ(s->count, 1u);
  for (Duration d : {s->min, s->mean, s->p50, s->p90, s->p99, s->max})
    EXPECT_EQ(d, milliseconds(7));
}

TEST(Latency, OneToAHundredGivesTheNearestRanks) {
  // 1..100 ms in a shuffled order: the p-th percentile of 100 samples is the
  // p-th smallest.
  std::vector<Duration> samples;
  for (int i = 1; i <= 100; ++i) samples.push_back(milliseconds(i));
  std::shuffle(samples.begin(), samples.end(), std::mt19937(17));
  const auto s = summarize(samples);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->count, 100u);
  EXPECT_EQ(s->min, milliseconds(1));
  EXPECT_EQ(s->p50, milliseconds(50));
  EXPECT_EQ(s->p90, milliseconds(90));
  EXPECT_EQ(s->p99, milliseconds(99));
  EXPECT_EQ(s->max, milliseconds(100));
  EXPECT_EQ(s->mean, std::chrono::microseconds(50500));
}

TEST(Latency, TheTailIsNotAveragedAway) {
  // 98 fast requests and two slow ones: p99 is a slow one, p90 a fast one.
  std::vector<Duration> samples(98, milliseconds(2));
  samples.push_back(milliseconds(900));
  samples.push_back(milliseconds(1000));
  const auto s = summarize(samples);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->p50, milliseconds(2));
  EXPECT_EQ(s->p90, milliseconds(2));
  EXPECT_EQ(s->p99, milliseconds(900));
  EXPECT_EQ(s->max, milliseconds(1000));
}

TEST(Latency, PercentileRefusesNothingAndOutOfRange) {
  EXPECT_THROW(percentile({}, 50), std::invalid_argument);
  EXPECT_THROW(percentile({milliseconds(1)}, 0), std::invalid_argument);
  EXPECT_THROW(percentile({milliseconds(1)}, 101), std::invalid_argument);
  EXPECT_EQ(percentile({milliseconds(1), milliseconds(2), milliseconds(3)}, 100), milliseconds(3));
}

}  // namespace
