#ifndef SIPPET_DAEMON_JOB_STORE_H_
#define SIPPET_DAEMON_JOB_STORE_H_

#include <pqxx/pqxx>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/pg_pool.h"
#include "mappers/delivery.h"

namespace sippet {

// A job this worker holds. `claim` is the fencing token: only the holder of the current
// claim can finish or release the job.
struct ClaimedJob {
  int64_t id = 0;
  int claim = 0;
  int attempts = 0;  // attempts already counted against the budget
  std::string staging_table, organisation_id, record_id;
  int64_t age_seconds = 0;
  // Filled by LoadRecord:
  std::optional<StagedRecord> record;  // nullopt: the staging row vanished
  std::optional<std::string> external_id;
};

// One HTTP attempt as recorded in delivery_attempts (already redacted and bounded).
struct AttemptRow {
  std::string step, method, url, headers_json;
  std::optional<std::string> request_body, response_body, error;
  std::optional<int> status;
  std::string error_class;
  int64_t started_unix_ms = 0;
  int duration_ms = 0;
};

// How a job ends this round.
struct JobFinish {
  std::string state;                  // pending | done | dead
  std::optional<std::string> outcome;  // delivered | skipped | deleted (done only)
  int attempts = 0;
  double delay_seconds = 0;           // pending: run_after = now + delay
  std::optional<int> last_status;
  std::optional<std::string> last_error, dead_reason, external_id;
  bool drop_link = false;
  std::vector<AttemptRow> attempt_rows;
};

// Delivery's SQL. Thread-safe; every method takes its own pooled connection.
class JobStore {
 public:
  explicit JobStore(PgPool* pool) : pool_(pool) {}
  static void Prepare(pqxx::connection& conn);

  // Claims up to `limit` ready jobs of `mapping` for `lease_seconds`. Empty on any error
  // (logged by the caller through *error).
  std::vector<ClaimedJob> Claim(const std::string& mapping, int limit, int lease_seconds,
                                const std::string& worker, std::string* error);
  // Reads each job's newest staged state and stored link for (target, object).
  bool LoadRecords(std::vector<ClaimedJob>* jobs, const std::string& target,
                   const std::string& object, std::string* error);
  // Extends the leases of jobs still held.
  bool Renew(const std::vector<std::pair<int64_t, int>>& held, int lease_seconds,
             std::string* error);
  // Records the attempts and moves the job, in one transaction (G6). Returns false with
  // *fenced = true when the claim was lost (the attempts are still recorded, marked fenced).
  bool Finish(const ClaimedJob& job, const std::string& mapping, const std::string& target,
              const std::string& object, const JobFinish& finish, bool* fenced,
              std::string* error);
  // Gives the job back without counting an attempt.
  bool Release(const ClaimedJob& job, double delay_seconds, std::string* error);

 private:
  // Runs `body` on a pooled connection. Connection failures mark it broken; any exception
  // becomes false with its message in *error.
  template <typename Body>
  bool WithConnection(std::string* error, Body&& body);

  PgPool* pool_;
};

// A PostgreSQL array literal of text values: {"a","b"}.
std::string TextArray(const std::vector<std::string>& values);

}  // namespace sippet

#endif  // SIPPET_DAEMON_JOB_STORE_H_
