// Fake Salesforce REST API (any vXX.X, any sObject type; the table is the sObject name).
// Record fields are stored as sent, plus "Id". The record key used for concurrency tracking
// and poison keys is the lower-cased external-id value of an upsert, or the record Id.

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>

#include "tests/fakes/fake_crm.h"

namespace sippet::fakes {
namespace {

nlohmann::json SfError(const std::string& message, const std::string& code,
                       nlohmann::json fields = nlohmann::json::array()) {
  return nlohmann::json::array(
      {{{"message", message}, {"errorCode", code}, {"fields", std::move(fields)}}});
}

std::map<std::string, std::string> ParseForm(const std::string& body) {
  std::map<std::string, std::string> out;
  try {
    Poco::URI uri("http://x/?" + body);
    for (const auto& [k, v] : uri.getQueryParameters()) out[k] = v;
  } catch (const Poco::Exception&) {
    // Not a form: no parameters, answered as an unsupported grant.
  }
  return out;
}

std::string KeyPrefix(const std::string& type) {
  if (type == "Contact") return "003";
  if (type == "Account") return "001";
  if (type == "Lead") return "00Q";
  return "a00";
}

class FakeSalesforce final : public FakeVendor {
 public:
  explicit FakeSalesforce(const FakeCrmOptions& options) : options_(options) {}

  std::string Name() const override { return "salesforce"; }
  bool Init(FakeCrmState&, std::string*) override { return true; }

  std::vector<std::string> RecordKeys(const FakeRequest& req, FakeCrmState&) const override {
    const std::vector<std::string> seg = SplitPath(req.path);
    if (seg.size() < 5 || seg[0] != "services" || seg[1] != "data") return {};
    if (seg[3] == "sobjects" && seg.size() == 7) return {ToLowerAscii(seg[6])};
    if (seg[3] == "sobjects" && seg.size() == 6) return {seg[5]};
    if (seg[3] == "composite" && seg.size() == 7) {
      std::vector<std::string> keys;
      nlohmann::json body;
      std::string ignored;
      if (!ParseJson(req.body, &body, &ignored) || !body.is_object()) return keys;
      for (const auto& r : body.value("records", nlohmann::json::array())) {
        if (r.is_object() && r.contains(seg[6]) && r[seg[6]].is_string()) {
          keys.push_back(ToLowerAscii(r[seg[6]].get<std::string>()));
        }
      }
      return keys;
    }
    return {};
  }

  FakeResponse Handle(const FakeRequest& req, FakeCrmState& state) override {
    if (req.path == "/services/oauth2/token") {
      if (req.method != "POST")
        return FakeResponse::Json(405, SfError("POST only", "METHOD_NOT_ALLOWED"));
      return Token(req, state);
    }
    // Salesforce always wants a session: no Authorization header is refused even when the
    // fake has no static token (only issued ones).
    const AuthResult auth = req.Header("Authorization").empty()
                                ? AuthResult::kMissing
                                : CheckAuth(req, options_, state.tokens);
    switch (auth) {
      case AuthResult::kOk:
        break;
      case AuthResult::kMissing:
      case AuthResult::kInvalid:
      case AuthResult::kExpired:
        return FakeResponse::Json(401,
                                  nlohmann::json::array({{{"message", "Session expired or invalid"},
                                                          {"errorCode", "INVALID_SESSION_ID"}}}));
    }
    const int64_t calls = ++api_calls_;
    if (options_.salesforce_daily_limit > 0 && calls > options_.salesforce_daily_limit) {
      return RateLimitResponse();
    }
    const std::vector<std::string> seg = SplitPath(req.path);
    if (seg.size() < 5 || seg[0] != "services" || seg[1] != "data" || seg[2].size() < 2 ||
        seg[2][0] != 'v') {
      return NotFound();
    }
    const double version = std::atof(seg[2].c_str() + 1);
    if (seg[3] == "sobjects") {
      const std::string& type = seg[4];
      state.store.SetIdFormatter(type, [type](int64_t n) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s%012lld", KeyPrefix(type).c_str(),
                      static_cast<long long>(n));
        return std::string(buf) + "AAA";
      });
      if (seg.size() == 5 && req.method == "POST") return Create(req, type, state);
      if (seg.size() == 6 && req.method == "GET") return GetById(type, seg[5], state);
      if (seg.size() == 6 && req.method == "PATCH") return PatchById(req, type, seg[5], state);
      if (seg.size() == 6 && req.method == "DELETE") {
        return state.store.Delete(type, seg[5]) ? FakeResponse::Empty(204) : NotFound();
      }
      if (seg.size() == 7 && req.method == "PATCH") {
        return Upsert(req, type, seg[5], seg[6], version, state);
      }
      if (seg.size() == 7 && req.method == "GET") {
        auto hits = state.store.FindBy(type, seg[5], seg[6], true);
        if (hits.empty()) return NotFound();
        return FakeResponse::Json(200, ToObject(type, hits.front()));
      }
    }
    if (seg[3] == "composite" && seg.size() == 7 && seg[4] == "sobjects" && req.method == "PATCH") {
      return CompositeUpsert(req, seg[5], seg[6], state);
    }
    return NotFound();
  }

