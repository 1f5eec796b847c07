#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "daemon/signature.h"
#include "mappers/config.h"
#include "mappers/secret_source.h"
#include "mappers/yaml_reader.h"

namespace sippet {
namespace {

constexpr const char* kDatabaseUrlEnv = "SIPPET_SYNC_DATABASE_URL";
const std::set<std::string> kReservedPaths = {"/healthz", "/readyz", "/metrics"};

// Makes `path` relative to the directory of the config file.
std::string Resolve(const std::string& config_file, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  std::filesystem::path base = std::filesystem::path(config_file).parent_path();
  return (base / path).lexically_normal().string();
}

void LoadDatabase(YamlMap m, Config* c) {
  DatabaseConfig& d = c->database;
  d.pool_size = static_cast<int>(m.Int("pool_size", d.pool_size, 1, 256));
  d.connect_timeout_seconds =
      static_cast<int>(m.Int("connect_timeout_seconds", d.connect_timeout_seconds, 1, 60));
  d.acquire_timeout_ms = static_cast<int>(m.Int("acquire_timeout_ms", d.acquire_timeout_ms, 10, 60000));
  std::string inline_url = m.String("url", "");
  std::optional<SecretRef> ref = ReadSecretRef(m, "url", false);
  if (m.Has("url") && ref) m.Error("url", "set either url or url_file/url_env/url_credential");
  if (ref && ref->kind == SecretRef::Kind::kFile) ref->name = Resolve(c->file, ref->name);
  m.Finish();

  if (const char* env = std::getenv(kDatabaseUrlEnv); env != nullptr && *env != '\0') {
    d.url = Secret(env);
    d.url_source = std::string("environment variable ") + kDatabaseUrlEnv;
    return;
  }
  if (ref) {
    std::string error;
    if (!LoadSecretText(*ref, &d.url, &error)) m.Error(SecretKey("url", *ref), error);
    d.url_source = ref->Describe();
    return;
  }
  if (inline_url.empty()) {
    m.Error("url", std::string("is required (or url_file, or the environment variable ") +
                       kDatabaseUrlEnv + ")");
    return;
  }
  d.url = Secret(inline_url);
  d.url_source = "database.url";
}

void LoadServer(YamlMap m, Config* c) {
  ServerConfig& s = c->server;
  std::string listen = m.String("listen", s.listen_host + ":" + std::to_string(s.listen_port));
  size_t colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? "" : listen.substr(0, colon);
  std::string port = colon == std::string::npos ? "" : listen.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  static const std::regex kPort("^[0-9]{1,5}$");
  if (host.empty() || !std::regex_match(port, kPort) || std::stoi(port) > 65535) {
    m.Error("listen", "must be HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), got '" + listen + "'");
  } else {
    s.listen_host = host;
    s.listen_port = static_cast<uint16_t>(std::stoi(port));
  }
  s.max_body_bytes = m.Int("max_body_bytes", s.max_body_bytes, 1024, 64 << 20);
  s.max_connections = static_cast<int>(m.Int("max_connections", s.max_connections, 2, 1024));
  s.read_timeout_seconds = static_cast<int>(m.Int("read_timeout_seconds", s.read_timeout_seconds, 1, 600));
  s.keep_alive_timeout_seconds =
      static_cast<int>(m.Int("keep_alive_timeout_seconds", s.keep_alive_timeout_seconds, 1, 600));
  m.Finish();
}

// Reads whsec_ secrets: one per line (or whitespace-separated in a variable); blank lines and
// lines starting with '#' are ignored.
void LoadEndpointKeys(YamlMap& m, const SecretRef& ref, EndpointConfig* e) {
  std::string key = SecretKey("secrets", ref);
  Secret text;
  std::string error;
  if (!LoadSecretText(ref, &text, &error)) {
    m.Error(key, error);
    return;
  }
  std::istringstream in(text.Expose());
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    std::istringstream words(line);
    std::string word;
    while (words >> word) {
      if (word[0] == '#') break;
      Secret k;
      if (!ParseWebhookSecret(word, &k, &error)) {
        m.Error(key, ref.Describe() + " line " + std::to_string(line_no) + ": " + error);
        continue;
      }
      e->keys.push_back(std::move(k));
    }
    Secret wipe(std::move(line));
  }
  if (e->keys.empty() && error.empty()) m.Error(key, ref.Describe() + " holds no secret");
}

void LoadEndpoint(YamlMap m, Config* c) {
  EndpointConfig e;
  e.path = m.String("path", "", true);
  if (!e.path.empty() && e.path[0] != '/') m.Error("path", "must start with '/'");
  if (kReservedPaths.count(e.path)) m.Error("path", "'" + e.path + "' is reserved for the daemon");
  for (const EndpointConfig& other : c->endpoints) {
    if (other.path == e.path) m.Error("path", "'" + e.path + "' is used by another endpoint");
  }
  e.environment = m.Enum("environment", "live", {"live", "sandbox"}) == "sandbox"
                      ? Environment::kSandbox : Environment::kLive;
  e.organisation_ids = m.StringList("organisation_ids");
  e.timestamp_tolerance_seconds =
      m.Int("timestamp_tolerance_seconds", e.timestamp_tolerance_seconds, 1, 86400);
  std::optional<SecretRef> ref = ReadSecretRef(m, "secrets", true);
  if (ref) {
    if (ref->kind == SecretRef::Kind::kFile) ref->name = Resolve(c->file, ref->name);
    e.secrets_source = ref->Describe();
    LoadEndpointKeys(m, *ref, &e);
  }
  m.Finish();
  c->endpoints.push_back(std::move(e));
}

void LoadWorkers(YamlMap m, Config* c) {
  WorkersConfig& w = c->workers;
  w.concurrency = static_cast<int>(m.Int("concurrency", w.concurrency, 1, 256));
  w.lease_seconds = static_cast<int>(m.Int("lease_seconds", w.lease_seconds, 5, 3600));
  w.poll_interval_ms = static_cast<int>(m.Int("poll_interval_ms", w.poll_interval_ms, 50, 600000));
  m.Finish();
}

void LoadLogging(YamlMap m, Config* c) {
  c->logging.level = m.Enum("level", c->logging.level, {"trace", "debug", "info", "warn", "error"});
  c->logging.format = m.Enum("format", c->logging.format, {"text", "json"});
  m.Finish();
}

}  // namespace

