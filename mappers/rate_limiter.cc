#include "mappers/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace sippet {
namespace {

std::optional<int64_t> ParseCount(const std::string* value) {
  if (value == nullptr) return std::nullopt;
  std::string v = *value;
  v.erase(0, v.find_first_not_of(" \t"));
  size_t end = v.find_first_not_of("0123456789");
  std::string digits = v.substr(0, end);
  if (digits.empty() || digits.size() > 15) return std::nullopt;
  return std::stoll(digits);
}

}  // namespace

RateLimiter::RateLimiter(RateLimitOptions options)
    : options_(std::move(options)), tokens_(options_.requests_per_window) {}

void RateLimiter::Refill(int64_t now_ms) {
  if (!started_) {
    started_ = true;
    last_refill_ = now_ms;
    return;
  }
  if (now_ms <= last_refill_) return;
  double rate = static_cast<double>(options_.requests_per_window) / options_.window_ms;
  tokens_ = std::min<double>(options_.requests_per_window,
                             tokens_ + static_cast<double>(now_ms - last_refill_) * rate);
  last_refill_ = now_ms;
}

RateLimiter::Admission RateLimiter::TryAcquire(int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Admission a;
  if (blocked_ && now_ms < blocked_until_) {
    a.wait_ms = blocked_until_ - now_ms;
    return a;
  }
  blocked_ = false;
  if (options_.max_concurrency > 0 && in_flight_ >= options_.max_concurrency) return a;
  if (options_.requests_per_window > 0) {
    Refill(now_ms);
    if (tokens_ < 1.0) {
      double rate = static_cast<double>(options_.requests_per_window) / options_.window_ms;
      a.wait_ms = std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - tokens_) / rate)));
      return a;
    }
    tokens_ -= 1.0;
  }
  ++in_flight_;
  a.granted = true;
  return a;
}

void RateLimiter::Release() {
  std::lock_guard<std::mutex> lock(mu_);
  if (in_flight_ > 0) --in_flight_;
}

void RateLimiter::UpdateFromHeaders(const HttpHeaders& headers, int64_t now_ms,
                                    int64_t now_unix) {
  if (options_.remaining_header.empty()) return;
  std::optional<int64_t> remaining = ParseCount(FindHeader(headers, options_.remaining_header));
  if (!remaining) return;
  std::optional<int64_t> reset;
  if (!options_.reset_header.empty()) reset = ParseCount(FindHeader(headers, options_.reset_header));
  std::lock_guard<std::mutex> lock(mu_);
  if (options_.requests_per_window > 0) {
    Refill(now_ms);
    tokens_ = std::min<double>(tokens_, static_cast<double>(*remaining));
  }
  if (*remaining > 0) return;
  int64_t wait = options_.window_ms;
  if (reset) {
    switch (options_.reset_format) {
      case RateLimitOptions::ResetFormat::kDeltaSeconds: wait = *reset * 1000; break;
      case RateLimitOptions::ResetFormat::kDeltaMilliseconds: wait = *reset; break;
      case RateLimitOptions::ResetFormat::kUnixSeconds:
        wait = std::max<int64_t>(0, *reset - now_unix) * 1000;
        break;
    }
  }
  int64_t until = now_ms + wait;
  if (!blocked_ || until > blocked_until_) blocked_until_ = until;
  blocked_ = true;
}

void RateLimiter::BlockFor(int64_t ms, int64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t until = now_ms + std::max<int64_t>(ms, 0);
  if (!blocked_ || until > blocked_until_) blocked_until_ = until;
  blocked_ = true;
}

int RateLimiter::in_flight() const {
  std::lock_guard<std::mutex> lock(mu_);
  return in_flight_;
}

}  // namespace sippet
