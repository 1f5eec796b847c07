#ifndef SIPPET_DAEMON_MIGRATOR_H_
#define SIPPET_DAEMON_MIGRATOR_H_

#include <pqxx/pqxx>

#include <string>
#include <vector>

#include "daemon/migrations.h"

namespace sippet {

struct MigrationReport {
  std::vector<std::string> applied_now;  // names applied by this call
  std::vector<std::string> pending;      // names not yet applied (for CheckSchema)
  std::string error;                     // empty on success
};

// Applies every migration not yet recorded in sippet_schema_migrations, in name order, in one
// transaction under an advisory lock (so concurrent callers serialise and the second one finds
// nothing to do). Refuses — applying nothing — if an applied file's checksum changed or the
// database holds a migration this build does not know. Throws nothing.
MigrationReport Migrate(pqxx::connection& conn, const std::vector<EmbeddedMigration>& all);

// Reports pending migrations and checksum mismatches without changing anything.
MigrationReport CheckSchema(pqxx::connection& conn, const std::vector<EmbeddedMigration>& all);

// Hex SHA-256 of `text`.
std::string Sha256Hex(const std::string& text);

}  // namespace sippet

#endif  // SIPPET_DAEMON_MIGRATOR_H_
