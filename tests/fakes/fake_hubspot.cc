// Fake HubSpot CRM v3 contacts API. Records live in the "contacts" table; a record's fields
// are its HubSpot properties (all strings, email lower-cased). The record key used for
// concurrency tracking and poison keys is the lower-cased email (or the id value for another
// idProperty, or the record id when the contact has no email).

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "tests/fakes/fake_crm.h"
#include "tests/fakes/json_schema.h"
#include "tests/support/fixtures.h"

namespace sippet::fakes {
namespace {

constexpr char kContacts[] = "contacts";
constexpr char kBase[] = "/crm/v3/objects/contacts";
constexpr char kUpsertSchema[] =
    "#/components/schemas/BatchInputSimplePublicObjectBatchInputUpsert";
constexpr char kInputSchema[] = "#/components/schemas/SimplePublicObjectInput";
constexpr size_t kMaxBatch = 100;

class FakeHubSpot final : public FakeVendor {
 public:
  explicit FakeHubSpot(const FakeCrmOptions& options) : options_(options) {}

  std::string Name() const override { return "hubspot"; }

  bool Init(FakeCrmState&, std::string* error) override {
    std::string path = options_.hubspot_contract_path;
    if (path.empty())
      path = std::string(SIPPET_SOURCE_DIR) + "/tests/contracts/hubspot-contacts-v3.json";
    nlohmann::json doc;
    std::string parse_error;
    try {
      if (!ParseJson(testing::ReadFile(path), &doc, &parse_error)) {
        *error = "fake hubspot: contract " + path + " is not JSON: " + parse_error;
        return false;
      }
    } catch (const std::runtime_error& e) {
      *error = std::string("fake hubspot: ") + e.what();
      return false;
    }
    validator_ = std::make_unique<JsonSchemaValidator>(std::move(doc));
    return true;
  }

  std::vector<std::string> RecordKeys(const FakeRequest& req, FakeCrmState& state) const override {
    std::vector<std::string> keys;
    nlohmann::json body;
    std::string ignored;
    const bool json = ParseJson(req.body, &body, &ignored) && body.is_object();
    if (req.path == std::string(kBase) + "/batch/upsert" && json) {
      std::set<std::string> seen;
      for (const auto& input : body.value("inputs", nlohmann::json::array())) {
        if (input.is_object() && input.contains("id") && input["id"].is_string()) {
          std::string key = ToLowerAscii(input["id"].get<std::string>());
          if (seen.insert(key).second) keys.push_back(key);
        }
      }
    } else if (req.path == std::string(kBase) + "/search" && json) {
      for (const auto& group : body.value("filterGroups", nlohmann::json::array())) {
        for (const auto& f : group.value("filters", nlohmann::json::array())) {
          if (f.value("operator", "") == "EQ" && f.value("value", nlohmann::json()).is_string()) {
            keys.push_back(ToLowerAscii(f["value"].get<std::string>()));
          }
        }
      }
    } else if (req.path == kBase && req.method == "POST" && json) {
      const auto props = body.value("properties", nlohmann::json::object());
      if (props.is_object() && props.contains("email") && props["email"].is_string()) {
        keys.push_back(ToLowerAscii(props["email"].get<std::string>()));
      }
    } else if (auto seg = SplitPath(req.path); seg.size() == 5 && req.path.rfind(kBase, 0) == 0) {
      if (req.HasParam("idProperty")) {
        keys.push_back(ToLowerAscii(seg[4]));
      } else if (auto rec = state.store.Get(kContacts, seg[4]);
                 rec && rec->fields.value("email", nlohmann::json()).is_string()) {
        keys.push_back(rec->fields["email"].get<std::string>());
      } else {
        keys.push_back(seg[4]);
      }
    }
    return keys;
  }

