#ifndef SIPPET_DAEMON_EVENT_SQL_H_
#define SIPPET_DAEMON_EVENT_SQL_H_

// Named prepared statements of the event store. The tables are defined in
// migrations/0001_init.sql; keep the two in step.

namespace sippet::sql {

// $1 event_id $2 webhook_id $3 type $4 version $5 occurred_at $6 organisation_id
// $7 environment $8 endpoint $9 record_id $10 raw body (hex) $11 payload (json text or NULL)
// $12 status $13 status_detail. Returns the new row id; no row for a duplicate (G2).
inline constexpr const char* kInsertEventName = "insert_event";
inline constexpr const char* kInsertEvent = R"sql(
INSERT INTO sippet_events (event_id, webhook_id, event_type, version, occurred_at,
                           organisation_id, environment, endpoint, record_id, raw_body,
                           payload, status, status_detail)
VALUES ($1, $2, $3, $4, $5::timestamptz, $6, $7, $8, $9, decode($10, 'hex'), $11::jsonb,
        $12, $13)
ON CONFLICT (event_id) DO NOTHING
RETURNING id)sql";

inline constexpr const char* kEventStatusName = "event_status";
inline constexpr const char* kEventStatus =
    "SELECT status FROM sippet_events WHERE event_id = $1";

inline constexpr const char* kMarkSupersededName = "mark_superseded";
inline constexpr const char* kMarkSuperseded =
    "UPDATE sippet_events SET status = 'superseded' WHERE id = $1";

// Contacts and conversations share one shape. G3: the row changes only when the incoming
// (version_at, event id) is newer. A deletion keeps the last known data, merged with the
// deletion's own fields. Returns a row only when the staged state changed.
// $1 organisation_id $2 record_id $3 environment $4 data $5 inserted_at $6 updated_at
// $7 deleted $8 deleted_at $9 version_at $10 event_id $11 event_type $12 occurred_at
#define SIPPET_UPSERT_RECORD(table)                                                           \
  "INSERT INTO " table " AS s (organisation_id, record_id, environment, data,"               \
  " record_inserted_at, record_updated_at, deleted, deleted_at, version_at, last_event_id,"  \
  " last_event_type, last_occurred_at)"                                                      \
  " VALUES ($1, $2, $3, $4::jsonb, $5::timestamptz, $6::timestamptz, $7, $8::timestamptz,"   \
  " $9::timestamptz, $10, $11, $12::timestamptz)"                                            \
  " ON CONFLICT (organisation_id, record_id) DO UPDATE SET"                                  \
  "   environment = EXCLUDED.environment,"                                                   \
  "   data = CASE WHEN EXCLUDED.deleted THEN s.data || EXCLUDED.data ELSE EXCLUDED.data END," \
  "   record_inserted_at = COALESCE(EXCLUDED.record_inserted_at, s.record_inserted_at),"     \
  "   record_updated_at = COALESCE(EXCLUDED.record_updated_at, s.record_updated_at),"        \
  "   deleted = EXCLUDED.deleted,"                                                           \
  "   deleted_at = EXCLUDED.deleted_at,"                                                     \
  "   version_at = EXCLUDED.version_at,"                                                     \
  "   last_event_id = EXCLUDED.last_event_id,"                                               \
  "   last_event_type = EXCLUDED.last_event_type,"                                           \
  "   last_occurred_at = EXCLUDED.last_occurred_at,"                                         \
  "   staged_at = now()"                                                                     \
  " WHERE (s.version_at, s.last_event_id) < (EXCLUDED.version_at, EXCLUDED.last_event_id)"   \
  " RETURNING 1"

inline constexpr const char* kUpsertContactName = "upsert_contact";
inline constexpr const char* kUpsertContact = SIPPET_UPSERT_RECORD("staging_contacts");
inline constexpr const char* kUpsertConversationName = "upsert_conversation";
inline constexpr const char* kUpsertConversation = SIPPET_UPSERT_RECORD("staging_conversations");
#undef SIPPET_UPSERT_RECORD

// $1 organisation_id $2 record_id $3 environment $4 communication_message_id $5 status
// $6 predicted_label $7 predicted_confidence $8 effective_label $9 effective_source
// $10 provider $11 model $12 taxonomy_version $13 prompt_version $14 token_usage
// $15 estimated_cost $16 provider_response_id $17 last_error $18 classified_at
// $19 overridden_at $20 overridden_by_user_id $21 inserted_at $22 updated_at $23 data
// $24 event_id $25 event_type $26 occurred_at. version_at is updated_at (always present).
inline constexpr const char* kUpsertClassificationName = "upsert_classification";
inline constexpr const char* kUpsertClassification = R"sql(
INSERT INTO staging_email_classifications AS s (
  organisation_id, record_id, environment, communication_message_id, status, predicted_label,
  predicted_confidence, effective_label, effective_source, provider, model, taxonomy_version,
  prompt_version, token_usage, estimated_cost, provider_response_id, last_error,
  classified_at, overridden_at, overridden_by_user_id, inserted_at, updated_at, data,
  version_at, last_event_id, last_event_type, last_occurred_at)
VALUES ($1, $2, $3, $4, $5, $6, $7::numeric, $8, $9, $10, $11, $12, $13, $14::jsonb,
        $15::numeric, $16, $17, $18::timestamptz, $19::timestamptz, $20, $21::timestamptz,
        $22::timestamptz, $23::jsonb, $22::timestamptz, $24, $25, $26::timestamptz)
ON CONFLICT (organisation_id, record_id) DO UPDATE SET
  environment = EXCLUDED.environment,
  communication_message_id = EXCLUDED.communication_message_id,
  status = EXCLUDED.status,
  predicted_label = EXCLUDED.predicted_label,
  predicted_confidence = EXCLUDED.predicted_confidence,
  effective_label = EXCLUDED.effective_label,
  effective_source = EXCLUDED.effective_source,
  provider = EXCLUDED.provider,
  model = EXCLUDED.model,
  taxonomy_version = EXCLUDED.taxonomy_version,
  prompt_version = EXCLUDED.prompt_version,
  token_usage = EXCLUDED.token_usage,
  estimated_cost = EXCLUDED.estimated_cost,
  provider_response_id = EXCLUDED.provider_response_id,
  last_error = EXCLUDED.last_error,
  classified_at = EXCLUDED.classified_at,
  overridden_at = EXCLUDED.overridden_at,
  overridden_by_user_id = EXCLUDED.overridden_by_user_id,
  inserted_at = EXCLUDED.inserted_at,
  updated_at = EXCLUDED.updated_at,
  data = EXCLUDED.data,
  version_at = EXCLUDED.version_at,
  last_event_id = EXCLUDED.last_event_id,
  last_event_type = EXCLUDED.last_event_type,
  last_occurred_at = EXCLUDED.last_occurred_at,
  staged_at = now()
WHERE (s.version_at, s.last_event_id) < (EXCLUDED.version_at, EXCLUDED.last_event_id)
RETURNING 1)sql";

// $1 endpoint $2 method $3 remote_addr $4 http_status $5 reason $6 message $7 body_bytes
// $8 headers (json) $9 body_prefix (hex) $10 webhook_id $11 event_id
inline constexpr const char* kInsertRejectionName = "insert_rejection";
inline constexpr const char* kInsertRejection = R"sql(
INSERT INTO rejected_requests (endpoint, method, remote_addr, http_status, reason, message,
                               body_bytes, headers, body_prefix, webhook_id, event_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, decode($9, 'hex'), $10, $11))sql";

}  // namespace sippet::sql

#endif  // SIPPET_DAEMON_EVENT_SQL_H_
