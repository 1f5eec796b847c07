#ifndef SIPPET_MAPPERS_RETRY_POLICY_H_
#define SIPPET_MAPPERS_RETRY_POLICY_H_

// What to do after an outbound attempt: pure functions of the response, the job's history and
// an injected random source. Nothing here sleeps, reads the clock or does I/O.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mappers/http_client.h"

namespace sippet {

enum class OutcomeClass {
  kSuccess,      // 2xx
  kRetryable,    // 408, 502, 503, 504, 500 when idempotent, network errors: backoff, 1 attempt
  kRateLimited,  // 429 (short-term): wait, does not use an attempt
  kAuth,         // 401: refresh credentials once, then retry
  kQuota,        // daily budget exhausted: park until the reset, does not use an attempt
  kTerminal,     // 400, 404, 422, other 4xx, 3xx (incl. Salesforce 300), 500 when not idempotent
};
// "success", "retryable", "rate_limited", "auth", "quota", "terminal" — stable, for SQL.
const char* OutcomeClassName(OutcomeClass c);

// Classifies one attempt. `idempotent`: repeating the request cannot duplicate a record (an
// upsert by key, a PUT/PATCH by id); only then is a 500 retried. Recognised quota signals:
// Salesforce 403 with REQUEST_LIMIT_EXCEEDED in the body; HubSpot 429 whose body names
// policyName DAILY. An address refused by policy or a malformed URL is terminal; other
// transport errors (timeout, refused, reset, DNS, TLS) are retryable.
OutcomeClass Classify(const HttpResponse& response, bool idempotent);

// Parses a Retry-After value: delta-seconds ("120") or an HTTP-date in IMF-fixdate
// ("Sun, 06 Nov 1994 08:49:37 GMT"), obsolete RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") or
// asctime ("Sun Nov  6 08:49:37 1994") form. Returns seconds from `now_unix`: a date in the
// past gives 0, a value above `max_seconds` gives `max_seconds`, anything unparseable nullopt.
std::optional<int64_t> ParseRetryAfter(std::string_view value, int64_t now_unix,
                                       int64_t max_seconds);
// Seconds since the epoch for an HTTP-date in any of the three forms, or nullopt.
std::optional<int64_t> ParseHttpDate(std::string_view text);

struct RetryPolicy {
  // Nominal delay before retry n (n = attempts used so far, 1-based: after the first failure
  // the first entry applies); the last entry repeats. Empty = pure exponential from
  // base_delay. Default close to Svix: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
  std::vector<std::chrono::seconds> schedule = {
      std::chrono::seconds(5),     std::chrono::minutes(5), std::chrono::minutes(30),
      std::chrono::hours(2),       std::chrono::hours(5),   std::chrono::hours(10),
      std::chrono::hours(10)};
  std::chrono::seconds base_delay{5};     // exponential base when schedule is empty; >= 1 s
  std::chrono::seconds max_delay{std::chrono::hours(10)};  // cap on any computed delay
  std::chrono::seconds min_delay{1};      // floor after jitter
  // Fraction of the nominal delay that is randomised: 1.0 = full jitter (uniform in
  // [0, nominal)), 0.0 = none, 0.2 = uniform in [0.8, 1.0) x nominal. Range [0, 1].
  double jitter = 1.0;
  int max_attempts = 8;  // attempts that count (429 / quota do not); 0 = no limit. >= 0
  std::chrono::seconds max_age{std::chrono::hours(30)};  // since the job was created; 0 = none
  std::chrono::seconds max_retry_after{std::chrono::hours(1)};  // Retry-After honoured up to this
  std::chrono::seconds rate_limited_delay{10};  // 429 without Retry-After (jittered)
  std::chrono::seconds quota_park{std::chrono::hours(1)};  // quota without a reset signal
  std::chrono::seconds max_quota_park{std::chrono::hours(24)};
};

// What happened on one attempt, as Decide needs it. Build with AssessAttempt.
struct AttemptOutcome {
  OutcomeClass outcome = OutcomeClass::kRetryable;
  std::optional<int64_t> retry_after_seconds;  // from Retry-After (already bounded)
  // True when this job already refreshed credentials after a 401; a second 401 dead-letters.
  bool credentials_refreshed = false;
  std::string summary;  // "HTTP 503", "timeout: ...": the dead-letter reason
};

// Classifies the response and reads Retry-After (bounded by policy.max_retry_after; for a quota
// outcome by policy.max_quota_park) relative to `now_unix`.
AttemptOutcome AssessAttempt(const RetryPolicy& policy, const HttpResponse& response,
                             bool idempotent, int64_t now_unix);

struct RetryDecision {
  enum class Action {
    kDone,        // delivered
    kRetry,       // try again after `delay`
    kPark,        // wait `delay` (quota reset) without using an attempt
    kDeadLetter,  // give up; `reason` says why
  };
  Action action = Action::kDeadLetter;
  std::chrono::milliseconds delay{0};
  bool consumes_attempt = false;     // the attempt counts against max_attempts
  bool refresh_credentials = false;  // call Invalidate() on the target's auth before retrying
  std::string reason;                // for kDeadLetter (and a note for the others)
};

// The random source: returns values uniformly distributed in [0, 1). Not required to be
// thread-safe; each caller supplies its own.
using Rng = std::function<double()>;

// Decides the next step. `attempts_so_far` counts the attempts that consumed budget before
// this one; `age` is the time since the job was created.
RetryDecision Decide(const RetryPolicy& policy, const AttemptOutcome& outcome,
                     int attempts_so_far, std::chrono::seconds age, const Rng& rng);

// The nominal (un-jittered, capped) delay before retry number `retry` (1-based).
std::chrono::seconds NominalDelay(const RetryPolicy& policy, int retry);

// Checks the policy's ranges; on failure returns false with a message naming the field.
bool ValidateRetryPolicy(const RetryPolicy& policy, std::string* error);

}  // namespace sippet

#endif  // SIPPET_MAPPERS_RETRY_POLICY_H_
