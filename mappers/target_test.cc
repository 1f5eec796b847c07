#include "mappers/target.h"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

namespace sippet {
namespace {

using std::chrono::milliseconds;

// Answers every request with one scripted response and records what it was asked.
class RecordingTransport final : public HttpTransport {
 public:
  HttpResponse Send(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent_.push_back(request);
    return response_;
  }
  void Answer(int status, std::string body) {
    response_.status = status;
    response_.body = std::move(body);
  }
  std::vector<HttpRequest> sent() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }

 private:
  mutable std::mutex mu_;
  HttpResponse response_;
  std::vector<HttpRequest> sent_;
};

TargetConfig Config(const std::string& base_url) {
  TargetConfig c;
  c.name = "crm";
  std::string error;
  EXPECT_TRUE(NormaliseBaseUrl(base_url, &c.base_url, &error)) << error;
  return c;
}

TEST(TargetTest, NewRequestJoinsBaseUrlAndPath) {
  struct Case {
    std::string base, path, want;
  } cases[] = {
      {"https://api.hubapi.com", "/crm/v3/objects/contacts/batch/upsert",
       "https://api.hubapi.com/crm/v3/objects/contacts/batch/upsert"},
      {"https://api.hubapi.com/", "/crm/v3/objects/contacts?idProperty=email",
       "https://api.hubapi.com/crm/v3/objects/contacts?idProperty=email"},
      {"https://acme.zendesk.com/api/v2/", "/users/create_or_update.json",
       "https://acme.zendesk.com/api/v2/users/create_or_update.json"},
      {"http://127.0.0.1:8081", "/", "http://127.0.0.1:8081/"},
      {"https://x.example/base", "/search?q=a/../b&next=https://y.example",
       "https://x.example/base/search?q=a/../b&next=https://y.example"},
      {"https://x.example", "/name%2Fwith%2Fslashes", "https://x.example/name%2Fwith%2Fslashes"},
  };
  ManualClock clock(1'700'000'000);
  RecordingTransport transport;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.base + " + " + c.path);
    TargetConfig config = Config(c.base);
    config.timeout = milliseconds(7000);
    config.connect_timeout = milliseconds(700);
    Target target(config, &clock, &transport);
    HttpRequest r;
    std::string error;
    ASSERT_TRUE(target.NewRequest("PATCH", c.path, &r, &error)) << error;
    EXPECT_EQ(r.url, c.want);
    EXPECT_EQ(r.method, "PATCH");
    EXPECT_EQ(r.total_timeout, milliseconds(7000));
    EXPECT_EQ(r.connect_timeout, milliseconds(700));
    EXPECT_TRUE(r.headers.empty());
  }
}

TEST(TargetTest, NewRequestRefusesAnythingThatCouldLeaveTheConfiguredBase) {
  struct Case {
    std::string method, path, want;
  } cases[] = {
      {"POST", "https://evil.example/x",
       "request path must start with '/' (a full URL is not allowed: the base URL comes from "
       "the target)"},
      {"POST", "crm/v3/objects",
       "request path must start with '/' (a full URL is not allowed: the base URL comes from "
       "the target)"},
      {"POST", "",
       "request path must start with '/' (a full URL is not allowed: the base URL "
       "comes from the target)"},
      {"POST", "//evil.example/x", "request path must not start with '//'"},
      {"POST", "/api/v2/../../admin", "request path must not contain '.' or '..' segments"},
      {"POST", "/api/%2E%2e/admin", "request path must not contain '.' or '..' segments"},
      {"POST", "/api/./x", "request path must not contain '.' or '..' segments"},
      {"POST", "/api/..", "request path must not contain '.' or '..' segments"},
      {"POST", "/a b", "request path must not contain spaces or control characters"},
      {"POST", "/a\r\nHost: evil.example",
       "request path must not contain spaces or control characters"},
      {"POST", "/a\\b", "request path must not contain '\\'"},
      {"POST", "/a#frag", "request path must not contain a fragment ('#')"},
      {"post", "/a", "request method must be upper-case letters, e.g. POST"},
      {"", "/a", "request method must be upper-case letters, e.g. POST"},
      {"GET /x HTTP/1.1\r\n", "/a", "request method must be upper-case letters, e.g. POST"},
  };
  ManualClock clock(1'700'000'000);
  RecordingTransport transport;
  Target target(Config("https://acme.zendesk.com/api/v2"), &clock, &transport);
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path);
    HttpRequest r;
    std::string error;
    EXPECT_FALSE(target.NewRequest(c.method, c.path, &r, &error));
    EXPECT_EQ(error, c.want);
    EXPECT_EQ(r.url, "");
  }
  // A file name that merely contains dots is fine.
  HttpRequest r;
  std::string error;
  EXPECT_TRUE(target.NewRequest("GET", "/users/..hidden/v1.2...json", &r, &error)) << error;
}

