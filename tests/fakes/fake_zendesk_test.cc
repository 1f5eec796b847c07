// The Zendesk fake: users create_or_update, tickets with Idempotency-Key, auth, 429.

#include <gtest/gtest.h>

#include "daemon/base64.h"
#include "tests/fakes/fake_crm.h"
#include "tests/fakes/fake_test_util.h"
#include "tests/fakes/http_test_client.h"

namespace sippet::fakes {
namespace {

constexpr char kCreateOrUpdate[] = "/api/v2/users/create_or_update";

nlohmann::json User(nlohmann::json fields) { return {{"user", std::move(fields)}}; }

TEST(FakeZendeskTest, CreateOrUpdateMatchesOnExternalIdOrEmail) {
  struct Step {
    const char* name;
    nlohmann::json user;
    int status;
    int same_as_step;  // -1: a new user id
  };
  const std::vector<Step> steps = {
      {"new user", {{"name", "Ann"}, {"email", "Ann@x.com"}, {"external_id", "s-1"}}, 201, -1},
      {"same email, other case", {{"email", "ANN@X.COM"}, {"phone", "+1"}}, 200, 0},
      {"same external id, other case", {{"external_id", "S-1"}, {"name", "Anna"}}, 200, 0},
      {"another user", {{"name", "Bob"}, {"email", "bob@x.com"}}, 201, -1},
  };
  auto fake = StartFake(FakeCrmKind::kZendesk);
  ASSERT_TRUE(fake);
  std::vector<int64_t> ids;
  for (const Step& s : steps) {
    HttpResult r = HttpJson(fake->port(), "POST", kCreateOrUpdate, User(s.user));
    ASSERT_EQ(r.status, s.status) << s.name << ": " << r.body;
    const int64_t id = r.Json()["user"]["id"].get<int64_t>();
    if (s.same_as_step >= 0) {
      EXPECT_EQ(id, ids[s.same_as_step]) << s.name;
    } else {
      for (int64_t other : ids) EXPECT_NE(id, other) << s.name;
    }
    ids.push_back(id);
  }
  EXPECT_EQ(fake->state().store.Size("users"), 2u);
  HttpResult ann = HttpGet(fake->port(), "/api/v2/users/" + std::to_string(ids[0]));
  ASSERT_EQ(ann.status, 200);
  EXPECT_EQ(ann.Json()["user"]["name"], "Anna");
  EXPECT_EQ(ann.Json()["user"]["email"], "ann@x.com");
  EXPECT_EQ(ann.Json()["user"]["phone"], "+1");
  EXPECT_EQ(HttpGet(fake->port(), "/api/v2/users/999999").status, 404);
}

TEST(FakeZendeskTest, InvalidUsersAnswerRecordInvalid) {
  struct Case {
    const char* name;
    nlohmann::json user;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"new user without a name", {{"email", "x@x.com"}}, "name"},
      {"malformed email", {{"name", "X"}, {"email", "not-an-email"}}, "email"},
      {"neither email nor external id", {{"name", "X"}}, "email"},
  };
  auto fake = StartFake(FakeCrmKind::kZendesk);
  ASSERT_TRUE(fake);
  for (const Case& c : cases) {
    HttpResult r = HttpJson(fake->port(), "POST", kCreateOrUpdate, User(c.user));
    EXPECT_EQ(r.status, 422) << c.name;
    EXPECT_EQ(r.Json()["error"], "RecordInvalid") << c.name;
    EXPECT_TRUE(r.Json()["details"].contains(c.field)) << c.name << ": " << r.body;
  }
  EXPECT_EQ(fake->state().store.Size("users"), 0u);
}

HttpResult PostTicket(const FakeCrmServer& fake, const nlohmann::json& ticket,
                      const std::string& idempotency_key) {
  HttpCall call;
  call.method = "POST";
  call.path = "/api/v2/tickets";
  call.body = nlohmann::json{{"ticket", ticket}}.dump();
  call.headers = {{"Authorization", "Bearer test-token"}};
  if (!idempotency_key.empty()) call.headers.emplace_back("Idempotency-Key", idempotency_key);
  return SendHttp(fake.port(), call);
}

TEST(FakeZendeskTest, IdempotencyKeyReturnsTheSameTicket) {
  auto fake = StartFake(FakeCrmKind::kZendesk);
  ASSERT_TRUE(fake);
  const nlohmann::json ticket = {
      {"subject", "Help"}, {"comment", {{"body", "It broke"}}}, {"external_id", "conv-1"}};
  HttpResult first = PostTicket(*fake, ticket, "key-1");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.Header("x-zendesk-api-idempotency-hit"), "false");
  const int64_t id = first.Json()["ticket"]["id"];
  EXPECT_EQ(first.Json()["ticket"]["description"], "It broke");
  EXPECT_EQ(first.Json()["ticket"]["status"], "new");

