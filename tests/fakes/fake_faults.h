#ifndef SIPPET_TESTS_FAKES_FAKE_FAULTS_H_
#define SIPPET_TESTS_FAKES_FAKE_FAULTS_H_

// Programmable failures for the fake CRMs. Random faults draw from a seeded generator, so a
// run with the same seed and the same (sequential) requests injects the same faults.
// Thread-safe.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace sippet::fakes {

enum class FaultKind {
  kNone,
  kStatus,            // answer `status` (e.g. 500/502/503) without applying the request
  kRateLimit,         // the vendor's rate-limit answer (429 + Retry-After; Salesforce 403)
  kSlow,              // wait `delay_ms`, then handle normally
  kDrop,              // close the connection without answering, nothing applied
  kCommitThenDrop,    // apply the request, then close the connection without answering
  kCommitThenStatus,  // apply the request, then answer `status` instead of the real answer
  kCommitThenDelay,   // apply the request, then wait `delay_ms` before answering normally
};

struct Fault {
  FaultKind kind = FaultKind::kNone;
  int status = 503;                    // kStatus, kCommitThenStatus
  int retry_after_seconds = 1;         // kRateLimit; < 0 sends no Retry-After header
  bool retry_after_http_date = false;  // kRateLimit: Retry-After as an HTTP date
  int delay_ms = 0;                    // kSlow

  static Fault Status(int status) { return {FaultKind::kStatus, status, 1, false, 0}; }
  static Fault RateLimit(int retry_after_seconds, bool http_date = false) {
    return {FaultKind::kRateLimit, 429, retry_after_seconds, http_date, 0};
  }
  static Fault Slow(int delay_ms) { return {FaultKind::kSlow, 200, 1, false, delay_ms}; }
  static Fault Drop() { return {FaultKind::kDrop, 0, 1, false, 0}; }
  static Fault CommitThenDrop() { return {FaultKind::kCommitThenDrop, 0, 1, false, 0}; }
  static Fault CommitThenDelay(int delay_ms) {
    return {FaultKind::kCommitThenDelay, 200, 1, false, delay_ms};
  }
  static Fault CommitThenStatus(int status) {
    return {FaultKind::kCommitThenStatus, status, 1, false, 0};
  }
};

// A short name for logs and the request log ("status_503", "commit_then_drop", ...).
std::string FaultName(const Fault& fault);

class FaultPlan {
 public:
  explicit FaultPlan(uint64_t seed = 1) : rng_(seed) {}

  void Seed(uint64_t seed);
  // Each request whose path starts with `path_prefix` (empty: every request) suffers `fault`
  // with the given probability. Rules are drawn in the order they were added; the first hit
  // wins. One draw per rule per matching request.
  void AddRandom(double probability, const Fault& fault, const std::string& path_prefix = "");
  // The next `n` requests (whose path starts with `path_prefix`) suffer `fault`, before any
  // random rule is drawn. Queued entries are consumed in order.
  void QueueNext(int n, const Fault& fault, const std::string& path_prefix = "");
  // Requests touching `key` are refused with `status` (400 / 422 ...) and change nothing.
  void PoisonKey(const std::string& key, int status = 422);
  // Batch inputs for `key` fail individually (HubSpot: 207 with the key in errors[]).
  void FailInBatch(const std::string& key);
  // Applied to every request (e.g. 50 ms per request for benchmarks); 0 turns it off.
  void SetLatencyMs(int ms);
  void Clear();

  // Decides the fault for one request. Consumes queue entries and random draws.
  Fault Next(const std::string& path);
  std::optional<int> PoisonStatus(const std::vector<std::string>& keys) const;
  bool FailsInBatch(const std::string& key) const;
  int latency_ms() const;
  int injected() const;

 private:
  struct Rule {
    double probability;
    Fault fault;
    std::string path_prefix;
  };
  struct Queued {
    int remaining;
    Fault fault;
    std::string path_prefix;
  };
  double Draw();  // REQUIRES: mutex_ held

  mutable std::mutex mutex_;
  std::mt19937_64 rng_;  // GUARDED_BY(mutex_)
  std::vector<Rule> rules_;
  std::deque<Queued> queue_;
  std::map<std::string, int> poison_;
  std::set<std::string> batch_failures_;
  int latency_ms_ = 0;
  int injected_ = 0;
};

}  // namespace sippet::fakes

#endif  // SIPPET_TESTS_FAKES_FAKE_FAULTS_H_
