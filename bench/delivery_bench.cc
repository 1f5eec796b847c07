// Delivery throughput: N contacts staged (4 presets subscribe: HubSpot batch upsert,
// Salesforce upsert, Zendesk create_or_update, REST link/search/create), then the real workers
// drain the queue against the fake CRMs on 127.0.0.1. Runs with no added latency and with
// 50 ms per CRM request, side by side.
//   build/bench/delivery_bench [contacts] [workers]
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "tests/support/crm_fleet.h"
#include "tests/support/fixtures.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/test_daemon.h"
#include "tests/support/webhook_client.h"

using namespace sippet;
using namespace sippet::testing;

namespace {

void RunOnce(PgCluster& cluster, int contacts, int workers, int latency_ms) {
  std::string dir = "/tmp/sippet-bench-" + std::to_string(getpid()) + "-" + std::to_string(latency_ms);
  std::filesystem::create_directories(dir);
  FleetOptions fo;
  fo.concurrency = workers;
  fo.timeout_ms = 5000;
  fo.lease_seconds = 30;
  CrmFleet fleet(dir, fo);
  for (auto* f : {&fleet.hubspot(), &fleet.salesforce(), &fleet.zendesk(), &fleet.rest()})
    f->state().faults.SetLatencyMs(latency_ms);
  std::string url = cluster.CreateMigratedDatabase();
  nlohmann::json base = nlohmann::json::parse(ReadFixture("events/contact.created.json"));
  {
    TestDaemonOptions ingest_only;
    ingest_only.extra_yaml = fleet.Yaml();
    ingest_only.workers = false;
    TestDaemon ingest(url, ingest_only);
    for (int i = 0; i < contacts; ++i) {
      nlohmann::json e = base;
      e["id"] = "evt_" + std::to_string(i);
      e["data"]["id"] = "con_" + std::to_string(i);
      e["data"]["email"] = "c" + std::to_string(i) + "@example.com";
      PostSigned(ingest.port(), "/webhooks/sippet", e.dump());
    }
  }
  TestDaemonOptions with_workers;
  with_workers.extra_yaml = fleet.Yaml();
  auto t0 = std::chrono::steady_clock::now();
  TestDaemon daemon(url, with_workers);
  daemon.WaitForIdleJobs(600000);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  int jobs = std::stoi(daemon.Scalar("SELECT count(*) FROM sync_jobs WHERE state = 'done'"));
  int attempts = std::stoi(daemon.Scalar("SELECT count(*) FROM delivery_attempts"));
  int dead = std::stoi(daemon.Scalar("SELECT count(*) FROM sync_jobs WHERE state <> 'done'"));
  std::printf("%-10d %8d %8d %10d %10.2f %12.0f %12.0f %6d\n", latency_ms, workers, jobs, attempts,
              secs, jobs / secs, attempts / secs, dead);
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  int contacts = argc > 1 ? std::atoi(argv[1]) : 500;
  int workers = argc > 2 ? std::atoi(argv[2]) : 8;
  PgCluster cluster;
  std::printf("delivery: %d contacts x 4 presets = %d jobs, fake CRMs on 127.0.0.1\n", contacts,
              contacts * 4);
  std::printf("%-10s %8s %8s %10s %10s %12s %12s %6s\n", "latency", "workers", "jobs", "requests",
              "seconds", "jobs/s", "requests/s", "!done");
  RunOnce(cluster, contacts, workers, 0);
  RunOnce(cluster, contacts, workers, 50);
  return 0;
}
