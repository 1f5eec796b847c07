#include <gtest/gtest.h>

#include <thread>

#include "daemon/migrations.h"
#include "daemon/migrator.h"
#include "tests/support/pg_cluster.h"

namespace sippet::testing {
namespace {

std::string Count(pqxx::connection& c, const std::string& sql) {
  pqxx::nontransaction tx(c);
  return tx.exec1(sql)[0].c_str();
}

TEST(MigrateTest, AppliesOnceAndRerunIsANoOp) {
  pqxx::connection conn(PgCluster::Shared().CreateDatabase());
  MigrationReport first = Migrate(conn, EmbeddedMigrations());
  ASSERT_EQ(first.error, "");
  EXPECT_EQ(first.applied_now.size(), EmbeddedMigrations().size());
  MigrationReport second = Migrate(conn, EmbeddedMigrations());
  EXPECT_EQ(second.error, "");
  EXPECT_TRUE(second.applied_now.empty());
  EXPECT_EQ(Count(conn, "SELECT count(*) FROM sippet_schema_migrations"),
            std::to_string(EmbeddedMigrations().size()));
  EXPECT_EQ(Count(conn, "SELECT checksum FROM sippet_schema_migrations ORDER BY name LIMIT 1"),
            Sha256Hex(EmbeddedMigrations()[0].sql));
  EXPECT_TRUE(CheckSchema(conn, EmbeddedMigrations()).pending.empty());
}

TEST(MigrateTest, ConcurrentRunsSerialiseUnderTheAdvisoryLock) {
  std::string url = PgCluster::Shared().CreateDatabase();
  std::vector<MigrationReport> reports(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      pqxx::connection c(url);
      reports[i] = Migrate(c, EmbeddedMigrations());
    });
  }
  for (auto& t : threads) t.join();
  size_t applied = 0;
  for (const auto& r : reports) {
    EXPECT_EQ(r.error, "");
    applied += r.applied_now.size();
  }
  EXPECT_EQ(applied, EmbeddedMigrations().size());
}

TEST(MigrateTest, AChangedAppliedFileIsRefused) {
  pqxx::connection conn(PgCluster::Shared().CreateDatabase());
  ASSERT_EQ(Migrate(conn, EmbeddedMigrations()).error, "");
  std::vector<EmbeddedMigration> changed = EmbeddedMigrations();
  changed[0].sql += "\n-- edited after release\n";
  changed.push_back({"9999_new.sql", "CREATE TABLE must_not_exist (x int);"});
  MigrationReport r = Migrate(conn, changed);
  EXPECT_NE(r.error.find("0001_init.sql was changed after it was applied"), std::string::npos)
      << r.error;
  EXPECT_TRUE(r.applied_now.empty());
  EXPECT_EQ(Count(conn, "SELECT to_regclass('must_not_exist') IS NULL"), "t");
  EXPECT_NE(CheckSchema(conn, changed).error, "");
}

TEST(MigrateTest, AFailingMigrationAppliesNothing) {
  pqxx::connection conn(PgCluster::Shared().CreateDatabase());
  std::vector<EmbeddedMigration> broken = EmbeddedMigrations();
  broken.push_back({"9998_ok.sql", "CREATE TABLE half_done (x int);"});
  broken.push_back({"9999_bad.sql", "CREATE TABLE oops (x nosuchtype);"});
  MigrationReport r = Migrate(conn, broken);
  EXPECT_NE(r.error.find("9999_bad.sql failed"), std::string::npos) << r.error;
  EXPECT_EQ(Count(conn, "SELECT to_regclass('half_done') IS NULL AND to_regclass('sippet_events') IS NULL"), "t");
}

TEST(MigrateTest, ADatabaseAheadOfTheBinaryIsRefused) {
  pqxx::connection conn(PgCluster::Shared().CreateDatabase());
  std::vector<EmbeddedMigration> newer = EmbeddedMigrations();
  newer.push_back({"9999_future.sql", "SELECT 1;"});
  ASSERT_EQ(Migrate(conn, newer).error, "");
  MigrationReport r = Migrate(conn, EmbeddedMigrations());
  EXPECT_NE(r.error.find("9999_future.sql"), std::string::npos) << r.error;
}

}  // namespace
}  // namespace sippet::testing
