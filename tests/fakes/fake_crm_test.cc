// The shared fake-CRM core (faults, concurrency tracking, request log, introspection) and the
// generic REST fake, over real HTTP on 127.0.0.1.

#include "tests/fakes/fake_crm.h"

#include <Poco/DateTime.h>
#include <Poco/DateTimeParser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "tests/fakes/fake_test_util.h"
#include "tests/fakes/http_test_client.h"

namespace sippet::fakes {
namespace {

HttpResult PostContact(const FakeCrmServer& fake, const std::string& sippet_id) {
  return HttpJson(fake.port(), "POST", "/contacts", {{"sippet_id", sippet_id}, {"name", "N"}});
}

// ---- generic REST ----

TEST(FakeGenericRestTest, CreateFindUpdateGetDelete) {
  auto fake = StartFake(FakeCrmKind::kGenericRest);
  ASSERT_TRUE(fake);
  const uint16_t port = fake->port();

  HttpResult created = PostContact(*fake, "s-1");
  ASSERT_TRUE(created.ok) << created.error;
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.Json()["id"].get<std::string>();
  EXPECT_FALSE(id.empty());

  HttpResult found = HttpGet(port, "/contacts?sippet_id=s-1");
  ASSERT_EQ(found.status, 200);
  ASSERT_EQ(found.Json().size(), 1u);
  EXPECT_EQ(found.Json()[0]["id"], id);
  EXPECT_EQ(HttpGet(port, "/contacts?sippet_id=other").Json().size(), 0u);

  HttpResult patched = HttpJson(port, "PATCH", "/contacts/" + id, {{"name", "New"}});
  ASSERT_EQ(patched.status, 200);
  EXPECT_EQ(patched.Json()["name"], "New");
  EXPECT_EQ(patched.Json()["sippet_id"], "s-1");
  EXPECT_EQ(HttpGet(port, "/contacts/" + id).Json()["name"], "New");

  EXPECT_EQ(HttpJson(port, "DELETE", "/contacts/" + id, nullptr).status, 204);
  EXPECT_EQ(HttpGet(port, "/contacts/" + id).status, 404);
  EXPECT_EQ(HttpJson(port, "PATCH", "/contacts/" + id, {{"name", "x"}}).status, 404);

  ObjectCounts counts = fake->state().store.Counts("contacts");
  EXPECT_EQ(counts.creates, 1);
  EXPECT_EQ(counts.updates, 1);
  EXPECT_EQ(counts.deletes, 1);
}

TEST(FakeGenericRestTest, AuthIsConfigurable) {
  struct Case {
    const char* name;
    std::vector<std::pair<std::string, std::string>> headers;
    int status;
  };
  FakeCrmOptions options;
  options.bearer_token = "";
  options.api_key_header = "X-Api-Key";
  options.api_key = "k1";
  auto fake = StartFake(FakeCrmKind::kGenericRest, options);
  ASSERT_TRUE(fake);
  const std::vector<Case> cases = {
      {"right key", {{"X-Api-Key", "k1"}}, 200},
      {"wrong key", {{"X-Api-Key", "k2"}}, 401},
      {"no credentials", {}, 401},
      {"bearer not configured", {{"Authorization", "Bearer test-token"}}, 401},
  };
  for (const Case& c : cases) {
    HttpCall call;
    call.path = "/contacts";
    call.headers = c.headers;
    EXPECT_EQ(SendHttp(fake->port(), call).status, c.status) << c.name;
  }
}

TEST(FakeGenericRestTest, UniqueFieldAnswers409WithExistingId) {
  FakeCrmOptions options;
  options.generic_unique_field = "sippet_id";
  auto fake = StartFake(FakeCrmKind::kGenericRest, options);
  ASSERT_TRUE(fake);
  const std::string id = PostContact(*fake, "s-1").Json()["id"];
  HttpResult again = PostContact(*fake, "s-1");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.Json()["id"], id);
  EXPECT_EQ(fake->state().store.Size("contacts"), 1u);
}

// ---- faults ----

std::vector<int> StatusesOf(uint64_t seed, int n) {
  FakeCrmOptions options;
  options.seed = seed;
  auto fake = StartFake(FakeCrmKind::kGenericRest, options);
  fake->state().faults.AddRandom(0.3, Fault::Status(503));
  std::vector<int> statuses;
  for (int i = 0; i < n; ++i) statuses.push_back(HttpGet(fake->port(), "/contacts").status);
  return statuses;
}

TEST(FakeFaultsTest, RandomFaultsAreDeterministicForASeed) {
  const std::vector<int> a = StatusesOf(42, 40);
  const std::vector<int> b = StatusesOf(42, 40);
  const std::vector<int> c = StatusesOf(7, 40);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  const long failures = std::count(a.begin(), a.end(), 503);
  EXPECT_GE(failures, 4);
  EXPECT_LE(failures, 24);
  EXPECT_EQ(std::count(a.begin(), a.end(), 200) + failures, 40);
}

TEST(FakeFaultsTest, QueuedFaultsHitTheNextRequestsOnly) {
  auto fake = StartFake(FakeCrmKind::kGenericRest);
  ASSERT_TRUE(fake);
  fake->state().faults.QueueNext(2, Fault::Status(502));
  fake->state().faults.QueueNext(1, Fault::Status(500), "/other");  // never matches
  EXPECT_EQ(PostContact(*fake, "a").status, 502);
  EXPECT_EQ(PostContact(*fake, "a").status, 502);
  EXPECT_EQ(PostContact(*fake, "a").status, 201);
  EXPECT_EQ(fake->state().store.Size("contacts"), 1u);  // failed requests wrote nothing
  std::vector<LoggedRequest> log = fake->state().log.Entries();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].fault, "status_502");
  EXPECT_EQ(log[2].fault, "");
  EXPECT_EQ(log[2].status, 201);
  EXPECT_EQ(log[2].method, "POST");
  EXPECT_EQ(log[2].path, "/contacts");
  EXPECT_NE(log[2].body.find("\"sippet_id\":\"a\""), std::string::npos);
  EXPECT_EQ(log[2].record_keys, std::vector<std::string>{"a"});
}

