#include "mappers/auth.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "daemon/base64.h"

namespace sippet {
namespace {

using Kind = AuthConfig::Kind;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool InList(const std::string& name, const std::vector<std::string>& a,
            const std::vector<std::string>& b) {
  std::string n = Lower(name);
  for (const auto* list : {&a, &b}) {
    for (const std::string& x : *list) {
      if (Lower(x) == n) return true;
    }
  }
  return false;
}

const std::vector<std::string>& DefaultSecretHeaders() {
  static const std::vector<std::string> k = {
      "authorization", "proxy-authorization", "cookie",        "set-cookie",
      "x-api-key",     "api-key",             "apikey",        "x-apikey",
      "x-api-token",   "x-auth-token",        "x-access-token", "private-token"};
  return k;
}

const std::vector<std::string>& DefaultSecretQuery() {
  static const std::vector<std::string> k = {
      "api_key", "apikey",        "api-key",       "api_token", "access_token", "token",
      "key",     "client_secret", "refresh_token", "password",  "secret",       "signature"};
  return k;
}

void AppendQuery(std::string* url, const std::string& name, const std::string& value) {
  size_t hash = url->find('#');
  std::string fragment = hash == std::string::npos ? "" : url->substr(hash);
  if (hash != std::string::npos) url->resize(hash);
  url->push_back(url->find('?') == std::string::npos ? '?' : '&');
  *url += UrlEncode(name) + "=" + UrlEncode(value) + fragment;
}

std::string RedactUrl(const std::string& url, const std::vector<std::string>& extra) {
  std::string out = url;
  // user:password@host
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    size_t auth_start = scheme + 3;
    size_t auth_end = out.find_first_of("/?#", auth_start);
    size_t at = out.rfind('@', auth_end == std::string::npos ? out.size() : auth_end);
    if (at != std::string::npos && at >= auth_start) out.replace(auth_start, at - auth_start, "***");
  }
  size_t q = out.find('?');
  if (q == std::string::npos) return out;
  size_t hash = out.find('#', q);
  std::string query = out.substr(q + 1, hash == std::string::npos ? std::string::npos : hash - q - 1);
  std::string rebuilt;
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    if (amp == std::string::npos) amp = query.size();
    std::string part = query.substr(start, amp - start);
    size_t eq = part.find('=');
    std::string name = part.substr(0, eq);
    if (eq != std::string::npos && InList(name, DefaultSecretQuery(), extra)) {
      part = name + "=***";
    }
    if (!rebuilt.empty() || start > 0) rebuilt += "&";
    rebuilt += part;
    start = amp + 1;
  }
  std::string tail = hash == std::string::npos ? "" : out.substr(hash);
  return out.substr(0, q + 1) + rebuilt + tail;
}

}  // namespace

std::string UrlEncode(const std::string& s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

HttpRequest RedactRequest(const HttpRequest& request, const std::vector<std::string>& extra_headers,
                          const std::vector<std::string>& extra_query) {
  HttpRequest out = request;
  for (auto& [name, value] : out.headers) {
    if (!InList(name, DefaultSecretHeaders(), extra_headers)) continue;
    std::string lname = Lower(name);
    size_t space = value.find(' ');
    bool keep_scheme = (lname == "authorization" || lname == "proxy-authorization") &&
                       space != std::string::npos && space > 0;
    value = keep_scheme ? value.substr(0, space) + " ***" : "***";
  }
  out.url = RedactUrl(request.url, extra_query);
  return out;
}

const char* AuthKindName(Kind k) {
  switch (k) {
    case Kind::kNone: return "none";
    case Kind::kBearer: return "bearer";
    case Kind::kBasic: return "basic";
    case Kind::kApiKey: return "api_key";
    case Kind::kOAuth2ClientCredentials: return "oauth2_client_credentials";
    case Kind::kOAuth2RefreshToken: return "oauth2_refresh_token";
  }
  return "none";
}

Authenticator::Authenticator(AuthConfig config, HttpTransport* transport, const Clock* clock)
    : config_(std::move(config)),
      transport_(transport),
      clock_(clock),
      refresh_token_(config_.refresh_token) {}

std::vector<std::string> Authenticator::SecretHeaderNames() const {
  if (config_.kind == Kind::kApiKey && !config_.api_key_in_query) return {config_.api_key_name};
  return {};
}

std::vector<std::string> Authenticator::SecretQueryNames() const {
  if (config_.kind == Kind::kApiKey && config_.api_key_in_query) return {config_.api_key_name};
  return {};
}

HttpRequest Authenticator::Redacted(const HttpRequest& request) const {
  return RedactRequest(request, SecretHeaderNames(), SecretQueryNames());
}

int Authenticator::TokenWaiters() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiters_;
}