TEST(TargetTest, InstanceUrlFromTheTokenResponseBecomesTheBase) {
  struct Case {
    bool use_instance_url;
    std::string instance_url, want_base;
  } cases[] = {
      {true, "https://na1.my.salesforce.com/", "https://na1.my.salesforce.com"},
      {false, "https://na1.my.salesforce.com", "https://login.salesforce.com"},
      {true, "http://na1.my.salesforce.com", "https://login.salesforce.com"},  // downgrade
      {true, "https://user:pw@na1.my.salesforce.com", "https://login.salesforce.com"},
      {true, "not a url", "https://login.salesforce.com"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.instance_url);
    ManualClock clock(1'700'000'000);
    RecordingTransport transport;
    transport.Answer(200, R"({"access_token":"at-1","token_type":"Bearer","instance_url":")" +
                              c.instance_url + R"("})");
    TargetConfig config = Config("https://login.salesforce.com");
    config.auth.kind = AuthConfig::Kind::kOAuth2RefreshToken;
    config.auth.token_url = "https://login.salesforce.com/services/oauth2/token";
    config.auth.client_id = Secret("cid");
    config.auth.refresh_token = Secret("rt");
    config.use_instance_url = c.use_instance_url;
    Target target(config, &clock, &transport);
    EXPECT_EQ(target.BaseUrl(), "https://login.salesforce.com");  // no token yet
    HttpRequest r;
    std::string error;
    ASSERT_TRUE(target.NewRequest("GET", "/services/data/v59.0/limits", &r, &error));
    Authenticator::Applied applied = target.auth().Apply(&r);
    ASSERT_TRUE(applied.ok) << applied.error;
    ASSERT_EQ(transport.sent().size(), 1u);  // the token request went through the transport
    EXPECT_EQ(transport.sent()[0].url, "https://login.salesforce.com/services/oauth2/token");
    EXPECT_EQ(target.BaseUrl(), c.want_base);
    ASSERT_TRUE(target.NewRequest("GET", "/services/data/v59.0/limits", &r, &error));
    EXPECT_EQ(r.url, c.want_base + "/services/data/v59.0/limits");
  }
}

TEST(TargetTest, PartsAreConfiguredFromTheTargetConfig) {
  ManualClock clock(1'700'000'000);
  RecordingTransport transport;
  TargetConfig config = Config("https://api.example.com");
  config.auth.kind = AuthConfig::Kind::kBearer;
  config.auth.token = Secret("tok-123");
  config.rate_limit.requests_per_window = 1;
  config.rate_limit.window_ms = 60000;
  config.circuit.consecutive_failures = 1;
  Target target(config, &clock, &transport);
  EXPECT_EQ(target.name(), "crm");
  EXPECT_EQ(&target.transport(), &transport);

  HttpRequest r;
  std::string error;
  ASSERT_TRUE(target.NewRequest("GET", "/x", &r, &error));
  ASSERT_TRUE(target.auth().Apply(&r).ok);
  ASSERT_NE(FindHeader(r.headers, "authorization"), nullptr);
  EXPECT_EQ(*FindHeader(r.headers, "authorization"), "Bearer tok-123");

  EXPECT_TRUE(target.limiter().TryAcquire(0).granted);
  target.limiter().Release();
  EXPECT_FALSE(target.limiter().TryAcquire(1).granted);  // one request per window

  EXPECT_EQ(target.breaker().state(0), CircuitBreaker::State::kClosed);
  target.breaker().RecordFailure(0);
  EXPECT_EQ(target.breaker().state(0), CircuitBreaker::State::kOpen);
}

TEST(TargetTest, OwnTransportAppliesTheTargetsAddressPolicy) {
  // Without allow_private, loopback is refused before any connection; with it, the request
  // reaches 127.0.0.1 (port 1: nothing listens, so the connection is refused).
  struct Case {
    std::vector<std::string> allow;
    TransportError want;
  } cases[] = {
      {{}, TransportError::kAddressForbidden},
      {{"127.0.0.0/8"}, TransportError::kConnectionRefused},
  };
  for (const Case& c : cases) {
    ManualClock clock(1'700'000'000);
    TargetConfig config = Config("http://127.0.0.1:1");
    std::string error;
    ASSERT_TRUE(AddressPolicy::FromStrings(c.allow, &config.address_policy, &error)) << error;
    Target target(config, &clock);
    HttpRequest r;
    ASSERT_TRUE(target.NewRequest("GET", "/healthz", &r, &error));
    HttpResponse resp = target.transport().Send(r);
    EXPECT_EQ(resp.error, c.want) << resp.error_message;
  }
}

}  // namespace
}  // namespace sippet