  FakeResponse ErrorResponse(int status, const std::string& message) const override {
    if (status == 403) return RateLimitResponse();
    if (status == 401) {
      return FakeResponse::Json(401, SfError("Session expired or invalid", "INVALID_SESSION_ID"));
    }
    if (status == 404) return NotFound();
    const char* code = status == 503   ? "SERVER_UNAVAILABLE"
                       : status >= 500 ? "UNKNOWN_EXCEPTION"
                                       : "FIELD_CUSTOM_VALIDATION_EXCEPTION";
    return FakeResponse::Json(status, SfError(message, code));
  }

  // Salesforce has no 429: an exhausted API budget is 403 REQUEST_LIMIT_EXCEEDED.
  FakeResponse RateLimitResponse() const override {
    return FakeResponse::Json(403,
                              nlohmann::json::array({{{"message", "TotalRequests Limit exceeded."},
                                                      {"errorCode", "REQUEST_LIMIT_EXCEEDED"}}}));
  }

  void Decorate(FakeResponse& response, FakeCrmState&) const override {
    const int limit = options_.salesforce_daily_limit > 0 ? options_.salesforce_daily_limit : 15000;
    response.headers.emplace_back(
        "Sforce-Limit-Info",
        "api-usage=" + std::to_string(api_calls_.load()) + "/" + std::to_string(limit));
  }

 private:
  static FakeResponse NotFound() {
    return FakeResponse::Json(
        404, nlohmann::json::array({{{"errorCode", "NOT_FOUND"},
                                     {"message", "The requested resource does not exist"}}}));
  }

  static std::string Url(const std::string& type, const std::string& id) {
    return "/services/data/v60.0/sobjects/" + type + "/" + id;
  }

  static nlohmann::json ToObject(const std::string& type, const StoredRecord& rec) {
    nlohmann::json out = {{"attributes", {{"type", type}, {"url", Url(type, rec.id)}}},
                          {"Id", rec.id}};
    for (const auto& [k, v] : rec.fields.items()) out[k] = v;
    out["CreatedDate"] = IsoTime(rec.created_at);
    out["LastModifiedDate"] = IsoTime(rec.updated_at);
    return out;
  }