  FakeResponse Handle(const FakeRequest& req, FakeCrmState& state) override {
    switch (CheckAuth(req, options_, state.tokens)) {
      case AuthResult::kOk:
        break;
      case AuthResult::kExpired:
        return Error(401, "EXPIRED_AUTHENTICATION",
                     "The OAuth token used to make this call expired 0 second(s) ago.");
      case AuthResult::kMissing:
      case AuthResult::kInvalid:
        return Error(401, "INVALID_AUTHENTICATION",
                     "Authentication credentials not found. This API supports OAuth 2.0 "
                     "authentication.");
    }
    const std::vector<std::string> seg = SplitPath(req.path);
    if (req.path == std::string(kBase) + "/batch/upsert" && req.method == "POST") {
      return BatchUpsert(req, state);
    }
    if (req.path == std::string(kBase) + "/search" && req.method == "POST") {
      return Search(req, state);
    }
    if (req.path == kBase && req.method == "POST") return Create(req, state);
    if (seg.size() == 5 && req.path.rfind(kBase, 0) == 0) {
      if (req.method == "PATCH") return Patch(req, seg[4], state);
      if (req.method == "GET") {
        std::optional<StoredRecord> rec = Find(state, seg[4], req.Param("idProperty"));
        if (!rec) return Error(404, "OBJECT_NOT_FOUND", "resource not found");
        return FakeResponse::Json(200, ToObject(*rec));
      }
    }
    return Error(404, "OBJECT_NOT_FOUND", "No route for " + req.method + " " + req.path);
  }

  FakeResponse ErrorResponse(int status, const std::string& message) const override {
    const char* category = status == 400 || status == 422 ? "VALIDATION_ERROR"
                           : status == 404                ? "OBJECT_NOT_FOUND"
                           : status == 409                ? "CONFLICT"
                           : status >= 500                ? "INTERNAL_ERROR"
                                                          : "ERROR";
    return Error(status, category, message);
  }

  FakeResponse RateLimitResponse() const override {
    return FakeResponse::Json(429,
                              {{"status", "error"},
                               {"message", "You have reached your ten_secondly_rolling limit."},
                               {"errorType", "RATE_LIMIT"},
                               {"correlationId", CorrelationId()},
                               {"policyName", "TEN_SECONDLY_ROLLING"}});
  }

  void Decorate(FakeResponse& response, FakeCrmState& state) const override {
    std::lock_guard<std::mutex> lock(rate_mutex_);
    const int64_t window = state.clock->NowUnixSeconds() / 10;
    if (window != window_) {
      window_ = window;
      used_in_window_ = 0;
    }
    ++used_in_window_;
    ++used_today_;
    const int max = options_.hubspot_rate_limit_max;
    response.headers.emplace_back("X-HubSpot-RateLimit-Max", std::to_string(max));
    response.headers.emplace_back("X-HubSpot-RateLimit-Remaining",
                                  std::to_string(std::max(0, max - used_in_window_)));
    response.headers.emplace_back("X-HubSpot-RateLimit-Interval-Milliseconds", "10000");
    response.headers.emplace_back("X-HubSpot-RateLimit-Daily", "250000");
    response.headers.emplace_back("X-HubSpot-RateLimit-Daily-Remaining",
                                  std::to_string(std::max<int64_t>(0, 250000 - used_today_)));
  }

 private:
  std::string CorrelationId() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "7f0c2b1e-0000-4000-8000-%012llx",
                  static_cast<unsigned long long>(++correlation_));
    return buf;
  }

  FakeResponse Error(int status, const std::string& category, const std::string& message,
                     nlohmann::json errors = nlohmann::json::array()) const {
    return FakeResponse::Json(status, {{"status", "error"},
                                       {"message", message},
                                       {"correlationId", CorrelationId()},
                                       {"category", category},
                                       {"errors", std::move(errors)}});
  }

  FakeResponse SchemaError(const std::vector<SchemaViolation>& violations) const {
    nlohmann::json errors = nlohmann::json::array();
    std::string message = "Invalid input JSON:";
    for (const auto& v : violations) {
      errors.push_back({{"message", v.message}, {"in", v.path}, {"code", v.code}});
      message += " " + (v.path.empty() ? std::string("(root)") : v.path) + ": " + v.message + ";";
    }
    return Error(400, "VALIDATION_ERROR", message, std::move(errors));
  }

  // Parses the body and validates it against `schema_ref`; on failure *error holds the answer.
  bool ParseBody(const FakeRequest& req, const char* schema_ref, nlohmann::json* body,
                 FakeResponse* error) const {
    std::string parse_error;
    if (!ParseJson(req.body, body, &parse_error)) {
      *error = Error(400, "VALIDATION_ERROR", "Invalid input JSON on line 1: " + parse_error);
      return false;
    }
    if (schema_ref != nullptr) {
      std::vector<SchemaViolation> violations = validator_->Validate(*body, schema_ref);
      if (!violations.empty()) {
        *error = SchemaError(violations);
        return false;
      }
    }
    return true;
  }

