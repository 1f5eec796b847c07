#ifndef SIPPET_MAPPERS_CIRCUIT_BREAKER_H_
#define SIPPET_MAPPERS_CIRCUIT_BREAKER_H_

#include <cstdint>
#include <mutex>

#include "mappers/retry_policy.h"

namespace sippet {

struct CircuitBreakerOptions {
  int consecutive_failures = 5;  // open after this many failures in a row; 0 = off. >= 0
  // Open when, within one window of at least `ratio_min_requests` results, the share of
  // failures reaches `failure_ratio`. failure_ratio 0 = off; range (0, 1].
  double failure_ratio = 0.5;
  int ratio_min_requests = 20;
  int64_t window_ms = 60'000;     // tumbling window for the ratio; > 0
  int64_t cool_down_ms = 30'000;  // open -> half-open after this; also the probe's time limit
};

// Whether an outcome says something about the target's health (network errors, 5xx) rather
// than about one record (4xx) or our budget (429, quota).
bool CountsAsTargetFailure(OutcomeClass c);

// One target's circuit. Closed: requests pass. Open: none pass until the cool-down elapsed.
// Half-open: exactly one probe passes; its success closes the circuit, its failure re-opens it
// (a probe that never reports back is replaced after another cool-down). Time is injected in
// milliseconds (any monotonic origin). Thread-safe.
class CircuitBreaker {
 public:
  enum class State { kClosed, kOpen, kHalfOpen };

  explicit CircuitBreaker(CircuitBreakerOptions options = {}) : options_(options) {}

  // True when a request may be sent now. In half-open state a true answer makes the caller
  // the probe, which must report back with RecordSuccess / RecordFailure.
  bool Allow(int64_t now_ms);
  void RecordSuccess(int64_t now_ms);
  void RecordFailure(int64_t now_ms);
  // Records the outcome as success or failure, or ignores it when it says nothing about the
  // target (CountsAsTargetFailure false and not a success).
  void Record(OutcomeClass outcome, int64_t now_ms);

  State state(int64_t now_ms) const;
  // Milliseconds until Allow may answer true again (0 when it would now).
  int64_t WaitMs(int64_t now_ms) const;

 private:
  void Open(int64_t now_ms);  // REQUIRES: mu_ held

  const CircuitBreakerOptions options_;
  mutable std::mutex mu_;
  State state_ = State::kClosed;  // GUARDED_BY(mu_)
  int consecutive_ = 0;           // GUARDED_BY(mu_)
  int64_t window_start_ = 0;      // GUARDED_BY(mu_)
  int window_total_ = 0;          // GUARDED_BY(mu_)
  int window_failures_ = 0;       // GUARDED_BY(mu_)
  int64_t opened_at_ = 0;         // GUARDED_BY(mu_)
  bool probe_out_ = false;        // GUARDED_BY(mu_)
  int64_t probe_at_ = 0;          // GUARDED_BY(mu_)
};

const char* CircuitStateName(CircuitBreaker::State s);

}  // namespace sippet

#endif  // SIPPET_MAPPERS_CIRCUIT_BREAKER_H_
