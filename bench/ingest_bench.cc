// Ingest throughput: signed webhooks over HTTP into a private PostgreSQL (fsync on), through
// the real App. Prints events/s and latency for a sequential sender (one keep-alive
// connection) and for concurrent senders, for new events and for redeliveries, side by side.
//   build/bench/ingest_bench [events_per_run]
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "daemon/signature.h"
#include "tests/support/fixtures.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/test_daemon.h"
#include "tests/support/webhook_client.h"

using namespace sippet;
using namespace sippet::testing;
using Steady = std::chrono::steady_clock;

namespace {

struct Result {
  double seconds = 0;
  std::vector<double> latencies_ms;
  int failures = 0;
};

std::string Event(const nlohmann::json& base, int i) {
  nlohmann::json e = base;
  e["id"] = "evt_bench_" + std::to_string(i);
  e["data"]["id"] = "con_bench_" + std::to_string(i % 5000);
  e["data"]["updated_at"] = "2026-11-01T08:00:00." + std::to_string(100000 + i % 900000) + "Z";
  return e.dump();
}

// One sender: `count` events from `first`, over one keep-alive connection.
void Sender(uint16_t port, const nlohmann::json& base, int first, int count, Result* out) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setKeepAlive(true);
  Secret key;
  std::string error;
  ParseWebhookSecret(kTestSecret, &key, &error);
  for (int i = first; i < first + count; ++i) {
    std::string body = Event(base, i);
    std::string ts = std::to_string(NowSeconds());
    std::string id = "msg_" + std::to_string(i);
    Poco::Net::HTTPRequest req("POST", "/webhooks/sippet", "HTTP/1.1");
    req.set("webhook-id", id);
    req.set("webhook-timestamp", ts);
    req.set("webhook-signature", SignV1(key, id, ts, body));
    req.setContentType("application/json");
    req.setContentLength64(static_cast<int64_t>(body.size()));
    req.setKeepAlive(true);
    auto t0 = Steady::now();
    session.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& is = session.receiveResponse(resp);
    std::string sink((std::istreambuf_iterator<char>(is)), std::istreambuf_iterator<char>());
    out->latencies_ms.push_back(std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
    if (resp.getStatus() != 200) ++out->failures;
  }
}

Result Run(uint16_t port, const nlohmann::json& base, int first, int count, int senders) {
  std::vector<Result> parts(senders);
  std::vector<std::thread> threads;
  auto t0 = Steady::now();
  for (int s = 0; s < senders; ++s) {
    threads.emplace_back(Sender, port, std::cref(base), first + s * (count / senders),
                         count / senders, &parts[s]);
  }
  for (auto& t : threads) t.join();
  Result all;
  all.seconds = std::chrono::duration<double>(Steady::now() - t0).count();
  for (auto& p : parts) {
    all.latencies_ms.insert(all.latencies_ms.end(), p.latencies_ms.begin(), p.latencies_ms.end());
    all.failures += p.failures;
  }
  std::sort(all.latencies_ms.begin(), all.latencies_ms.end());
  return all;
}

void Print(const char* name, const Result& r) {
  auto pct = [&](double p) {
    return r.latencies_ms.empty() ? 0.0 : r.latencies_ms[static_cast<size_t>(p * (r.latencies_ms.size() - 1))];
  };
  std::printf("%-44s %8zu %10.0f %8.2f %8.2f %8.2f %6d\n", name, r.latencies_ms.size(),
              r.latencies_ms.size() / r.seconds, pct(0.5), pct(0.99), r.latencies_ms.back(), r.failures);
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 3000;
  PgCluster cluster;
  TestDaemonOptions options;
  options.pool_size = 16;
  TestDaemon daemon(cluster.CreateMigratedDatabase(), options);
  nlohmann::json base = nlohmann::json::parse(ReadFixture("events/contact.updated.json"));
  std::printf("ingest: %d events per run, private PostgreSQL 15 (fsync on), %u cores\n", n,
              std::thread::hardware_concurrency());
  std::printf("%-44s %8s %10s %8s %8s %8s %6s\n", "run", "events", "events/s", "p50 ms", "p99 ms",
              "max ms", "non200");
  Run(daemon.port(), base, 10000000, 200, 1);  // warm-up
  Print("sequential sender, new events", Run(daemon.port(), base, 0, n, 1));
  Print("sequential sender, redeliveries (duplicate)", Run(daemon.port(), base, 0, n, 1));
  Print("4 concurrent senders, new events", Run(daemon.port(), base, n, n, 4));
  Print("16 concurrent senders, new events", Run(daemon.port(), base, 2 * n, n, 16));
  return 0;
}
