#ifndef SIPPET_MAPPERS_CONFIG_H_
#define SIPPET_MAPPERS_CONFIG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <map>

#include "daemon/secret.h"
#include "mappers/config_error.h"
#include "mappers/mapping.h"
#include "mappers/target_config.h"

namespace sippet {

// The whole configuration, loaded once (and again on reload) and passed down by const&.
// Every field names its YAML key, default and range; docs/configuration.md is the reference.

struct DatabaseConfig {
  // database.url | database.url_file | database.url_env | database.url_credential; the
  // environment variable SIPPET_SYNC_DATABASE_URL overrides all of them. May hold a password.
  Secret url;
  std::string url_source;        // where the URL came from, for messages (never the URL)
  int pool_size = 8;             // database.pool_size, 1..256
  int connect_timeout_seconds = 5;  // database.connect_timeout_seconds, 1..60
  int acquire_timeout_ms = 2000;    // database.acquire_timeout_ms, 10..60000: wait for a free
                                    // pooled connection before answering 503
};

struct ServerConfig {
  std::string listen_host = "127.0.0.1";  // server.listen "HOST:PORT"
  uint16_t listen_port = 8080;            // port 0 picks a free port
  int64_t max_body_bytes = 1048576;       // server.max_body_bytes, 1 KiB..64 MiB
  int max_connections = 64;               // server.max_connections, 2..1024 (pool threads)
  int read_timeout_seconds = 30;          // server.read_timeout_seconds, 1..600
  int keep_alive_timeout_seconds = 15;    // server.keep_alive_timeout_seconds, 1..600
};

enum class Environment { kLive, kSandbox };
const char* EnvironmentName(Environment e);

struct EndpointConfig {
  std::string path;                           // endpoints[].path, starts with '/', unique
  Environment environment = Environment::kLive;  // endpoints[].environment: live | sandbox
  std::vector<std::string> organisation_ids;  // endpoints[].organisation_ids; empty = any
  std::vector<Secret> keys;                   // decoded whsec_ keys, newest and older ones
  std::string secrets_source;                 // where they came from (for messages)
  int64_t timestamp_tolerance_seconds = 300;  // endpoints[].timestamp_tolerance_seconds, 1..86400
};

struct LoggingConfig {
  std::string level = "info";   // logging.level: trace|debug|info|warn|error
  std::string format = "text";  // logging.format: text | json (one JSON object per line)
};

struct WorkersConfig {
  int concurrency = 4;          // workers.concurrency, 1..256: jobs delivered at once
  int lease_seconds = 60;       // workers.lease_seconds, 5..3600: a claim lasts this long
                                // unless renewed; must exceed every target's timeout
  int poll_interval_ms = 5000;  // workers.poll_interval_ms, 50..600000: fallback when no
                                // NOTIFY arrives
};

struct Config {
  std::string file;  // the file it was loaded from
  DatabaseConfig database;
  ServerConfig server;
  std::vector<EndpointConfig> endpoints;
  LoggingConfig logging;
  WorkersConfig workers;
  std::map<std::string, TargetConfig> targets;  // targets: name -> settings
  std::string mappings_dir;                     // mappings_dir, relative to the config file
  std::vector<Mapping> mappings;                // every mappings_dir/*.yaml

  const Mapping* FindMapping(const std::string& name) const;
};

// Loads and validates `path`. On failure returns nullptr and fills *errors (each naming file,
// line, column and key). Reads secrets from files, the environment and $CREDENTIALS_DIRECTORY.
std::unique_ptr<Config> LoadConfig(const std::string& path, ConfigErrors* errors);

// Loads from YAML text; `file` is used in messages and to resolve relative paths.
std::unique_ptr<Config> LoadConfigFromString(const std::string& yaml, const std::string& file,
                                             ConfigErrors* errors);

// The URL with any password replaced by "***", safe to log.
std::string MaskDatabaseUrl(const std::string& url);

}  // namespace sippet

#endif  // SIPPET_MAPPERS_CONFIG_H_
