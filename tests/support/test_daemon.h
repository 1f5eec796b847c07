#ifndef SIPPET_TESTS_SUPPORT_TEST_DAEMON_H_
#define SIPPET_TESTS_SUPPORT_TEST_DAEMON_H_

#include <memory>
#include <pqxx/pqxx>
#include <string>

#include "daemon/app.h"
#include "daemon/clock.h"

namespace sippet::testing {

struct TestDaemonOptions {
  std::string extra_server_yaml;  // lines under server:, e.g. "  max_body_bytes: 2048\n"
  int pool_size = 8;
  std::string extra_yaml;  // top-level keys: targets, mappings_dir, workers
  bool workers = true;     // run delivery workers (when mappings are configured)
  HttpTransport* transport = nullptr;  // replaces the targets' transport
};

// The real App (HTTP server, ingest, PostgreSQL store) in this process, listening on a free
// port of 127.0.0.1, with two endpoints: /webhooks/sippet (live, organisation org_7f3c2a91)
// and /webhooks/sandbox (sandbox, any organisation), both keyed with kTestSecret plus an
// older rotated secret.
class TestDaemon {
 public:
  TestDaemon(const std::string& database_url, TestDaemonOptions options = {});
  ~TestDaemon();

  uint16_t port() const { return app_->port(); }
  // A connection of the test's own, for assertions.
  pqxx::connection& db() { return *db_; }
  // The single value of `sql` as text ("" for NULL).
  std::string Scalar(const std::string& sql);
  App& app() { return *app_; }
  // Waits until no job is pending or running (bounded by timeout_ms); false on timeout.
  bool WaitForIdleJobs(int timeout_ms);

 private:
  std::string dir_;
  SystemClock clock_;
  std::unique_ptr<App> app_;
  std::unique_ptr<pqxx::connection> db_;
};

// Writes `text` to `path`; throws on failure.
void WriteFile(const std::string& path, const std::string& text);

}  // namespace sippet::testing

#endif  // SIPPET_TESTS_SUPPORT_TEST_DAEMON_H_
