#include "mappers/retry_policy.h"

#include <gtest/gtest.h>

namespace sippet {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using Action = RetryDecision::Action;

HttpResponse Status(int status, std::string body = "", HttpHeaders headers = {}) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers = std::move(headers);
  return r;
}

HttpResponse Error(TransportError e) {
  HttpResponse r;
  r.error = e;
  r.error_message = "boom";
  return r;
}

TEST(RetryPolicyTest, ClassifiesStatusesAndTransportErrors) {
  struct Case {
    const char* name;
    HttpResponse response;
    bool idempotent;
    OutcomeClass want;
  } cases[] = {
      {"200", Status(200), false, OutcomeClass::kSuccess},
      {"201", Status(201), false, OutcomeClass::kSuccess},
      {"204", Status(204), false, OutcomeClass::kSuccess},
      {"207 partial", Status(207), false, OutcomeClass::kSuccess},
      {"salesforce 300 multiple", Status(300, "[\"/Contact/1\",\"/Contact/2\"]"), true,
       OutcomeClass::kTerminal},
      {"302 not followed", Status(302), true, OutcomeClass::kTerminal},
      {"400", Status(400), true, OutcomeClass::kTerminal},
      {"401", Status(401), true, OutcomeClass::kAuth},
      {"403 plain", Status(403, "[{\"errorCode\":\"INSUFFICIENT_ACCESS\"}]"), true,
       OutcomeClass::kTerminal},
      {"salesforce 403 limit",
       Status(403, "[{\"message\":\"TotalRequests Limit exceeded.\",\"errorCode\":"
                   "\"REQUEST_LIMIT_EXCEEDED\"}]"),
       true, OutcomeClass::kQuota},
      {"404", Status(404), true, OutcomeClass::kTerminal},
      {"408", Status(408), false, OutcomeClass::kRetryable},
      {"409", Status(409), true, OutcomeClass::kTerminal},
      {"422", Status(422), true, OutcomeClass::kTerminal},
      {"429 ten-secondly",
       Status(429, R"({"status":"error","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"})"),
       true, OutcomeClass::kRateLimited},
      {"hubspot 429 daily",
       Status(429, R"({"status":"error","errorType":"RATE_LIMIT","policyName":"DAILY"})"), true,
       OutcomeClass::kQuota},
      {"429 daily remaining 0", Status(429, "", {{"X-HubSpot-RateLimit-Daily-Remaining", "0"}}),
       true, OutcomeClass::kQuota},
      {"zendesk 429 text", Status(429, "Too Many Requests", {{"Retry-After", "30"}}), true,
       OutcomeClass::kRateLimited},
      {"500 idempotent", Status(500), true, OutcomeClass::kRetryable},
      {"500 not idempotent", Status(500), false, OutcomeClass::kTerminal},
      {"501", Status(501), true, OutcomeClass::kTerminal},
      {"502", Status(502), false, OutcomeClass::kRetryable},
      {"503", Status(503), false, OutcomeClass::kRetryable},
      {"504", Status(504), false, OutcomeClass::kRetryable},
      {"timeout", Error(TransportError::kTimeout), false, OutcomeClass::kRetryable},
      {"refused", Error(TransportError::kConnectionRefused), false, OutcomeClass::kRetryable},
      {"reset", Error(TransportError::kConnectionReset), false, OutcomeClass::kRetryable},
      {"dns", Error(TransportError::kDnsFailure), false, OutcomeClass::kRetryable},
      {"tls", Error(TransportError::kTlsError), false, OutcomeClass::kRetryable},
      {"forbidden address", Error(TransportError::kAddressForbidden), true,
       OutcomeClass::kTerminal},
      {"bad url", Error(TransportError::kInvalidRequest), true, OutcomeClass::kTerminal},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_STREQ(OutcomeClassName(Classify(c.response, c.idempotent)), OutcomeClassName(c.want));
  }
}

