#ifndef SIPPET_TESTS_FAKES_FAKE_CRM_STATE_H_
#define SIPPET_TESTS_FAKES_FAKE_CRM_STATE_H_

// The inspectable state every fake CRM shares: records, the request log, per-record
// concurrency tracking and issued auth tokens. Every class here is thread-safe: the HTTP
// server's pool threads write to it while a test reads it.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/clock.h"

namespace sippet::fakes {

struct StoredRecord {
  std::string id;
  nlohmann::json fields;   // the vendor's own representation of the record
  int64_t created_at = 0;  // unix seconds (from the fake's clock)
  int64_t updated_at = 0;
};

struct ObjectCounts {
  int creates = 0;
  int updates = 0;
  int deletes = 0;
};

struct UpsertOutcome {
  StoredRecord record;
  bool created = false;
};

// An in-memory table of records per object type ("contacts", "Contact", "users", ...). Ids are
// assigned from a per-type sequence and formatted by the type's IdFormatter (default: the
// decimal number, starting at 1001).
class RecordStore {
 public:
  using IdFormatter = std::function<std::string(int64_t sequence)>;
  using Predicate = std::function<bool(const nlohmann::json& fields)>;

  explicit RecordStore(const Clock* clock) : clock_(clock) {}

  void SetIdFormatter(const std::string& type, IdFormatter formatter);

  StoredRecord Create(const std::string& type, nlohmann::json fields);
  // Shallow-merges `patch` (an object) into the record. Returns nullopt for an unknown id.
  std::optional<StoredRecord> Update(const std::string& type, const std::string& id,
                                     const nlohmann::json& patch);
  // Replaces the record's fields. Returns nullopt for an unknown id.
  std::optional<StoredRecord> Replace(const std::string& type, const std::string& id,
                                      nlohmann::json fields);
  bool Delete(const std::string& type, const std::string& id);
  std::optional<StoredRecord> Get(const std::string& type, const std::string& id) const;

  // Atomic find-or-create: the first record matching `match` is merged with `patch`; if none
  // matches, `fields_for_create` becomes a new record. Two concurrent calls never both create.
  UpsertOutcome Upsert(const std::string& type, const Predicate& match, const nlohmann::json& patch,
                       nlohmann::json fields_for_create);

  // Records whose top-level `field` equals `value` (strings compared case-insensitively when
  // asked; non-string values compared by their JSON text). In id order.
  std::vector<StoredRecord> FindBy(const std::string& type, const std::string& field,
                                   const std::string& value, bool case_insensitive = false) const;
  std::vector<StoredRecord> FindWhere(const std::string& type, const Predicate& match) const;
  std::vector<StoredRecord> List(const std::string& type) const;
  size_t Size(const std::string& type) const;
  ObjectCounts Counts(const std::string& type) const;
  // {"<type>": [{"id":..., "fields":...}, ...], ...}
  nlohmann::json Dump() const;
  nlohmann::json CountsJson() const;

 private:
  struct Table {
    std::map<int64_t, StoredRecord> rows;  // by sequence, so listing is in creation order
    std::map<std::string, int64_t> by_id;
    int64_t next_sequence = 1001;
    IdFormatter formatter;
    ObjectCounts counts;
  };
  StoredRecord CreateLocked(Table& table, nlohmann::json fields);
  StoredRecord* FindLocked(Table& table, const std::string& id);

  const Clock* clock_;
  mutable std::mutex mutex_;
  std::map<std::string, Table> tables_;  // GUARDED_BY(mutex_)
};

// One request as the fake saw it, with the answer it gave.
struct LoggedRequest {
  int64_t sequence = 0;
  std::string method;
  std::string path;   // without the query string
  std::string query;  // raw, without '?'
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<std::string> record_keys;
  int status = 0;     // 0 when the connection was dropped without an answer
  std::string fault;  // empty, or the name of the injected fault
};

class RequestLog {
 public:
  // Returns the entry's sequence number, used to complete it later.
  int64_t Begin(LoggedRequest entry);
  void Finish(int64_t sequence, int status, const std::string& fault);
  std::vector<LoggedRequest> Entries() const;
  size_t Size() const;
  // Entries whose method and path match exactly.
  size_t CountOf(const std::string& method, const std::string& path) const;
  void Clear();

 private:
  mutable std::mutex mutex_;
  std::vector<LoggedRequest> entries_;  // GUARDED_BY(mutex_)
  int64_t next_sequence_ = 1;
};

struct ConcurrencyViolation {
  std::string key;
  std::string method;
  std::string path;
  int in_flight = 0;  // requests for the key in flight including this one
};

// Counts in-flight requests per record key (G5) and overall. Also a gate: while paused,
// requests wait after they are counted, so a test can hold several in flight at once and
// observe them without sleeping.
class ConcurrencyTracker {
 public:
  void Enter(const std::vector<std::string>& keys, const std::string& method,
             const std::string& path);
  void Exit(const std::vector<std::string>& keys);

  int MaxInFlightPerKey() const;
  int MaxInFlightTotal() const;
  int InFlightTotal() const;
  std::vector<ConcurrencyViolation> Violations() const;

  void Pause();
  // Releases every waiting request.
  void Resume();
  // Blocks the calling request thread while paused (or until Resume/Shutdown).
  void WaitWhilePaused();
  // Waits until at least `n` requests are in flight; false on timeout.
  bool WaitForInFlight(int n, int timeout_ms) const;
  void Reset();

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::map<std::string, int> in_flight_;  // GUARDED_BY(mutex_)
  int total_ = 0;
  int max_total_ = 0;
  int max_per_key_ = 0;
  bool paused_ = false;
  std::vector<ConcurrencyViolation> violations_;
};

enum class TokenCheck { kValid, kUnknown, kExpired };

// Bearer tokens the fake accepts. A token may expire after a number of uses or at a time.
class TokenBook {
 public:
  explicit TokenBook(const Clock* clock) : clock_(clock) {}
  // max_uses 0: unlimited; expires_at 0: never.
  void Add(const std::string& token, int max_uses = 0, int64_t expires_at = 0);
  // Counts one use of a valid token.
  TokenCheck Use(const std::string& token);
  // Every known token answers kExpired from now on (until re-added).
  void ExpireAll();
  bool empty() const;

 private:
  struct Entry {
    int uses = 0;
    int max_uses = 0;
    int64_t expires_at = 0;
    bool expired = false;
  };
  const Clock* clock_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> tokens_;  // GUARDED_BY(mutex_)
};

// ASCII lower case, for case-insensitive keys (emails, external ids).
std::string ToLowerAscii(std::string s);
// "2026-05-25T10:00:00.000Z" for a unix time in seconds.
std::string IsoTime(int64_t unix_seconds);
// "/a/b/c" -> {"a", "b", "c"}; empty segments dropped.
std::vector<std::string> SplitPath(const std::string& path);
// Parses a request body; false with *error (the parser's message) when it is not JSON.
bool ParseJson(const std::string& body, nlohmann::json* out, std::string* error);

}  // namespace sippet::fakes

#endif  // SIPPET_TESTS_FAKES_FAKE_CRM_STATE_H_
