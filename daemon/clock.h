#ifndef SIPPET_DAEMON_CLOCK_H_
#define SIPPET_DAEMON_CLOCK_H_

#include <chrono>
#include <cstdint>

namespace sippet {

// The source of wall-clock time. Injected so that tolerance windows, leases and retry delays
// are tested without real sleeping. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch.
  virtual int64_t NowUnixSeconds() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowUnixSeconds() const override {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

// A clock that stands still until told to move. For tests.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now) : now_(now) {}
  int64_t NowUnixSeconds() const override { return now_; }
  void Set(int64_t now) { now_ = now; }

 private:
  int64_t now_;
};

}  // namespace sippet

#endif  // SIPPET_DAEMON_CLOCK_H_
