#include "mappers/target_config.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "mappers/target_config_parts.h"
#include "mappers/yaml_reader.h"

namespace sippet {
namespace target_config_internal {

std::string ResolvePath(const std::string& config_file, const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  std::filesystem::path base = std::filesystem::path(config_file).parent_path();
  return (base / path).lexically_normal().string();
}

bool CheckHttpUrl(const std::string& url, bool allow_query, bool strip_slash, std::string* out,
                  std::string* error) {
  auto fail = [&](const std::string& why) {
    *error = why;
    return false;
  };
  for (unsigned char ch : url) {
    if (ch <= 0x20 || ch == 0x7f) return fail("must not contain spaces or control characters");
  }
  size_t sep = url.find("://");
  std::string scheme = sep == std::string::npos ? "" : url.substr(0, sep);
  for (char& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (scheme != "http" && scheme != "https") return fail("must start with https:// or http://");
  size_t auth_start = sep + 3;
  size_t auth_end = url.find_first_of("/?#", auth_start);
  if (auth_end == std::string::npos) auth_end = url.size();
  std::string authority = url.substr(auth_start, auth_end - auth_start);
  std::string rest = url.substr(auth_end);
  if (authority.find('@') != std::string::npos) {
    return fail("must not contain a user name or password (credentials belong under auth)");
  }
  if (rest.find('#') != std::string::npos) return fail("must not contain a fragment ('#')");
  if (!allow_query && rest.find('?') != std::string::npos) {
    return fail("must not contain a query ('?')");
  }
  std::string host, port;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos) return fail("has an unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    if (!IpAddress::Parse(host) || !IpAddress::Parse(host)->v6) {
      return fail("has an invalid IPv6 address '" + host + "'");
    }
    std::string after = authority.substr(close + 1);
    if (!after.empty() && after[0] != ':') return fail("has junk after the IPv6 address");
    has_port = !after.empty();
    if (has_port) port = after.substr(1);
    host = "[" + host + "]";
  } else {
    size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    has_port = colon != std::string::npos;
    if (has_port) port = authority.substr(colon + 1);
    static const std::regex kHost("^[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?$");
    if (host.empty()) return fail("has no host");
    if (!std::regex_match(host, kHost)) return fail("has an invalid host '" + host + "'");
  }
  if (has_port) {
    static const std::regex kPort("^[0-9]{1,5}$");
    if (!std::regex_match(port, kPort) || std::stoi(port) < 1 || std::stoi(port) > 65535) {
      return fail("has an invalid port '" + port + "'");
    }
  }
  for (char& ch : host) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (strip_slash) {
    while (!rest.empty() && rest.back() == '/') rest.pop_back();
  }
  *out = scheme + "://" + host + (port.empty() ? "" : ":" + port) + rest;
  return true;
}

double Number(YamlMap& m, const std::string& key, double def, double min, double max) {
  YAML::Node n = m.Child(key);
  if (!n.IsDefined() || n.IsNull()) return def;
  double v = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || !std::isfinite(v)) {
    m.Error(key, "must be a number");
    return def;
  }
  if (v < min || v > max) {
    std::ostringstream msg;
    msg << "must be between " << min << " and " << max << ", got " << n.Scalar();
    m.Error(key, msg.str());
    return def;
  }
  return v;
}

}  // namespace target_config_internal