TEST(RetryPolicyTest, ParsesRetryAfterInEveryForm) {
  const int64_t now = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  const int64_t max = 3600;
  struct Case {
    const char* value;
    std::optional<int64_t> want;
  } cases[] = {
      {"120", 120},
      {" 7 ", 7},
      {"0", 0},
      {"-5", 0},
      {"99999", 3600},                              // bounded
      {"99999999999999999999", 3600},               // no overflow
      {"Sun, 06 Nov 1994 08:50:37 GMT", 60},        // IMF-fixdate
      {"Sunday, 06-Nov-94 08:51:37 GMT", 120},      // RFC 850
      {"Sun Nov  6 08:52:37 1994", 180},            // asctime
      {"Sun, 06 Nov 1994 08:00:00 GMT", 0},         // in the past
      {"Mon, 07 Nov 1994 08:49:37 GMT", 3600},      // a day ahead, bounded
      {"Sun, 06 Nov 1994 08:49:37 CET", std::nullopt},
      {"Sun, 31 Feb 1994 08:49:37 GMT", std::nullopt},
      {"Sun, 06 Nov 1994 25:49:37 GMT", std::nullopt},
      {"Funday, 06-Nov-94 08:51:37 GMT", std::nullopt},
      {"1.5", std::nullopt},
      {"soon", std::nullopt},
      {"", std::nullopt},
      {"120 seconds", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.value);
    EXPECT_EQ(ParseRetryAfter(c.value, now, max), c.want);
  }
  EXPECT_EQ(ParseHttpDate("Thu, 01 Jan 1970 00:00:00 GMT"), 0);
  EXPECT_EQ(ParseHttpDate("Tue, 29 Feb 2028 12:00:00 GMT"), 1835438400);
}

TEST(RetryPolicyTest, NominalScheduleIsSvixLikeAndRepeatsTheLastStep) {
  RetryPolicy p;
  std::vector<seconds> want = {seconds(5), minutes(5), minutes(30), hours(2),
                               hours(5),   hours(10),  hours(10),   hours(10)};
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(NominalDelay(p, static_cast<int>(i + 1)), want[i]) << "retry " << i + 1;
  }
  p.schedule.clear();  // pure exponential, capped
  p.base_delay = seconds(2);
  p.max_delay = seconds(60);
  EXPECT_EQ(NominalDelay(p, 1), seconds(2));
  EXPECT_EQ(NominalDelay(p, 3), seconds(8));
  EXPECT_EQ(NominalDelay(p, 6), seconds(60));
  EXPECT_EQ(NominalDelay(p, 500), seconds(60));
}

AttemptOutcome Outcome(OutcomeClass c, std::optional<int64_t> retry_after = std::nullopt) {
  AttemptOutcome o;
  o.outcome = c;
  o.retry_after_seconds = retry_after;
  o.summary = "HTTP x";
  return o;
}

