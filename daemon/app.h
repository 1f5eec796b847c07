#ifndef SIPPET_DAEMON_APP_H_
#define SIPPET_DAEMON_APP_H_

#include <Poco/Net/ServerSocket.h>
#include <spdlog/logger.h>

#include <memory>
#include <optional>
#include <string>

#include "daemon/clock.h"
#include "daemon/config_holder.h"
#include "daemon/event_store.h"
#include "daemon/http_server.h"
#include "daemon/ingest.h"
#include "daemon/pg_pool.h"
#include "daemon/worker_pool.h"

namespace sippet {

struct AppOptions {
  bool ingest = true;   // serve the webhook endpoints (--no-ingest turns it off)
  bool workers = true;  // run delivery workers (--no-workers turns it off)
};

// `serve`: assembles the pool, the store, the ingest pipeline and the HTTP server from one
// config. Not thread-safe except Reload, which may be called from a signal-handling thread.
class App {
 public:
  // `transport` (tests only) replaces every target's outbound HTTP transport.
  App(std::shared_ptr<const Config> config, AppOptions options,
      std::shared_ptr<spdlog::logger> log, const Clock* clock,
      HttpTransport* transport = nullptr);
  ~App();

  // Connects to the database, checks that the schema is current, and starts listening — on
  // `socket` if given (tests pass one bound to port 0), else on server.listen. On failure
  // returns false and sets *error.
  bool Start(std::optional<Poco::Net::ServerSocket> socket, std::string* error);
  // Stops accepting and waits for in-flight requests; stops the workers after their current
  // jobs.
  void Stop();

  // Swaps in a new config (endpoints, secrets). Settings that need a restart (database,
  // server) are kept as they were and named in *note.
  void Reload(std::shared_ptr<const Config> next, std::string* note);

  bool Ready(std::string* reason);
  uint16_t port() const { return http_ ? http_->port() : 0; }

 private:
  ConfigHolder config_;
  AppOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  const Clock* clock_;
  HttpTransport* transport_;
  std::unique_ptr<PgPool> pool_;
  std::unique_ptr<PgPool> worker_pool_db_;
  std::unique_ptr<WorkerPool> workers_;
  std::unique_ptr<PgEventStore> store_;
  std::unique_ptr<Ingestor> ingestor_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace sippet

#endif  // SIPPET_DAEMON_APP_H_
