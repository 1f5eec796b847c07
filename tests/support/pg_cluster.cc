#include "tests/support/pg_cluster.h"

#include <stdlib.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <pqxx/pqxx>
#include <stdexcept>

#include "daemon/migrations.h"
#include "daemon/migrator.h"

namespace sippet::testing {
namespace {

std::string Script() { return std::string(SIPPET_SOURCE_DIR) + "/scripts/pg-cluster.sh"; }

}  // namespace

std::string RunCommand(const std::string& command) {
  std::string out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) throw std::runtime_error("cannot run: " + command);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  int status = pclose(p);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("command failed: " + command + "\n" + out);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

PgCluster::PgCluster() {
  char tmpl[] = "/tmp/sippet-pg-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  std::string out = RunCommand(Script() + " start " + dir_);
  url_ = out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
}

PgCluster::~PgCluster() {
  try {
    RunCommand(Script() + " destroy " + dir_);
  } catch (const std::exception& e) {
    fprintf(stderr, "pg cluster cleanup: %s\n", e.what());
  }
}

PgCluster& PgCluster::Shared() {
  static PgCluster* cluster = [] {
    auto* c = new PgCluster();
    atexit([] { delete &Shared(); });
    return c;
  }();
  return *cluster;
}

std::string PgCluster::CreateDatabase() {
  static std::atomic<int> counter{0};
  std::string name = "t" + std::to_string(getpid()) + "_" + std::to_string(++counter);
  pqxx::connection admin(url_);
  pqxx::nontransaction tx(admin);
  tx.exec("CREATE DATABASE " + name);
  return url_.substr(0, url_.rfind('/') + 1) + name;
}

std::string PgCluster::CreateMigratedDatabase() {
  std::string url = CreateDatabase();
  pqxx::connection conn(url);
  MigrationReport r = Migrate(conn, EmbeddedMigrations());
  if (!r.error.empty()) throw std::runtime_error("migrate: " + r.error);
  return url;
}

void PgCluster::Stop() { RunCommand(Script() + " stop " + dir_); }

void PgCluster::Restart() { RunCommand(Script() + " start " + dir_); }

}  // namespace sippet::testing