TEST(RetryPolicyTest, DecisionTable) {
  RetryPolicy p;  // defaults: 8 attempts, 30 h max age, full jitter
  struct Case {
    const char* name;
    AttemptOutcome outcome;
    int attempts_so_far;
    seconds age;
    double random;
    Action action;
    milliseconds delay;
    bool consumes;
  } cases[] = {
      {"success", Outcome(OutcomeClass::kSuccess), 0, seconds(0), 0.5, Action::kDone,
       milliseconds(0), true},
      {"terminal", Outcome(OutcomeClass::kTerminal), 0, seconds(0), 0.5, Action::kDeadLetter,
       milliseconds(0), true},
      {"first retry, full jitter", Outcome(OutcomeClass::kRetryable), 0, seconds(0), 0.5,
       Action::kRetry, milliseconds(2500), true},
      {"third retry", Outcome(OutcomeClass::kRetryable), 2, seconds(400), 0.5, Action::kRetry,
       milliseconds(15 * 60 * 1000), true},
      {"jitter floor", Outcome(OutcomeClass::kRetryable), 0, seconds(0), 0.0, Action::kRetry,
       milliseconds(1000), true},
      {"retry-after wins", Outcome(OutcomeClass::kRetryable, 42), 5, seconds(0), 0.5,
       Action::kRetry, milliseconds(42000), true},
      {"last attempt", Outcome(OutcomeClass::kRetryable), 7, seconds(0), 0.5,
       Action::kDeadLetter, milliseconds(0), true},
      {"too old", Outcome(OutcomeClass::kRetryable), 1, hours(30), 0.5, Action::kDeadLetter,
       milliseconds(0), true},
      {"429 keeps attempts", Outcome(OutcomeClass::kRateLimited, 30), 7, seconds(0), 0.5,
       Action::kRetry, milliseconds(30000), false},
      {"429 no header", Outcome(OutcomeClass::kRateLimited), 7, seconds(0), 0.5, Action::kRetry,
       milliseconds(5000), false},
      {"429 retry-after zero floored", Outcome(OutcomeClass::kRateLimited, 0), 0, seconds(0),
       0.5, Action::kRetry, milliseconds(1000), false},
      {"quota parks", Outcome(OutcomeClass::kQuota), 7, seconds(0), 0.5, Action::kPark,
       milliseconds(3600 * 1000), false},
      {"quota with reset", Outcome(OutcomeClass::kQuota, 7200), 0, seconds(0), 0.5,
       Action::kPark, milliseconds(7200 * 1000), false},
      {"401 refreshes", Outcome(OutcomeClass::kAuth), 3, seconds(0), 0.5, Action::kRetry,
       milliseconds(0), false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    double r = c.random;
    RetryDecision d = Decide(p, c.outcome, c.attempts_so_far, c.age, [r] { return r; });
    EXPECT_EQ(static_cast<int>(d.action), static_cast<int>(c.action)) << d.reason;
    EXPECT_EQ(d.delay.count(), c.delay.count());
    EXPECT_EQ(d.consumes_attempt, c.consumes);
  }
}

TEST(RetryPolicyTest, SecondUnauthorizedAfterRefreshDeadLetters) {
  RetryPolicy p;
  AttemptOutcome o = Outcome(OutcomeClass::kAuth);
  RetryDecision first = Decide(p, o, 0, seconds(0), [] { return 0.5; });
  EXPECT_TRUE(first.refresh_credentials);
  o.credentials_refreshed = true;
  o.summary = "HTTP 401";
  RetryDecision second = Decide(p, o, 0, seconds(0), [] { return 0.5; });
  EXPECT_EQ(second.action, Action::kDeadLetter);
  EXPECT_EQ(second.reason, "authentication failed again after refreshing credentials: HTTP 401");
}

TEST(RetryPolicyTest, DeadLetterReasonsNameTheCause) {
  RetryPolicy p;
  AttemptOutcome o = Outcome(OutcomeClass::kRetryable);
  o.summary = "HTTP 503";
  EXPECT_EQ(Decide(p, o, 7, seconds(10), [] { return 0.5; }).reason,
            "gave up after 8 attempts; last: HTTP 503");
  EXPECT_EQ(Decide(p, o, 1, hours(31), [] { return 0.5; }).reason,
            "expired after 111600 s (max_age 108000 s); last: HTTP 503");
}

TEST(RetryPolicyTest, JitterStaysWithinItsBandForAnyRandomValue) {
  RetryPolicy p;
  p.jitter = 0.2;
  for (double r : {0.0, 0.25, 0.5, 0.999999, 1.0, -3.0}) {
    SCOPED_TRACE(r);
    RetryDecision d = Decide(p, Outcome(OutcomeClass::kRetryable), 1, seconds(0), [r] { return r; });
    EXPECT_GE(d.delay, milliseconds(240'000));  // 0.8 x 5 min
    EXPECT_LT(d.delay, milliseconds(300'000));
  }
}

TEST(RetryPolicyTest, AssessAttemptReadsRetryAfterWithinBounds) {
  RetryPolicy p;
  p.max_retry_after = seconds(600);
  HttpResponse r = Status(503, "", {{"retry-after", "Sun, 06 Nov 1994 09:49:37 GMT"}});
  AttemptOutcome o = AssessAttempt(p, r, false, 784111777);
  EXPECT_EQ(o.outcome, OutcomeClass::kRetryable);
  EXPECT_EQ(o.retry_after_seconds, 600);
  EXPECT_EQ(o.summary, "HTTP 503");
  // A quota park is bounded by max_quota_park instead.
  HttpResponse daily = Status(429, R"({"policyName":"DAILY"})", {{"Retry-After", "7200"}});
  EXPECT_EQ(AssessAttempt(p, daily, true, 0).retry_after_seconds, 7200);
  HttpResponse timeout = Error(TransportError::kTimeout);
  EXPECT_EQ(AssessAttempt(p, timeout, true, 0).summary, "timeout: boom");
}

TEST(RetryPolicyTest, ValidationNamesTheField) {
  RetryPolicy p;
  std::string error;
  EXPECT_TRUE(ValidateRetryPolicy(p, &error));
  p.jitter = 1.5;
  EXPECT_FALSE(ValidateRetryPolicy(p, &error));
  EXPECT_EQ(error, "retry.jitter must be in [0, 1]");
}

}  // namespace
}  // namespace sippet