const char* EnvironmentName(Environment e) {
  return e == Environment::kSandbox ? "sandbox" : "live";
}

std::unique_ptr<Config> LoadConfigFromString(const std::string& yaml, const std::string& file,
                                             ConfigErrors* errors) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& ex) {
    ConfigError e;
    e.file = file;
    e.line = ex.mark.line >= 0 ? ex.mark.line + 1 : 0;
    e.column = ex.mark.column >= 0 ? ex.mark.column + 1 : 0;
    e.message = "invalid YAML: " + ex.msg;
    errors->push_back(e);
    return nullptr;
  }
  auto config = std::make_unique<Config>();
  config->file = file;
  size_t before = errors->size();
  if (!root.IsMap()) {
    AddError(errors, file, root, "", "the configuration must be a YAML mapping");
    return nullptr;
  }
  YamlMap top(root, file, "", errors);
  LoadDatabase(YamlMap(top.Child("database"), file, "database", errors), config.get());
  LoadServer(YamlMap(top.Child("server"), file, "server", errors), config.get());
  LoadLogging(YamlMap(top.Child("logging"), file, "logging", errors), config.get());
  YAML::Node endpoints = top.Child("endpoints");
  if (!endpoints.IsDefined() || endpoints.IsNull() || (endpoints.IsSequence() && endpoints.size() == 0)) {
    top.Error(endpoints.IsDefined() ? "endpoints" : "", "needs at least one entry in endpoints");
  } else if (!endpoints.IsSequence()) {
    top.Error("endpoints", "must be a list of endpoints");
  } else {
    for (size_t i = 0; i < endpoints.size(); ++i) {
      LoadEndpoint(YamlMap(endpoints[i], file, "endpoints[" + std::to_string(i) + "]", errors),
                   config.get());
    }
  }
  LoadWorkers(YamlMap(top.Child("workers"), file, "workers", errors), config.get());
  YAML::Node targets = top.Child("targets");
  LoadTargets(targets, file, "targets", errors, &config->targets);
  std::string dir = top.String("mappings_dir", "");
  if (!dir.empty()) {
    config->mappings_dir = Resolve(file, dir);
    // Every declared target, also those with errors of their own (reported already).
    std::set<std::string> names;
    if (targets.IsMap()) {
      for (auto it = targets.begin(); it != targets.end(); ++it) names.insert(it->first.Scalar());
    }
    LoadMappings(config->mappings_dir, names, errors, &config->mappings);
    for (const Mapping& m : config->mappings) {
      auto t = config->targets.find(m.target);
      if (t != config->targets.end() &&
          t->second.timeout.count() / 1000 + 5 > config->workers.lease_seconds) {
        top.Error("mappings_dir", "target '" + m.target + "' timeout_ms must be at least 5 s "
                  "shorter than workers.lease_seconds, or a slow request could outlive its claim");
        break;
      }
    }
  } else if (!config->targets.empty()) {
    top.Error("targets", "targets are configured but mappings_dir is not set");
  }
  top.Finish();
  if (errors->size() != before) return nullptr;
  return config;
}

const Mapping* Config::FindMapping(const std::string& name) const {
  for (const Mapping& m : mappings) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

std::unique_ptr<Config> LoadConfig(const std::string& path, ConfigErrors* errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors->push_back({path, 0, 0, "", "cannot read the configuration file"});
    return nullptr;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return LoadConfigFromString(ss.str(), path, errors);
}

std::string MaskDatabaseUrl(const std::string& url) {
  // postgresql://user:password@host/db -> postgresql://user:***@host/db ; key=value form too.
  static const std::regex kUriPassword(R"(^([a-z]+://[^:/@]*:)[^@]*@)");
  static const std::regex kKvPassword(R"((password\s*=\s*)('[^']*'|\S+))");
  std::string out = std::regex_replace(url, kUriPassword, "$1***@");
  out = std::regex_replace(out, kKvPassword, "$1***");
  static const std::regex kQueryPassword(R"(([?&]password=)[^&]*)");
  return std::regex_replace(out, kQueryPassword, "$1***");
}

}  // namespace sippet
