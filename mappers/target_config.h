#ifndef SIPPET_MAPPERS_TARGET_CONFIG_H_
#define SIPPET_MAPPERS_TARGET_CONFIG_H_

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "mappers/address_policy.h"
#include "mappers/auth.h"
#include "mappers/circuit_breaker.h"
#include "mappers/config_error.h"
#include "mappers/rate_limiter.h"
#include "mappers/retry_policy.h"

namespace sippet {

// One CRM target (`targets.<name>` in the YAML), validated. Every field names its key, default
// and range; docs/configuration.md is the reference. Secrets are already loaded.
struct TargetConfig {
  std::string name;      // the key under `targets`: ^[a-z0-9][a-z0-9_-]*$, at most 64 chars
  std::string base_url;  // base_url, required: http(s)://host[:port][/path], no userinfo,
                         // query or fragment; trailing '/' removed

  // auth.type: none (default when `auth` is absent) | bearer | basic | api_key |
  // oauth2_client_credentials | oauth2_refresh_token, with the keys of that type:
  //   bearer: token_file|_env|_credential
  //   basic: username (plain) or username_file|..., password_file|...
  //   api_key: key_file|...; header: NAME (default X-API-Key) or query: NAME; prefix (header)
  //   oauth2_*: token_url (absolute http(s) URL), client_id (plain) or client_id_file|...,
  //     client_secret_file|... (required for client_credentials), refresh_token_file|...
  //     (refresh_token grant, required), scopes: [..], client_auth: body|basic,
  //     expiry_margin_seconds 60 (0..3600), default_lifetime_seconds 0 (0..604800),
  //     token_timeout_ms 10000 (100..600000)
  AuthConfig auth;
  // Where each loaded secret came from, e.g. "auth.token: file /etc/x" — safe to log.
  std::vector<std::string> secret_sources;
  // auth.use_instance_url, false; oauth2 only: requests go to the token response's
  // instance_url (Salesforce) once one is known.
  bool use_instance_url = false;

  std::chrono::milliseconds timeout{10000};         // timeout_ms, 100..600000 (total)
  std::chrono::milliseconds connect_timeout{3000};  // connect_timeout_ms, 50..60000, <= timeout

  std::string ca_file;  // tls.ca_file, "" = system store; relative to the config file's dir
  // tls.dangerously_skip_verify, false. Accepted; the caller must log a warning when set.
  bool dangerously_skip_tls_verify = false;

  std::vector<std::string> allow_private;  // allow_private: CIDRs as written, e.g. 10.0.0.0/8
  AddressPolicy address_policy;            // the default refusals minus allow_private

  // rate_limit: requests (0 = off, 0..1000000), window_ms (1..86400000, default 1000),
  // max_concurrency (0 = unlimited, 0..1024), remaining_header, reset_header,
  // reset_format: delta_seconds (default) | unix_seconds | delta_ms
  RateLimitOptions rate_limit;
  // retry: schedule_seconds [..] (each 0..604800), base_delay_seconds (1..86400),
  // max_attempts (0..1000), max_age_seconds (0..2592000), jitter (0..1), min_delay_seconds,
  // max_delay_seconds, max_retry_after_seconds, rate_limited_delay_seconds, quota_park_seconds,
  // max_quota_park_seconds (each 0..604800). Defaults: RetryPolicy's.
  RetryPolicy retry;
  // circuit: consecutive_failures (0 = off, 0..10000), failure_ratio (0 = off, 0..1),
  // ratio_min_requests (1..100000), window_ms (1000..86400000), cool_down_ms (100..86400000).
  // Defaults: CircuitBreakerOptions'.
  CircuitBreakerOptions circuit;
};

// Loads the `targets` mapping (target name -> settings) from `targets_node`, which was read
// from `file` (used in messages and to resolve relative paths); `path` is its key path
// ("targets"). An absent or null node is an empty set of targets. Reads every secret (files,
// environment, $CREDENTIALS_DIRECTORY) so that check-config proves they are readable.
// Returns true when no error was found; otherwise appends every problem to *errors (located by
// file, line, column and key path; never containing a secret) and returns false. *out receives
// the targets that loaded without error.
bool LoadTargets(const YAML::Node& targets_node, const std::string& file, const std::string& path,
                 ConfigErrors* errors, std::map<std::string, TargetConfig>* out);

// Checks and normalises an absolute http(s) URL with no userinfo, query or fragment and
// removes trailing '/'. On failure returns false with a reason in *error. Used for base_url and
// for instance_url values returned by a token endpoint.
bool NormaliseBaseUrl(const std::string& url, std::string* out, std::string* error);

}  // namespace sippet

#endif  // SIPPET_MAPPERS_TARGET_CONFIG_H_
