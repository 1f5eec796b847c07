#include "daemon/worker_pool.h"

#include <random>

#include "daemon/job_outcome.h"
#include "daemon/job_sql.h"
#include "daemon/target_sender.h"
#include "mappers/delivery.h"

namespace sippet {
namespace {

class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, std::function<void()> on_notify)
      : pqxx::notification_receiver(c, sql::kJobsChannel), on_notify_(std::move(on_notify)) {}
  void operator()(const std::string&, int) override { on_notify_(); }

 private:
  std::function<void()> on_notify_;
};

}  // namespace

Target* TargetRegistry::Find(const std::string& name) const {
  auto it = targets.find(name);
  return it == targets.end() ? nullptr : it->second.get();
}

std::shared_ptr<TargetRegistry> BuildTargets(const Config& config, const Clock* clock,
                                             spdlog::logger* log, HttpTransport* transport) {
  auto registry = std::make_shared<TargetRegistry>();
  for (const auto& [name, t] : config.targets) {
    if (t.dangerously_skip_tls_verify)
      log->warn("target {}: TLS certificate verification is OFF (tls.dangerously_skip_verify)", name);
    registry->targets[name] = std::make_unique<Target>(t, clock, transport);
  }
  return registry;
}

WorkerPool::WorkerPool(const ConfigHolder* config, PgPool* pool, const Clock* clock,
                       std::shared_ptr<spdlog::logger> log, std::string worker_id)
    : config_(config), clock_(clock), log_(std::move(log)), worker_id_(std::move(worker_id)),
      pool_(pool), store_(pool) {}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Start(std::shared_ptr<TargetRegistry> targets) {
  SetTargets(std::move(targets));
  int n = config_->Get()->workers.concurrency;
  for (int i = 0; i < n; ++i) threads_.emplace_back([this, i] { WorkerLoop(i); });
  threads_.emplace_back([this] { ListenLoop(); });
  threads_.emplace_back([this] { LeaseLoop(); });
  log_->info("delivery workers started: {} workers, id {}", n, worker_id_);
}

void WorkerPool::Stop() {
  if (threads_.empty()) return;
  stopping_ = true;
  Wake();
  for (auto& t : threads_) t.join();
  threads_.clear();
  log_->info("delivery workers stopped");
}

void WorkerPool::SetTargets(std::shared_ptr<TargetRegistry> targets) {
  std::lock_guard<std::mutex> lock(mu_);
  targets_ = std::move(targets);
}

std::shared_ptr<TargetRegistry> WorkerPool::targets() const {
  std::lock_guard<std::mutex> lock(mu_);
  return targets_;
}

void WorkerPool::Wake() {
  std::lock_guard<std::mutex> lock(mu_);
  ++wakeups_;
  wake_.notify_all();
}

void WorkerPool::Hold(const ClaimedJob& job) {
  std::lock_guard<std::mutex> lock(mu_);
  held_[job.id] = job.claim;
}

void WorkerPool::Drop(const ClaimedJob& job) {
  std::lock_guard<std::mutex> lock(mu_);
  held_.erase(job.id);
}

void WorkerPool::WorkerLoop(int index) {
  std::string worker = worker_id_ + "/" + std::to_string(index);
  std::mt19937_64 seeder(std::random_device{}() ^ (static_cast<uint64_t>(index) << 32));
  size_t rotation = static_cast<size_t>(index);
  while (!stopping_) {
    uint64_t seen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen = wakeups_;
    }
    std::shared_ptr<const Config> config = config_->Get();
    std::shared_ptr<TargetRegistry> targets = this->targets();
    bool worked = false;
    const size_t n = config->mappings.size();
    for (size_t i = 0; i < n && !stopping_; ++i) {
      const Mapping& m = config->mappings[(rotation + i) % n];
      try {
        worked |= RunMapping(*config, m, *targets, worker, seeder());
      } catch (const std::exception& e) {
        // One top-level catch per loop: record and carry on (STYLE 4).
        log_->error("worker {}: mapping {}: {}", worker, m.name, e.what());
      }
    }
    ++rotation;
    if (worked) continue;
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, std::chrono::milliseconds(config->workers.poll_interval_ms),
                   [&] { return stopping_ || wakeups_ != seen; });
  }
}

