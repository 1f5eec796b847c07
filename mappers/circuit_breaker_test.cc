#include "mappers/circuit_breaker.h"

#include <gtest/gtest.h>

namespace sippet {
namespace {

using State = CircuitBreaker::State;

CircuitBreakerOptions Streak(int n) {
  CircuitBreakerOptions o;
  o.consecutive_failures = n;
  o.failure_ratio = 0;  // off
  o.cool_down_ms = 1000;
  return o;
}

TEST(CircuitBreakerTest, OpensAfterConsecutiveFailuresAndRefusesUntilCoolDown) {
  CircuitBreaker cb(Streak(3));
  cb.RecordFailure(0);
  cb.RecordFailure(1);
  cb.RecordSuccess(2);  // resets the streak
  cb.RecordFailure(3);
  cb.RecordFailure(4);
  EXPECT_EQ(cb.state(5), State::kClosed);
  EXPECT_TRUE(cb.Allow(5));
  cb.RecordFailure(5);
  EXPECT_EQ(cb.state(6), State::kOpen);
  EXPECT_FALSE(cb.Allow(6));
  EXPECT_FALSE(cb.Allow(1004));
  EXPECT_EQ(cb.WaitMs(1004), 1);
}

TEST(CircuitBreakerTest, HalfOpenAdmitsExactlyOneProbe) {
  struct Case {
    const char* name;
    OutcomeClass probe_result;
    State after;
  } cases[] = {
      {"success closes", OutcomeClass::kSuccess, State::kClosed},
      {"failure re-opens", OutcomeClass::kRetryable, State::kOpen},
      {"a 4xx proves the target answers", OutcomeClass::kTerminal, State::kClosed},
      {"429 is inconclusive", OutcomeClass::kRateLimited, State::kHalfOpen},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    CircuitBreaker cb(Streak(1));
    cb.RecordFailure(0);
    ASSERT_FALSE(cb.Allow(999));
    EXPECT_EQ(cb.state(1000), State::kHalfOpen);
    ASSERT_TRUE(cb.Allow(1000));   // the probe
    EXPECT_FALSE(cb.Allow(1001));  // nobody else while it is out
    EXPECT_FALSE(cb.Allow(1002));
    cb.Record(c.probe_result, 1010);
    EXPECT_EQ(cb.state(1011), c.after);
  }
}

TEST(CircuitBreakerTest, ReopenedCircuitWaitsAFullCoolDownAgain) {
  CircuitBreaker cb(Streak(1));
  cb.RecordFailure(0);
  ASSERT_TRUE(cb.Allow(1000));
  cb.RecordFailure(1500);
  EXPECT_FALSE(cb.Allow(2499));
  EXPECT_TRUE(cb.Allow(2500));
}

TEST(CircuitBreakerTest, LostProbeIsReplacedAfterAnotherCoolDown) {
  CircuitBreaker cb(Streak(1));
  cb.RecordFailure(0);
  ASSERT_TRUE(cb.Allow(1000));  // the probe's worker dies and never reports
  EXPECT_FALSE(cb.Allow(1999));
  EXPECT_TRUE(cb.Allow(2000));
}

TEST(CircuitBreakerTest, OpensOnFailureRatioWithinAWindow) {
  CircuitBreakerOptions o;
  o.consecutive_failures = 0;  // off
  o.failure_ratio = 0.5;
  o.ratio_min_requests = 10;
  o.window_ms = 10'000;
  CircuitBreaker cb(o);
  // Alternating success/failure: never 2 in a row, but half of all requests fail.
  for (int i = 0; i < 9; ++i) {
    if (i % 2 == 0) cb.RecordFailure(i); else cb.RecordSuccess(i);
  }
  EXPECT_EQ(cb.state(9), State::kClosed);  // 9 < ratio_min_requests
  cb.RecordSuccess(9);                       // 10 results, 5 failures: not yet a failure
  EXPECT_EQ(cb.state(10), State::kClosed);
  cb.RecordFailure(10);  // 11 results, 6 failures
  EXPECT_EQ(cb.state(11), State::kOpen);
}

TEST(CircuitBreakerTest, RatioWindowForgetsOldResults) {
  CircuitBreakerOptions o;
  o.consecutive_failures = 0;
  o.failure_ratio = 0.5;
  o.ratio_min_requests = 4;
  o.window_ms = 1000;
  CircuitBreaker cb(o);
  cb.RecordFailure(0);
  cb.RecordFailure(1);
  cb.RecordSuccess(2);
  cb.RecordFailure(1500);  // new window: 1 result
  EXPECT_EQ(cb.state(1501), State::kClosed);
}

TEST(CircuitBreakerTest, RecordIgnoresOutcomesAboutOneRecord) {
  CircuitBreaker cb(Streak(2));
  for (int i = 0; i < 10; ++i) {
    cb.Record(OutcomeClass::kTerminal, i);  // a poison record does not open the circuit
    cb.Record(OutcomeClass::kRateLimited, i);
    cb.Record(OutcomeClass::kQuota, i);
  }
  EXPECT_EQ(cb.state(10), State::kClosed);
  cb.Record(OutcomeClass::kRetryable, 11);
  cb.Record(OutcomeClass::kRetryable, 12);
  EXPECT_EQ(cb.state(13), State::kOpen);
  EXPECT_STREQ(CircuitStateName(cb.state(13)), "open");
}

}  // namespace
}  // namespace sippet
