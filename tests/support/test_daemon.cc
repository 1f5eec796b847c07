#include "tests/support/test_daemon.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "daemon/logging.h"
#include "tests/support/webhook_client.h"

namespace sippet::testing {

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

TestDaemon::TestDaemon(const std::string& database_url, TestDaemonOptions options) {
  char tmpl[] = "/tmp/sippet-daemon-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  // The rotated-out secret first, the current one second: both verify.
  WriteFile(dir_ + "/secrets",
            "# old secret, kept during rotation\n"
            "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n" +
                std::string(kTestSecret) + "\n");
  std::string yaml = "database:\n  url: \"" + database_url + "\"\n  pool_size: " +
                     std::to_string(options.pool_size) +
                     "\nserver:\n  listen: \"127.0.0.1:0\"\n" + options.extra_server_yaml +
                     "endpoints:\n"
                     "  - path: /webhooks/sippet\n"
                     "    environment: live\n"
                     "    organisation_ids: [org_7f3c2a91]\n"
                     "    secrets_file: secrets\n"
                     "  - path: /webhooks/sandbox\n"
                     "    environment: sandbox\n"
                     "    secrets_file: secrets\n" + options.extra_yaml;
  ConfigErrors errors;
  std::unique_ptr<Config> config = LoadConfigFromString(yaml, dir_ + "/sippet-sync.yaml", &errors);
  if (!config) throw std::runtime_error("test config: " + errors.front().ToString());
  AppOptions app_options;
  app_options.workers = options.workers;
  app_ = std::make_unique<App>(std::shared_ptr<const Config>(std::move(config)), app_options,
                               NullLogger(), &clock_, options.transport);
  std::string error;
  if (!app_->Start(BindListener("127.0.0.1", 0), &error)) throw std::runtime_error(error);
  db_ = std::make_unique<pqxx::connection>(database_url);
}

TestDaemon::~TestDaemon() {
  app_->Stop();
  std::filesystem::remove_all(dir_);
}

bool TestDaemon::WaitForIdleJobs(int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Scalar("SELECT count(*) FROM sync_jobs WHERE state IN ('pending', 'running')") == "0")
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string TestDaemon::Scalar(const std::string& sql) {
  pqxx::nontransaction tx(*db_);
  pqxx::result r = tx.exec(sql);
  if (r.empty() || r[0][0].is_null()) return "";
  return r[0][0].c_str();
}

}  // namespace sippet::testing
