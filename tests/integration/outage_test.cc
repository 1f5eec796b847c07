// G1 under failure: with PostgreSQL down nothing is acknowledged, and ingest recovers by itself
// when the server returns. Uses a cluster of its own so other tests are not disturbed.
#include <gtest/gtest.h>

#include "tests/support/fixtures.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/test_daemon.h"
#include "tests/support/webhook_client.h"

namespace sippet::testing {
namespace {

TEST(OutageTest, DatabaseDownAnswers503AndRecoversWithoutRestart) {
  PgCluster cluster;
  std::string url = cluster.CreateMigratedDatabase();
  TestDaemon daemon(url);
  std::string first = ReadFixture("events/contact.created.json");
  ASSERT_EQ(PostSigned(daemon.port(), "/webhooks/sippet", first).status, 200);

  cluster.Stop();
  std::string during = ReadFixture("events/contact.updated.json");
  HttpResult down = PostSigned(daemon.port(), "/webhooks/sippet", during);
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(down.json["error"], "database_unavailable");
  bool has_retry_after = false;
  for (const auto& [k, v] : down.headers) has_retry_after |= k == "Retry-After";
  EXPECT_TRUE(has_retry_after);
  EXPECT_EQ(HttpRequest(daemon.port(), "GET", "/readyz", {}, "").status, 503);
  // A refusal while the database is down is still answered properly.
  EXPECT_EQ(HttpRequest(daemon.port(), "POST", "/webhooks/sippet", {}, "{}").status, 401);

  cluster.Restart();
  // Sippet redelivers the event that got 503: it is new, not a duplicate — nothing was kept.
  HttpResult again = PostSigned(daemon.port(), "/webhooks/sippet", during);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.json["duplicate"], false);
  EXPECT_EQ(HttpRequest(daemon.port(), "GET", "/readyz", {}, "").status, 200);
  pqxx::connection fresh(url);
  pqxx::nontransaction tx(fresh);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM sippet_events")[0].as<int>(), 2);
  EXPECT_EQ(tx.exec1("SELECT data->>'phone' FROM staging_contacts")[0].as<std::string>(),
            "+44 20 7946 0999");
}

}  // namespace
}  // namespace sippet::testing
