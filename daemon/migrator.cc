#include "daemon/migrator.h"

#include <openssl/evp.h>

#include <map>

#include "daemon/pg_pool.h"

namespace sippet {
namespace {

// pg_advisory_xact_lock key: "sippet-sync migrate".
constexpr int64_t kMigrationLockKey = 0x5369707065744d31;

constexpr const char* kCreateLedger = R"sql(
CREATE TABLE IF NOT EXISTS sippet_schema_migrations (
  name       text        PRIMARY KEY,
  checksum   text        NOT NULL,  -- sha256 of the file's bytes
  applied_at timestamptz NOT NULL DEFAULT now()
))sql";

// Compares the ledger with the embedded files. Fills report->pending or report->error.
void Compare(pqxx::transaction_base& tx, const std::vector<EmbeddedMigration>& all,
             MigrationReport* report) {
  std::map<std::string, std::string> applied;
  pqxx::result ledger = tx.exec(
      "SELECT name, checksum FROM sippet_schema_migrations ORDER BY name");
  for (const auto& row : ledger) applied[row[0].c_str()] = row[1].c_str();
  for (const EmbeddedMigration& m : all) {
    auto it = applied.find(m.name);
    if (it == applied.end()) {
      report->pending.push_back(m.name);
      continue;
    }
    if (it->second != Sha256Hex(m.sql)) {
      report->error = "migration " + m.name +
                      " was changed after it was applied (checksum differs); restore the "
                      "original file and add the change as a new migration";
      return;
    }
    applied.erase(it);
  }
  if (!applied.empty()) {
    report->error = "the database has migration " + applied.begin()->first +
                    " that this build of sippet-sync does not know; run a newer sippet-sync";
  }
}

}  // namespace

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

MigrationReport Migrate(pqxx::connection& conn, const std::vector<EmbeddedMigration>& all) {
  MigrationReport report;
  try {
    pqxx::work tx(conn);
    tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
    tx.exec(kCreateLedger);
    Compare(tx, all, &report);
    if (!report.error.empty()) return report;
    for (const EmbeddedMigration& m : all) {
      bool pending = false;
      for (const std::string& p : report.pending) pending |= p == m.name;
      if (!pending) continue;
      try {
        tx.exec(m.sql);
      } catch (const pqxx::sql_error& e) {
        report.error = "migration " + m.name + " failed: " + ErrorText(e);
        report.applied_now.clear();
        return report;
      }
      tx.exec_params("INSERT INTO sippet_schema_migrations (name, checksum) VALUES ($1, $2)",
                     m.name, Sha256Hex(m.sql));
      report.applied_now.push_back(m.name);
    }
    tx.commit();
    report.pending.clear();
  } catch (const std::exception& e) {
    report.error = "migrate failed: " + ErrorText(e);
    report.applied_now.clear();
  }
  return report;
}

MigrationReport CheckSchema(pqxx::connection& conn, const std::vector<EmbeddedMigration>& all) {
  MigrationReport report;
  try {
    pqxx::read_transaction tx(conn);
    pqxx::result exists = tx.exec("SELECT to_regclass('sippet_schema_migrations') IS NOT NULL");
    if (!exists[0][0].as<bool>()) {
      for (const EmbeddedMigration& m : all) report.pending.push_back(m.name);
      return report;
    }
    Compare(tx, all, &report);
  } catch (const std::exception& e) {
    report.error = "cannot read the schema ledger: " + ErrorText(e);
  }
  return report;
}

}  // namespace sippet
