#include "daemon/event_store.h"

#include "daemon/event_sql.h"
#include "daemon/job_sql.h"
#include "daemon/job_store.h"

namespace sippet {
namespace {

using OptStr = std::optional<std::string>;

OptStr Opt(const std::string& s) { return s.empty() ? OptStr() : OptStr(s); }

// SQLSTATE class 22 (data exception) or 23 (integrity): the statement, not the connection,
// was at fault. The event is then kept raw, marked invalid_data, rather than refused.
bool IsDataError(const std::exception& e) {
  auto* sql = dynamic_cast<const pqxx::sql_error*>(&e);
  if (sql == nullptr) return false;
  return sql->sqlstate().rfind("22", 0) == 0 || sql->sqlstate().rfind("23", 0) == 0;
}

// Returns true if the staged state changed.
bool UpsertStaging(pqxx::work& tx, const IncomingEvent& in) {
  const Envelope& e = *in.envelope;
  const StagingPlan& p = in.plan;
  std::string data = e.data.dump();
  pqxx::result r;
  switch (p.table) {
    case StagingTable::kContacts:
    case StagingTable::kConversations:
      r = tx.exec_prepared(p.table == StagingTable::kContacts ? sql::kUpsertContactName
                                                              : sql::kUpsertConversationName,
                           e.organisation_id, p.record_id, e.environment, data, p.inserted_at,
                           p.updated_at, p.deleted, p.deleted_at, p.version_at, e.id, e.type,
                           e.occurred_at);
      break;
    case StagingTable::kEmailClassifications: {
      const EmailClassificationRow& c = p.classification;
      r = tx.exec_prepared(sql::kUpsertClassificationName, e.organisation_id, p.record_id,
                           e.environment, c.communication_message_id, c.status,
                           c.predicted_label, c.predicted_confidence, c.effective_label,
                           c.effective_source, c.provider, c.model, c.taxonomy_version,
                           c.prompt_version, c.token_usage, c.estimated_cost,
                           c.provider_response_id, c.last_error, c.classified_at,
                           c.overridden_at, c.overridden_by_user_id, c.inserted_at,
                           c.updated_at, data, e.id, e.type, e.occurred_at);
      break;
    }
    case StagingTable::kNone:
      return false;
  }
  return !r.empty();
}

}  // namespace

const char* StagingTableName(StagingTable t) {
  switch (t) {
    case StagingTable::kContacts: return "staging_contacts";
    case StagingTable::kConversations: return "staging_conversations";
    case StagingTable::kEmailClassifications: return "staging_email_classifications";
    case StagingTable::kNone: break;
  }
  return "";
}

std::string HexEncode(const std::string& bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    out[2 * i] = kHex[c >> 4];
    out[2 * i + 1] = kHex[c & 15];
  }
  return out;
}

void PgEventStore::Prepare(pqxx::connection& conn) {
  conn.prepare(sql::kInsertEventName, sql::kInsertEvent);
  conn.prepare(sql::kEventStatusName, sql::kEventStatus);
  conn.prepare(sql::kMarkSupersededName, sql::kMarkSuperseded);
  conn.prepare(sql::kUpsertContactName, sql::kUpsertContact);
  conn.prepare(sql::kUpsertConversationName, sql::kUpsertConversation);
  conn.prepare(sql::kUpsertClassificationName, sql::kUpsertClassification);
  conn.prepare(sql::kInsertRejectionName, sql::kInsertRejection);
  conn.prepare(sql::kEnqueueJobsName, sql::kEnqueueJobs);
}

