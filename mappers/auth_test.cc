#include "mappers/auth.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "daemon/base64.h"
#include "tests/support/scripted_http_server.h"

namespace sippet {
namespace {

using testing::ScriptedHttpServer;
using testing::ScriptedResponse;
using testing::SeenRequest;
using Kind = AuthConfig::Kind;

std::string HeaderOf(const HttpRequest& r, const std::string& name) {
  const std::string* v = FindHeader(r.headers, name);
  return v ? *v : "";
}

TEST(AuthTest, StaticCredentialsAreApplied) {
  struct Case {
    const char* name;
    AuthConfig config;
    std::string header;
    std::string want_header;
    std::string want_url;
  };
  auto make = [](Kind k) {
    AuthConfig c;
    c.kind = k;
    return c;
  };
  std::vector<Case> cases;
  cases.push_back({"none", make(Kind::kNone), "Authorization", "", "https://api.example/x?a=1"});
  {
    AuthConfig c = make(Kind::kBearer);
    c.token = Secret("pat-123");
    cases.push_back({"bearer", c, "Authorization", "Bearer pat-123", "https://api.example/x?a=1"});
  }
  {
    AuthConfig c = make(Kind::kBasic);
    c.username = Secret("jane@example.com/token");  // Zendesk API token form
    c.password = Secret("zd-abc");
    cases.push_back({"basic zendesk", c, "Authorization",
                     "Basic " + Base64Encode("jane@example.com/token:zd-abc"),
                     "https://api.example/x?a=1"});
  }
  {
    AuthConfig c = make(Kind::kApiKey);
    c.api_key_name = "Authorization";
    c.api_key_prefix = "Zoho-oauthtoken ";
    c.api_key = Secret("1000.zz");
    cases.push_back({"api key header with scheme", c, "Authorization",
                     "Zoho-oauthtoken 1000.zz", "https://api.example/x?a=1"});
  }
  {
    AuthConfig c = make(Kind::kApiKey);
    c.api_key_in_query = true;
    c.api_key_name = "api_token";
    c.api_key = Secret("p d&=");
    cases.push_back({"api key in query", c, "Authorization", "",
                     "https://api.example/x?a=1&api_token=p%20d%26%3D"});
  }
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ManualClock clock(0);
    Authenticator auth(c.config, nullptr, &clock);
    HttpRequest req;
    req.url = "https://api.example/x?a=1";
    Authenticator::Applied a = auth.Apply(&req);
    ASSERT_TRUE(a.ok) << a.error;
    EXPECT_EQ(HeaderOf(req, c.header), c.want_header);
    EXPECT_EQ(req.url, c.want_url);
  }
}

TEST(AuthTest, QueryKeyGoesBeforeTheFragmentAndStartsAQuery) {
  AuthConfig c;
  c.kind = Kind::kApiKey;
  c.api_key_in_query = true;
  c.api_key_name = "api_key";
  c.api_key = Secret("k");
  ManualClock clock(0);
  Authenticator auth(c, nullptr, &clock);
  HttpRequest req;
  req.url = "https://api.example/v1/persons#top";
  ASSERT_TRUE(auth.Apply(&req).ok);
  EXPECT_EQ(req.url, "https://api.example/v1/persons?api_key=k#top");
}

TEST(AuthTest, RedactedCopyMasksEveryCredential) {
  struct Case {
    const char* name;
    HttpRequest in;
    std::vector<std::string> extra_headers, extra_query;
    HttpHeaders want_headers;
    std::string want_url;
  } cases[] = {
      {"bearer keeps its scheme",
       {"POST", "https://x/a", {{"Authorization", "Bearer s3cr3t"}, {"Accept", "json"}}, "{}"},
       {}, {}, {{"Authorization", "Bearer ***"}, {"Accept", "json"}}, "https://x/a"},
      {"zoho scheme", {"GET", "https://x/a", {{"authorization", "Zoho-oauthtoken s3cr3t"}}, ""},
       {}, {}, {{"authorization", "Zoho-oauthtoken ***"}}, "https://x/a"},
      {"api key headers", {"GET", "https://x/a", {{"X-API-Key", "s3cr3t"}, {"x-api-token", "s3cr3t"}}, ""},
       {}, {}, {{"X-API-Key", "***"}, {"x-api-token", "***"}}, "https://x/a"},
      {"configured header", {"GET", "https://x/a", {{"X-Vendor-Secret", "s3cr3t"}}, ""},
       {"x-vendor-secret"}, {}, {{"X-Vendor-Secret", "***"}}, "https://x/a"},
      {"query parameters",
       {"GET", "https://x/a?term=a%40b.c&api_token=s3cr3t&Access_Token=s3cr3t#f", {}, ""}, {},
       {}, {}, "https://x/a?term=a%40b.c&api_token=***&Access_Token=***#f"},
      {"configured query", {"GET", "https://x/a?hapikey=s3cr3t&x=1", {}, ""}, {}, {"hapikey"},
       {}, "https://x/a?hapikey=***&x=1"},
      {"userinfo", {"GET", "https://u:s3cr3t@x/a", {}, ""}, {}, {}, {}, "https://***@x/a"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpRequest out = RedactRequest(c.in, c.extra_headers, c.extra_query);
    EXPECT_EQ(out.headers, c.want_headers);
    EXPECT_EQ(out.url, c.want_url);
    EXPECT_EQ(out.body, c.in.body);
    EXPECT_EQ(out.url.find("s3cr3t"), std::string::npos);
  }
}

TEST(AuthTest, AuthenticatorRedactsItsOwnCredentialNames) {
  AuthConfig c;
  c.kind = Kind::kApiKey;
  c.api_key_name = "X-Custom-Auth";
  c.api_key = Secret("s3cr3t");
  ManualClock clock(0);
  Authenticator auth(c, nullptr, &clock);
  HttpRequest req;
  req.url = "https://x/a";
  ASSERT_TRUE(auth.Apply(&req).ok);
  EXPECT_EQ(HeaderOf(auth.Redacted(req), "X-Custom-Auth"), "***");
}

// A token endpoint over real HTTP on 127.0.0.1. Hands out "tok-1", "tok-2", ...
class TokenServer {
 public:
  explicit TokenServer(int status = 200, std::string error_body = "")
      : server_([this, status, error_body](const SeenRequest&) {
          if (stall_) server_ptr_->WaitForRelease(2000);
          if (status != 200) return ScriptedResponse{status, {}, error_body};
          int n = ++issued_;
          nlohmann::json body = {{"access_token", "tok-" + std::to_string(n)},
                                 {"token_type", "Bearer"},
                                 {"expires_in", 3600},
                                 {"instance_url", "https://eu12.my.salesforce.com"},
                                 {"refresh_token", "rt-rotated-" + std::to_string(n)}};
          return ScriptedResponse{200, {{"Content-Type", "application/json"}}, body.dump()};
        }) {
    server_ptr_ = &server_;
  }
  ScriptedHttpServer& server() { return server_; }
  void Stall() { stall_ = true; }

 private:
  std::atomic<int> issued_{0};
  std::atomic<bool> stall_{false};
  ScriptedHttpServer* server_ptr_ = nullptr;
  ScriptedHttpServer server_;
};

HttpClientOptions Loopback() {
  HttpClientOptions o;
  std::string error;
  EXPECT_TRUE(AddressPolicy::FromStrings({"127.0.0.0/8"}, &o.address_policy, &error));
  return o;
}

AuthConfig OAuth(Kind kind, const std::string& url) {
  AuthConfig c;
  c.kind = kind;
  c.token_url = url;
  c.client_id = Secret("client-id-1");
  c.client_secret = Secret("client-secret-xyz");
  c.refresh_token = Secret("rt-original-secret");
  c.scopes = {"crm.objects.contacts.write", "crm.objects.contacts.read"};
  return c;
}

std::string Bearer(Authenticator* auth, uint64_t* generation = nullptr) {
  HttpRequest req;
  req.url = "https://api.example/x";
  Authenticator::Applied a = auth->Apply(&req);
  EXPECT_TRUE(a.ok) << a.error;
  if (generation) *generation = a.generation;
  return HeaderOf(req, "Authorization");
}

TEST(AuthTest, ClientCredentialsTokenIsCachedUntilExpiryMinusMargin) {
  TokenServer ts;
  PocoHttpTransport http(Loopback());
  ManualClock clock(1'000'000);
  Authenticator auth(OAuth(Kind::kOAuth2ClientCredentials, ts.server().Url("/oauth/token")),
                     &http, &clock);
  EXPECT_EQ(Bearer(&auth), "Bearer tok-1");
  EXPECT_EQ(Bearer(&auth), "Bearer tok-1");
  ASSERT_EQ(ts.server().request_count(), 1u);
  SeenRequest token_req = ts.server().requests()[0];
  EXPECT_EQ(token_req.method, "POST");
  EXPECT_EQ(token_req.Header("Content-Type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(token_req.body,
            "grant_type=client_credentials&client_id=client-id-1&client_secret=client-secret-xyz"
            "&scope=crm.objects.contacts.write%20crm.objects.contacts.read");
  EXPECT_EQ(auth.InstanceUrl(), "https://eu12.my.salesforce.com");

  clock.Set(1'000'000 + 3600 - 60 - 1);  // just inside the margin
  EXPECT_EQ(Bearer(&auth), "Bearer tok-1");
  clock.Set(1'000'000 + 3600 - 60);
  EXPECT_EQ(Bearer(&auth), "Bearer tok-2");
  EXPECT_EQ(ts.server().request_count(), 2u);
}

TEST(AuthTest, InvalidateAfterUnauthorizedRefreshesExactlyOnce) {
  TokenServer ts;
  PocoHttpTransport http(Loopback());
  ManualClock clock(0);
  Authenticator auth(OAuth(Kind::kOAuth2ClientCredentials, ts.server().Url("/token")), &http,
                     &clock);
  uint64_t gen1 = 0;
  EXPECT_EQ(Bearer(&auth, &gen1), "Bearer tok-1");
  // Three workers all got a 401 with tok-1 and report it.
  auth.Invalidate(gen1);
  uint64_t gen2 = 0;
  EXPECT_EQ(Bearer(&auth, &gen2), "Bearer tok-2");
  auth.Invalidate(gen1);  // stale reports do not throw away the new token
  auth.Invalidate(gen1);
  EXPECT_EQ(Bearer(&auth), "Bearer tok-2");
  EXPECT_EQ(ts.server().request_count(), 2u);
  EXPECT_NE(gen1, gen2);
}

TEST(AuthTest, RefreshTokenFlowUsesTheRotatedRefreshToken) {
  TokenServer ts;
  PocoHttpTransport http(Loopback());
  ManualClock clock(0);
  AuthConfig c = OAuth(Kind::kOAuth2RefreshToken, ts.server().Url("/services/oauth2/token"));
  c.scopes.clear();
  c.client_auth_basic = true;
  Authenticator auth(c, &http, &clock);
  EXPECT_EQ(Bearer(&auth), "Bearer tok-1");
  auth.Invalidate();
  EXPECT_EQ(Bearer(&auth), "Bearer tok-2");
  auto seen = ts.server().requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].body, "grant_type=refresh_token&refresh_token=rt-original-secret");
  EXPECT_EQ(seen[1].body, "grant_type=refresh_token&refresh_token=rt-rotated-1");
  EXPECT_EQ(seen[0].Header("Authorization"),
            "Basic " + Base64Encode("client-id-1:client-secret-xyz"));
}

TEST(AuthTest, ConcurrentCallersShareOneTokenRequest) {
  TokenServer ts;
  ts.Stall();  // the first token request is held until released
  PocoHttpTransport http(Loopback());
  ManualClock clock(0);
  Authenticator auth(OAuth(Kind::kOAuth2ClientCredentials, ts.server().Url("/token")), &http,
                     &clock);
  std::vector<std::string> got(8);
  std::vector<std::thread> threads;
  threads.emplace_back([&] { got[0] = Bearer(&auth); });
  // Wait (bounded) until the first fetch is at the server, then pile on more callers.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (ts.server().request_count() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  for (int i = 1; i < 8; ++i) threads.emplace_back([&, i] { got[i] = Bearer(&auth); });
  while (auth.TokenWaiters() < 7 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(auth.TokenWaiters(), 7);
  ts.server().Release();
  for (auto& t : threads) t.join();
  for (const std::string& g : got) EXPECT_EQ(g, "Bearer tok-1");
  EXPECT_EQ(ts.server().request_count(), 1u);
}

TEST(AuthTest, TokenEndpointErrorsNameTheCauseButNoSecret) {
  struct Case {
    const char* name;
    int status;
    std::string body;
    std::string want;
  } cases[] = {
      {"invalid grant echoing the refresh token", 400,
       R"({"error":"invalid_grant","error_description":"token rt-original-secret expired"})",
       "token endpoint answered 400: invalid_grant: token *** expired"},
      {"bad client", 401, R"({"error":"invalid_client","error_description":"client-secret-xyz is wrong"})",
       "token endpoint answered 401: invalid_client: *** is wrong"},
      {"html error page", 500, "<html>oops client-secret-xyz</html>", "token endpoint answered 500"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TokenServer ts(c.status, c.body);
    PocoHttpTransport http(Loopback());
    ManualClock clock(0);
    Authenticator auth(OAuth(Kind::kOAuth2RefreshToken, ts.server().Url("/token")), &http,
                       &clock);
    HttpRequest req;
    req.url = "https://api.example/x";
    Authenticator::Applied a = auth.Apply(&req);
    EXPECT_FALSE(a.ok);
    EXPECT_EQ(a.error, c.want);
    EXPECT_EQ(HeaderOf(req, "Authorization"), "");
    for (const char* secret : {"client-secret-xyz", "rt-original-secret"}) {
      EXPECT_EQ(a.error.find(secret), std::string::npos);
    }
  }
}

TEST(AuthTest, TokenEndpointIsSubjectToTheAddressPolicy) {
  TokenServer ts;
  PocoHttpTransport http{HttpClientOptions{}};  // loopback not allowed
  ManualClock clock(0);
  Authenticator auth(OAuth(Kind::kOAuth2ClientCredentials, ts.server().Url("/token")), &http,
                     &clock);
  HttpRequest req;
  req.url = "https://api.example/x";
  Authenticator::Applied a = auth.Apply(&req);
  EXPECT_FALSE(a.ok);
  EXPECT_EQ(a.error.rfind("token request failed: address_forbidden: ", 0), 0u) << a.error;
  EXPECT_EQ(ts.server().request_count(), 0u);
}

}  // namespace
}  // namespace sippet