std::optional<std::string> Authenticator::InstanceUrl() const {
  std::lock_guard<std::mutex> lock(mu_);
  return instance_url_;
}

Authenticator::Applied Authenticator::Apply(HttpRequest* request) {
  Applied a;
  switch (config_.kind) {
    case Kind::kNone:
      break;
    case Kind::kBearer:
      SetHeader(&request->headers, "Authorization", "Bearer " + config_.token.Expose());
      break;
    case Kind::kBasic:
      SetHeader(&request->headers, "Authorization",
                "Basic " + Base64Encode(config_.username.Expose() + ":" +
                                        config_.password.Expose()));
      break;
    case Kind::kApiKey:
      if (config_.api_key_in_query) {
        AppendQuery(&request->url, config_.api_key_name, config_.api_key.Expose());
      } else {
        SetHeader(&request->headers, config_.api_key_name,
                  config_.api_key_prefix + config_.api_key.Expose());
      }
      break;
    case Kind::kOAuth2ClientCredentials:
    case Kind::kOAuth2RefreshToken: {
      Token t;
      if (!GetToken(&t, &a.error)) return a;
      SetHeader(&request->headers, "Authorization", "Bearer " + t.access_token.Expose());
      a.generation = t.generation;
      break;
    }
  }
  a.ok = true;
  return a;
}

void Authenticator::Invalidate(uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  if (token_ && token_->generation == generation) token_.reset();
}

void Authenticator::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  token_.reset();
}

bool Authenticator::Fresh(const Token& t, int64_t now) const {
  return !t.expires_at || now < *t.expires_at;
}

bool Authenticator::GetToken(Token* out, std::string* error) {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (token_ && Fresh(*token_, clock_->NowUnixSeconds())) {
      *out = *token_;
      return true;
    }
    if (refreshing_) {
      // Another caller is fetching: share its result, success or failure.
      uint64_t seen = fetches_;
      ++waiters_;
      refreshed_.wait(lock, [&] { return !refreshing_; });
      --waiters_;
      if (fetches_ != seen && !(token_ && Fresh(*token_, clock_->NowUnixSeconds()))) {
        *error = last_error_;
        return false;
      }
      continue;
    }
    refreshing_ = true;
    Secret refresh = refresh_token_;
    lock.unlock();
    Token fetched;
    std::optional<std::string> instance_url;
    Secret new_refresh;
    std::string fetch_error;
    bool ok = FetchToken(refresh, &fetched, &instance_url, &new_refresh, &fetch_error);
    lock.lock();
    refreshing_ = false;
    ++fetches_;
    if (ok) {
      fetched.generation = next_generation_++;
      token_ = fetched;
      if (!new_refresh.empty()) refresh_token_ = new_refresh;
      if (instance_url) instance_url_ = instance_url;
      last_error_.clear();
      *out = fetched;
    } else {
      token_.reset();
      last_error_ = fetch_error;
      *error = fetch_error;
    }
    refreshed_.notify_all();
    return ok;
  }
}

std::string Authenticator::Scrub(std::string text, const Secret& used_refresh) const {
  for (const Secret* s : {&config_.client_secret, &config_.refresh_token, &config_.client_id,
                          &used_refresh}) {
    const std::string& v = s->Expose();
    if (v.size() < 4) continue;
    for (size_t pos = text.find(v); pos != std::string::npos; pos = text.find(v, pos + 3)) {
      text.replace(pos, v.size(), "***");
    }
  }
  return text;
}

