#ifndef SIPPET_MAPPERS_MAPPING_H_
#define SIPPET_MAPPERS_MAPPING_H_

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mappers/config_error.h"
#include "mappers/expr.h"
#include "mappers/json_template.h"

namespace sippet {

// One HTTP request of a strategy, as written in a mapping (docs/mappings.md).
struct RequestSpec {
  bool present = false;
  std::string method;
  expr::Template path;  // "/api/v2/tickets/{{ link.external_id }}"; joined to the target base
  std::vector<std::pair<std::string, expr::Template>> query;    // values URL-encoded
  std::vector<std::pair<std::string, expr::Template>> headers;
  JsonTemplate body;                // empty: no body
  expr::Expression external_id;     // over the response body; empty: none
};

// Native batching: jobs of one mapping grouped into one request (HubSpot batch upsert).
struct BatchSpec {
  int max_items = 0;         // 0: no batching
  std::string items_path;    // key of the request body holding the list of rendered items
  expr::Expression results;  // over the response body: the list of results
  expr::Expression result_key;  // over one result: the item's key (compared with {{ key }})
  expr::Expression errors;   // over the response body: the list of per-item errors
  expr::Expression error_keys;  // over one error: the key or list of keys it concerns
};

enum class NullPolicy { kSkip, kSendNull, kClear };

struct FieldRule {
  std::string name;
  expr::Expression value;
  NullPolicy on_null = NullPolicy::kSkip;
};

enum class Strategy { kNative, kSearch, kLink };
const char* StrategyName(Strategy s);

enum class DeleteAction {
  kIgnore,   // a *.deleted change completes without a request
  kRequest,  // send on_delete.request (needs a stored link; none = nothing to delete)
  kUpsert,   // send the normal upsert (fields can read record.deleted)
};

struct Mapping {
  std::string name;
  std::string file;
  std::vector<std::string> on;  // event type patterns: "contact.updated", "contact.*", "*"
  expr::Expression when;        // empty: always
  std::string target;
  std::string object;           // crm_links object name, e.g. "contact"
  expr::Expression key;         // the match key, e.g. data.email | lower
  std::vector<FieldRule> fields;
  bool fields_as_strings = false;  // every non-null field value sent as a string (HubSpot)
  nlohmann::json clear_value;      // what on_null: clear sends (default "")
  nlohmann::json vars = nlohmann::json::object();
  Strategy strategy = Strategy::kNative;
  RequestSpec native;
  BatchSpec batch;
  RequestSpec search;
  expr::Expression search_results;  // over the search response: list of hits ("" = the body)
  expr::Expression search_id;       // over one hit: its external id
  RequestSpec create;
  RequestSpec update;
  int conflict_status = 0;          // 0: no 409 recovery
  std::string conflict_id_regex;    // first group is the existing id
  DeleteAction on_delete = DeleteAction::kIgnore;
  RequestSpec delete_request;

  // True when `type` matches one of `on`.
  bool Subscribes(const std::string& type) const;
};

// True for "contact.*" vs "contact.updated", "*" vs anything, and exact matches.
bool MatchesEventType(const std::string& pattern, const std::string& type);

// The names a mapping's expressions may use.
const std::vector<std::string>& MappingRoots();

// Loads every *.yaml file of `dir` (sorted by name). Mapping names must be unique; targets
// must be in `targets`. Returns false with located errors.
bool LoadMappings(const std::string& dir, const std::set<std::string>& targets,
                  ConfigErrors* errors, std::vector<Mapping>* out);

// Loads one mapping document (`file` for messages).
bool LoadMappingFromString(const std::string& yaml, const std::string& file,
                           const std::set<std::string>& targets, ConfigErrors* errors,
                           Mapping* out);

}  // namespace sippet

#endif  // SIPPET_MAPPERS_MAPPING_H_
