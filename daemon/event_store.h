#ifndef SIPPET_DAEMON_EVENT_STORE_H_
#define SIPPET_DAEMON_EVENT_STORE_H_

#include <pqxx/pqxx>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/envelope.h"
#include "daemon/pg_pool.h"
#include "daemon/staging.h"

namespace sippet {

// A verified, validated event ready to be committed.
struct IncomingEvent {
  const Envelope* envelope = nullptr;
  StagingPlan plan;
  std::string webhook_id;
  std::string endpoint;
  const std::string* raw_body = nullptr;  // the signed bytes
  bool jsonb_safe = true;  // false when the body holds U+0000, which jsonb cannot store
  // Mappings subscribed to this event type, with their targets: a sync job each (coalesced)
  // when the staged state changed.
  std::vector<std::string> job_mappings, job_targets;
};

// The staging table's name, as stored in sync_jobs.staging_table.
const char* StagingTableName(StagingTable t);

enum class PersistStatus {
  kStored,       // committed now
  kDuplicate,    // committed earlier under the same envelope id; nothing changed
  kUnavailable,  // not committed: the database is unreachable or overloaded; answer 503
};

struct PersistResult {
  PersistStatus status = PersistStatus::kUnavailable;
  EventStatus event_status = EventStatus::kStored;  // as recorded in sippet_events
  std::string error;  // for kUnavailable: why (no secrets)
};

// A refused request, as recorded in rejected_requests. Headers must already be redacted.
struct Rejection {
  std::string endpoint, method, remote_addr;
  int http_status = 0;
  std::string reason, message;
  int64_t body_bytes = 0;
  std::string headers_json;
  std::string body_prefix;
  std::optional<std::string> webhook_id, event_id;
};

// Durable storage of accepted events and refused requests. Implementations are thread-safe.
class EventStore {
 public:
  virtual ~EventStore() = default;
  // One transaction: the raw event, its staging row (G3), committed before returning (G1).
  virtual PersistResult Persist(const IncomingEvent& event) = 0;
  // Returns false (and *error) if the row could not be written.
  virtual bool RecordRejection(const Rejection& rejection, std::string* error) = 0;
  // True when the database answers.
  virtual bool Ping(std::string* error) = 0;
};

class PgEventStore final : public EventStore {
 public:
  // `pool` must outlive the store and have been created with PgEventStore::Prepare.
  explicit PgEventStore(PgPool* pool) : pool_(pool) {}

  // Registers this store's prepared statements on a new connection.
  static void Prepare(pqxx::connection& conn);

  PersistResult Persist(const IncomingEvent& event) override;
  bool RecordRejection(const Rejection& rejection, std::string* error) override;
  bool Ping(std::string* error) override;

 private:
  PersistResult PersistOnce(const IncomingEvent& event, bool raw_only, bool* retry);
  PgPool* pool_;
};

// Lower-case hex of `bytes`, for bytea parameters.
std::string HexEncode(const std::string& bytes);

}  // namespace sippet

#endif  // SIPPET_DAEMON_EVENT_STORE_H_
