#ifndef SIPPET_DAEMON_PG_POOL_H_
#define SIPPET_DAEMON_PG_POOL_H_

#include <pqxx/pqxx>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "daemon/secret.h"

namespace sippet {

// A fixed-size pool of PostgreSQL connections. Connections are opened lazily, prepared once
// (by the `prepare` callback) and dropped when broken, so the pool recovers by itself after the
// server comes back. Thread-safe.
class PgPool {
 public:
  using Prepare = std::function<void(pqxx::connection&)>;

  // `url` is a libpq URI or key=value string; a connect timeout and application_name are added.
  PgPool(const Secret& url, int size, int connect_timeout_seconds,
         std::chrono::milliseconds acquire_timeout, Prepare prepare);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // A borrowed connection, returned to the pool when destroyed. Call MarkBroken() after a
  // connection-level failure so it is closed instead of reused.
  class Lease {
   public:
    Lease() = default;
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&& other) noexcept;
    ~Lease();
    explicit operator bool() const { return conn_ != nullptr; }
    pqxx::connection& operator*() const { return *conn_; }
    pqxx::connection* operator->() const { return conn_.get(); }
    void MarkBroken() { broken_ = true; }

   private:
    friend class PgPool;
    Lease(PgPool* pool, std::unique_ptr<pqxx::connection> conn)
        : pool_(pool), conn_(std::move(conn)) {}
    PgPool* pool_ = nullptr;
    std::unique_ptr<pqxx::connection> conn_;
    bool broken_ = false;
  };

  // Waits up to the acquire timeout for a connection, opening one if the pool has room.
  // Returns an empty lease and sets *error (never containing the password) when none can be
  // had: pool exhausted, or the database unreachable.
  Lease Acquire(std::string* error);

  // Opens a connection outside the pool (for migrate and LISTEN). Throws pqxx exceptions.
  std::unique_ptr<pqxx::connection> OpenDedicated() const;

 private:
  void Release(std::unique_ptr<pqxx::connection> conn, bool broken);

  const Secret conninfo_;
  const int size_;
  const std::chrono::milliseconds acquire_timeout_;
  const Prepare prepare_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // GUARDED_BY(mu_)
  int open_ = 0;                                          // GUARDED_BY(mu_): idle + leased
};

// True if `e` means the database could not be reached or the connection was lost, as opposed
// to an error in the statement itself.
bool IsConnectionFailure(const std::exception& e);

// The exception's message without the trailing newlines libpq adds, for logs and answers.
std::string ErrorText(const std::exception& e);

// Builds the libpq connection string: `url` plus connect_timeout and application_name.
std::string BuildConninfo(const std::string& url, int connect_timeout_seconds);

}  // namespace sippet

#endif  // SIPPET_DAEMON_PG_POOL_H_
