#ifndef SIPPET_DAEMON_WORKER_POOL_H_
#define SIPPET_DAEMON_WORKER_POOL_H_

#include <spdlog/logger.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "daemon/clock.h"
#include "daemon/config_holder.h"
#include "daemon/job_store.h"
#include "daemon/pg_pool.h"
#include "mappers/target.h"

namespace sippet {

// The runtime targets of one configuration (transport, auth, limiter, breaker each).
struct TargetRegistry {
  std::map<std::string, std::unique_ptr<Target>> targets;
  Target* Find(const std::string& name) const;
};

// Builds the targets of `config`. `transport` (tests) replaces every target's own transport.
std::shared_ptr<TargetRegistry> BuildTargets(const Config& config, const Clock* clock,
                                             spdlog::logger* log, HttpTransport* transport = nullptr);

// The delivery workers (DESIGN §5): `workers.concurrency` threads claim ready jobs with
// FOR UPDATE SKIP LOCKED, deliver them through the mapping's strategy and record the outcome
// and every attempt in one transaction. A listener thread wakes them on NOTIFY (a poll is the
// fallback); a keeper thread renews the leases of jobs in progress. Stop() lets each worker
// finish its current job and then returns. Any number of pools, in any number of processes,
// may share one database.
class WorkerPool {
 public:
  WorkerPool(const ConfigHolder* config, PgPool* pool, const Clock* clock,
             std::shared_ptr<spdlog::logger> log, std::string worker_id);
  ~WorkerPool();

  void Start(std::shared_ptr<TargetRegistry> targets);
  void Stop();
  // Swaps the targets after a reload; jobs in progress keep the old ones.
  void SetTargets(std::shared_ptr<TargetRegistry> targets);
  // Wakes every idle worker (as a NOTIFY would).
  void Wake();

 private:
  void WorkerLoop(int index);
  void ListenLoop();
  void LeaseLoop();
  // Claims and delivers one round of `mapping`'s jobs; returns true if any were claimed.
  bool RunMapping(const Config& config, const Mapping& mapping, TargetRegistry& targets,
                  const std::string& worker, uint64_t seed);
  void Hold(const ClaimedJob& job);
  void Drop(const ClaimedJob& job);
  std::shared_ptr<TargetRegistry> targets() const;

  const ConfigHolder* config_;
  const Clock* clock_;
  std::shared_ptr<spdlog::logger> log_;
  const std::string worker_id_;
  PgPool* pool_;
  JobStore store_;
  std::atomic<bool> stopping_{false};

  mutable std::mutex mu_;
  std::condition_variable wake_;
  uint64_t wakeups_ = 0;                       // GUARDED_BY(mu_)
  std::shared_ptr<TargetRegistry> targets_;    // GUARDED_BY(mu_)
  std::map<int64_t, int> held_;                // GUARDED_BY(mu_): job id -> claim

  std::vector<std::thread> threads_;
};

}  // namespace sippet

#endif  // SIPPET_DAEMON_WORKER_POOL_H_
