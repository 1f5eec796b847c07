// Delivery end to end, in-process: events in over signed HTTP, the real workers, the shipped
// presets (config/mappings.d, unchanged) against fake CRMs on 127.0.0.1, real PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <thread>

#include "tests/support/crm_fleet.h"
#include "tests/support/fixtures.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/test_daemon.h"
#include "tests/support/webhook_client.h"

namespace sippet::testing {
namespace {

using nlohmann::json;

class DeliveryTest : public ::testing::Test {
 protected:
  void Start(FleetOptions fleet = {}) {
    dir_ = "/tmp/sippet-delivery-" + std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(dir_);
    fleet_ = std::make_unique<CrmFleet>(dir_, fleet);
    TestDaemonOptions o;
    o.extra_yaml = fleet_->Yaml();
    daemon_ = std::make_unique<TestDaemon>(PgCluster::Shared().CreateMigratedDatabase(), o);
  }
  void TearDown() override {
    daemon_.reset();
    fleet_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  void Send(const std::string& body) {
    HttpResult r = PostSigned(daemon_->port(), "/webhooks/sippet", body);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  void SendFixture(const std::string& name) { Send(ReadFixture("events/" + name)); }
  void WaitIdle(int timeout_ms = 60000) {
    ASSERT_TRUE(daemon_->WaitForIdleJobs(timeout_ms))
        << Q("SELECT string_agg(mapping || ':' || state || ':' || coalesce(last_error, ''), E'\\n') "
             "FROM sync_jobs WHERE state IN ('pending', 'running')");
  }
  std::string Q(const std::string& sql) { return daemon_->Scalar(sql); }

  std::string dir_;
  std::unique_ptr<CrmFleet> fleet_;
  std::unique_ptr<TestDaemon> daemon_;
};

TEST_F(DeliveryTest, EveryPresetSyncsTheFixtureEventsToItsFake) {
  Start();
  for (const char* f : {"contact.created.json", "conversation.created.json",
                        "email.classification.created.json", "email.classification.classified.json"}) {
    SendFixture(f);
  }
  WaitIdle(20000);
  EXPECT_EQ(Q("SELECT count(*) FROM sync_jobs WHERE state <> 'done'"), "0")
      << Q("SELECT string_agg(mapping || ': ' || coalesce(dead_reason, ''), E'\\n') FROM sync_jobs WHERE state <> 'done'");

  auto& hs = fleet_->hubspot().state().store;
  ASSERT_EQ(hs.Size("contacts"), 1u);
  json hp = hs.List("contacts")[0].fields;
  EXPECT_EQ(hp["email"], "ada.lovelace@example.com") << hp.dump();
  EXPECT_EQ(hp["phone"], "+44 20 7946 0958");

  auto& sf = fleet_->salesforce().state().store;
  ASSERT_EQ(sf.Size("Contact"), 1u);
  json sp = sf.List("Contact")[0].fields;
  EXPECT_EQ(sp["Sippet_Id__c"], "con_8812") << sp.dump();
  EXPECT_EQ(sp["LastName"], "Lovelace");

  auto& zd = fleet_->zendesk().state().store;
  ASSERT_EQ(zd.Size("users"), 1u);
  EXPECT_EQ(zd.List("users")[0].fields["external_id"], "con_8812");
  ASSERT_EQ(zd.Size("tickets"), 1u);
  json ticket = zd.List("tickets")[0].fields;
  EXPECT_EQ(ticket["external_id"], "cnv_5501") << ticket.dump();
  EXPECT_EQ(ticket["status"], "open");

  auto& rest = fleet_->rest().state().store;
  ASSERT_EQ(rest.Size("contacts"), 1u);
  EXPECT_EQ(rest.List("contacts")[0].fields["sippet_id"], "con_8812");
  // The pending classification is filtered by `when`; the classified one is delivered.
  ASSERT_EQ(rest.Size("email_classifications"), 1u);
  EXPECT_EQ(rest.List("email_classifications")[0].fields["label"], "billing.refund_request");

  // Every delivered job left its link and at least one audited attempt without credentials.
  EXPECT_EQ(Q("SELECT count(*) FROM crm_links"), "6");
  EXPECT_EQ(Q("SELECT count(*) FROM sync_jobs j WHERE outcome = 'delivered' AND NOT EXISTS "
              "(SELECT 1 FROM delivery_attempts a WHERE a.job_id = j.id AND a.status BETWEEN 200 AND 299)"),
            "0");
  EXPECT_EQ(Q("SELECT count(*) FROM delivery_attempts WHERE request_headers::text LIKE '%test-token%'"
              " OR request_headers::text LIKE '%rest-api-key%' OR url LIKE '%test-secret%'"),
            "0");
  EXPECT_NE(Q("SELECT request_headers->>'Authorization' FROM delivery_attempts WHERE target = 'hubspot' LIMIT 1"),
            "");

  // Updates: newest state wins at every target; the manual override wins over the model.
  SendFixture("contact.updated.json");
  SendFixture("conversation.updated.json");
  SendFixture("email.classification.updated.json");
  WaitIdle();
  EXPECT_EQ(hs.Size("contacts"), 1u);
  EXPECT_EQ(hs.List("contacts")[0].fields["phone"], "+44 20 7946 0999");
  EXPECT_EQ(sf.List("Contact")[0].fields["Phone"], "+44 20 7946 0999");
  EXPECT_EQ(zd.List("tickets")[0].fields["status"], "solved");
  EXPECT_EQ(zd.Size("tickets"), 1u);
  EXPECT_EQ(rest.List("email_classifications")[0].fields["label"], "billing.invoice_question");
  EXPECT_EQ(rest.List("email_classifications")[0].fields["overridden"], true);

  // Deletion: Salesforce and the REST API delete, HubSpot is flagged, Zendesk ignores it.
  SendFixture("contact.deleted.json");
  WaitIdle();
  EXPECT_EQ(sf.Size("Contact"), 0u);
  EXPECT_EQ(rest.Size("contacts"), 0u);
  EXPECT_EQ(hs.List("contacts")[0].fields["sippet_deleted"], "true");
  EXPECT_EQ(zd.Size("users"), 1u);
  EXPECT_EQ(Q("SELECT count(*) FROM crm_links WHERE record_id = 'con_8812'"), "2");  // hubspot, zendesk
  EXPECT_EQ(Q("SELECT outcome FROM sync_jobs WHERE mapping = 'zendesk-users' ORDER BY id DESC LIMIT 1"),
            "skipped");
}

TEST_F(DeliveryTest, AFailingTargetOpensItsCircuitSoJobsWaitWithoutBurningAttempts) {
  Start();
  fleet_->rest().state().faults.AddRandom(1.0, fakes::Fault::Status(503));  // the API is down
  for (int i = 0; i < 20; ++i) {
    json e = json::parse(ReadFixture("events/contact.created.json"));
    e["id"] = "evt_c" + std::to_string(i);
    e["data"]["id"] = "con_c" + std::to_string(i);
    e["data"]["email"] = "c" + std::to_string(i) + "@example.com";
    Send(e.dump());
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));  // an outage of three seconds
  int tried = std::stoi(Q("SELECT count(*) FROM delivery_attempts WHERE target = 'crm_rest'"));
  // Without a circuit: 20 jobs retried every second, ~60 attempts. With it: the failures that
  // opened it, plus about one probe per cool-down (1 s).
  EXPECT_LE(tried, 20);
  EXPECT_GE(std::stoi(Q("SELECT count(*) FROM sync_jobs WHERE mapping = 'rest-contacts' AND attempts = 0")), 8);
  // The other targets were not held up.
  EXPECT_EQ(fleet_->hubspot().state().store.Size("contacts"), 20u);
  fleet_->rest().state().faults.Clear();  // the API is back: a probe closes the circuit
  WaitIdle();
  EXPECT_EQ(fleet_->rest().state().store.Size("contacts"), 20u);
  EXPECT_EQ(Q("SELECT count(*) FROM sync_jobs WHERE state = 'dead'"), "0");
}

TEST_F(DeliveryTest, AnExpiredTokenIsRefreshedOnceAndTheDeliverySucceeds) {
  Start();
  SendFixture("contact.created.json");
  WaitIdle();
  ASSERT_EQ(fleet_->salesforce().state().store.Size("Contact"), 1u);
  fleet_->salesforce().state().tokens.ExpireAll();  // the cached OAuth token now answers 401
  SendFixture("contact.updated.json");
  WaitIdle();
  EXPECT_EQ(fleet_->salesforce().state().store.List("Contact")[0].fields["Phone"], "+44 20 7946 0999");
  // One 401 (auth), then the retry with a fresh token, in the same round: no attempt burnt.
  // The token request is audited too, with its credentials masked.
  EXPECT_EQ(Q("SELECT string_agg(step || ':' || coalesce(status::text, '-') || ':' || error_class, ',' "
              "ORDER BY a.id) FROM delivery_attempts a JOIN sync_jobs j ON j.id = a.job_id "
              "WHERE j.mapping = 'salesforce-contacts' AND j.last_event_id = 'evt_01JB00C002'"),
            "native:401:auth,token:200:success,native:200:success");
  EXPECT_EQ(Q("SELECT count(*) FROM delivery_attempts WHERE step = 'token' AND (request_body LIKE '%test-secret%'"
              " OR response_body NOT LIKE '%\"access_token\":\"***\"%' OR request_body NOT LIKE '%client_secret=***%')"),
            "0");
  EXPECT_EQ(Q("SELECT state || ' ' || attempts FROM sync_jobs WHERE mapping = 'salesforce-contacts' "
              "AND last_event_id = 'evt_01JB00C002'"),
            "done 1");
}

json Contact(int i, const std::string& phone, const std::string& updated_at, const std::string& id) {
  json e = json::parse(ReadFixture("events/contact.created.json"));
  e["id"] = id;
  e["type"] = "contact.updated";
  e["data"]["id"] = "con_f" + std::to_string(i);
  e["data"]["email"] = "person" + std::to_string(i) + "@example.com";
  e["data"]["phone"] = phone;
  e["data"]["updated_at"] = updated_at;
  return e;
}

TEST_F(DeliveryTest, FaultsOutOfOrderAndDuplicatesStillEndWithOneNewestRecordEach) {
  FleetOptions fleet;
  fleet.timeout_ms = 400;  // the injected slow answers time out
  Start(fleet);
  auto& faults = fleet_->rest().state().faults;
  faults.AddRandom(0.15, fakes::Fault::Status(503));
  faults.AddRandom(0.05, fakes::Fault::Status(502));
  faults.AddRandom(0.05, fakes::Fault::RateLimit(1));
  faults.AddRandom(0.03, fakes::Fault::Slow(700));
  faults.AddRandom(0.02, fakes::Fault::CommitThenDrop());
  auto& hs_faults = fleet_->hubspot().state().faults;
  hs_faults.AddRandom(0.2, fakes::Fault::Status(503));
  hs_faults.AddRandom(0.1, fakes::Fault::RateLimit(1));

  const int kRecords = 200;
  std::vector<json> events;
  for (int i = 0; i < kRecords; ++i) {
    events.push_back(Contact(i, "old", "2026-11-01T08:00:00Z", "evt_old_" + std::to_string(i)));
    events.push_back(Contact(i, "new-" + std::to_string(i), "2026-11-02T08:00:00Z",
                             "evt_new_" + std::to_string(i)));
  }
  std::mt19937 rng(7);
  std::shuffle(events.begin(), events.end(), rng);
  for (size_t i = 0; i < events.size(); ++i) {
    Send(events[i].dump());
    if (i % 5 == 0) Send(events[i].dump());  // redelivery
  }
  WaitIdle(180000);
  EXPECT_EQ(Q("SELECT count(*) FROM sync_jobs WHERE state = 'dead'"), "0")
      << Q("SELECT string_agg(mapping || ': ' || dead_reason, E'\\n') FROM sync_jobs WHERE state = 'dead'");

  auto& rest = fleet_->rest().state().store;
  EXPECT_EQ(rest.Size("contacts"), static_cast<size_t>(kRecords));
  std::map<std::string, int> seen;
  for (const auto& r : rest.List("contacts")) {
    std::string id = r.fields["sippet_id"];
    ++seen[id];
    std::string n = id.substr(5);
    EXPECT_EQ(r.fields["phone"], "new-" + n) << id;
  }
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id;
  auto& hs = fleet_->hubspot().state().store;
  EXPECT_EQ(hs.Size("contacts"), static_cast<size_t>(kRecords));
  for (const auto& r : hs.List("contacts")) {
    std::string email = r.fields["email"];
    std::string n = email.substr(6, email.find('@') - 6);
    EXPECT_EQ(r.fields["phone"], "new-" + n) << email;
  }
  // Retries happened and were audited; 429s did not burn the budget.
  EXPECT_NE(Q("SELECT count(*) FROM delivery_attempts WHERE error_class = 'retryable'"), "0");
  EXPECT_NE(Q("SELECT count(*) FROM delivery_attempts WHERE error_class = 'rate_limited'"), "0");
}

TEST_F(DeliveryTest, PoisonRecordsDeadLetterWithoutDelayingOthers) {
  Start();
  fleet_->rest().state().faults.PoisonKey("con_poison", 422);
  json poison = json::parse(ReadFixture("events/contact.created.json"));
  poison["id"] = "evt_poison";
  poison["data"]["id"] = "con_poison";
  poison["data"]["email"] = "poison@example.com";
  Send(poison.dump());
  json unmappable = json::parse(ReadFixture("events/contact.created.json"));
  unmappable["id"] = "evt_unmappable";
  unmappable["data"]["id"] = "con_unmappable";
  unmappable["data"]["email"] = "odd@example.com";
  unmappable["data"]["tags"] = "not-a-list";  // hubspot's join() cannot map it
  Send(unmappable.dump());
  for (int i = 0; i < 20; ++i) Send(Contact(i, "p", "2026-11-02T08:00:00Z", "evt_ok_" + std::to_string(i)).dump());
  WaitIdle();
  // The REST API refuses the poison record; HubSpot's and Salesforce's mappings cannot map the
  // other one. Nothing else is held up.
  EXPECT_EQ(Q("SELECT count(*) FROM sync_jobs WHERE state = 'dead'"), "3")
      << Q("SELECT string_agg(mapping || ' ' || record_id || ': ' || dead_reason, E'\n') FROM sync_jobs WHERE state = 'dead'");
  std::string reason = Q("SELECT dead_reason FROM sync_jobs WHERE mapping = 'rest-contacts' AND state = 'dead'");
  EXPECT_NE(reason.find("422"), std::string::npos) << reason;
  EXPECT_EQ(Q("SELECT attempts FROM sync_jobs WHERE mapping = 'rest-contacts' AND state = 'dead'"), "1");
  std::string mapping_error = Q("SELECT dead_reason FROM sync_jobs WHERE mapping = 'hubspot-contacts' AND state = 'dead'");
  EXPECT_NE(mapping_error.find("mapping error: fields.sippet_tags"), std::string::npos) << mapping_error;
  EXPECT_EQ(fleet_->rest().state().store.Size("contacts"), 21u);  // all but the poison
  EXPECT_EQ(fleet_->hubspot().state().store.Size("contacts"), 21u);  // all but the unmappable
  EXPECT_EQ(fleet_->salesforce().state().store.Size("Contact"), 21u);
  EXPECT_EQ(fleet_->zendesk().state().store.Size("users"), 22u);
}

}  // namespace
}  // namespace sippet::testing