  HttpResult replay = PostTicket(*fake, ticket, "key-1");
  ASSERT_EQ(replay.status, 201);
  EXPECT_EQ(replay.Header("x-zendesk-api-idempotency-hit"), "true");
  EXPECT_EQ(replay.Json()["ticket"]["id"], id);
  EXPECT_EQ(fake->state().store.Size("tickets"), 1u);

  nlohmann::json changed = ticket;
  changed["subject"] = "Other";
  HttpResult mismatch = PostTicket(*fake, changed, "key-1");
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_EQ(mismatch.Json()["error"], "IdempotentRequestError");

  // Without a key, Zendesk has no upsert: the same body twice makes two tickets.
  EXPECT_EQ(PostTicket(*fake, ticket, "").status, 201);
  EXPECT_EQ(PostTicket(*fake, ticket, "").status, 201);
  EXPECT_EQ(fake->state().store.Size("tickets"), 3u);

  HttpResult found = HttpGet(fake->port(), "/api/v2/tickets?external_id=conv-1");
  ASSERT_EQ(found.status, 200);
  EXPECT_EQ(found.Json()["count"], 3);
  EXPECT_EQ(found.Json()["tickets"].size(), 3u);
  EXPECT_EQ(HttpGet(fake->port(), "/api/v2/tickets?external_id=none").Json()["count"], 0);
}

TEST(FakeZendeskTest, TicketUpdatesAndValidation) {
  auto fake = StartFake(FakeCrmKind::kZendesk);
  ASSERT_TRUE(fake);
  HttpResult blank = PostTicket(*fake, {{"subject", "No description"}}, "");
  EXPECT_EQ(blank.status, 422);
  EXPECT_EQ(blank.Json()["error"], "RecordInvalid");

  const int64_t id = PostTicket(*fake, {{"subject", "S"}, {"comment", {{"body", "first"}}}}, "")
                         .Json()["ticket"]["id"];
  HttpResult updated =
      HttpJson(fake->port(), "PUT", "/api/v2/tickets/" + std::to_string(id),
               {{"ticket", {{"status", "solved"}, {"comment", {{"body", "done"}}}}}});
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Json()["ticket"]["status"], "solved");
  EXPECT_EQ(updated.Json()["ticket"]["comments"].size(), 2u);
  EXPECT_EQ(
      HttpGet(fake->port(), "/api/v2/tickets/" + std::to_string(id)).Json()["ticket"]["status"],
      "solved");
  EXPECT_EQ(
      HttpJson(fake->port(), "PUT", "/api/v2/tickets/424242", {{"ticket", {{"status", "open"}}}})
          .status,
      404);
}

TEST(FakeZendeskTest, BasicEmailTokenAuth) {
  FakeCrmOptions options;
  options.bearer_token = "oauth-token";
  options.basic_user = "agent@example.com/token";
  options.basic_password = "api-token";
  auto fake = StartFake(FakeCrmKind::kZendesk, options);
  ASSERT_TRUE(fake);
  struct Case {
    const char* name;
    std::string authorization;
    int status;
  };
  const std::vector<Case> cases = {
      {"email/token", "Basic " + Base64Encode("agent@example.com/token:api-token"), 404},
      {"wrong token", "Basic " + Base64Encode("agent@example.com/token:nope"), 401},
      {"oauth bearer", "Bearer oauth-token", 404},
      {"none", "", 401},
  };
  for (const Case& c : cases) {
    HttpCall call;
    call.path = "/api/v2/users/1";
    if (!c.authorization.empty()) call.headers = {{"Authorization", c.authorization}};
    HttpResult r = SendHttp(fake->port(), call);
    EXPECT_EQ(r.status, c.status) << c.name;  // 404: authenticated, no such user
    if (c.status == 401) {
      EXPECT_EQ(r.Json()["error"], "Couldn't authenticate you") << c.name;
    }
  }
}

TEST(FakeZendeskTest, RateLimitIsPlainTextWithRetryAfterSeconds) {
  auto fake = StartFake(FakeCrmKind::kZendesk);
  ASSERT_TRUE(fake);
  fake->state().faults.QueueNext(1, Fault::RateLimit(9));
  HttpResult r = HttpJson(fake->port(), "POST", kCreateOrUpdate, User({{"email", "a@x.com"}}));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.Header("Retry-After"), "9");
  EXPECT_EQ(r.Header("Content-Type").rfind("text/plain", 0), 0u);
  EXPECT_FALSE(r.Header("X-Rate-Limit-Remaining").empty());
  EXPECT_EQ(fake->state().store.Size("users"), 0u);
}

}  // namespace
}  // namespace sippet::fakes
