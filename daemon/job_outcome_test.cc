#include "daemon/job_outcome.h"

#include <gtest/gtest.h>

namespace sippet {
namespace {

DeliveryResult Failed(int status, HttpHeaders headers = {}) {
  DeliveryResult r;
  r.kind = DeliveryResult::Kind::kFailed;
  r.response.status = status;
  r.response.headers = std::move(headers);
  r.reason = "native: HTTP " + std::to_string(status);
  return r;
}

TEST(JobOutcomeTest, StatesAttemptsAndDelays) {
  RetryPolicy policy;
  policy.schedule = {std::chrono::seconds(10)};
  policy.jitter = 0;
  policy.max_attempts = 3;
  Rng half = [] { return 0.5; };
  ClaimedJob job;
  job.attempts = 1;
  struct Case {
    std::string name;
    DeliveryResult result;
    int attempts_so_far;
    std::string state;
    int attempts_after;
    double delay;
  };
  DeliveryResult delivered;
  delivered.kind = DeliveryResult::Kind::kDelivered;
  delivered.external_id = "42";
  DeliveryResult dead;
  dead.kind = DeliveryResult::Kind::kDeadLetter;
  dead.reason = "mapping error: key";
  Case cases[] = {
      {"2xx is done", delivered, 1, "done", 2, 0},
      {"5xx retries after the schedule", Failed(503), 1, "pending", 2, 10},
      {"429 with Retry-After waits without an attempt", Failed(429, {{"Retry-After", "7"}}), 1, "pending", 1, 7},
      {"the last attempt dead-letters", Failed(503), 2, "dead", 3, 0},
      {"422 dead-letters at once", Failed(422), 0, "dead", 1, 0},
      {"a mapping error dead-letters", dead, 0, "dead", 1, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    job.attempts = c.attempts_so_far;
    JobFinish f = DecideFinish(policy, job, c.result, false, 1700000000, half);
    EXPECT_EQ(f.state, c.state);
    EXPECT_EQ(f.attempts, c.attempts_after);
    if (c.state == "pending") {
      EXPECT_DOUBLE_EQ(f.delay_seconds, c.delay);
    }
    if (c.state == "dead") {
      EXPECT_TRUE(f.dead_reason && !f.dead_reason->empty());
    }
  }
  JobFinish ok = DecideFinish(policy, job, delivered, false, 1700000000, half);
  EXPECT_EQ(ok.external_id, "42");
  EXPECT_EQ(ok.outcome, "delivered");
}

TEST(JobOutcomeTest, RedactBodyMasksCredentialsAndBoundsLength) {
  std::string out = RedactBody(R"({"user":"a","password":"p4ss","nested":{"api_key":"k","ok":1},"token":null})", 1000);
  EXPECT_EQ(out.find("p4ss"), std::string::npos);
  EXPECT_EQ(out.find("\"k\""), std::string::npos);
  EXPECT_NE(out.find("\"ok\":1"), std::string::npos);
  EXPECT_EQ(RedactBody("grant_type=client_credentials&client_id=abc&client_secret=s3&scope=a", 1000),
            "grant_type=client_credentials&client_id=***&client_secret=***&scope=a");
  std::string long_text(10000, 'x');
  EXPECT_LE(RedactBody(long_text, 100).size(), 100u + 20);
  std::string utf8 = std::string(99, 'a') + "\xc3\xa9";  // é cut in half at 100 bytes
  std::string cut = RedactBody(utf8, 100);
  EXPECT_EQ(cut.substr(0, 99), std::string(99, 'a'));
  EXPECT_EQ(cut.find('\xc3'), std::string::npos);
}

}  // namespace
}  // namespace sippet
