#include "mappers/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sippet {
namespace {

RateLimitOptions PerSecond(int n) {
  RateLimitOptions o;
  o.requests_per_window = n;
  o.window_ms = 1000;
  return o;
}

int Drain(RateLimiter* rl, int64_t now) {
  int granted = 0;
  while (rl->TryAcquire(now).granted) {
    rl->Release();
    ++granted;
  }
  return granted;
}

TEST(RateLimiterTest, TokenBucketAllowsABurstThenRefillsEvenly) {
  RateLimiter rl(PerSecond(10));
  EXPECT_EQ(Drain(&rl, 0), 10);
  RateLimiter::Admission refused = rl.TryAcquire(0);
  EXPECT_FALSE(refused.granted);
  EXPECT_EQ(refused.wait_ms, 100);  // one token per 100 ms
  EXPECT_EQ(Drain(&rl, 99), 0);
  EXPECT_EQ(Drain(&rl, 100), 1);
  EXPECT_EQ(Drain(&rl, 550), 4);
  EXPECT_EQ(Drain(&rl, 60'000), 10);  // never more than the bucket holds
}

TEST(RateLimiterTest, MaxConcurrencyCountsRequestsInFlight) {
  RateLimitOptions o;
  o.max_concurrency = 2;
  RateLimiter rl(o);
  EXPECT_TRUE(rl.TryAcquire(0).granted);
  EXPECT_TRUE(rl.TryAcquire(0).granted);
  RateLimiter::Admission a = rl.TryAcquire(0);
  EXPECT_FALSE(a.granted);
  EXPECT_EQ(a.wait_ms, 0);  // wait for a release, not for time
  rl.Release();
  EXPECT_TRUE(rl.TryAcquire(0).granted);
  EXPECT_EQ(rl.in_flight(), 2);
}

TEST(RateLimiterTest, ResponseHeadersCorrectTheLocalBudget) {
  struct Case {
    const char* name;
    HttpHeaders headers;
    RateLimitOptions::ResetFormat format;
    int granted_now;
    int64_t blocked_until;  // first time a request is granted again (-1: not blocked)
  } cases[] = {
      {"remaining caps the bucket", {{"X-HubSpot-RateLimit-Remaining", "3"}},
       RateLimitOptions::ResetFormat::kDeltaSeconds, 3, -1},
      {"remaining 0 blocks until reset (seconds)",
       {{"x-rate-limit-remaining", "0"}, {"RateLimit-Reset", "7"}},
       RateLimitOptions::ResetFormat::kDeltaSeconds, 0, 7000},
      {"reset as epoch seconds", {{"X-Rate-Limit-Remaining", "0"}, {"ratelimit-reset", "1005"}},
       RateLimitOptions::ResetFormat::kUnixSeconds, 0, 5000},
      {"reset in milliseconds", {{"X-Rate-Limit-Remaining", "0"}, {"ratelimit-reset", "250"}},
       RateLimitOptions::ResetFormat::kDeltaMilliseconds, 0, 250},
      {"remaining 0 without reset blocks one window", {{"X-Rate-Limit-Remaining", "0"}},
       RateLimitOptions::ResetFormat::kDeltaSeconds, 0, 1000},
      {"garbage ignored", {{"X-Rate-Limit-Remaining", "lots"}},
       RateLimitOptions::ResetFormat::kDeltaSeconds, 100, -1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    RateLimitOptions o = PerSecond(100);
    o.remaining_header = c.headers[0].first == "X-HubSpot-RateLimit-Remaining"
                             ? "X-HubSpot-RateLimit-Remaining"
                             : "X-Rate-Limit-Remaining";  // matched case-insensitively
    o.reset_header = "ratelimit-reset";
    o.reset_format = c.format;
    RateLimiter rl(o);
    rl.UpdateFromHeaders(c.headers, 0, 1000);
    EXPECT_EQ(Drain(&rl, 0), c.granted_now);
    if (c.blocked_until > 0) {
      RateLimiter::Admission a = rl.TryAcquire(0);
      EXPECT_EQ(a.wait_ms, c.blocked_until);
      EXPECT_FALSE(rl.TryAcquire(c.blocked_until - 1).granted);
      EXPECT_TRUE(rl.TryAcquire(c.blocked_until).granted);
    }
  }
}

TEST(RateLimiterTest, BlockForHoldsEveryone) {
  RateLimiter rl(PerSecond(100));
  rl.BlockFor(30'000, 10);
  EXPECT_EQ(rl.TryAcquire(20).wait_ms, 29'990);
  EXPECT_TRUE(rl.TryAcquire(30'010).granted);
}

TEST(RateLimiterTest, ConcurrentCallersNeverExceedTheBudget) {
  RateLimiter rl(PerSecond(50));
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        if (rl.TryAcquire(0).granted) {
          granted++;
          rl.Release();
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 50);
  EXPECT_EQ(rl.in_flight(), 0);
}

}  // namespace
}  // namespace sippet
