// Delivery across real processes: `sippet-sync serve --no-ingest` workers (the real binary)
// sharing one database, fed by an in-process ingest; fake CRMs in this process.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "tests/support/crm_fleet.h"
#include "tests/support/fixtures.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_daemon.h"
#include "tests/support/webhook_client.h"

namespace sippet::testing {
namespace {

using nlohmann::json;

class DeliveryProcessTest : public ::testing::Test {
 protected:
  void Start(FleetOptions fleet) {
    dir_ = "/tmp/sippet-proc-" + std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(dir_);
    fleet_ = std::make_unique<CrmFleet>(dir_, fleet);
    db_url_ = PgCluster::Shared().CreateMigratedDatabase();
    TestDaemonOptions o;
    o.extra_yaml = fleet_->Yaml();
    o.workers = false;  // this process only ingests
    ingest_ = std::make_unique<TestDaemon>(db_url_, o);
    WriteFile(dir_ + "/secrets", std::string(kTestSecret) + "\n");
    WriteFile(dir_ + "/worker.yaml",
              "database:\n  url: \"" + db_url_ + "\"\nlogging: {level: warn}\n"
              "endpoints:\n  - path: /webhooks/sippet\n    secrets_file: secrets\n" +
                  fleet_->Yaml());
  }
  void TearDown() override {
    workers_.clear();
    ingest_.reset();
    fleet_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  Subprocess& StartWorker() {
    std::string log = dir_ + "/worker" + std::to_string(workers_.size()) + ".log";
    workers_.push_back(std::make_unique<Subprocess>(
        std::vector<std::string>{SIPPET_BINARY, "serve", "--no-ingest", "--config", dir_ + "/worker.yaml"},
        std::vector<std::string>{}, log));
    return *workers_.back();
  }
  void Send(const json& e) {
    HttpResult r = PostSigned(ingest_->port(), "/webhooks/sippet", e.dump());
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::string Q(const std::string& sql) { return ingest_->Scalar(sql); }

  std::string dir_, db_url_;
  std::unique_ptr<CrmFleet> fleet_;
  std::unique_ptr<TestDaemon> ingest_;
  std::vector<std::unique_ptr<Subprocess>> workers_;
};

json Contact(int i, const std::string& phone, const std::string& updated_at) {
  json e = json::parse(ReadFixture("events/contact.created.json"));
  e["id"] = "evt_" + std::to_string(i) + "_" + updated_at;
  e["data"]["id"] = "con_p" + std::to_string(i);
  e["data"]["email"] = "p" + std::to_string(i) + "@example.com";
  e["data"]["phone"] = phone;
  e["data"]["updated_at"] = updated_at;
  return e;
}

TEST_F(DeliveryProcessTest, TwoWorkerProcessesNeverSendTwoRequestsForOneRecordAtOnce) {
  FleetOptions fleet;
  Start(fleet);
  for (auto* f : {&fleet_->hubspot(), &fleet_->salesforce(), &fleet_->zendesk(), &fleet_->rest()})
    f->state().faults.SetLatencyMs(10);
  Subprocess& a = StartWorker();
  Subprocess& b = StartWorker();
  const int kRecords = 150;
  for (int i = 0; i < kRecords; ++i) Send(Contact(i, "first", "2026-11-01T08:00:00Z"));
  for (int i = 0; i < kRecords; ++i) Send(Contact(i, "second", "2026-11-02T08:00:00Z"));
  ASSERT_TRUE(ingest_->WaitForIdleJobs(120000)) << a.Log() << b.Log();

  for (auto* f : {&fleet_->hubspot(), &fleet_->salesforce(), &fleet_->zendesk(), &fleet_->rest()}) {
    SCOPED_TRACE(f->name());
    EXPECT_TRUE(f->state().concurrency.Violations().empty());
    EXPECT_EQ(f->state().concurrency.MaxInFlightPerKey(), 1);
  }
  EXPECT_EQ(fleet_->rest().state().store.Size("contacts"), static_cast<size_t>(kRecords));
  EXPECT_EQ(fleet_->rest().state().store.Counts("contacts").creates, kRecords);
  for (const auto& r : fleet_->rest().state().store.List("contacts")) EXPECT_EQ(r.fields["phone"], "second");
  // Every job finished once, by one holder: no fenced completion, no job left behind.
  EXPECT_EQ(Q("SELECT count(*) FROM sync_jobs WHERE state <> 'done'"), "0");
  EXPECT_EQ(Q("SELECT count(*) FROM delivery_attempts WHERE fenced"), "0");
  EXPECT_EQ(Q("SELECT count(DISTINCT split_part(claimed_by, '/', 1)) FROM sync_jobs"), "2");
  // Both processes took part; each job's successful write is recorded exactly once.
  EXPECT_EQ(Q("SELECT count(*) FROM (SELECT job_id FROM delivery_attempts WHERE status BETWEEN 200 AND 299 "
              "AND step IN ('native', 'create', 'update') GROUP BY job_id HAVING count(*) > 1) d"),
            "0");
  a.Signal(SIGTERM);
  b.Signal(SIGTERM);
  EXPECT_EQ(a.Wait(20000), 0) << a.Log();
  EXPECT_EQ(b.Wait(20000), 0) << b.Log();
}

TEST_F(DeliveryProcessTest, AWorkerKilledBetweenTheCrmsAnswerAndItsCommitLeavesNoDuplicate) {
  FleetOptions fleet;
  fleet.lease_seconds = 8;
  fleet.timeout_ms = 3000;
  Start(fleet);
  // The REST API applies every write, then holds its answer: the worker dies waiting for it.
  fleet_->rest().state().faults.AddRandom(1.0, fakes::Fault::CommitThenDelay(1500), "/contacts");
  Subprocess& first = StartWorker();
  Send(Contact(1, "before-crash", "2026-11-01T08:00:00Z"));
  auto& store = fleet_->rest().state().store;
  for (int i = 0; i < 1000 && store.Size("contacts") == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(store.Size("contacts"), 1u) << first.Log();
  first.Signal(SIGKILL);
  first.Wait(5000);
  fleet_->rest().state().faults.Clear();
  EXPECT_EQ(Q("SELECT state FROM sync_jobs WHERE mapping = 'rest-contacts'"), "running");

  // A new process takes the job over once the dead one's lease runs out.
  Subprocess& second = StartWorker();
  ASSERT_TRUE(ingest_->WaitForIdleJobs(60000)) << second.Log();
  EXPECT_EQ(store.Size("contacts"), 1u);
  EXPECT_EQ(store.Counts("contacts").creates, 1);
  EXPECT_EQ(Q("SELECT state || ' ' || claim_count FROM sync_jobs WHERE mapping = 'rest-contacts'"), "done 2");
  EXPECT_EQ(Q("SELECT count(*) FROM crm_links WHERE mapping = 'rest-contacts'"), "1");
  EXPECT_TRUE(fleet_->rest().state().concurrency.Violations().empty());
  second.Signal(SIGTERM);
  EXPECT_EQ(second.Wait(20000), 0) << second.Log();
}

}  // namespace
}  // namespace sippet::testing
