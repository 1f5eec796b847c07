#include "daemon/app.h"

#include <unistd.h>

#include "daemon/migrator.h"

namespace sippet {

App::App(std::shared_ptr<const Config> config, AppOptions options,
         std::shared_ptr<spdlog::logger> log, const Clock* clock, HttpTransport* transport)
    : config_(std::move(config)), options_(options), log_(std::move(log)), clock_(clock),
      transport_(transport) {}

App::~App() { Stop(); }

bool App::Start(std::optional<Poco::Net::ServerSocket> socket, std::string* error) {
  std::shared_ptr<const Config> config = config_.Get();
  const DatabaseConfig& db = config->database;
  pool_ = std::make_unique<PgPool>(db.url, db.pool_size, db.connect_timeout_seconds,
                                   std::chrono::milliseconds(db.acquire_timeout_ms),
                                   &PgEventStore::Prepare);
  try {
    std::unique_ptr<pqxx::connection> conn = pool_->OpenDedicated();
    MigrationReport schema = CheckSchema(*conn, EmbeddedMigrations());
    if (!schema.error.empty()) {
      *error = schema.error;
      return false;
    }
    if (!schema.pending.empty()) {
      *error = "the database schema is behind (" + std::to_string(schema.pending.size()) +
               " pending migrations, first " + schema.pending.front() +
               "); run: sippet-sync migrate --config " + config->file;
      return false;
    }
  } catch (const std::exception& e) {
    *error = "cannot connect to the database (" + MaskDatabaseUrl(db.url.Expose()) + "): " + ErrorText(e);
    return false;
  }
  store_ = std::make_unique<PgEventStore>(pool_.get());
  ingestor_ = std::make_unique<Ingestor>(store_.get(), clock_, log_, config->server.max_body_bytes);
  if (options_.ingest) {
    try {
      Poco::Net::ServerSocket listener =
          socket ? *socket : BindListener(config->server.listen_host, config->server.listen_port);
      http_ = std::make_unique<HttpServer>(
          config->server, listener, &config_, ingestor_.get(),
          [this](std::string* reason) { return Ready(reason); }, log_);
    } catch (const std::exception& e) {
      *error = "cannot listen on " + config->server.listen_host + ":" +
               std::to_string(config->server.listen_port) + ": " + e.what();
      return false;
    }
    http_->Start();
    log_->info("listening on {}:{} ({} endpoints)", config->server.listen_host, http_->port(),
               config->endpoints.size());
  }
  if (options_.workers && !config->mappings.empty()) {
    worker_pool_db_ = std::make_unique<PgPool>(
        db.url, config->workers.concurrency + 2, db.connect_timeout_seconds,
        std::chrono::milliseconds(db.acquire_timeout_ms), &JobStore::Prepare);
    char host[256] = "host";
    gethostname(host, sizeof(host) - 1);
    workers_ = std::make_unique<WorkerPool>(&config_, worker_pool_db_.get(), clock_, log_,
                                            std::string(host) + ":" + std::to_string(getpid()));
    workers_->Start(BuildTargets(*config, clock_, log_.get(), transport_));
  }
  return true;
}

void App::Stop() {
  if (http_) {
    http_->Stop();
    http_.reset();
    log_->info("ingest stopped; in-flight requests finished");
  }
  if (workers_) {
    workers_->Stop();
    workers_.reset();
  }
}

void App::Reload(std::shared_ptr<const Config> next, std::string* note) {
  std::shared_ptr<const Config> current = config_.Get();
  auto merged = std::make_shared<Config>(*next);
  note->clear();
  if (next->database.url.Expose() != current->database.url.Expose() ||
      next->database.pool_size != current->database.pool_size) {
    *note += "database settings need a restart and were kept; ";
    merged->database = current->database;
  }
  const ServerConfig &a = next->server, &b = current->server;
  if (a.listen_host != b.listen_host || a.listen_port != b.listen_port ||
      a.max_body_bytes != b.max_body_bytes || a.max_connections != b.max_connections ||
      a.read_timeout_seconds != b.read_timeout_seconds ||
      a.keep_alive_timeout_seconds != b.keep_alive_timeout_seconds) {
    *note += "server settings need a restart and were kept; ";
    merged->server = current->server;
  }
  if (next->workers.concurrency != current->workers.concurrency ||
      next->workers.lease_seconds != current->workers.lease_seconds) {
    *note += "workers settings need a restart and were kept; ";
    merged->workers = current->workers;
  }
  std::shared_ptr<const Config> installed = merged;
  config_.Set(installed);
  if (workers_) workers_->SetTargets(BuildTargets(*installed, clock_, log_.get(), transport_));
}

bool App::Ready(std::string* reason) {
  std::string error;
  PgPool::Lease conn = pool_->Acquire(&error);
  if (!conn) {
    *reason = error;
    return false;
  }
  MigrationReport schema = CheckSchema(*conn, EmbeddedMigrations());
  if (!schema.error.empty()) {
    conn.MarkBroken();
    *reason = schema.error;
    return false;
  }
  if (!schema.pending.empty()) {
    *reason = "schema is behind: " + std::to_string(schema.pending.size()) + " pending migrations";
    return false;
  }
  return true;
}

}  // namespace sippet