TEST(FakeFaultsTest, WriteOutcomeOfEachFaultKind) {
  struct Case {
    const char* name;
    Fault fault;
    bool response_arrives;
    int status;
    size_t records_after;
  };
  const std::vector<Case> cases = {
      {"drop before write", Fault::Drop(), false, 0, 0},
      {"commit then drop", Fault::CommitThenDrop(), false, 0, 1},
      {"commit then 503", Fault::CommitThenStatus(503), true, 503, 1},
      {"plain 500", Fault::Status(500), true, 500, 0},
      {"rate limited", Fault::RateLimit(3), true, 429, 0},
  };
  for (const Case& c : cases) {
    auto fake = StartFake(FakeCrmKind::kGenericRest);
    ASSERT_TRUE(fake);
    fake->state().faults.QueueNext(1, c.fault);
    HttpResult r = PostContact(*fake, "k");
    EXPECT_EQ(r.ok, c.response_arrives) << c.name << ": " << r.error;
    if (c.response_arrives) {
      EXPECT_EQ(r.status, c.status) << c.name;
    }
    EXPECT_EQ(fake->state().store.Size("contacts"), c.records_after) << c.name;
    EXPECT_EQ(fake->state().log.Entries().at(0).status, c.status) << c.name;
    // The fake keeps serving afterwards.
    EXPECT_EQ(HttpGet(fake->port(), "/contacts?sippet_id=k").status, 200) << c.name;
  }
}

TEST(FakeFaultsTest, RetryAfterInSecondsOrAsHttpDate) {
  ManualClock clock(1780000000);
  FakeCrmOptions options;
  options.clock = &clock;
  auto fake = StartFake(FakeCrmKind::kGenericRest, options);
  ASSERT_TRUE(fake);
  fake->state().faults.QueueNext(1, Fault::RateLimit(7));
  fake->state().faults.QueueNext(1, Fault::RateLimit(30, /*http_date=*/true));
  HttpResult seconds = HttpGet(fake->port(), "/contacts");
  EXPECT_EQ(seconds.status, 429);
  EXPECT_EQ(seconds.Header("Retry-After"), "7");
  HttpResult date = HttpGet(fake->port(), "/contacts");
  EXPECT_EQ(date.status, 429);
  int tz = 0;
  Poco::DateTime parsed = Poco::DateTimeParser::parse(date.Header("Retry-After"), tz);
  EXPECT_EQ(parsed.timestamp().epochTime(), 1780000030);
}

TEST(FakeFaultsTest, PoisonKeyIsRefusedAndWritesNothing) {
  auto fake = StartFake(FakeCrmKind::kGenericRest);
  ASSERT_TRUE(fake);
  fake->state().faults.PoisonKey("bad", 422);
  HttpResult bad = PostContact(*fake, "bad");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.Json()["error"], "unprocessable_entity");
  EXPECT_EQ(PostContact(*fake, "good").status, 201);
  ASSERT_EQ(fake->state().store.Size("contacts"), 1u);
  EXPECT_EQ(fake->state().store.List("contacts")[0].fields["sippet_id"], "good");
  EXPECT_EQ(fake->state().log.Entries()[0].fault, "poison");
}

TEST(FakeFaultsTest, SlowResponseOutlastsAShortClientTimeout) {
  auto fake = StartFake(FakeCrmKind::kGenericRest);
  ASSERT_TRUE(fake);
  fake->state().faults.QueueNext(1, Fault::Slow(400));
  HttpCall call;
  call.path = "/contacts";
  call.headers = {{"Authorization", "Bearer test-token"}};
  call.timeout_ms = 50;
  HttpResult r = SendHttp(fake->port(), call);
  EXPECT_FALSE(r.ok);
  call.timeout_ms = 5000;
  EXPECT_EQ(SendHttp(fake->port(), call).status, 200);
}

