#ifndef SIPPET_DAEMON_JOB_SQL_H_
#define SIPPET_DAEMON_JOB_SQL_H_

// Named prepared statements of the delivery side. Tables: migrations/0002_delivery.sql.

namespace sippet::sql {

// In the ingest transaction, for a staged change: one job per subscribing mapping, or
// coalesced into the open one. $1 mappings[] $2 targets[] $3 staging_table $4 organisation_id
// $5 record_id $6 event_id
inline constexpr const char* kEnqueueJobsName = "enqueue_jobs";
inline constexpr const char* kEnqueueJobs = R"sql(
INSERT INTO sync_jobs (mapping, target, staging_table, organisation_id, record_id, last_event_id)
SELECT u.m, u.t, $3, $4, $5, $6 FROM unnest($1::text[], $2::text[]) AS u(m, t)
ON CONFLICT (mapping, organisation_id, record_id) WHERE state IN ('pending', 'running')
DO UPDATE SET changes = sync_jobs.changes + 1,
              last_event_id = EXCLUDED.last_event_id,
              rerun = sync_jobs.rerun OR sync_jobs.state = 'running',
              updated_at = now())sql";

inline constexpr const char* kNotifyJobs = "SELECT pg_notify('sippet_sync_jobs', '')";
inline constexpr const char* kJobsChannel = "sippet_sync_jobs";

// Claims up to $2 ready jobs of mapping $1 for $3 seconds, fencing token bumped (G5).
// A running job whose lease ran out is ready again.
inline constexpr const char* kClaimJobsName = "claim_jobs";
inline constexpr const char* kClaimJobs = R"sql(
WITH c AS (
  SELECT id FROM sync_jobs
   WHERE mapping = $1
     AND ((state = 'pending' AND run_after <= now())
          OR (state = 'running' AND locked_until < now()))
   ORDER BY run_after, id
   LIMIT $2
   FOR UPDATE SKIP LOCKED)
UPDATE sync_jobs j
   SET state = 'running', locked_until = now() + make_interval(secs => $3),
       claim_count = j.claim_count + 1, claimed_by = $4, updated_at = now()
  FROM c WHERE j.id = c.id
RETURNING j.id, j.claim_count, j.attempts, j.staging_table, j.organisation_id, j.record_id,
          extract(epoch FROM now() - j.created_at)::bigint)sql";

// Renews the leases of jobs still held: $1 ids[] $2 claim_counts[] $3 seconds.
inline constexpr const char* kRenewLeasesName = "renew_leases";
inline constexpr const char* kRenewLeases = R"sql(
UPDATE sync_jobs j SET locked_until = now() + make_interval(secs => $3)
  FROM unnest($1::bigint[], $2::int[]) AS h(id, claim)
 WHERE j.id = h.id AND j.claim_count = h.claim AND j.state = 'running')sql";

// The newest staged state plus the stored link. $1 organisation_id $2 record_id $3 target
// $4 object. One statement per staging table.
#define SIPPET_LOAD_RECORD(table, deleted)                                                     \
  "SELECT s.environment, s.data::text, " deleted ", s.last_event_id, s.last_event_type,"      \
  " to_char(s.last_occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'),"     \
  " l.external_id FROM " table " s LEFT JOIN crm_links l ON l.target = $3 AND l.object = $4"  \
  " AND l.organisation_id = s.organisation_id AND l.record_id = s.record_id"                  \
  " WHERE s.organisation_id = $1 AND s.record_id = $2"
inline constexpr const char* kLoadContactName = "load_staging_contacts";
inline constexpr const char* kLoadContact = SIPPET_LOAD_RECORD("staging_contacts", "s.deleted");
inline constexpr const char* kLoadConversationName = "load_staging_conversations";
inline constexpr const char* kLoadConversation = SIPPET_LOAD_RECORD("staging_conversations", "s.deleted");
inline constexpr const char* kLoadClassificationName = "load_staging_email_classifications";
inline constexpr const char* kLoadClassification =
    SIPPET_LOAD_RECORD("staging_email_classifications", "false");  // never deleted
#undef SIPPET_LOAD_RECORD

// Moves a claimed job on, only if this worker still holds it (fencing).
// $1 id $2 claim_count $3 state $4 outcome $5 attempts $6 delay seconds $7 last_status
// $8 last_error $9 dead_reason $10 external_id
inline constexpr const char* kFinishJobName = "finish_job";
inline constexpr const char* kFinishJob = R"sql(
UPDATE sync_jobs
   SET state = $3, outcome = $4, attempts = $5,
       run_after = now() + make_interval(secs => $6), locked_until = NULL,
       last_status = $7, last_error = $8, dead_reason = $9,
       external_id = COALESCE($10, external_id), updated_at = now(),
       finished_at = CASE WHEN $3 IN ('done', 'dead') THEN now() END,
       rerun = CASE WHEN $3 IN ('done', 'dead') THEN rerun ELSE false END
 WHERE id = $1 AND claim_count = $2 AND state = 'running'
RETURNING rerun, mapping, target, staging_table, organisation_id, record_id, last_event_id)sql";

// A change arrived while the finished job was running: a new job for it.
inline constexpr const char* kRequeueName = "requeue_job";
inline constexpr const char* kRequeue = R"sql(
INSERT INTO sync_jobs (mapping, target, staging_table, organisation_id, record_id, last_event_id)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (mapping, organisation_id, record_id) WHERE state IN ('pending', 'running')
DO UPDATE SET changes = sync_jobs.changes + 1, updated_at = now())sql";

// $1 job_id $2 attempt $3 step $4 mapping $5 target $6 started_at (unix ms) $7 duration_ms
// $8 method $9 url $10 request_headers $11 request_body $12 status $13 response_body
// $14 error_class $15 error $16 fenced
inline constexpr const char* kInsertAttemptName = "insert_attempt";
inline constexpr const char* kInsertAttempt = R"sql(
INSERT INTO delivery_attempts (job_id, attempt, step, mapping, target, started_at, duration_ms,
                               method, url, request_headers, request_body, status,
                               response_body, error_class, error, fenced)
VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision / 1000), $7, $8, $9, $10::jsonb,
        $11, $12, $13, $14, $15, $16))sql";

// $1 target $2 object $3 organisation_id $4 record_id $5 external_id $6 mapping
inline constexpr const char* kUpsertLinkName = "upsert_link";
inline constexpr const char* kUpsertLink = R"sql(
INSERT INTO crm_links (target, object, organisation_id, record_id, external_id, mapping)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (target, object, organisation_id, record_id)
DO UPDATE SET external_id = EXCLUDED.external_id, mapping = EXCLUDED.mapping, updated_at = now())sql";

inline constexpr const char* kDeleteLinkName = "delete_link";
inline constexpr const char* kDeleteLink =
    "DELETE FROM crm_links WHERE target = $1 AND object = $2 AND organisation_id = $3 AND "
    "record_id = $4";

// Gives a claimed job back without using an attempt (circuit open, shutting down).
// $1 id $2 claim_count $3 delay seconds
inline constexpr const char* kReleaseJobName = "release_job";
inline constexpr const char* kReleaseJob = R"sql(
UPDATE sync_jobs SET state = 'pending', locked_until = NULL, updated_at = now(),
                     run_after = now() + make_interval(secs => $3)
 WHERE id = $1 AND claim_count = $2 AND state = 'running')sql";

}  // namespace sippet::sql

#endif  // SIPPET_DAEMON_JOB_SQL_H_
