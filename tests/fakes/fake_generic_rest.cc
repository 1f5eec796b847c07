// Fake plain JSON REST API: any top-level collection (/contacts, /companies, ...) is a table.
//   GET    /{c}?field=value  -> 200 JSON array of records whose fields equal every parameter
//   POST   /{c}              -> 201 the record with its string "id"
//   GET    /{c}/{id}         -> 200 the record | 404
//   PATCH  /{c}/{id}         -> 200 the merged record | 404
//   PUT    /{c}/{id}         -> 200 the replaced record | 404
//   DELETE /{c}/{id}         -> 204 | 404
// Errors are {"error": "<code>", "message": "..."}. Record key: the record's sippet_id (the
// query's sippet_id for a search, the body's for a create), else "<collection>/<id>".

#include <memory>
#include <string>

#include "tests/fakes/fake_crm.h"

namespace sippet::fakes {
namespace {

constexpr char kKeyField[] = "sippet_id";

std::string KeyOf(const nlohmann::json& fields) {
  if (!fields.is_object()) return "";
  auto it = fields.find(kKeyField);
  if (it == fields.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

nlohmann::json Err(const std::string& code, const std::string& message) {
  return {{"error", code}, {"message", message}};
}

class FakeGenericRest final : public FakeVendor {
 public:
  explicit FakeGenericRest(const FakeCrmOptions& options) : options_(options) {}

  std::string Name() const override { return "generic"; }
  bool Init(FakeCrmState&, std::string*) override { return true; }

  std::vector<std::string> RecordKeys(const FakeRequest& req, FakeCrmState& state) const override {
    const std::vector<std::string> seg = SplitPath(req.path);
    if (seg.size() == 1) {
      if (req.method == "GET" && req.HasParam(kKeyField)) return {req.Param(kKeyField)};
      nlohmann::json body;
      std::string ignored;
      if (req.method == "POST" && ParseJson(req.body, &body, &ignored)) {
        std::string key = KeyOf(body);
        if (!key.empty()) return {key};
      }
      return {};
    }
    if (seg.size() == 2) {
      if (auto rec = state.store.Get(seg[0], seg[1])) {
        std::string key = KeyOf(rec->fields);
        if (!key.empty()) return {key};
      }
      return {seg[0] + "/" + seg[1]};
    }
    return {};
  }

  FakeResponse Handle(const FakeRequest& req, FakeCrmState& state) override {
    switch (CheckAuth(req, options_, state.tokens)) {
      case AuthResult::kOk:
        break;
      case AuthResult::kExpired:
        return FakeResponse::Json(401, Err("token_expired", "The access token expired"));
      case AuthResult::kMissing:
        return FakeResponse::Json(401, Err("unauthorized", "Missing credentials"));
      case AuthResult::kInvalid:
        return FakeResponse::Json(401, Err("unauthorized", "Invalid credentials"));
    }
    const std::vector<std::string> seg = SplitPath(req.path);
    if (seg.size() == 1 && req.method == "GET") return Search(req, seg[0], state);
    if (seg.size() == 1 && req.method == "POST") return Create(req, seg[0], state);
    if (seg.size() == 2) {
      const std::string& type = seg[0];
      const std::string& id = seg[1];
      if (req.method == "GET") {
        auto rec = state.store.Get(type, id);
        return rec ? FakeResponse::Json(200, ToJson(*rec)) : NotFound(type, id);
      }
      if (req.method == "DELETE") {
        return state.store.Delete(type, id) ? FakeResponse::Empty(204) : NotFound(type, id);
      }
      if (req.method == "PATCH" || req.method == "PUT") {
        nlohmann::json body;
        FakeResponse error;
        if (!ParseObject(req, &body, &error)) return error;
        auto rec = req.method == "PATCH" ? state.store.Update(type, id, body)
                                         : state.store.Replace(type, id, body);
        return rec ? FakeResponse::Json(200, ToJson(*rec)) : NotFound(type, id);
      }
    }
    return FakeResponse::Json(404, Err("not_found", "No route for " + req.method + " " + req.path));
  }

  FakeResponse ErrorResponse(int status, const std::string& message) const override {
    const char* code = status == 422   ? "unprocessable_entity"
                       : status == 400 ? "bad_request"
                       : status >= 500 ? "server_error"
                                       : "error";
    return FakeResponse::Json(status, Err(code, message));
  }

  FakeResponse RateLimitResponse() const override {
    return FakeResponse::Json(429, Err("rate_limited", "Too many requests"));
  }

  void Decorate(FakeResponse&, FakeCrmState&) const override {}

 private:
  static FakeResponse NotFound(const std::string& type, const std::string& id) {
    return FakeResponse::Json(404, Err("not_found", "No " + type + " with id " + id));
  }

  static nlohmann::json ToJson(const StoredRecord& rec) {
    nlohmann::json out = rec.fields;
    out["id"] = rec.id;
    out["created_at"] = IsoTime(rec.created_at);
    out["updated_at"] = IsoTime(rec.updated_at);
    return out;
  }

  static bool ParseObject(const FakeRequest& req, nlohmann::json* body, FakeResponse* error) {
    std::string parse_error;
    if (!ParseJson(req.body, body, &parse_error) || !body->is_object()) {
      *error = FakeResponse::Json(400, Err("invalid_json", "The body must be a JSON object"));
      return false;
    }
    for (const char* meta : {"id", "created_at", "updated_at"}) body->erase(meta);
    return true;
  }

  FakeResponse Search(const FakeRequest& req, const std::string& type, FakeCrmState& state) {
    std::vector<StoredRecord> hits = state.store.FindWhere(type, [&](const nlohmann::json& f) {
      for (const auto& [k, v] : req.params) {
        auto it = f.find(k);
        if (it == f.end() || it->is_null()) return false;
        if ((it->is_string() ? it->get<std::string>() : it->dump()) != v) return false;
      }
      return true;
    });
    nlohmann::json out = nlohmann::json::array();
    for (const auto& rec : hits) out.push_back(ToJson(rec));
    return FakeResponse::Json(200, out);
  }

  FakeResponse Create(const FakeRequest& req, const std::string& type, FakeCrmState& state) {
    nlohmann::json body;
    FakeResponse error;
    if (!ParseObject(req, &body, &error)) return error;
    const std::string& unique = options_.generic_unique_field;
    if (!unique.empty() && body.contains(unique) && !body[unique].is_null()) {
      const nlohmann::json value = body[unique];
      UpsertOutcome outcome = state.store.Upsert(
          type, [&](const nlohmann::json& f) { return f.contains(unique) && f[unique] == value; },
          nlohmann::json(), body);
      if (!outcome.created) {
        nlohmann::json conflict = Err("conflict", "A record with this " + unique + " exists");
        conflict["id"] = outcome.record.id;
        return FakeResponse::Json(409, conflict);
      }
      return FakeResponse::Json(201, ToJson(outcome.record));
    }
    return FakeResponse::Json(201, ToJson(state.store.Create(type, body)));
  }

  const FakeCrmOptions options_;
};

}  // namespace

std::unique_ptr<FakeVendor> MakeGenericRestVendor(const FakeCrmOptions& options) {
  return std::make_unique<FakeGenericRest>(options);
}

}  // namespace sippet::fakes
