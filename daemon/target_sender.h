#ifndef SIPPET_DAEMON_TARGET_SENDER_H_
#define SIPPET_DAEMON_TARGET_SENDER_H_

#include <atomic>
#include <vector>

#include "daemon/clock.h"
#include "daemon/job_store.h"
#include "mappers/delivery.h"
#include "mappers/target.h"

namespace sippet {

// Sends a strategy's requests to one target for one delivery round: waits for the rate
// limiter, applies credentials, refreshes them once after a 401, feeds the circuit breaker and
// the limiter from each answer, and records every attempt (redacted, bounded) for
// delivery_attempts. One per job (or batch); not thread-safe.
class TargetSender final : public RequestSender {
 public:
  // `stopping` is polled while waiting for the rate limiter.
  TargetSender(Target* target, const Clock* clock, const std::atomic<bool>* stopping);

  HttpResponse Send(const PlannedRequest& request) override;

  const std::vector<AttemptRow>& attempts() const { return attempts_; }
  bool credentials_refreshed() const { return refreshed_; }

 private:
  HttpResponse SendOnce(const PlannedRequest& planned, uint64_t* generation);
  // Records one attempt: `shown` is the request already redacted.
  void Record(const std::string& step, const HttpRequest& shown, const std::string& body,
              const HttpResponse& resp, OutcomeClass outcome, int64_t started_unix_ms);

  Target* target_;
  const Clock* clock_;
  const std::atomic<bool>* stopping_;
  std::vector<AttemptRow> attempts_;
  bool refreshed_ = false;
};

// Milliseconds of a monotonic clock, for rate limiters and circuit breakers.
int64_t MonotonicMs();

}  // namespace sippet

#endif  // SIPPET_DAEMON_TARGET_SENDER_H_
