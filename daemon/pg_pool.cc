#include "daemon/pg_pool.h"

namespace sippet {

std::string BuildConninfo(const std::string& url, int connect_timeout_seconds) {
  std::string extra = "connect_timeout=" + std::to_string(connect_timeout_seconds) +
                      " application_name=sippet-sync";
  bool uri = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
  if (!uri) return url + " " + extra;
  std::string params = "connect_timeout=" + std::to_string(connect_timeout_seconds) +
                       "&application_name=sippet-sync";
  return url + (url.find('?') == std::string::npos ? "?" : "&") + params;
}

std::string ErrorText(const std::exception& e) {
  std::string s = e.what();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

bool IsConnectionFailure(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) return true;
  if (dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr) return true;
  if (auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) {
    const std::string& state = sql->sqlstate();
    // 08: connection exception; 57P0x: server shutting down / starting; 53: out of resources.
    return state.rfind("08", 0) == 0 || state.rfind("57P", 0) == 0 || state.rfind("53", 0) == 0;
  }
  return false;
}

PgPool::PgPool(const Secret& url, int size, int connect_timeout_seconds,
               std::chrono::milliseconds acquire_timeout, Prepare prepare)
    : conninfo_(BuildConninfo(url.Expose(), connect_timeout_seconds)),
      size_(size),
      acquire_timeout_(acquire_timeout),
      prepare_(std::move(prepare)) {}

PgPool::~PgPool() = default;

std::unique_ptr<pqxx::connection> PgPool::OpenDedicated() const {
  return std::make_unique<pqxx::connection>(conninfo_.Expose());
}

PgPool::Lease PgPool::Acquire(std::string* error) {
  std::unique_lock<std::mutex> lock(mu_);
  bool ready = cv_.wait_for(lock, acquire_timeout_,
                            [&] { return !idle_.empty() || open_ < size_; });
  if (!ready) {
    *error = "no database connection became free within " +
             std::to_string(acquire_timeout_.count()) + " ms";
    return Lease();
  }
  if (!idle_.empty()) {
    std::unique_ptr<pqxx::connection> conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(this, std::move(conn));
  }
  ++open_;
  lock.unlock();
  try {
    auto conn = std::make_unique<pqxx::connection>(conninfo_.Expose());
    if (prepare_) prepare_(*conn);
    return Lease(this, std::move(conn));
  } catch (const std::exception& e) {
    // libpq's message names host and port but not the password.
    *error = "cannot connect to the database: " + ErrorText(e);
  }
  lock.lock();
  --open_;
  cv_.notify_one();
  return Lease();
}

void PgPool::Release(std::unique_ptr<pqxx::connection> conn, bool broken) {
  bool keep = !broken && conn->is_open();
  if (!keep) conn.reset();  // close outside the lock
  std::lock_guard<std::mutex> lock(mu_);
  if (keep) {
    idle_.push_back(std::move(conn));
  } else {
    --open_;
  }
  cv_.notify_one();
}

PgPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), conn_(std::move(other.conn_)), broken_(other.broken_) {
  other.pool_ = nullptr;
}

PgPool::Lease& PgPool::Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    if (pool_ && conn_) pool_->Release(std::move(conn_), broken_);
    pool_ = other.pool_;
    conn_ = std::move(other.conn_);
    broken_ = other.broken_;
    other.pool_ = nullptr;
  }
  return *this;
}

PgPool::Lease::~Lease() {
  if (pool_ && conn_) pool_->Release(std::move(conn_), broken_);
}

}  // namespace sippet