bool Authenticator::FetchToken(const Secret& refresh_token, Token* out,
                               std::optional<std::string>* instance_url, Secret* new_refresh,
                               std::string* error) {
  if (transport_ == nullptr) {
    *error = "no HTTP transport for the token endpoint";
    return false;
  }
  HttpRequest req;
  req.method = "POST";
  req.url = config_.token_url;
  req.total_timeout = config_.token_timeout;
  req.connect_timeout = std::min(req.connect_timeout, config_.token_timeout);
  SetHeader(&req.headers, "Content-Type", "application/x-www-form-urlencoded");
  SetHeader(&req.headers, "Accept", "application/json");
  bool refresh = config_.kind == Kind::kOAuth2RefreshToken;
  req.body = std::string("grant_type=") + (refresh ? "refresh_token" : "client_credentials");
  if (refresh) req.body += "&refresh_token=" + UrlEncode(refresh_token.Expose());
  if (config_.client_auth_basic) {
    SetHeader(&req.headers, "Authorization",
              "Basic " + Base64Encode(UrlEncode(config_.client_id.Expose()) + ":" +
                                      UrlEncode(config_.client_secret.Expose())));
  } else {
    req.body += "&client_id=" + UrlEncode(config_.client_id.Expose());
    if (!config_.client_secret.empty()) {
      req.body += "&client_secret=" + UrlEncode(config_.client_secret.Expose());
    }
  }
  if (!config_.scopes.empty()) {
    std::string scope;
    for (const std::string& s : config_.scopes) scope += (scope.empty() ? "" : " ") + s;
    req.body += "&scope=" + UrlEncode(scope);
  }

  HttpResponse resp = transport_->Send(req);
  if (!resp.ok()) {
    *error = Scrub("token request failed: " + std::string(TransportErrorName(resp.error)) + ": " +
                   resp.error_message, refresh_token);
    return false;
  }
  nlohmann::json j = nlohmann::json::parse(resp.body, nullptr, /*allow_exceptions=*/false);
  if (resp.status < 200 || resp.status >= 300) {
    std::string detail;
    if (j.is_object()) {
      for (const char* field : {"error", "error_description", "message"}) {
        auto it = j.find(field);
        if (it != j.end() && it->is_string()) {
          detail += (detail.empty() ? "" : ": ") + it->get<std::string>();
        }
      }
    }
    if (detail.size() > 300) detail.resize(300);
    *error = Scrub("token endpoint answered " + std::to_string(resp.status) +
                   (detail.empty() ? "" : ": " + detail),
                   refresh_token);
    return false;
  }
  if (!j.is_object() || !j.contains("access_token") || !j["access_token"].is_string() ||
      j["access_token"].get<std::string>().empty()) {
    *error = "token endpoint answered " + std::to_string(resp.status) +
             " without an access_token";
    return false;
  }
  out->access_token = Secret(j["access_token"].get<std::string>());
  if (j.contains("token_type") && j["token_type"].is_string()) {
    out->token_type = j["token_type"].get<std::string>();
  }
  std::optional<int64_t> lifetime;
  if (j.contains("expires_in")) {
    const nlohmann::json& e = j["expires_in"];
    if (e.is_number()) {
      lifetime = e.get<int64_t>();
    } else if (e.is_string()) {
      const std::string s = e.get<std::string>();
      if (!s.empty() && s.size() < 12 && std::all_of(s.begin(), s.end(), ::isdigit)) {
        lifetime = std::stoll(s);
      }
    }
  }
  if (!lifetime && config_.default_lifetime.count() > 0) lifetime = config_.default_lifetime.count();
  if (lifetime) {
    int64_t margin = config_.expiry_margin.count();
    int64_t effective = *lifetime > 2 * margin ? *lifetime - margin : *lifetime / 2;
    out->expires_at = clock_->NowUnixSeconds() + effective;
  }
  if (j.contains("instance_url") && j["instance_url"].is_string()) {
    *instance_url = j["instance_url"].get<std::string>();
  }
  if (j.contains("refresh_token") && j["refresh_token"].is_string()) {
    *new_refresh = Secret(j["refresh_token"].get<std::string>());
  }
  return true;
}

}  // namespace sippet
