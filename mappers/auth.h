#ifndef SIPPET_MAPPERS_AUTH_H_
#define SIPPET_MAPPERS_AUTH_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "daemon/clock.h"
#include "daemon/secret.h"
#include "mappers/http_client.h"

namespace sippet {

struct AuthConfig {
  enum class Kind {
    kNone,
    kBearer,                   // Authorization: Bearer <token>
    kBasic,                    // Authorization: Basic base64(user:password)
    kApiKey,                   // header `name: <prefix><key>` or query `?name=<key>`
    kOAuth2ClientCredentials,  // token from token_url, grant_type=client_credentials
    kOAuth2RefreshToken,       // token from token_url, grant_type=refresh_token
  };
  Kind kind = Kind::kNone;

  Secret token;  // bearer

  // basic. Zendesk API tokens: username "{email}/token", password the API token. Freshdesk:
  // username the API key, password "X". Both are secrets: some APIs put the key in the user.
  Secret username;
  Secret password;

  // api_key
  Secret api_key;
  bool api_key_in_query = false;
  std::string api_key_name = "X-API-Key";  // header or query parameter name
  std::string api_key_prefix;              // e.g. "Zoho-oauthtoken " (header only)

  // oauth2_*
  std::string token_url;
  Secret client_id;
  Secret client_secret;
  Secret refresh_token;
  std::vector<std::string> scopes;  // sent space-separated as `scope` when not empty
  bool client_auth_basic = false;   // client id/secret as HTTP Basic instead of form fields
  std::chrono::seconds expiry_margin{60};  // refresh this long before expires_in runs out
  // Lifetime assumed when the token response has no expires_in (Salesforce); 0 = until a 401.
  std::chrono::seconds default_lifetime{0};
  std::chrono::milliseconds token_timeout{10000};  // total timeout of a token request
};

// "none", "bearer", "basic", "api_key", "oauth2_client_credentials", "oauth2_refresh_token".
const char* AuthKindName(AuthConfig::Kind k);

// Applies a target's credentials to outgoing requests, fetching and caching OAuth2 tokens.
// Thread-safe: concurrent callers needing a token share one token request. Error messages
// never contain a secret (token endpoint answers are scrubbed of the configured secrets).
class Authenticator {
 public:
  // `transport` (for token requests) and `clock` must outlive this object; `transport` may
  // be null for the non-OAuth kinds.
  Authenticator(AuthConfig config, HttpTransport* transport, const Clock* clock);

  struct Applied {
    bool ok = false;
    std::string error;        // when !ok: e.g. "token endpoint answered 401: invalid_client"
    uint64_t generation = 0;  // which token was used; pass to Invalidate after a 401
  };
  // Adds the credentials to *request (header, or query parameter appended to the URL).
  Applied Apply(HttpRequest* request);

  // After a 401: forgets the token of `generation` so the next Apply fetches a new one. Several
  // workers reporting the same generation cause one refresh, not many. A newer token is kept.
  void Invalidate(uint64_t generation);
  // Forgets the current token, whatever its generation.
  void Invalidate();

  // Callers currently blocked waiting for another caller's token request (for metrics/tests).
  int TokenWaiters() const;

  // The `instance_url` of the last token response (Salesforce's per-org base URL), if any.
  std::optional<std::string> InstanceUrl() const;

  // The header names and query parameter names this target's credentials travel in, for
  // redaction beyond the defaults.
  std::vector<std::string> SecretHeaderNames() const;
  std::vector<std::string> SecretQueryNames() const;

  // `request` with this target's credentials masked (see RedactRequest).
  HttpRequest Redacted(const HttpRequest& request) const;

 private:
  struct Token {
    Secret access_token;
    std::string token_type;
    std::optional<int64_t> expires_at;  // unix seconds, margin applied; none = until a 401
    uint64_t generation = 0;
  };
  bool Fresh(const Token& t, int64_t now) const;
  // Performs the token request. Called without mu_ held.
  bool FetchToken(const Secret& refresh_token, Token* out,
                  std::optional<std::string>* instance_url, Secret* new_refresh,
                  std::string* error);
  // A fresh token, fetching one if needed (sharing a fetch already under way).
  bool GetToken(Token* out, std::string* error);
  // Masks every configured secret (and `used_refresh`) that occurs in `text`.
  std::string Scrub(std::string text, const Secret& used_refresh) const;

  const AuthConfig config_;
  HttpTransport* const transport_;
  const Clock* const clock_;

  mutable std::mutex mu_;
  std::condition_variable refreshed_;
  std::optional<Token> token_;            // GUARDED_BY(mu_)
  Secret refresh_token_;                  // GUARDED_BY(mu_) rotated by the token endpoint
  bool refreshing_ = false;               // GUARDED_BY(mu_)
  int waiters_ = 0;                       // GUARDED_BY(mu_)
  uint64_t fetches_ = 0;                  // GUARDED_BY(mu_) completed token requests
  std::string last_error_;                // GUARDED_BY(mu_) of the last failed fetch
  uint64_t next_generation_ = 1;          // GUARDED_BY(mu_)
  std::optional<std::string> instance_url_;  // GUARDED_BY(mu_)
};

// Returns a copy of `request` safe for audit rows, logs and `sippet-sync map` output: values of
// Authorization, Proxy-Authorization, Cookie, common API-key headers and `extra_headers` are
// replaced with "***" (the scheme word of Authorization kept, e.g. "Bearer ***"), and values of
// common credential query parameters (api_key, api_token, access_token, token, key, ...) and
// `extra_query` in the URL likewise. Names match case-insensitively. Bodies are unchanged.
HttpRequest RedactRequest(const HttpRequest& request,
                          const std::vector<std::string>& extra_headers = {},
                          const std::vector<std::string>& extra_query = {});

// Percent-encodes for a query component or form body (RFC 3986 unreserved kept).
std::string UrlEncode(const std::string& s);

}  // namespace sippet

#endif  // SIPPET_MAPPERS_AUTH_H_
