#include "tests/fakes/fake_faults.h"

namespace sippet::fakes {

std::string FaultName(const Fault& fault) {
  switch (fault.kind) {
    case FaultKind::kNone:
      return "";
    case FaultKind::kStatus:
      return "status_" + std::to_string(fault.status);
    case FaultKind::kRateLimit:
      return "rate_limit";
    case FaultKind::kSlow:
      return "slow_" + std::to_string(fault.delay_ms) + "ms";
    case FaultKind::kDrop:
      return "drop";
    case FaultKind::kCommitThenDrop:
      return "commit_then_drop";
    case FaultKind::kCommitThenStatus:
      return "commit_then_status_" + std::to_string(fault.status);
    case FaultKind::kCommitThenDelay:
      return "commit_then_delay_" + std::to_string(fault.delay_ms);
  }
  return "unknown";
}

void FaultPlan::Seed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mutex_);
  rng_.seed(seed);
}

void FaultPlan::AddRandom(double probability, const Fault& fault, const std::string& path_prefix) {
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.push_back({probability, fault, path_prefix});
}

void FaultPlan::QueueNext(int n, const Fault& fault, const std::string& path_prefix) {
  if (n <= 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.push_back({n, fault, path_prefix});
}

void FaultPlan::PoisonKey(const std::string& key, int status) {
  std::lock_guard<std::mutex> lock(mutex_);
  poison_[key] = status;
}

void FaultPlan::FailInBatch(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  batch_failures_.insert(key);
}

void FaultPlan::SetLatencyMs(int ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  latency_ms_ = ms;
}

void FaultPlan::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.clear();
  queue_.clear();
  poison_.clear();
  batch_failures_.clear();
  latency_ms_ = 0;
}

double FaultPlan::Draw() {
  // 53 random bits -> [0, 1); independent of the standard library's distributions, so a seed
  // means the same sequence everywhere.
  return static_cast<double>(rng_() >> 11) * (1.0 / 9007199254740992.0);
}

Fault FaultPlan::Next(const std::string& path) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto matches = [&](const std::string& prefix) {
    return path.compare(0, prefix.size(), prefix) == 0;
  };
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (!matches(it->path_prefix)) continue;
    Fault f = it->fault;
    if (--it->remaining <= 0) queue_.erase(it);
    ++injected_;
    return f;
  }
  for (const Rule& rule : rules_) {
    if (!matches(rule.path_prefix)) continue;
    if (Draw() < rule.probability) {
      ++injected_;
      return rule.fault;
    }
  }
  return Fault{};
}

std::optional<int> FaultPlan::PoisonStatus(const std::vector<std::string>& keys) const {
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& key : keys) {
    auto it = poison_.find(key);
    if (it != poison_.end()) return it->second;
  }
  return std::nullopt;
}

bool FaultPlan::FailsInBatch(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return batch_failures_.count(key) > 0;
}

int FaultPlan::latency_ms() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return latency_ms_;
}

int FaultPlan::injected() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return injected_;
}

}  // namespace sippet::fakes
