#include "daemon/job_store.h"

#include "daemon/job_sql.h"

namespace sippet {
namespace {

const char* LoadStatement(const std::string& table) {
  if (table == "staging_contacts") return sql::kLoadContactName;
  if (table == "staging_conversations") return sql::kLoadConversationName;
  if (table == "staging_email_classifications") return sql::kLoadClassificationName;
  return nullptr;
}

}  // namespace

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

template <typename Body>
bool JobStore::WithConnection(std::string* error, Body&& body) {
  PgPool::Lease conn = pool_->Acquire(error);
  if (!conn) return false;
  try {
    return body(*conn);
  } catch (const std::exception& e) {
    if (IsConnectionFailure(e)) conn.MarkBroken();
    *error = ErrorText(e);
    return false;
  }
}

void JobStore::Prepare(pqxx::connection& conn) {
  conn.prepare(sql::kClaimJobsName, sql::kClaimJobs);
  conn.prepare(sql::kRenewLeasesName, sql::kRenewLeases);
  conn.prepare(sql::kLoadContactName, sql::kLoadContact);
  conn.prepare(sql::kLoadConversationName, sql::kLoadConversation);
  conn.prepare(sql::kLoadClassificationName, sql::kLoadClassification);
  conn.prepare(sql::kFinishJobName, sql::kFinishJob);
  conn.prepare(sql::kRequeueName, sql::kRequeue);
  conn.prepare(sql::kInsertAttemptName, sql::kInsertAttempt);
  conn.prepare(sql::kUpsertLinkName, sql::kUpsertLink);
  conn.prepare(sql::kDeleteLinkName, sql::kDeleteLink);
  conn.prepare(sql::kReleaseJobName, sql::kReleaseJob);
}

std::vector<ClaimedJob> JobStore::Claim(const std::string& mapping, int limit, int lease_seconds,
                                        const std::string& worker, std::string* error) {
  std::vector<ClaimedJob> out;
  bool ok = WithConnection(error, [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result r = tx.exec_prepared(sql::kClaimJobsName, mapping, limit,
                                      static_cast<double>(lease_seconds), worker);
    tx.commit();
    for (const auto& row : r) {
      ClaimedJob j;
      j.id = row[0].as<int64_t>();
      j.claim = row[1].as<int>();
      j.attempts = row[2].as<int>();
      j.staging_table = row[3].c_str();
      j.organisation_id = row[4].c_str();
      j.record_id = row[5].c_str();
      j.age_seconds = row[6].as<int64_t>();
      out.push_back(std::move(j));
    }
    return true;
  });
  if (!ok) out.clear();
  return out;
}

bool JobStore::LoadRecords(std::vector<ClaimedJob>* jobs, const std::string& target,
                           const std::string& object, std::string* error) {
  return WithConnection(error, [&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    for (ClaimedJob& j : *jobs) {
      const char* stmt = LoadStatement(j.staging_table);
      if (stmt == nullptr) continue;
      pqxx::result r = tx.exec_prepared(stmt, j.organisation_id, j.record_id, target, object);
      if (r.empty()) continue;
      StagedRecord rec;
      rec.table = j.staging_table;
      rec.organisation_id = j.organisation_id;
      rec.record_id = j.record_id;
      rec.environment = r[0][0].c_str();
      rec.data = nlohmann::json::parse(r[0][1].c_str(), nullptr, false);
      rec.deleted = r[0][2].as<bool>();
      rec.last_event_id = r[0][3].c_str();
      rec.last_event_type = r[0][4].c_str();
      rec.last_occurred_at = r[0][5].c_str();
      if (!r[0][6].is_null()) j.external_id = r[0][6].c_str();
      j.record = std::move(rec);
    }
    return true;
  });
}

bool JobStore::Renew(const std::vector<std::pair<int64_t, int>>& held, int lease_seconds,
                     std::string* error) {
  if (held.empty()) return true;
  std::string ids = "{", claims = "{";
  for (size_t i = 0; i < held.size(); ++i) {
    if (i) {
      ids += ',';
      claims += ',';
    }
    ids += std::to_string(held[i].first);
    claims += std::to_string(held[i].second);
  }
  ids += '}';
  claims += '}';
  return WithConnection(error, [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared(sql::kRenewLeasesName, ids, claims, static_cast<double>(lease_seconds));
    tx.commit();
    return true;
  });
}

bool JobStore::Finish(const ClaimedJob& job, const std::string& mapping,
                      const std::string& target, const std::string& object,
                      const JobFinish& f, bool* fenced, std::string* error) {
  *fenced = false;
  auto insert_attempts = [&](pqxx::work& tx, bool mark_fenced) {
    for (const AttemptRow& a : f.attempt_rows) {
      tx.exec_prepared(sql::kInsertAttemptName, job.id, job.attempts + 1, a.step, mapping, target,
                       static_cast<double>(a.started_unix_ms), a.duration_ms, a.method, a.url,
                       a.headers_json, a.request_body, a.status, a.response_body, a.error_class,
                       a.error, mark_fenced);
    }
  };
  return WithConnection(error, [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result r = tx.exec_prepared(sql::kFinishJobName, job.id, job.claim, f.state, f.outcome,
                                      f.attempts, f.delay_seconds, f.last_status, f.last_error,
                                      f.dead_reason, f.external_id);
    if (r.empty()) {
      tx.abort();
      pqxx::work fenced_tx(conn);
      insert_attempts(fenced_tx, true);
      fenced_tx.commit();
      *fenced = true;
      *error = "lost the claim on job " + std::to_string(job.id);
      return false;
    }
    insert_attempts(tx, false);
    if (f.external_id) {
      tx.exec_prepared(sql::kUpsertLinkName, target, object, job.organisation_id, job.record_id,
                       *f.external_id, mapping);
    } else if (f.drop_link) {
      tx.exec_prepared(sql::kDeleteLinkName, target, object, job.organisation_id, job.record_id);
    }
    bool rerun = r[0][0].as<bool>();
    if (rerun && (f.state == "done" || f.state == "dead")) {
      tx.exec_prepared(sql::kRequeueName, r[0][1].c_str(), r[0][2].c_str(), r[0][3].c_str(),
                       r[0][4].c_str(), r[0][5].c_str(), r[0][6].c_str());
      tx.exec(sql::kNotifyJobs);
    }
    tx.commit();
    return true;
  });
}

bool JobStore::Release(const ClaimedJob& job, double delay_seconds, std::string* error) {
  return WithConnection(error, [&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared(sql::kReleaseJobName, job.id, job.claim, delay_seconds);
    tx.commit();
    return true;
  });
}

}  // namespace sippet