namespace {

using namespace target_config_internal;  // NOLINT(build/namespaces): this file's own helpers
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kWeekSeconds = 7 * 86400;

// A list of whole numbers in [min, max]; element errors are located at the element.
std::vector<int64_t> IntList(YamlMap& m, const std::string& key, int64_t min, int64_t max) {
  std::vector<int64_t> out;
  YAML::Node n = m.Child(key);
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) {
    m.Error(key, "must be a list of whole numbers");
    return out;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    std::string at = m.PathOf(key) + "[" + std::to_string(i) + "]";
    int64_t v = 0;
    if (!n[i].IsScalar() || !YAML::convert<int64_t>::decode(n[i], v)) {
      AddError(m.errors(), m.file(), n[i], at, "must be a whole number");
    } else if (v < min || v > max) {
      AddError(m.errors(), m.file(), n[i], at,
               "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                   std::to_string(v));
    } else {
      out.push_back(v);
    }
  }
  return out;
}

void LoadTls(YamlMap m, const std::string& file, TargetConfig* t) {
  std::string ca = m.String("ca_file", "");
  if (m.Has("ca_file")) {
    if (ca.empty()) {
      m.Error("ca_file", "must not be empty (omit it to use the system store)");
    } else {
      t->ca_file = ResolvePath(file, ca);
      std::ifstream in(t->ca_file);
      if (!in) m.Error("ca_file", "cannot read file " + t->ca_file + ": " + std::strerror(errno));
    }
  }
  t->dangerously_skip_tls_verify = m.Bool("dangerously_skip_verify", false);
  m.Finish();
}

void LoadAllowPrivate(YamlMap& m, TargetConfig* t) {
  YAML::Node n = m.Child("allow_private");
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) {
    m.Error("allow_private", "must be a list of address ranges, e.g. [\"10.0.0.0/8\"]");
    return;
  }
  std::vector<Cidr> ranges;
  for (size_t i = 0; i < n.size(); ++i) {
    std::string at = m.PathOf("allow_private") + "[" + std::to_string(i) + "]";
    std::optional<Cidr> c = n[i].IsScalar() ? Cidr::Parse(n[i].Scalar()) : std::nullopt;
    if (!c) {
      std::string text = n[i].IsScalar() ? "'" + n[i].Scalar() + "' " : "";
      AddError(m.errors(), m.file(), n[i], at,
               text + "is not an address range (a.b.c.d/n, x::/n or a single address)");
      continue;
    }
    t->allow_private.push_back(n[i].Scalar());
    ranges.push_back(*c);
  }
  t->address_policy = AddressPolicy(std::move(ranges));
}

void LoadRateLimit(YamlMap m, RateLimitOptions* r) {
  r->requests_per_window = static_cast<int>(m.Int("requests", r->requests_per_window, 0, 1000000));
  r->window_ms = m.Int("window_ms", r->window_ms, 1, 86400000);
  r->max_concurrency = static_cast<int>(m.Int("max_concurrency", r->max_concurrency, 0, 1024));
  r->remaining_header = m.String("remaining_header", "");
  r->reset_header = m.String("reset_header", "");
  std::string format =
      m.Enum("reset_format", "delta_seconds", {"delta_seconds", "unix_seconds", "delta_ms"});
  r->reset_format = format == "unix_seconds" ? RateLimitOptions::ResetFormat::kUnixSeconds
                    : format == "delta_ms"   ? RateLimitOptions::ResetFormat::kDeltaMilliseconds
                                             : RateLimitOptions::ResetFormat::kDeltaSeconds;
  static const std::regex kHeaderName("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$");
  for (const char* key : {"remaining_header", "reset_header"}) {
    std::string v = m.String(key, "");
    if (m.Has(key) && !std::regex_match(v, kHeaderName)) m.Error(key, "is not a header name");
  }
  m.Finish();
}

void LoadRetry(YamlMap m, RetryPolicy* r) {
  size_t before = m.errors()->size();
  if (m.Has("schedule_seconds")) {
    r->schedule.clear();
    for (int64_t s : IntList(m, "schedule_seconds", 0, kWeekSeconds))
      r->schedule.push_back(seconds(s));
  }
  auto secs = [&](const char* key, seconds* field, int64_t min, int64_t max) {
    *field = seconds(m.Int(key, field->count(), min, max));
  };
  secs("base_delay_seconds", &r->base_delay, 1, 86400);
  r->max_attempts = static_cast<int>(m.Int("max_attempts", r->max_attempts, 0, 1000));
  secs("max_age_seconds", &r->max_age, 0, 30 * 86400);
  r->jitter = Number(m, "jitter", r->jitter, 0.0, 1.0);
  secs("min_delay_seconds", &r->min_delay, 0, kWeekSeconds);
  secs("max_delay_seconds", &r->max_delay, 0, kWeekSeconds);
  secs("max_retry_after_seconds", &r->max_retry_after, 0, kWeekSeconds);
  secs("rate_limited_delay_seconds", &r->rate_limited_delay, 0, kWeekSeconds);
  secs("quota_park_seconds", &r->quota_park, 0, kWeekSeconds);
  secs("max_quota_park_seconds", &r->max_quota_park, 0, kWeekSeconds);
  if (r->max_delay < r->min_delay) {
    m.Error(m.Has("max_delay_seconds") ? "max_delay_seconds" : "min_delay_seconds",
            "max_delay_seconds (" + std::to_string(r->max_delay.count()) +
                ") must not be below min_delay_seconds (" + std::to_string(r->min_delay.count()) +
                ")");
  }
  std::string error;
  if (m.errors()->size() == before && !ValidateRetryPolicy(*r, &error)) m.Error("", error);
  m.Finish();
}

