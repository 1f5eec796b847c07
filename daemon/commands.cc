#include "daemon/commands.h"

#include <signal.h>

#include <iostream>

#include "daemon/app.h"
#include "daemon/logging.h"
#include "daemon/migrator.h"
#include "daemon/pg_pool.h"
#include "daemon/systemd_notify.h"

namespace sippet {
namespace {

}  // namespace

std::shared_ptr<Config> LoadForCommand(const std::string& path) {
  ConfigErrors errors;
  std::unique_ptr<Config> config = LoadConfig(path, &errors);
  for (const ConfigError& e : errors) std::cerr << e.ToString() << "\n";
  if (!config) std::cerr << "sippet-sync: " << path << ": configuration is not valid ("
                         << errors.size() << (errors.size() == 1 ? " error" : " errors") << ")\n";
  return std::shared_ptr<Config>(std::move(config));
}

namespace {

std::shared_ptr<Config> Load(const std::string& path) { return LoadForCommand(path); }

}  // namespace

int RunCheckConfig(const CliCommand& cmd) {
  std::shared_ptr<Config> config = Load(cmd.config);
  if (!config) return kExitUsage;
  size_t keys = 0;
  for (const auto& e : config->endpoints) keys += e.keys.size();
  std::cout << cmd.config << ": OK (" << config->endpoints.size() << " endpoints, " << keys
            << " webhook secrets, " << config->targets.size() << " targets, "
            << config->mappings.size() << " mappings, database from "
            << config->database.url_source << ")\n";
  for (const auto& [name, t] : config->targets) {
    if (t.dangerously_skip_tls_verify)
      std::cout << "warning: target " << name << " has TLS verification turned off\n";
  }
  return kExitOk;
}

int RunMigrate(const CliCommand& cmd) {
  std::shared_ptr<Config> config = Load(cmd.config);
  if (!config) return kExitUsage;
  try {
    pqxx::connection conn(BuildConninfo(config->database.url.Expose(),
                                        config->database.connect_timeout_seconds));
    MigrationReport report = Migrate(conn, EmbeddedMigrations());
    if (!report.error.empty()) {
      std::cerr << "sippet-sync migrate: " << report.error << "\n";
      return kExitRuntime;
    }
    for (const std::string& name : report.applied_now) std::cout << "applied " << name << "\n";
    std::cout << (report.applied_now.empty() ? "schema is up to date" : "migrations complete")
              << " (" << EmbeddedMigrations().size() << " known)\n";
    return kExitOk;
  } catch (const std::exception& e) {
    std::string what = ErrorText(e);
    std::cerr << "sippet-sync migrate: cannot connect to "
              << MaskDatabaseUrl(config->database.url.Expose()) << ": " << what << "\n";
    return kExitRuntime;
  }
}

int RunServe(const CliCommand& cmd) {
  std::shared_ptr<Config> config = Load(cmd.config);
  if (!config) return kExitUsage;
  std::shared_ptr<spdlog::logger> log = MakeLogger(config->logging);
  SystemClock clock;
  AppOptions options;
  options.ingest = !cmd.no_ingest;
  options.workers = !cmd.no_workers;
  App app(config, options, log, &clock);
  std::string error;
  if (!app.Start(std::nullopt, &error)) {
    log->error("cannot start: {}", error);
    return kExitRuntime;
  }
  NotifySystemd("READY=1");
  log->info("sippet-sync {} ready", SIPPET_SYNC_VERSION);

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      NotifySystemd("RELOADING=1");
      ConfigErrors errors;
      std::unique_ptr<Config> next = LoadConfig(cmd.config, &errors);
      if (!next) {
        for (const ConfigError& e : errors) log->error("reload refused: {}", e.ToString());
        log->error("reload refused: keeping the running configuration");
      } else {
        std::string note;
        app.Reload(std::shared_ptr<const Config>(std::move(next)), &note);
        log->info("configuration reloaded{}{}", note.empty() ? "" : ": ", note);
      }
      NotifySystemd("READY=1");
      continue;
    }
    log->info("received {}, draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    NotifySystemd("STOPPING=1");
    app.Stop();
    log->info("stopped");
    return kExitOk;
  }
}

}  // namespace sippet