  FakeResponse Token(const FakeRequest& req, FakeCrmState& state) {
    std::map<std::string, std::string> form = ParseForm(req.body);
    const std::string grant = form["grant_type"];
    auto oauth_error = [](const std::string& error, const std::string& description) {
      return FakeResponse::Json(400, {{"error", error}, {"error_description", description}});
    };
    if (grant == "client_credentials") {
      if (form["client_id"] != options_.client_id ||
          form["client_secret"] != options_.client_secret) {
        return oauth_error("invalid_client", "invalid client credentials");
      }
    } else if (grant == "refresh_token") {
      if (form["client_id"] != options_.client_id ||
          (form.count("client_secret") && form["client_secret"] != options_.client_secret)) {
        return oauth_error("invalid_client", "invalid client credentials");
      }
      if (form["refresh_token"] != options_.refresh_token) {
        return oauth_error("invalid_grant", "expired access/refresh token");
      }
    } else {
      return oauth_error("unsupported_grant_type", "grant type not supported");
    }
    const int64_t now = state.clock->NowUnixSeconds();
    const std::string token = "00Dfake0000000001!AQ" + std::to_string(++tokens_issued_);
    state.tokens.Add(
        token, options_.token_max_uses,
        options_.token_lifetime_seconds > 0 ? now + options_.token_lifetime_seconds : 0);
    const std::string instance = "http://" + req.Header("Host");
    return FakeResponse::Json(200, {{"access_token", token},
                                    {"instance_url", instance},
                                    {"id", instance + "/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS"},
                                    {"token_type", "Bearer"},
                                    {"issued_at", std::to_string(now * 1000)},
                                    {"signature", "ZmFrZS1zaWduYXR1cmU="}});
  }

  // Parses a JSON object body; on failure *error holds Salesforce's answer.
  static bool ParseObject(const FakeRequest& req, nlohmann::json* body, FakeResponse* error) {
    std::string parse_error;
    if (!ParseJson(req.body, body, &parse_error) || !body->is_object()) {
      *error = FakeResponse::Json(
          400, SfError("JSON parser error: " + parse_error, "JSON_PARSER_ERROR"));
      return false;
    }
    for (const auto& [k, v] : body->items()) {
      if (ToLowerAscii(k) == "id") {
        *error = FakeResponse::Json(
            400, SfError("Unable to create/update fields: Id. Please check the security "
                         "settings of this field and verify that it is read/write for your "
                         "profile or permission set.",
                         "INVALID_FIELD_FOR_INSERT_UPDATE", {"Id"}));
        return false;
      }
    }
    return true;
  }

  FakeResponse Create(const FakeRequest& req, const std::string& type, FakeCrmState& state) {
    nlohmann::json body;
    FakeResponse error;
    if (!ParseObject(req, &body, &error)) return error;
    body.erase("attributes");
    StoredRecord rec = state.store.Create(type, body);
    return FakeResponse::Json(
        201, {{"id", rec.id}, {"success", true}, {"errors", nlohmann::json::array()}});
  }

  FakeResponse GetById(const std::string& type, const std::string& id, FakeCrmState& state) {
    std::optional<StoredRecord> rec = state.store.Get(type, id);
    if (!rec) return NotFound();
    return FakeResponse::Json(200, ToObject(type, *rec));
  }

  FakeResponse PatchById(const FakeRequest& req, const std::string& type, const std::string& id,
                         FakeCrmState& state) {
    nlohmann::json body;
    FakeResponse error;
    if (!ParseObject(req, &body, &error)) return error;
    body.erase("attributes");
    return state.store.Update(type, id, body) ? FakeResponse::Empty(204) : NotFound();
  }

  FakeResponse Upsert(const FakeRequest& req, const std::string& type, const std::string& field,
                      const std::string& value, double version, FakeCrmState& state) {
    nlohmann::json body;
    FakeResponse error;
    if (!ParseObject(req, &body, &error)) return error;
    for (const auto& [k, v] : body.items()) {
      if (ToLowerAscii(k) == ToLowerAscii(field)) {
        return FakeResponse::Json(
            400, SfError("The external ID field " + field +
                             " is given in the URL and must not be repeated in the body",
                         "INVALID_FIELD", {field}));
      }
    }
    body.erase("attributes");
    std::vector<StoredRecord> hits = state.store.FindBy(type, field, value, true);
    if (hits.size() > 1) {
      nlohmann::json urls = nlohmann::json::array();
      for (const auto& h : hits) urls.push_back(Url(type, h.id));
      return FakeResponse::Json(300, urls);
    }
    if (hits.empty() && req.Param("updateOnly") == "true") return NotFound();
    nlohmann::json create = body;
    create[field] = value;
    const std::string lower = ToLowerAscii(value);
    UpsertOutcome outcome = state.store.Upsert(
        type,
        [&](const nlohmann::json& f) {
          auto it = f.find(field);
          return it != f.end() && it->is_string() && ToLowerAscii(it->get<std::string>()) == lower;
        },
        body, create);
    if (!outcome.created && version < 46.0) return FakeResponse::Empty(204);
    return FakeResponse::Json(outcome.created ? 201 : 200, {{"id", outcome.record.id},
                                                            {"success", true},
                                                            {"errors", nlohmann::json::array()},
                                                            {"created", outcome.created}});
  }