  static nlohmann::json NormalizedProperties(const nlohmann::json& props) {
    nlohmann::json out = props.is_object() ? props : nlohmann::json::object();
    if (out.contains("email") && out["email"].is_string()) {
      out["email"] = ToLowerAscii(out["email"].get<std::string>());
    }
    return out;
  }

  // A record by id value: by `id_property` when given (email case-insensitive), else by id.
  std::optional<StoredRecord> Find(FakeCrmState& state, const std::string& id,
                                   const std::string& id_property) const {
    if (id_property.empty() || id_property == "hs_object_id") return state.store.Get(kContacts, id);
    auto hits = state.store.FindBy(kContacts, id_property, id, id_property == "email");
    if (hits.empty()) return std::nullopt;
    return hits.front();
  }

  nlohmann::json ToObject(const StoredRecord& rec) const {
    nlohmann::json props = rec.fields;
    props["hs_object_id"] = rec.id;
    props["createdate"] = IsoTime(rec.created_at);
    props["lastmodifieddate"] = IsoTime(rec.updated_at);
    return {{"id", rec.id},
            {"properties", props},
            {"createdAt", IsoTime(rec.created_at)},
            {"updatedAt", IsoTime(rec.updated_at)},
            {"archived", false}};
  }

  FakeResponse BatchUpsert(const FakeRequest& req, FakeCrmState& state) {
    nlohmann::json body;
    FakeResponse error;
    if (!ParseBody(req, kUpsertSchema, &body, &error)) return error;
    const nlohmann::json& inputs = body["inputs"];
    if (inputs.size() > kMaxBatch) {
      return Error(400, "VALIDATION_ERROR",
                   "Batch input size " + std::to_string(inputs.size()) + " exceeds the limit of " +
                       std::to_string(kMaxBatch));
    }
    std::set<std::string> seen;
    for (const auto& input : inputs) {
      if (!seen.insert(ToLowerAscii(input["id"].get<std::string>())).second) {
        return Error(
            400, "VALIDATION_ERROR",
            "Duplicate IDs found in batch input: [" + input["id"].get<std::string>() + "]");
      }
    }
    const std::string started = IsoTime(state.clock->NowUnixSeconds());
    nlohmann::json results = nlohmann::json::array();
    nlohmann::json errors = nlohmann::json::array();
    for (const auto& input : inputs) {
      const std::string id = input["id"].get<std::string>();
      const std::string id_property = input.value("idProperty", "");
      const bool by_email = id_property == "email";
      const std::string key = ToLowerAscii(id);
      if (state.faults.FailsInBatch(key)) {
        errors.push_back(
            StandardError("VALIDATION_ERROR", "Property values were not valid for " + id, id));
        continue;
      }
      nlohmann::json props = NormalizedProperties(input["properties"]);
      if (id_property.empty() || id_property == "hs_object_id") {
        std::optional<StoredRecord> rec = state.store.Update(kContacts, id, props);
        if (!rec) {
          errors.push_back(StandardError("OBJECT_NOT_FOUND", "Object not found: " + id, id));
          continue;
        }
        nlohmann::json obj = ToObject(*rec);
        obj["new"] = false;
        results.push_back(std::move(obj));
        continue;
      }
      nlohmann::json create = props;
      create[id_property] = by_email ? key : id;
      UpsertOutcome outcome = state.store.Upsert(
          kContacts,
          [&](const nlohmann::json& f) {
            auto it = f.find(id_property);
            if (it == f.end() || !it->is_string()) return false;
            return by_email ? ToLowerAscii(it->get<std::string>()) == key
                            : it->get<std::string>() == id;
          },
          props, create);
      nlohmann::json obj = ToObject(outcome.record);
      obj["new"] = outcome.created;
      results.push_back(std::move(obj));
    }
    nlohmann::json out = {{"status", "COMPLETE"},
                          {"results", results},
                          {"requestedAt", started},
                          {"startedAt", started},
                          {"completedAt", IsoTime(state.clock->NowUnixSeconds())}};
    if (errors.empty()) return FakeResponse::Json(200, out);
    out["numErrors"] = errors.size();
    out["errors"] = errors;
    return FakeResponse::Json(207, out);
  }

  static nlohmann::json StandardError(const std::string& category, const std::string& message,
                                      const std::string& id) {
    return {{"status", "error"},
            {"category", category},
            {"message", message},
            {"context", {{"ids", {id}}}},
            {"errors", nlohmann::json::array()},
            {"links", nlohmann::json::object()}};
  }

