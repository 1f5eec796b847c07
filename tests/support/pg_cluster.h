#ifndef SIPPET_TESTS_SUPPORT_PG_CLUSTER_H_
#define SIPPET_TESTS_SUPPORT_PG_CLUSTER_H_

#include <string>

namespace sippet::testing {

// A private PostgreSQL cluster (scripts/pg-cluster.sh) in a temporary directory, removed on
// destruction. Each test database is a fresh, migrated database in it.
class PgCluster {
 public:
  PgCluster();   // starts it; throws std::runtime_error with the helper's output on failure
  ~PgCluster();  // destroys it
  PgCluster(const PgCluster&) = delete;
  PgCluster& operator=(const PgCluster&) = delete;

  // The process-wide cluster, started on first use and destroyed at exit.
  static PgCluster& Shared();

  // Creates a new empty database and returns its URL.
  std::string CreateDatabase();
  // Creates a new database with every migration applied.
  std::string CreateMigratedDatabase();

  void Stop();     // fast shutdown; the data stays
  void Restart();  // same port, same data

  const std::string& url() const { return url_; }

 private:
  std::string dir_;
  std::string url_;  // the default "sippet" database
};

// Runs a shell command, returning its stdout; throws with its output if it exits non-zero.
std::string RunCommand(const std::string& command);

}  // namespace sippet::testing

#endif  // SIPPET_TESTS_SUPPORT_PG_CLUSTER_H_