// ---- auth expiry ----

TEST(FakeFaultsTest, ExpiredTokensAnswer401) {
  auto fake = StartFake(FakeCrmKind::kGenericRest);
  ASSERT_TRUE(fake);
  EXPECT_EQ(HttpGet(fake->port(), "/contacts").status, 200);
  fake->state().tokens.ExpireAll();
  HttpResult r = HttpGet(fake->port(), "/contacts");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Json()["error"], "token_expired");
  fake->state().tokens.Add("fresh");
  EXPECT_EQ(HttpGet(fake->port(), "/contacts", "fresh").status, 200);
}

// ---- concurrency tracking ----

// Sends one POST per key from its own thread while the fake holds requests, waits until all
// are in flight, then lets them go.
void OverlapPosts(FakeCrmServer& fake, const std::vector<std::string>& keys) {
  fake.state().concurrency.Pause();
  std::vector<std::thread> threads;
  for (const auto& key : keys) threads.emplace_back([&fake, key] { PostContact(fake, key); });
  EXPECT_TRUE(fake.state().concurrency.WaitForInFlight(static_cast<int>(keys.size()), 5000));
  fake.state().concurrency.Resume();
  for (auto& t : threads) t.join();
}

TEST(FakeConcurrencyTest, TwoOverlappingRequestsOnOneKeyAreAViolation) {
  auto fake = StartFake(FakeCrmKind::kGenericRest);
  ASSERT_TRUE(fake);
  OverlapPosts(*fake, {"r1", "r1"});
  EXPECT_EQ(fake->state().concurrency.MaxInFlightPerKey(), 2);
  std::vector<ConcurrencyViolation> v = fake->state().concurrency.Violations();
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].key, "r1");
  EXPECT_EQ(v[0].method, "POST");
  EXPECT_EQ(v[0].in_flight, 2);
}

TEST(FakeConcurrencyTest, DifferentKeysInParallelAreFine) {
  auto fake = StartFake(FakeCrmKind::kGenericRest);
  ASSERT_TRUE(fake);
  OverlapPosts(*fake, {"a", "b", "c"});
  EXPECT_EQ(fake->state().concurrency.MaxInFlightTotal(), 3);
  EXPECT_EQ(fake->state().concurrency.MaxInFlightPerKey(), 1);
  EXPECT_TRUE(fake->state().concurrency.Violations().empty());
  // Sequential requests on one key never overlap.
  PostContact(*fake, "a");
  PostContact(*fake, "a");
  EXPECT_TRUE(fake->state().concurrency.Violations().empty());
}

TEST(FakeConcurrencyTest, ServesMoreConnectionsAtOnceThanPocosDefault) {
  auto fake = StartFake(FakeCrmKind::kGenericRest);
  ASSERT_TRUE(fake);
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) keys.push_back("k" + std::to_string(i));
  OverlapPosts(*fake, keys);
  EXPECT_EQ(fake->state().concurrency.MaxInFlightTotal(), 40);
  EXPECT_EQ(fake->state().store.Size("contacts"), 40u);
}

// ---- introspection ----

TEST(FakeIntrospectionTest, RecordsAndStatsNeedNoAuthAndAreNotLogged) {
  auto fake = StartFake(FakeCrmKind::kGenericRest);
  ASSERT_TRUE(fake);
  PostContact(*fake, "s-1");
  HttpResult records = HttpGet(fake->port(), "/_fake/records", "");
  ASSERT_EQ(records.status, 200);
  EXPECT_EQ(records.Json()["contacts"][0]["fields"]["sippet_id"], "s-1");
  HttpResult stats = HttpGet(fake->port(), "/_fake/stats", "");
  ASSERT_EQ(stats.status, 200);
  EXPECT_EQ(stats.Json()["kind"], "generic");
  EXPECT_EQ(stats.Json()["requests"], 1);
  EXPECT_EQ(stats.Json()["objects"]["contacts"]["creates"], 1);
  EXPECT_EQ(stats.Json()["responses_by_status"]["201"], 1);
  EXPECT_EQ(fake->state().log.Size(), 1u);
}

TEST(FakeCrmServerTest, ParsesKindNames) {
  EXPECT_EQ(ParseFakeCrmKind("hubspot"), FakeCrmKind::kHubSpot);
  EXPECT_EQ(ParseFakeCrmKind("salesforce"), FakeCrmKind::kSalesforce);
  EXPECT_EQ(ParseFakeCrmKind("zendesk"), FakeCrmKind::kZendesk);
  EXPECT_EQ(ParseFakeCrmKind("generic"), FakeCrmKind::kGenericRest);
  EXPECT_EQ(ParseFakeCrmKind("pipedrive"), std::nullopt);
}

}  // namespace
}  // namespace sippet::fakes
