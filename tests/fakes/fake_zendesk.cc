// Fake Zendesk Support API: users (create_or_update) and tickets (find by external_id,
// create with Idempotency-Key, update). Tables "users" and "tickets"; ids are integers in JSON.
// Record keys: a user's lower-cased external_id (else email); a ticket's external_id (else
// "ticket/<id>", or the Idempotency-Key of a create without external_id).

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "tests/fakes/fake_crm.h"

namespace sippet::fakes {
namespace {

constexpr char kUsers[] = "users";
constexpr char kTickets[] = "tickets";

std::string StringField(const nlohmann::json& obj, const char* name) {
  if (!obj.is_object()) return "";
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

nlohmann::json RecordInvalid(const std::string& field, const std::string& description,
                             const std::string& error) {
  return {{"error", "RecordInvalid"},
          {"description", "Record validation errors"},
          {"details", {{field, {{{"description", description}, {"error", error}}}}}}};
}

class FakeZendesk final : public FakeVendor {
 public:
  explicit FakeZendesk(const FakeCrmOptions& options) : options_(options) {}

  std::string Name() const override { return "zendesk"; }
  bool Init(FakeCrmState&, std::string*) override { return true; }

  std::vector<std::string> RecordKeys(const FakeRequest& req, FakeCrmState& state) const override {
    const std::vector<std::string> seg = SplitPath(req.path);
    nlohmann::json body;
    std::string ignored;
    const bool json = ParseJson(req.body, &body, &ignored) && body.is_object();
    if (req.path == "/api/v2/users/create_or_update" && json) {
      const nlohmann::json user = body.value("user", nlohmann::json::object());
      std::string key = StringField(user, "external_id");
      if (key.empty()) key = StringField(user, "email");
      if (!key.empty()) return {ToLowerAscii(key)};
      return {};
    }
    if (req.path == "/api/v2/tickets" && req.method == "POST" && json) {
      std::string key = StringField(body.value("ticket", nlohmann::json::object()), "external_id");
      if (key.empty()) key = req.Header("Idempotency-Key");
      if (!key.empty()) return {key};
      return {};
    }
    if (req.path == "/api/v2/tickets" && req.HasParam("external_id")) {
      return {req.Param("external_id")};
    }
    if (seg.size() == 4 && seg[0] == "api" && seg[1] == "v2" &&
        (seg[2] == "tickets" || seg[2] == "users")) {
      const std::string id = seg[3].size() > 5 && seg[3].substr(seg[3].size() - 5) == ".json"
                                 ? seg[3].substr(0, seg[3].size() - 5)
                                 : seg[3];
      if (auto rec = state.store.Get(seg[2], id)) {
        std::string key = StringField(rec->fields, "external_id");
        if (seg[2] == "users") {
          if (key.empty()) key = StringField(rec->fields, "email");
          key = ToLowerAscii(key);
        }
        if (!key.empty()) return {key};
      }
      return {(seg[2] == "tickets" ? "ticket/" : "user/") + id};
    }
    return {};
  }

  FakeResponse Handle(const FakeRequest& req, FakeCrmState& state) override {
    if (CheckAuth(req, options_, state.tokens) != AuthResult::kOk) {
      return FakeResponse::Json(401, {{"error", "Couldn't authenticate you"}});
    }
    std::vector<std::string> seg = SplitPath(req.path);
    if (!seg.empty() && seg.back().size() > 5 &&
        seg.back().substr(seg.back().size() - 5) == ".json") {
      seg.back().resize(seg.back().size() - 5);  // Zendesk accepts /users/1.json too
    }
    if (seg.size() < 3 || seg[0] != "api" || seg[1] != "v2") return NotFound();
    if (seg[2] == "users") {
      if (seg.size() == 4 && seg[3] == "create_or_update" && req.method == "POST") {
        return CreateOrUpdateUser(req, state);
      }
      if (seg.size() == 4 && req.method == "GET") {
        auto rec = state.store.Get(kUsers, seg[3]);
        if (!rec) return NotFound();
        return FakeResponse::Json(200, {{"user", UserJson(req, *rec)}});
      }
    }
    if (seg[2] == "tickets") {
      if (seg.size() == 3 && req.method == "GET") return ListTickets(req, state);
      if (seg.size() == 3 && req.method == "POST") return CreateTicket(req, state);
      if (seg.size() == 4 && req.method == "GET") {
        auto rec = state.store.Get(kTickets, seg[3]);
        if (!rec) return NotFound();
        return FakeResponse::Json(200, {{"ticket", TicketJson(req, *rec)}});
      }
      if (seg.size() == 4 && req.method == "PUT") return UpdateTicket(req, seg[3], state);
    }
    return NotFound();
  }

  FakeResponse ErrorResponse(int status, const std::string& message) const override {
    if (status == 422)
      return FakeResponse::Json(422, RecordInvalid("base", message, "InvalidValue"));
    if (status == 404) return NotFound();
    if (status == 401) return FakeResponse::Json(401, {{"error", "Couldn't authenticate you"}});
    return FakeResponse::Json(status, {{"error", status >= 500 ? "ServerError" : "InvalidValue"},
                                       {"description", message}});
  }

  FakeResponse RateLimitResponse() const override {
    return FakeResponse::Text(429, "Too Many Requests");
  }

  void Decorate(FakeResponse& response, FakeCrmState& state) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    const int64_t now = state.clock->NowUnixSeconds();
    if (now / 60 != minute_) {
      minute_ = now / 60;
      used_in_minute_ = 0;
    }
    ++used_in_minute_;
    response.headers.emplace_back("X-Rate-Limit", "700");
    response.headers.emplace_back("X-Rate-Limit-Remaining",
                                  std::to_string(std::max(0, 700 - used_in_minute_)));
    response.headers.emplace_back("ratelimit-reset", std::to_string(60 - now % 60));
  }

 private:
  static FakeResponse NotFound() {
    return FakeResponse::Json(404, {{"error", "RecordNotFound"}, {"description", "Not found"}});
  }

  static nlohmann::json WithMeta(const FakeRequest& req, const char* type,
                                 const StoredRecord& rec) {
    nlohmann::json out = rec.fields;
    out["id"] = std::stoll(rec.id);
    out["url"] = "http://" + req.Header("Host") + "/api/v2/" + type + "/" + rec.id + ".json";
    out["created_at"] = IsoTime(rec.created_at).substr(0, 19) + "Z";
    out["updated_at"] = IsoTime(rec.updated_at).substr(0, 19) + "Z";
    return out;
  }
  static nlohmann::json UserJson(const FakeRequest& req, const StoredRecord& rec) {
    return WithMeta(req, kUsers, rec);
  }
  static nlohmann::json TicketJson(const FakeRequest& req, const StoredRecord& rec) {
    return WithMeta(req, kTickets, rec);
  }

  // Parses {"<root>": {...}}; on failure *error holds Zendesk's answer.
  static bool ParseRoot(const FakeRequest& req, const char* root, nlohmann::json* out,
                        FakeResponse* error) {
    nlohmann::json body;
    std::string parse_error;
    if (!ParseJson(req.body, &body, &parse_error)) {
      *error =
          FakeResponse::Json(400, {{"error", "Unprocessable JSON"}, {"description", parse_error}});
      return false;
    }
    if (!body.is_object() || !body.value(root, nlohmann::json()).is_object()) {
      *error = FakeResponse::Json(
          400, {{"error", "ParameterMissing"},
                {"description", std::string("Parameter ") + root + " is required"}});
      return false;
    }
    *out = body[root];
    for (const char* meta : {"id", "url", "created_at", "updated_at"}) out->erase(meta);
    return true;
  }

  FakeResponse CreateOrUpdateUser(const FakeRequest& req, FakeCrmState& state) {
    nlohmann::json user;
    FakeResponse error;
    if (!ParseRoot(req, "user", &user, &error)) return error;
    const std::string external_id = StringField(user, "external_id");
    const std::string email = ToLowerAscii(StringField(user, "email"));
    if (!email.empty()) {
      if (email.find('@') == std::string::npos) {
        return FakeResponse::Json(
            422, RecordInvalid("email", "Email: " + email + " is not properly formatted",
                               "InvalidValue"));
      }
      user["email"] = email;
    }
    if (external_id.empty() && email.empty()) {
      return FakeResponse::Json(
          422,
          RecordInvalid("email", "Email: cannot be blank without an external_id", "BlankValue"));
    }
    auto match = [&](const nlohmann::json& f) {
      return (!external_id.empty() &&
              ToLowerAscii(StringField(f, "external_id")) == ToLowerAscii(external_id)) ||
             (!email.empty() && StringField(f, "email") == email);
    };
    if (state.store.FindWhere(kUsers, match).empty() && StringField(user, "name").empty()) {
      return FakeResponse::Json(
          422, RecordInvalid("name", "Name:  is too short (minimum is 1 character)", "BlankValue"));
    }
    nlohmann::json create = user;
    if (!create.contains("role")) create["role"] = "end-user";
    create["active"] = true;
    UpsertOutcome outcome = state.store.Upsert(kUsers, match, user, create);
    return FakeResponse::Json(outcome.created ? 201 : 200,
                              {{"user", UserJson(req, outcome.record)}});
  }

  FakeResponse ListTickets(const FakeRequest& req, FakeCrmState& state) {
    std::vector<StoredRecord> hits =
        req.HasParam("external_id")
            ? state.store.FindBy(kTickets, "external_id", req.Param("external_id"))
            : state.store.List(kTickets);
    nlohmann::json tickets = nlohmann::json::array();
    for (const auto& rec : hits) tickets.push_back(TicketJson(req, rec));
    return FakeResponse::Json(200, {{"tickets", tickets},
                                    {"count", hits.size()},
                                    {"next_page", nullptr},
                                    {"previous_page", nullptr}});
  }

  // Moves ticket.comment into the stored comments list; false when it has no body.
  static bool TakeComment(nlohmann::json& ticket, nlohmann::json& comments) {
    if (!ticket.contains("comment")) return false;
    nlohmann::json comment = ticket["comment"];
    ticket.erase("comment");
    std::string text = StringField(comment, "body");
    if (text.empty()) text = StringField(comment, "html_body");
    if (text.empty()) return false;
    comments.push_back({{"body", text}, {"public", comment.value("public", true)}});
    return true;
  }

  FakeResponse CreateTicket(const FakeRequest& req, FakeCrmState& state) {
    nlohmann::json ticket;
    FakeResponse error;
    if (!ParseRoot(req, "ticket", &ticket, &error)) return error;
    const std::string key = req.Header("Idempotency-Key");
    // Held across the create, so two racing requests with one key create one ticket.
    std::unique_lock<std::mutex> lock(idempotency_mutex_, std::defer_lock);
    if (!key.empty()) {
      lock.lock();
      auto it = idempotency_.find(key);
      if (it != idempotency_.end()) {
        if (it->second.body != req.body) {
          return FakeResponse::Json(
              400, {{"error", "IdempotentRequestError"},
                    {"description",
                     "The request parameters do not match the original request for this "
                     "idempotency key"}});
        }
        auto rec = state.store.Get(kTickets, it->second.ticket_id);
        if (!rec) return NotFound();
        FakeResponse out = FakeResponse::Json(201, {{"ticket", TicketJson(req, *rec)}});
        out.headers.emplace_back("x-zendesk-api-idempotency-hit", "true");
        return out;
      }
    }
    nlohmann::json comments = nlohmann::json::array();
    const bool has_comment = TakeComment(ticket, comments);
    if (!has_comment && StringField(ticket, "description").empty()) {
      return FakeResponse::Json(
          422, RecordInvalid("description", "Description: cannot be blank", "BlankValue"));
    }
    if (!has_comment) comments.push_back({{"body", ticket["description"]}, {"public", true}});
    ticket["description"] = comments[0]["body"];
    ticket["comments"] = comments;
    if (!ticket.contains("status")) ticket["status"] = "new";
    StoredRecord rec = state.store.Create(kTickets, ticket);
    FakeResponse out = FakeResponse::Json(201, {{"ticket", TicketJson(req, rec)}});
    if (!key.empty()) {
      idempotency_[key] = {req.body, rec.id};
      out.headers.emplace_back("x-zendesk-api-idempotency-hit", "false");
    }
    return out;
  }

  FakeResponse UpdateTicket(const FakeRequest& req, const std::string& id, FakeCrmState& state) {
    nlohmann::json ticket;
    FakeResponse error;
    if (!ParseRoot(req, "ticket", &ticket, &error)) return error;
    auto existing = state.store.Get(kTickets, id);
    if (!existing) return NotFound();
    nlohmann::json comments = existing->fields.value("comments", nlohmann::json::array());
    if (TakeComment(ticket, comments)) ticket["comments"] = comments;
    auto rec = state.store.Update(kTickets, id, ticket);
    if (!rec) return NotFound();
    return FakeResponse::Json(200, {{"ticket", TicketJson(req, *rec)}});
  }

  struct IdempotentCreate {
    std::string body;
    std::string ticket_id;
  };

  const FakeCrmOptions options_;
  mutable std::mutex mutex_;
  mutable int64_t minute_ = -1;  // GUARDED_BY(mutex_)
  mutable int used_in_minute_ = 0;
  std::mutex idempotency_mutex_;
  std::map<std::string, IdempotentCreate> idempotency_;  // GUARDED_BY(idempotency_mutex_)
};

}  // namespace

std::unique_ptr<FakeVendor> MakeZendeskVendor(const FakeCrmOptions& options) {
  return std::make_unique<FakeZendesk>(options);
}

}  // namespace sippet::fakes