  FakeResponse Patch(const FakeRequest& req, const std::string& id, FakeCrmState& state) {
    nlohmann::json body;
    FakeResponse error;
    if (!ParseBody(req, kInputSchema, &body, &error)) return error;
    std::optional<StoredRecord> rec = Find(state, id, req.Param("idProperty"));
    if (!rec) return Error(404, "OBJECT_NOT_FOUND", "resource not found");
    rec = state.store.Update(kContacts, rec->id, NormalizedProperties(body["properties"]));
    return FakeResponse::Json(200, ToObject(*rec));
  }

  FakeResponse Create(const FakeRequest& req, FakeCrmState& state) {
    nlohmann::json body;
    FakeResponse error;
    if (!ParseBody(req, kInputSchema, &body, &error)) return error;
    nlohmann::json props = NormalizedProperties(body["properties"]);
    if (props.contains("email") && props["email"].is_string()) {
      const std::string email = props["email"].get<std::string>();
      // Atomic check-and-create so two racing creates cannot both succeed.
      UpsertOutcome outcome = state.store.Upsert(
          kContacts, [&](const nlohmann::json& f) { return f.value("email", "") == email; },
          nlohmann::json(), props);
      if (!outcome.created) {
        return Error(409, "CONFLICT", "Contact already exists. Existing ID: " + outcome.record.id);
      }
      return FakeResponse::Json(201, ToObject(outcome.record));
    }
    return FakeResponse::Json(201, ToObject(state.store.Create(kContacts, props)));
  }

  FakeResponse Search(const FakeRequest& req, FakeCrmState& state) {
    nlohmann::json body;
    FakeResponse error;
    if (!ParseBody(req, nullptr, &body, &error)) return error;
    const nlohmann::json groups = body.value("filterGroups", nlohmann::json::array());
    for (const auto& group : groups) {
      for (const auto& f : group.value("filters", nlohmann::json::array())) {
        const std::string op = f.value("operator", "");
        if (op != "EQ" && op != "IN" && op != "HAS_PROPERTY") {
          return Error(400, "VALIDATION_ERROR",
                       "The fake supports EQ, IN and HAS_PROPERTY, not " + op);
        }
      }
    }
    const int64_t visible_before =
        state.clock->NowUnixSeconds() - options_.hubspot_search_lag_seconds;
    std::vector<StoredRecord> hits;
    for (const StoredRecord& rec : state.store.List(kContacts)) {
      if (options_.hubspot_search_lag_seconds > 0 && rec.created_at > visible_before) continue;
      bool any_group = groups.empty();
      for (const auto& group : groups) {
        bool all = true;
        for (const auto& f : group.value("filters", nlohmann::json::array())) {
          all = all && Matches(rec, f);
        }
        any_group = any_group || all;
      }
      if (any_group) hits.push_back(rec);
    }
    nlohmann::json results = nlohmann::json::array();
    const size_t limit = body.value("limit", 10);
    for (size_t i = 0; i < hits.size() && i < limit; ++i) results.push_back(ToObject(hits[i]));
    return FakeResponse::Json(200, {{"total", hits.size()}, {"results", results}});
  }

  bool Matches(const StoredRecord& rec, const nlohmann::json& filter) const {
    const std::string name = filter.value("propertyName", "");
    std::string actual;
    if (name == "hs_object_id") {
      actual = rec.id;
    } else if (rec.fields.contains(name) && rec.fields[name].is_string()) {
      actual = rec.fields[name].get<std::string>();
    } else {
      return false;
    }
    const std::string op = filter.value("operator", "");
    if (op == "HAS_PROPERTY") return true;
    if (op == "EQ") return ToLowerAscii(actual) == ToLowerAscii(filter.value("value", ""));
    for (const auto& v : filter.value("values", nlohmann::json::array())) {
      if (v.is_string() && ToLowerAscii(v.get<std::string>()) == ToLowerAscii(actual)) return true;
    }
    return false;
  }

  const FakeCrmOptions options_;
  std::unique_ptr<JsonSchemaValidator> validator_;
  mutable std::atomic<uint64_t> correlation_{0};
  mutable std::mutex rate_mutex_;
  mutable int64_t window_ = -1;  // GUARDED_BY(rate_mutex_)
  mutable int used_in_window_ = 0;
  mutable int64_t used_today_ = 0;
};

}  // namespace

std::unique_ptr<FakeVendor> MakeHubSpotVendor(const FakeCrmOptions& options) {
  return std::make_unique<FakeHubSpot>(options);
}

}  // namespace sippet::fakes
