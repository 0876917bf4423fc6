#include <gtest/gtest.h>

#include "auth/rate_limiter.hpp"

using namespace st::auth;
using namespace std::chrono_literals;

TEST(RateLimiter, BurstThenOnePerInterval) {
  RateLimiter rl(3, 6000ms);
  auto t0 = RateLimiter::Clock::now();
  EXPECT_TRUE(rl.take("a", t0).allowed);
  EXPECT_TRUE(rl.take("a", t0).allowed);
  EXPECT_TRUE(rl.take("a", t0).allowed);
  auto d = rl.take("a", t0);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 6);
  EXPECT_TRUE(rl.take("b", t0).allowed) << "keys are independent";
  EXPECT_FALSE(rl.take("a", t0 + 3s).allowed);
  EXPECT_TRUE(rl.take("a", t0 + 6s).allowed);
  EXPECT_FALSE(rl.take("a", t0 + 6s).allowed);
}

TEST(RateLimiter, RetryAfterCountsDownAndIsNeverZero) {
  RateLimiter rl(1, 6000ms);
  auto t0 = RateLimiter::Clock::now();
  EXPECT_TRUE(rl.take("k", t0).allowed);
  EXPECT_EQ(rl.take("k", t0 + 1s).retry_after_seconds, 5);
  EXPECT_EQ(rl.take("k", t0 + 5900ms).retry_after_seconds, 1);
}

TEST(RateLimiter, MemoryIsBounded) {
  RateLimiter rl(2, 1000ms, 100);
  auto t0 = RateLimiter::Clock::now();
  for (int i = 0; i < 10'000; ++i) rl.take("ip" + std::to_string(i), t0);
  // Still works, and a fresh key gets its full burst.
  EXPECT_TRUE(rl.take("fresh", t0).allowed);
  EXPECT_TRUE(rl.take("fresh", t0).allowed);
  EXPECT_FALSE(rl.take("fresh", t0).allowed);
}

TEST(RateLimiter, PeekTellsWithoutTaking) {
  RateLimiter rl(2, 6000ms);
  auto t0 = RateLimiter::Clock::now();
  EXPECT_TRUE(rl.peek("a", t0).allowed) << "an unknown key has its burst";
  EXPECT_TRUE(rl.peek("a", t0).allowed);
  EXPECT_TRUE(rl.take("a", t0).allowed);
  EXPECT_TRUE(rl.peek("a", t0).allowed);
  EXPECT_TRUE(rl.take("a", t0).allowed);
  auto d = rl.peek("a", t0);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.retry_after_seconds, 6);
  EXPECT_TRUE(rl.peek("a", t0 + 6s).allowed);
  EXPECT_TRUE(rl.take("a", t0 + 6s).allowed);
}