bool WorkerPool::RunMapping(const Config& config, const Mapping& mapping,
                            TargetRegistry& targets, const std::string& worker, uint64_t seed) {
  Target* target = targets.Find(mapping.target);
  if (target == nullptr) return false;
  if (target->breaker().WaitMs(MonotonicMs()) > 0) {
    return false;  // the circuit is open: leave the jobs waiting, no attempts burnt
  }
  int limit = mapping.batch.max_items > 0 ? mapping.batch.max_items : 1;
  std::string error;
  std::vector<ClaimedJob> jobs =
      store_.Claim(mapping.name, limit, config.workers.lease_seconds, worker, &error);
  if (!error.empty()) {
    log_->warn("worker {}: cannot claim jobs of {}: {}", worker, mapping.name, error);
    return false;
  }
  if (jobs.empty()) return false;
  for (const ClaimedJob& j : jobs) Hold(j);
  if (!store_.LoadRecords(&jobs, mapping.target, mapping.object, &error)) {
    log_->warn("worker {}: cannot load records: {}", worker, error);
    for (const ClaimedJob& j : jobs) {
      store_.Release(j, 1, &error);
      Drop(j);
    }
    return true;
  }
  if (!target->breaker().Allow(MonotonicMs())) {
    double wait = std::max<int64_t>(target->breaker().WaitMs(MonotonicMs()), 1000) / 1000.0;
    for (const ClaimedJob& j : jobs) {
      store_.Release(j, wait, &error);
      Drop(j);
    }
    return true;
  }

  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  Rng rng = [&] { return dist(gen); };
  const RetryPolicy& policy = target->config().retry;
  auto finish = [&](const ClaimedJob& job, const DeliveryResult& result,
                    const TargetSender& sender) {
    JobFinish f = DecideFinish(policy, job, result, sender.credentials_refreshed(),
                               clock_->NowUnixSeconds(), rng);
    f.attempt_rows = sender.attempts();
    bool fenced = false;
    std::string err;
    if (!store_.Finish(job, mapping.name, mapping.target, mapping.object, f, &fenced, &err)) {
      log_->warn("job {} ({} {}): not finished: {}", job.id, mapping.name, job.record_id, err);
    } else if (f.state == "dead") {
      log_->warn("job {} dead-lettered: mapping={} record={} reason={}", job.id, mapping.name,
                 job.record_id, f.dead_reason.value_or(""));
    } else {
      log_->debug("job {} {}: mapping={} record={}", job.id, f.state, mapping.name, job.record_id);
    }
    Drop(job);
  };

  // Jobs whose staging row is gone complete as skipped.
  std::vector<const ClaimedJob*> live;
  for (const ClaimedJob& j : jobs) {
    if (j.record) {
      live.push_back(&j);
      continue;
    }
    DeliveryResult gone;
    gone.kind = DeliveryResult::Kind::kSkipped;
    gone.reason = "the staged record no longer exists";
    finish(j, gone, TargetSender(target, clock_, &stopping_));
  }
  if (mapping.batch.max_items > 0 && !live.empty()) {
    std::vector<const StagedRecord*> records;
    for (const ClaimedJob* j : live) records.push_back(&*j->record);
    TargetSender sender(target, clock_, &stopping_);
    std::vector<DeliveryResult> results = DeliverBatch(mapping, records, &sender);
    for (size_t i = 0; i < live.size(); ++i) finish(*live[i], results[i], sender);
    return true;
  }
  for (const ClaimedJob* j : live) {
    TargetSender sender(target, clock_, &stopping_);
    DeliveryResult result = Deliver(mapping, *j->record, j->external_id, &sender);
    finish(*j, result, sender);
  }
  return true;
}

void WorkerPool::ListenLoop() {
  while (!stopping_) {
    try {
      std::unique_ptr<pqxx::connection> conn = pool_->OpenDedicated();
      Receiver receiver(*conn, [this] { Wake(); });
      Wake();  // catch up with anything missed while disconnected
      while (!stopping_) conn->await_notification(0, 200000);
    } catch (const std::exception& e) {
      log_->warn("job listener: {}; polling until the database is back", e.what());
      for (int i = 0; i < 20 && !stopping_; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
}

void WorkerPool::LeaseLoop() {
  int lease = config_->Get()->workers.lease_seconds;
  auto interval = std::chrono::milliseconds(lease * 1000 / 3);
  auto next = std::chrono::steady_clock::now() + interval;
  while (!stopping_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (std::chrono::steady_clock::now() < next) continue;
    next = std::chrono::steady_clock::now() + interval;
    std::vector<std::pair<int64_t, int>> held;
    {
      std::lock_guard<std::mutex> lock(mu_);
      held.assign(held_.begin(), held_.end());
    }
    std::string error;
    if (!store_.Renew(held, lease, &error))
      log_->warn("cannot renew {} leases: {}", held.size(), error);
  }
}

}  // namespace sippet
