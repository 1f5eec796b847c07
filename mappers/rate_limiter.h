#ifndef SIPPET_MAPPERS_RATE_LIMITER_H_
#define SIPPET_MAPPERS_RATE_LIMITER_H_

#include <cstdint>
#include <mutex>
#include <string>

#include "mappers/http_client.h"

namespace sippet {

struct RateLimitOptions {
  int requests_per_window = 0;  // token bucket size, refilled evenly over the window; 0 = off
  int64_t window_ms = 1000;     // > 0
  int max_concurrency = 0;      // requests in flight at once; 0 = unlimited
  // Response headers the API reports its own budget in (empty = not read), e.g.
  // "X-HubSpot-RateLimit-Remaining", "X-Rate-Limit-Remaining", "x-ratelimit-remaining".
  std::string remaining_header;
  // When the budget resets, e.g. "ratelimit-reset", "x-ratelimit-reset".
  enum class ResetFormat { kDeltaSeconds, kUnixSeconds, kDeltaMilliseconds };
  std::string reset_header;
  ResetFormat reset_format = ResetFormat::kDeltaSeconds;
};

// A per-target limiter: a token bucket plus a concurrency counter, optionally corrected by what
// the API reports. Time is injected (milliseconds, any monotonic origin; wall-clock seconds
// only for kUnixSeconds reset headers). Thread-safe.
class RateLimiter {
 public:
  explicit RateLimiter(RateLimitOptions options);

  struct Admission {
    bool granted = false;
    // When refused: milliseconds until a token is expected, or 0 when the refusal is for
    // concurrency (try again when a request finishes).
    int64_t wait_ms = 0;
  };
  // Takes a token and a concurrency slot, or neither. A granted admission must be followed by
  // exactly one Release() when the request finishes.
  Admission TryAcquire(int64_t now_ms);
  void Release();

  // Reads the remaining/reset headers named in the options: the API's remaining count caps the
  // local bucket; a remaining of 0 blocks until the reset (or one window when none is given).
  void UpdateFromHeaders(const HttpHeaders& headers, int64_t now_ms, int64_t now_unix);
  // Blocks all requests for `ms` (a 429's Retry-After applies to the whole target).
  void BlockFor(int64_t ms, int64_t now_ms);

  int in_flight() const;

 private:
  void Refill(int64_t now_ms);  // REQUIRES: mu_ held

  const RateLimitOptions options_;
  mutable std::mutex mu_;
  double tokens_;               // GUARDED_BY(mu_)
  int64_t last_refill_ = 0;     // GUARDED_BY(mu_)
  bool started_ = false;        // GUARDED_BY(mu_)
  int64_t blocked_until_ = 0;   // GUARDED_BY(mu_)
  bool blocked_ = false;        // GUARDED_BY(mu_)
  int in_flight_ = 0;           // GUARDED_BY(mu_)
};

}  // namespace sippet

#endif  // SIPPET_MAPPERS_RATE_LIMITER_H_