  FakeResponse CompositeUpsert(const FakeRequest& req, const std::string& type,
                               const std::string& field, FakeCrmState& state) {
    nlohmann::json body;
    std::string parse_error;
    if (!ParseJson(req.body, &body, &parse_error) || !body.is_object() ||
        !body.value("records", nlohmann::json()).is_array()) {
      return FakeResponse::Json(
          400, SfError("JSON parser error: expected {\"records\":[...]}", "JSON_PARSER_ERROR"));
    }
    const nlohmann::json& records = body["records"];
    if (records.size() > 200) {
      return FakeResponse::Json(400,
                                SfError("Maximum of 200 records per request", "EXCEEDED_ID_LIMIT"));
    }
    const bool all_or_none = body.value("allOrNone", false);
    // First decide which records fail, so allOrNone can roll back without writing anything.
    std::vector<nlohmann::json> failures(records.size());
    bool any_failed = false;
    for (size_t i = 0; i < records.size(); ++i) {
      const nlohmann::json& r = records[i];
      if (!r.is_object() || !r.contains(field) || !r[field].is_string()) {
        failures[i] = {{"statusCode", "MISSING_ARGUMENT"},
                       {"message", field + " not specified"},
                       {"fields", {field}}};
      } else if (state.faults.FailsInBatch(ToLowerAscii(r[field].get<std::string>()))) {
        failures[i] = {{"statusCode", "FIELD_CUSTOM_VALIDATION_EXCEPTION"},
                       {"message", "Validation failed for this record"},
                       {"fields", nlohmann::json::array()}};
      }
      any_failed = any_failed || !failures[i].is_null();
    }
    nlohmann::json results = nlohmann::json::array();
    for (size_t i = 0; i < records.size(); ++i) {
      if (!failures[i].is_null() || (all_or_none && any_failed)) {
        nlohmann::json err =
            failures[i].is_null()
                ? nlohmann::json{{"statusCode", "ALL_OR_NONE_OPERATION_ROLLED_BACK"},
                                 {"message",
                                  "Record rolled back because not all records were valid and the "
                                  "request was using AllOrNone header"},
                                 {"fields", nlohmann::json::array()}}
                : failures[i];
        results.push_back({{"success", false}, {"errors", {err}}});
        continue;
      }
      nlohmann::json fields = records[i];
      fields.erase("attributes");
      const std::string lower = ToLowerAscii(fields[field].get<std::string>());
      UpsertOutcome outcome = state.store.Upsert(
          type,
          [&](const nlohmann::json& f) {
            auto it = f.find(field);
            return it != f.end() && it->is_string() &&
                   ToLowerAscii(it->get<std::string>()) == lower;
          },
          fields, fields);
      results.push_back({{"id", outcome.record.id},
                         {"success", true},
                         {"errors", nlohmann::json::array()},
                         {"created", outcome.created}});
    }
    return FakeResponse::Json(200, results);
  }

  const FakeCrmOptions options_;
  mutable std::atomic<int64_t> api_calls_{0};
  std::atomic<int64_t> tokens_issued_{0};
};

}  // namespace

std::unique_ptr<FakeVendor> MakeSalesforceVendor(const FakeCrmOptions& options) {
  return std::make_unique<FakeSalesforce>(options);
}

}  // namespace sippet::fakes