void LoadCircuit(YamlMap m, CircuitBreakerOptions* c) {
  c->consecutive_failures =
      static_cast<int>(m.Int("consecutive_failures", c->consecutive_failures, 0, 10000));
  c->failure_ratio = Number(m, "failure_ratio", c->failure_ratio, 0.0, 1.0);
  c->ratio_min_requests =
      static_cast<int>(m.Int("ratio_min_requests", c->ratio_min_requests, 1, 100000));
  c->window_ms = m.Int("window_ms", c->window_ms, 1000, 86400000);
  c->cool_down_ms = m.Int("cool_down_ms", c->cool_down_ms, 100, 86400000);
  m.Finish();
}

void LoadTarget(YamlMap m, const std::string& file, TargetConfig* t) {
  std::string url = m.String("base_url", "", true);
  std::string error;
  if (m.Has("base_url") && !url.empty() && !NormaliseBaseUrl(url, &t->base_url, &error)) {
    m.Error("base_url", error);
  } else if (m.Has("base_url") && url.empty()) {
    m.Error("base_url", "must not be empty");
  }
  YAML::Node auth = m.Child("auth");
  if (auth.IsDefined() && !auth.IsNull()) {
    LoadTargetAuth(YamlMap(auth, file, m.PathOf("auth"), m.errors()), file, t);
  }
  t->timeout = milliseconds(m.Int("timeout_ms", t->timeout.count(), 100, 600000));
  t->connect_timeout =
      milliseconds(m.Int("connect_timeout_ms", t->connect_timeout.count(), 50, 60000));
  if (t->connect_timeout > t->timeout) {
    m.Error(m.Has("connect_timeout_ms") ? "connect_timeout_ms" : "timeout_ms",
            "connect_timeout_ms (" + std::to_string(t->connect_timeout.count()) +
                ") must not exceed timeout_ms (" + std::to_string(t->timeout.count()) + ")");
  }
  LoadTls(YamlMap(m.Child("tls"), file, m.PathOf("tls"), m.errors()), file, t);
  LoadAllowPrivate(m, t);
  LoadRateLimit(YamlMap(m.Child("rate_limit"), file, m.PathOf("rate_limit"), m.errors()),
                &t->rate_limit);
  LoadRetry(YamlMap(m.Child("retry"), file, m.PathOf("retry"), m.errors()), &t->retry);
  LoadCircuit(YamlMap(m.Child("circuit"), file, m.PathOf("circuit"), m.errors()), &t->circuit);
  m.Finish();
}

}  // namespace

bool NormaliseBaseUrl(const std::string& url, std::string* out, std::string* error) {
  return CheckHttpUrl(url, /*allow_query=*/false, /*strip_slash=*/true, out, error);
}

bool LoadTargets(const YAML::Node& targets_node, const std::string& file, const std::string& path,
                 ConfigErrors* errors, std::map<std::string, TargetConfig>* out) {
  size_t before = errors->size();
  if (!targets_node.IsDefined() || targets_node.IsNull()) return true;
  if (!targets_node.IsMap()) {
    AddError(errors, file, targets_node, path, "must be a mapping of target names to settings");
    return false;
  }
  static const std::regex kName("^[a-z0-9][a-z0-9_-]*$");
  std::set<std::string> seen;
  for (auto it = targets_node.begin(); it != targets_node.end(); ++it) {
    size_t target_before = errors->size();
    std::string name = it->first.IsScalar() ? it->first.Scalar() : "?";
    std::string at = path + "." + name;
    if (!std::regex_match(name, kName) || name.size() > 64) {
      AddError(errors, file, it->first, at,
               "a target name must match ^[a-z0-9][a-z0-9_-]*$ (at most 64 characters)");
    } else if (!seen.insert(name).second) {
      AddError(errors, file, it->first, at, "is defined twice");
    }
    TargetConfig t;
    t.name = name;
    if (it->second.IsNull()) {
      AddError(errors, file, it->first, at + ".base_url", "is required");
    } else {
      LoadTarget(YamlMap(it->second, file, at, errors), file, &t);
    }
    if (errors->size() == target_before) (*out)[name] = std::move(t);
  }
  return errors->size() == before;
}

}  // namespace sippet
