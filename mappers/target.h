#ifndef SIPPET_MAPPERS_TARGET_H_
#define SIPPET_MAPPERS_TARGET_H_

#include <functional>
#include <memory>
#include <string>

#include "daemon/clock.h"
#include "mappers/auth.h"
#include "mappers/circuit_breaker.h"
#include "mappers/http_client.h"
#include "mappers/rate_limiter.h"
#include "mappers/target_config.h"

namespace sippet {

// The runtime side of one configured CRM target: its transport, credentials, rate limiter and
// circuit breaker, and the only way to build a request URL for it (URLs come only from config,
// DESIGN §7).
//
// Thread-safe: every method may be called from many workers at once. name(), config(),
// BaseUrl() and NewRequest() only read immutable state (plus the Authenticator's own locking);
// transport(), auth(), limiter() and breaker() return objects that are themselves thread-safe.
// Not copyable or movable (workers hold references to its parts).
// While a TokenAudit lives on a thread, every OAuth2 token request that a Target's auth()
// sends from that thread is reported to its sink (the worker records it in
// delivery_attempts: every outbound HTTP attempt is accounted for). Not nestable.
class TokenAudit {
 public:
  using Sink = std::function<void(const HttpRequest& request, const HttpResponse& response)>;
  explicit TokenAudit(Sink sink);
  ~TokenAudit();
  TokenAudit(const TokenAudit&) = delete;
  TokenAudit& operator=(const TokenAudit&) = delete;

 private:
  Sink sink_;
};

class Target {
 public:
  // `clock` must outlive the Target. When `transport` is null the Target owns a
  // PocoHttpTransport configured from config.address_policy, ca_file and
  // dangerously_skip_tls_verify (the caller logs the warning for the latter); otherwise
  // `transport` (a fake, in tests) must outlive the Target. OAuth2 token requests use the
  // same transport.
  Target(TargetConfig config, const Clock* clock, HttpTransport* transport = nullptr);
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  const std::string& name() const { return config_.name; }
  const TargetConfig& config() const { return config_; }
  HttpTransport& transport() { return *transport_; }
  Authenticator& auth() { return auth_; }
  RateLimiter& limiter() { return limiter_; }
  CircuitBreaker& breaker() { return breaker_; }

  // The base URL requests go to: with use_instance_url, the instance_url of the last token
  // response once there is one and it is a valid http(s) URL with the same scheme as
  // base_url; otherwise base_url. No trailing '/'.
  std::string BaseUrl() const;

  // A request for `method` to BaseUrl() + `path_and_query`, with the target's timeouts set
  // (credentials are not applied: call auth().Apply). `method` must be upper-case letters.
  // `path_and_query` must start with '/' (so a full URL, or a host, is refused), must not
  // contain spaces, control characters, a backslash or a fragment, and its path part must not
  // contain "." or ".." segments (also percent-encoded), so it cannot climb out of the base
  // URL's path. On refusal returns false and sets *error (naming the problem, not the value).
  bool NewRequest(const std::string& method, const std::string& path_and_query, HttpRequest* out,
                  std::string* error) const;

 private:
  const TargetConfig config_;
  std::unique_ptr<HttpTransport> owned_transport_;  // null when one was injected
  HttpTransport* const transport_;
  // transport_ for token requests, reporting each one to the thread's TokenAudit if any.
  class TokenTransport final : public HttpTransport {
   public:
    explicit TokenTransport(HttpTransport* inner) : inner_(inner) {}
    HttpResponse Send(const HttpRequest& request) override;

   private:
    HttpTransport* inner_;
  };
  TokenTransport token_transport_;
  Authenticator auth_;
  RateLimiter limiter_;
  CircuitBreaker breaker_;
};

// The checks NewRequest applies to `path_and_query`; nullptr when it is acceptable, else why
// not. Exposed for `check-config` of mapping paths.
const char* PathProblem(const std::string& path_and_query);

}  // namespace sippet

#endif  // SIPPET_MAPPERS_TARGET_H_
