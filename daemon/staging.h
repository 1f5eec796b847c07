#ifndef SIPPET_DAEMON_STAGING_H_
#define SIPPET_DAEMON_STAGING_H_

#include <optional>
#include <string>

#include "daemon/envelope.h"

namespace sippet {

// What an accepted event becomes in sippet_events.status.
enum class EventStatus {
  kStaged,              // the typed staging row now holds this event's state
  kSuperseded,          // typed family, but a newer state was already staged (G3)
  kStored,              // a known family without typed staging (call.*, callback.*, ...)
  kUnmapped,            // an event type of no known family
  kUnsupportedVersion,  // an envelope version this build does not know
  kInvalidData,         // the envelope is fine but data does not match the guide's type
};
const char* EventStatusName(EventStatus s);

enum class StagingTable { kNone, kContacts, kConversations, kEmailClassifications };

// The guide's EmailClassificationWebhookEvent.data, as SQL parameter text (numbers and
// timestamps are validated here and cast by PostgreSQL).
struct EmailClassificationRow {
  std::string communication_message_id;
  std::string status;  // pending | classified | failed
  std::optional<std::string> predicted_label;
  std::optional<std::string> predicted_confidence;  // JSON number text
  std::optional<std::string> effective_label;
  std::optional<std::string> effective_source;  // model | manual
  std::string provider, model, taxonomy_version, prompt_version;
  std::optional<std::string> token_usage;  // JSON object text
  std::optional<std::string> estimated_cost;  // decimal string
  std::optional<std::string> provider_response_id;
  std::optional<std::string> last_error;
  std::optional<std::string> classified_at, overridden_at, overridden_by_user_id;
  std::string inserted_at, updated_at;
};

// How one validated event is staged. Pure: decided from the envelope alone.
struct StagingPlan {
  // kStaged means "upsert the staging row"; the store turns it into kSuperseded when a newer
  // state is already there. Any other status means "store raw only".
  EventStatus status = EventStatus::kStored;
  std::string detail;  // why, for invalid_data / unmapped / unsupported_version
  StagingTable table = StagingTable::kNone;
  std::string record_id;  // data.id when it is a string
  std::optional<std::string> inserted_at, updated_at, deleted_at;
  bool deleted = false;    // a *.deleted event
  std::string version_at;  // data.updated_at when present, else occurred_at
  EmailClassificationRow classification;  // when table == kEmailClassifications
};

// The envelope versions this build understands.
bool IsKnownVersion(const std::string& version);

StagingPlan PlanStaging(const Envelope& envelope);

}  // namespace sippet

#endif  // SIPPET_DAEMON_STAGING_H_