PersistResult PgEventStore::PersistOnce(const IncomingEvent& in, bool raw_only, bool* retry) {
  *retry = false;
  PersistResult out;
  std::string error;
  PgPool::Lease conn = pool_->Acquire(&error);
  if (!conn) {
    out.error = error;
    return out;
  }
  const Envelope& e = *in.envelope;
  EventStatus status = raw_only ? EventStatus::kInvalidData : in.plan.status;
  OptStr detail = raw_only ? OptStr("PostgreSQL refused the typed values; kept raw only")
                           : Opt(in.plan.detail);
  // jsonb cannot hold U+0000; such a payload is kept as raw bytes only.
  OptStr payload;
  if (!raw_only && in.jsonb_safe) payload = *in.raw_body;
  try {
    pqxx::work tx(*conn);
    pqxx::result ins = tx.exec_prepared(
        sql::kInsertEventName, e.id, in.webhook_id, e.type, e.version, e.occurred_at,
        e.organisation_id, e.environment, in.endpoint, Opt(in.plan.record_id),
        HexEncode(*in.raw_body), payload, EventStatusName(status), detail);
    if (ins.empty()) {
      pqxx::result prev = tx.exec_prepared(sql::kEventStatusName, e.id);
      tx.commit();
      out.status = PersistStatus::kDuplicate;
      if (!prev.empty()) {
        std::string s = prev[0][0].c_str();
        for (EventStatus c : {EventStatus::kStaged, EventStatus::kSuperseded, EventStatus::kStored,
                              EventStatus::kUnmapped, EventStatus::kUnsupportedVersion,
                              EventStatus::kInvalidData}) {
          if (s == EventStatusName(c)) out.event_status = c;
        }
      }
      return out;
    }
    if (!raw_only && status == EventStatus::kStaged) {
      if (!UpsertStaging(tx, in)) {
        tx.exec_prepared(sql::kMarkSupersededName, ins[0][0].as<int64_t>());
        status = EventStatus::kSuperseded;
      } else if (!in.job_mappings.empty()) {
        tx.exec_prepared(sql::kEnqueueJobsName, TextArray(in.job_mappings),
                         TextArray(in.job_targets), StagingTableName(in.plan.table),
                         e.organisation_id, in.plan.record_id, e.id);
        tx.exec(sql::kNotifyJobs);
      }
    }
    tx.commit();
    out.status = PersistStatus::kStored;
    out.event_status = status;
    return out;
  } catch (const pqxx::in_doubt_error& ex) {
    // COMMIT was sent but its outcome is unknown: do not acknowledge; a redelivery is safe (G2).
    conn.MarkBroken();
    out.error = "commit outcome unknown: " + ErrorText(ex);
  } catch (const std::exception& ex) {
    if (IsConnectionFailure(ex)) {
      conn.MarkBroken();
      out.error = "database connection failed: " + ErrorText(ex);
      *retry = true;
    } else if (!raw_only && IsDataError(ex)) {
      return PersistOnce(in, true, retry);
    } else {
      out.error = "database error: " + ErrorText(ex);
    }
  }
  return out;
}

PersistResult PgEventStore::Persist(const IncomingEvent& in) {
  bool retry = false;
  PersistResult r = PersistOnce(in, false, &retry);
  // A pooled connection may have died while idle (server restarted): one fresh attempt. Safe
  // because the insert is idempotent on the event id.
  if (retry) r = PersistOnce(in, false, &retry);
  return r;
}

bool PgEventStore::RecordRejection(const Rejection& r, std::string* error) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    PgPool::Lease conn = pool_->Acquire(error);
    if (!conn) return false;
    try {
      pqxx::work tx(*conn);
      tx.exec_prepared(sql::kInsertRejectionName, r.endpoint, r.method, Opt(r.remote_addr),
                       r.http_status, r.reason, r.message, r.body_bytes, r.headers_json,
                       HexEncode(r.body_prefix), r.webhook_id, r.event_id);
      tx.commit();
      return true;
    } catch (const std::exception& ex) {
      *error = ErrorText(ex);
      if (!IsConnectionFailure(ex)) return false;
      conn.MarkBroken();
    }
  }
  return false;
}

bool PgEventStore::Ping(std::string* error) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    PgPool::Lease conn = pool_->Acquire(error);
    if (!conn) return false;
    try {
      pqxx::nontransaction tx(*conn);
      tx.exec("SELECT 1");
      return true;
    } catch (const std::exception& ex) {
      *error = ErrorText(ex);
      conn.MarkBroken();
    }
  }
  return false;
}

}  // namespace sippet
