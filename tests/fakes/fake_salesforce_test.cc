// The Salesforce fake: upsert by external id, OAuth token flows and expiry, limits.

#include <gtest/gtest.h>

#include "tests/fakes/fake_crm.h"
#include "tests/fakes/fake_test_util.h"
#include "tests/fakes/http_test_client.h"

namespace sippet::fakes {
namespace {

constexpr char kUpsertPath[] = "/services/data/v60.0/sobjects/Contact/Sippet_Id__c/";

HttpResult RequestToken(uint16_t port, const std::string& form) {
  HttpCall call;
  call.method = "POST";
  call.path = "/services/oauth2/token";
  call.content_type = "application/x-www-form-urlencoded";
  call.body = form;
  return SendHttp(port, call);
}

TEST(FakeSalesforceTest, UpsertByExternalIdCreatesThenUpdates) {
  auto fake = StartFake(FakeCrmKind::kSalesforce);
  ASSERT_TRUE(fake);
  const uint16_t port = fake->port();
  HttpResult created =
      HttpJson(port, "PATCH", std::string(kUpsertPath) + "s-1", {{"LastName", "Lee"}});
  ASSERT_EQ(created.status, 201) << created.body;
  nlohmann::json body = created.Json();
  EXPECT_EQ(body["created"], true);
  EXPECT_EQ(body["success"], true);
  EXPECT_EQ(body["errors"], nlohmann::json::array());
  const std::string id = body["id"];
  EXPECT_EQ(id.size(), 18u);
  EXPECT_EQ(id.substr(0, 3), "003");

  HttpResult updated =
      HttpJson(port, "PATCH", std::string(kUpsertPath) + "S-1", {{"FirstName", "Ann"}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Json()["created"], false);
  EXPECT_EQ(updated.Json()["id"], id);
  EXPECT_FALSE(updated.Header("Sforce-Limit-Info").empty());

  HttpResult got = HttpGet(port, "/services/data/v60.0/sobjects/Contact/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.Json()["Id"], id);
  EXPECT_EQ(got.Json()["LastName"], "Lee");
  EXPECT_EQ(got.Json()["FirstName"], "Ann");
  EXPECT_EQ(got.Json()["Sippet_Id__c"], "s-1");
  EXPECT_EQ(got.Json()["attributes"]["type"], "Contact");

  HttpResult missing = HttpGet(port, "/services/data/v60.0/sobjects/Contact/003000000000000AAA");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Json()[0]["errorCode"], "NOT_FOUND");
  EXPECT_EQ(fake->state().store.Size("Contact"), 1u);
}

TEST(FakeSalesforceTest, BodiesThatSalesforceRejects) {
  struct Case {
    const char* name;
    std::string path;
    std::string body;
    int status;
    const char* error_code;
  };
  const std::vector<Case> cases = {
      {"Id in body", std::string(kUpsertPath) + "s-1", R"({"Id":"003x","LastName":"L"})", 400,
       "INVALID_FIELD_FOR_INSERT_UPDATE"},
      {"external id repeated", std::string(kUpsertPath) + "s-1",
       R"({"sippet_id__c":"s-1","LastName":"L"})", 400, "INVALID_FIELD"},
      {"not json", std::string(kUpsertPath) + "s-1", "{", 400, "JSON_PARSER_ERROR"},
      {"updateOnly on a new key", std::string(kUpsertPath) + "s-2?updateOnly=true",
       R"({"LastName":"L"})", 404, "NOT_FOUND"},
  };
  auto fake = StartFake(FakeCrmKind::kSalesforce);
  ASSERT_TRUE(fake);
  for (const Case& c : cases) {
    HttpCall call;
    call.method = "PATCH";
    call.path = c.path;
    call.body = c.body;
    call.headers = {{"Authorization", "Bearer test-token"}};
    HttpResult r = SendHttp(fake->port(), call);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    ASSERT_TRUE(r.Json().is_array()) << c.name << ": " << r.body;
    EXPECT_EQ(r.Json()[0]["errorCode"], c.error_code) << c.name;
  }
  EXPECT_EQ(fake->state().store.Size("Contact"), 0u);
}

TEST(FakeSalesforceTest, SeveralMatchesAnswer300) {
  auto fake = StartFake(FakeCrmKind::kSalesforce);
  ASSERT_TRUE(fake);
  fake->state().store.Create("Contact", {{"Sippet_Id__c", "dup"}});
  fake->state().store.Create("Contact", {{"Sippet_Id__c", "dup"}});
  HttpResult r =
      HttpJson(fake->port(), "PATCH", std::string(kUpsertPath) + "dup", {{"LastName", "L"}});
  EXPECT_EQ(r.status, 300);
  EXPECT_EQ(r.Json().size(), 2u);
}

TEST(FakeSalesforceTest, OAuthTokensExpireAfterUsesAndRefresh) {
  FakeCrmOptions options;
  options.bearer_token = "";  // only issued tokens work
  options.token_max_uses = 2;
  auto fake = StartFake(FakeCrmKind::kSalesforce, options);
  ASSERT_TRUE(fake);
  const uint16_t port = fake->port();
  const std::string path = std::string(kUpsertPath) + "s-1";
  const nlohmann::json body = {{"LastName", "L"}};

  EXPECT_EQ(HttpJson(port, "PATCH", path, body, "").status, 401);
  EXPECT_EQ(
      RequestToken(port, "grant_type=client_credentials&client_id=test-client&client_secret=bad")
          .Json()["error"],
      "invalid_client");
  EXPECT_EQ(RequestToken(port, "grant_type=password").Json()["error"], "unsupported_grant_type");

  HttpResult token = RequestToken(
      port, "grant_type=client_credentials&client_id=test-client&client_secret=test-secret");
  ASSERT_EQ(token.status, 200) << token.body;
  EXPECT_EQ(token.Json()["token_type"], "Bearer");
  EXPECT_EQ(token.Json()["instance_url"], fake->base_url());
  EXPECT_FALSE(token.Json().value("issued_at", "").empty());
  const std::string access = token.Json()["access_token"];

  EXPECT_EQ(HttpJson(port, "PATCH", path, body, access).status, 201);
  EXPECT_EQ(HttpJson(port, "PATCH", path, body, access).status, 200);
  HttpResult expired = HttpJson(port, "PATCH", path, body, access);
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.Json()[0]["errorCode"], "INVALID_SESSION_ID");
  EXPECT_EQ(expired.Json()[0]["message"], "Session expired or invalid");

  EXPECT_EQ(RequestToken(port, "grant_type=refresh_token&client_id=test-client&refresh_token=old")
                .Json()["error"],
            "invalid_grant");
  HttpResult refreshed = RequestToken(
      port, "grant_type=refresh_token&client_id=test-client&refresh_token=test-refresh");
  ASSERT_EQ(refreshed.status, 200);
  EXPECT_EQ(HttpJson(port, "PATCH", path, body, refreshed.Json()["access_token"]).status, 200);
  EXPECT_EQ(fake->state().log.CountOf("POST", "/services/oauth2/token"), 5u);
}

TEST(FakeSalesforceTest, OAuthTokensExpireAfterTheirLifetime) {
  ManualClock clock(1780000000);
  FakeCrmOptions options;
  options.clock = &clock;
  options.bearer_token = "";
  options.token_lifetime_seconds = 60;
  auto fake = StartFake(FakeCrmKind::kSalesforce, options);
  ASSERT_TRUE(fake);
  const std::string access =
      RequestToken(fake->port(),
                   "grant_type=client_credentials&client_id=test-client&client_secret=test-secret")
          .Json()["access_token"];
  const std::string path = "/services/data/v60.0/sobjects/Contact/003000000000000AAA";
  EXPECT_EQ(HttpGet(fake->port(), path, access).status, 404);  // authenticated
  clock.Set(1780000060);
  EXPECT_EQ(HttpGet(fake->port(), path, access).status, 401);
}

TEST(FakeSalesforceTest, RequestLimitExceededIs403) {
  FakeCrmOptions options;
  options.salesforce_daily_limit = 2;
  auto fake = StartFake(FakeCrmKind::kSalesforce, options);
  ASSERT_TRUE(fake);
  const std::string path = std::string(kUpsertPath) + "s-1";
  fake->state().faults.QueueNext(1, Fault::RateLimit(5));
  HttpResult injected = HttpJson(fake->port(), "PATCH", path, {{"LastName", "L"}});
  EXPECT_EQ(injected.status, 403);
  EXPECT_EQ(injected.Json()[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(injected.Header("Retry-After"), "");  // Salesforce sends none
  EXPECT_EQ(HttpJson(fake->port(), "PATCH", path, {{"LastName", "L"}}).status, 201);
  HttpResult second = HttpJson(fake->port(), "PATCH", path, {{"LastName", "L"}});
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.Header("Sforce-Limit-Info"), "api-usage=2/2");
  HttpResult over = HttpJson(fake->port(), "PATCH", path, {{"LastName", "L"}});
  EXPECT_EQ(over.status, 403);
  EXPECT_EQ(over.Json()[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
}

TEST(FakeSalesforceTest, CompositeUpsertAnswersInInputOrder) {
  auto fake = StartFake(FakeCrmKind::kSalesforce);
  ASSERT_TRUE(fake);
  fake->state().faults.FailInBatch("bad");
  const std::string path = "/services/data/v60.0/composite/sobjects/Contact/Sippet_Id__c";
  nlohmann::json records = nlohmann::json::array();
  for (const char* key : {"a", "bad", "b"}) {
    records.push_back(
        {{"attributes", {{"type", "Contact"}}}, {"Sippet_Id__c", key}, {"LastName", "L"}});
  }
  HttpResult r =
      HttpJson(fake->port(), "PATCH", path, {{"allOrNone", false}, {"records", records}});
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.Json().size(), 3u);
  EXPECT_EQ(r.Json()[0]["success"], true);
  EXPECT_EQ(r.Json()[0]["created"], true);
  EXPECT_EQ(r.Json()[1]["success"], false);
  EXPECT_EQ(r.Json()[2]["success"], true);
  EXPECT_EQ(fake->state().store.Size("Contact"), 2u);

  HttpResult all =
      HttpJson(fake->port(), "PATCH", path, {{"allOrNone", true}, {"records", records}});
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.Json()[0]["errors"][0]["statusCode"], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  EXPECT_EQ(fake->state().store.Counts("Contact").updates, 0);
}

}  // namespace
}  // namespace sippet::fakes
