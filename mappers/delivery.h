#ifndef SIPPET_MAPPERS_DELIVERY_H_
#define SIPPET_MAPPERS_DELIVERY_H_

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "mappers/http_client.h"
#include "mappers/mapping.h"
#include "mappers/retry_policy.h"

namespace sippet {

// The newest staged state of one Sippet record, as a worker reads it.
struct StagedRecord {
  std::string table;  // staging_contacts, ...
  std::string organisation_id;
  std::string record_id;
  std::string environment;
  nlohmann::json data;
  bool deleted = false;
  std::string last_event_id, last_event_type, last_occurred_at;
};

// A request a strategy wants sent: relative to the target's base URL.
struct PlannedRequest {
  std::string step;  // native | search | create | update | delete
  std::string method;
  std::string path_and_query;
  HttpHeaders headers;
  std::string body;  // JSON text or empty
};

// Sends planned requests to a mapping's target: joins the base URL, applies auth and rate
// limits, refreshes credentials once on a 401, and records every attempt. Implemented by the
// worker (real HTTP) and by `sippet-sync map` (prints, sends nothing).
class RequestSender {
 public:
  virtual ~RequestSender() = default;
  virtual HttpResponse Send(const PlannedRequest& request) = 0;
};

struct DeliveryResult {
  enum class Kind {
    kDelivered,     // the target holds the record's state
    kSkipped,       // `when` was false, or a deletion the mapping ignores
    kDeleted,       // deleted at the target (or there was nothing to delete)
    kFailed,        // an HTTP step failed: `response` decides retry or dead letter
    kDeadLetter,    // not retryable whatever happens: mapping error, many matches, item error
  };
  Kind kind = Kind::kFailed;
  std::optional<std::string> external_id;  // to store in crm_links
  bool drop_link = false;                  // the stored link is stale (404)
  HttpResponse response;                   // the failing response, for kFailed
  std::string reason;                      // for kDeadLetter / kSkipped / kFailed
};

// The evaluation context of a mapping's expressions for one record (docs/mappings.md).
nlohmann::json MappingContext(const Mapping& mapping, const StagedRecord& record,
                              const std::optional<std::string>& external_id);

// Renders a request spec over `context`. On an expression error returns false with *error.
bool PlanRequest(const std::string& step, const RequestSpec& spec, const nlohmann::json& context,
                 PlannedRequest* out, std::string* error);

// Runs the mapping's strategy for one record. Pure apart from `sender`.
DeliveryResult Deliver(const Mapping& mapping, const StagedRecord& record,
                       const std::optional<std::string>& external_id, RequestSender* sender);

// Runs a native batch upsert for several records of one mapping (mapping.batch.max_items > 0).
// Returns one result per input, in order.
std::vector<DeliveryResult> DeliverBatch(const Mapping& mapping,
                                         const std::vector<const StagedRecord*>& records,
                                         RequestSender* sender);

// Prepares context, key and fields; false with *reason when the record cannot be mapped (a
// poison record) or *skip when `when` is false.
bool PrepareContext(const Mapping& mapping, const StagedRecord& record,
                    const std::optional<std::string>& external_id, nlohmann::json* context,
                    bool* skip, std::string* reason);

}  // namespace sippet

#endif  // SIPPET_MAPPERS_DELIVERY_H_
