#include "mappers/circuit_breaker.h"

#include <algorithm>

namespace sippet {

bool CountsAsTargetFailure(OutcomeClass c) { return c == OutcomeClass::kRetryable; }

const char* CircuitStateName(CircuitBreaker::State s) {
  switch (s) {
    case CircuitBreaker::State::kClosed: return "closed";
    case CircuitBreaker::State::kOpen: return "open";
    case CircuitBreaker::State::kHalfOpen: return "half_open";
  }
  return "closed";
}

bool CircuitBreaker::Allow(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  switch (state_) {
    case State::kClosed:
      return true;
    case State::kOpen:
      if (now_ms - opened_at_ < options_.cool_down_ms) return false;
      state_ = State::kHalfOpen;
      probe_out_ = true;
      probe_at_ = now_ms;
      return true;
    case State::kHalfOpen:
      if (probe_out_ && now_ms - probe_at_ < options_.cool_down_ms) return false;
      probe_out_ = true;  // the previous probe was lost; admit a new one
      probe_at_ = now_ms;
      return true;
  }
  return false;
}

void CircuitBreaker::RecordSuccess(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == State::kHalfOpen || state_ == State::kOpen) {
    // A success from the probe (or a late straggler) shows the target is back.
    state_ = State::kClosed;
    probe_out_ = false;
    window_start_ = now_ms;
    window_total_ = window_failures_ = 0;
  }
  consecutive_ = 0;
  if (now_ms - window_start_ >= options_.window_ms) {
    window_start_ = now_ms;
    window_total_ = window_failures_ = 0;
  }
  ++window_total_;
}

void CircuitBreaker::RecordFailure(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == State::kHalfOpen) {
    Open(now_ms);
    return;
  }
  if (state_ == State::kOpen) return;  // a straggler sent before the circuit opened
  ++consecutive_;
  if (now_ms - window_start_ >= options_.window_ms) {
    window_start_ = now_ms;
    window_total_ = window_failures_ = 0;
  }
  ++window_total_;
  ++window_failures_;
  bool by_streak = options_.consecutive_failures > 0 && consecutive_ >= options_.consecutive_failures;
  bool by_ratio = options_.failure_ratio > 0 && window_total_ >= options_.ratio_min_requests &&
                  window_failures_ >= options_.failure_ratio * window_total_;
  if (by_streak || by_ratio) Open(now_ms);
}

void CircuitBreaker::Record(OutcomeClass outcome, int64_t now_ms) {
  if (outcome == OutcomeClass::kSuccess) {
    RecordSuccess(now_ms);
  } else if (CountsAsTargetFailure(outcome)) {
    RecordFailure(now_ms);
  } else {
    // A 4xx still proves the target answers: a half-open probe that gets one closes the circuit.
    std::lock_guard<std::mutex> lock(mu_);
    if (state_ == State::kHalfOpen && outcome == OutcomeClass::kTerminal) {
      state_ = State::kClosed;
      probe_out_ = false;
      consecutive_ = 0;
      window_start_ = now_ms;
      window_total_ = window_failures_ = 0;
    } else if (state_ == State::kHalfOpen) {
      probe_out_ = false;  // inconclusive (429, quota, 401): let another probe through
    }
  }
}

void CircuitBreaker::Open(int64_t now_ms) {
  state_ = State::kOpen;
  opened_at_ = now_ms;
  probe_out_ = false;
  consecutive_ = 0;
  window_start_ = now_ms;
  window_total_ = window_failures_ = 0;
}

CircuitBreaker::State CircuitBreaker::state(int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == State::kOpen && now_ms - opened_at_ >= options_.cool_down_ms) {
    return State::kHalfOpen;  // the next Allow admits a probe
  }
  return state_;
}

int64_t CircuitBreaker::WaitMs(int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  switch (state_) {
    case State::kClosed:
      return 0;
    case State::kOpen:
      return std::max<int64_t>(0, opened_at_ + options_.cool_down_ms - now_ms);
    case State::kHalfOpen:
      return probe_out_ ? std::max<int64_t>(0, probe_at_ + options_.cool_down_ms - now_ms) : 0;
  }
  return 0;
}

}  // namespace sippet
