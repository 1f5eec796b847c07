#ifndef SIPPET_DAEMON_MIGRATIONS_H_
#define SIPPET_DAEMON_MIGRATIONS_H_

#include <string>
#include <vector>

namespace sippet {

// One numbered SQL file from migrations/, compiled into the binary.
struct EmbeddedMigration {
  std::string name;  // e.g. "0001_init.sql"
  std::string sql;   // the file's exact bytes
};

// Every migration, sorted by name. Generated at build time.
const std::vector<EmbeddedMigration>& EmbeddedMigrations();

}  // namespace sippet

#endif  // SIPPET_DAEMON_MIGRATIONS_H_
