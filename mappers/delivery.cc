#include "mappers/delivery.h"

#include <openssl/evp.h>

#include <map>
#include <regex>

#include "mappers/auth.h"

namespace sippet {
namespace {

nlohmann::json ParseBody(const HttpResponse& r) {
  if (r.body.empty()) return nullptr;
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

bool Success(const HttpResponse& r) { return r.ok() && r.status >= 200 && r.status < 300; }

DeliveryResult Failed(const HttpResponse& r, const std::string& step) {
  DeliveryResult out;
  out.kind = DeliveryResult::Kind::kFailed;
  out.response = r;
  out.reason = step + ": " + (r.ok() ? "HTTP " + std::to_string(r.status) : r.error_message);
  return out;
}

DeliveryResult Dead(const std::string& reason) {
  DeliveryResult out;
  out.kind = DeliveryResult::Kind::kDeadLetter;
  out.reason = reason;
  return out;
}

// Evaluates a response path; null when absent or the expression is empty.
nlohmann::json Extract(const expr::Expression& path, const nlohmann::json& body) {
  if (path.empty() || !body.is_object()) return nullptr;
  expr::EvalResult r = path.Evaluate(body);
  return r.ok() ? r.value() : nlohmann::json(nullptr);
}

std::optional<std::string> IdText(const nlohmann::json& v) {
  if (v.is_string() && !v.get_ref<const std::string&>().empty()) return v.get<std::string>();
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  return std::nullopt;
}

std::string ShortHash(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < 16; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

// Sends `spec` rendered over `ctx`. Returns false with *result set when it cannot be planned.
bool SendSpec(const std::string& step, const RequestSpec& spec, const nlohmann::json& ctx,
              RequestSender* sender, HttpResponse* response, DeliveryResult* result) {
  PlannedRequest req;
  std::string error;
  if (!PlanRequest(step, spec, ctx, &req, &error)) {
    *result = Dead("mapping error in " + step + " request: " + error);
    return false;
  }
  *response = sender->Send(req);
  return true;
}

DeliveryResult Delivered(std::optional<std::string> id) {
  DeliveryResult out;
  out.kind = DeliveryResult::Kind::kDelivered;
  out.external_id = std::move(id);
  return out;
}

// Update the record known as `id`.
DeliveryResult UpdateById(const Mapping& m, nlohmann::json ctx, const std::string& id,
                          RequestSender* sender, bool* not_found) {
  ctx["link"] = {{"external_id", id}};
  HttpResponse r;
  DeliveryResult res;
  if (!SendSpec("update", m.update, ctx, sender, &r, &res)) return res;
  if (Success(r)) {
    std::optional<std::string> from_body = IdText(Extract(m.update.external_id, ParseBody(r)));
    return Delivered(from_body ? from_body : std::optional<std::string>(id));
  }
  if (not_found && r.ok() && (r.status == 404 || r.status == 410)) *not_found = true;
  return Failed(r, "update");
}

DeliveryResult SearchThenWrite(const Mapping& m, const nlohmann::json& ctx, RequestSender* sender) {
  HttpResponse r;
  DeliveryResult res;
  if (!SendSpec("search", m.search, ctx, sender, &r, &res)) return res;
  if (!Success(r)) return Failed(r, "search");
  nlohmann::json body = ParseBody(r);
  nlohmann::json hits = m.search_results.empty() ? body : Extract(m.search_results, body);
  if (hits.is_null()) hits = nlohmann::json::array();
  if (!hits.is_array()) return Dead("search: the response's results are not a list");
  if (hits.size() > 1) {
    std::string ids;
    for (const auto& h : hits) {
      std::optional<std::string> id = IdText(Extract(m.search_id, h));
      ids += (ids.empty() ? "" : ", ") + id.value_or("?");
    }
    return Dead("search: " + std::to_string(hits.size()) + " records match key '" +
                expr::ValueToText(ctx["key"]) + "': " + ids);
  }
  if (hits.size() == 1) {
    std::optional<std::string> id = IdText(Extract(m.search_id, hits[0]));
    if (!id) return Dead("search: the matching record has no id at the configured path");
    return UpdateById(m, ctx, *id, sender, nullptr);
  }
  if (!SendSpec("create", m.create, ctx, sender, &r, &res)) return res;
  if (Success(r)) {
    std::optional<std::string> id = IdText(Extract(m.create.external_id, ParseBody(r)));
    return Delivered(id);
  }
  if (m.conflict_status != 0 && r.ok() && r.status == m.conflict_status) {
    std::smatch match;
    std::regex re(m.conflict_id_regex);
    if (std::regex_search(r.body, match, re) && match.size() > 1) {
      return UpdateById(m, ctx, match[1].str(), sender, nullptr);
    }
  }
  return Failed(r, "create");
}

}  // namespace

nlohmann::json MappingContext(const Mapping& mapping, const StagedRecord& rec,
                              const std::optional<std::string>& external_id) {
  nlohmann::json ctx;
  ctx["event"] = {{"id", rec.last_event_id},
                  {"type", rec.last_event_type},
                  {"occurred_at", rec.last_occurred_at},
                  {"organisation_id", rec.organisation_id},
                  {"environment", rec.environment}};
  ctx["data"] = rec.data;
  ctx["record"] = {{"id", rec.record_id},
                   {"organisation_id", rec.organisation_id},
                   {"environment", rec.environment},
                   {"deleted", rec.deleted},
                   {"table", rec.table}};
  ctx["vars"] = mapping.vars;
  ctx["link"] = external_id ? nlohmann::json{{"external_id", *external_id}} : nlohmann::json(nullptr);
  ctx["idempotency_key"] = ShortHash(mapping.name + "\n" + rec.organisation_id + "\n" +
                                     rec.record_id + "\n" + rec.last_event_id);
  ctx["key"] = nullptr;
  ctx["fields"] = nlohmann::json::object();
  return ctx;
}

bool PrepareContext(const Mapping& m, const StagedRecord& rec,
                    const std::optional<std::string>& external_id, nlohmann::json* ctx,
                    bool* skip, std::string* reason) {
  *skip = false;
  *ctx = MappingContext(m, rec, external_id);
  if (!m.when.empty()) {
    expr::EvalResult w = m.when.Evaluate(*ctx);
    if (!w.ok()) {
      *reason = "when: " + w.error();
      return false;
    }
    if (!expr::IsTruthy(w.value())) {
      *skip = true;
      *reason = "condition 'when' is false";
      return true;
    }
  }
  expr::EvalResult key = m.key.Evaluate(*ctx);
  if (!key.ok()) {
    *reason = "key: " + key.error();
    return false;
  }
  if (key.value().is_null() || (key.value().is_string() && key.value().get_ref<const std::string&>().empty())) {
    *reason = "key: '" + m.key.text() + "' is empty for this record";
    return false;
  }
  (*ctx)["key"] = key.value();
  nlohmann::json fields = nlohmann::json::object();
  for (const FieldRule& f : m.fields) {
    expr::EvalResult v = f.value.Evaluate(*ctx);
    if (!v.ok()) {
      *reason = "fields." + f.name + ": " + v.error();
      return false;
    }
    nlohmann::json value = v.take_value();
    if (value.is_null()) {
      if (f.on_null == NullPolicy::kSkip) continue;
      if (f.on_null == NullPolicy::kClear) value = m.clear_value;
    } else if (m.fields_as_strings) {
      value = expr::ValueToText(value);
    }
    fields[f.name] = std::move(value);
  }
  (*ctx)["fields"] = std::move(fields);
  return true;
}

bool PlanRequest(const std::string& step, const RequestSpec& spec, const nlohmann::json& ctx,
                 PlannedRequest* out, std::string* error) {
  *out = PlannedRequest();
  out->step = step;
  out->method = spec.method;
  expr::EvalResult path = spec.path.RenderText(ctx);
  if (!path.ok()) {
    *error = "path: " + path.error();
    return false;
  }
  out->path_and_query = path.value().get<std::string>();
  char sep = out->path_and_query.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, tmpl] : spec.query) {
    expr::EvalResult v = tmpl.RenderText(ctx);
    if (!v.ok()) {
      *error = "query." + name + ": " + v.error();
      return false;
    }
    out->path_and_query += sep + UrlEncode(name) + "=" + UrlEncode(v.value().get<std::string>());
    sep = '&';
  }
  for (const auto& [name, tmpl] : spec.headers) {
    expr::EvalResult v = tmpl.RenderText(ctx);
    if (!v.ok()) {
      *error = "headers." + name + ": " + v.error();
      return false;
    }
    out->headers.emplace_back(name, v.value().get<std::string>());
  }
  if (!spec.body.empty()) {
    expr::EvalResult b = spec.body.Render(ctx);
    if (!b.ok()) {
      *error = "body: " + b.error();
      return false;
    }
    out->body = b.value().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out->headers.emplace_back("Content-Type", "application/json");
  }
  out->headers.emplace_back("Accept", "application/json");
  return true;
}

DeliveryResult Deliver(const Mapping& m, const StagedRecord& rec,
                       const std::optional<std::string>& external_id, RequestSender* sender) {
  nlohmann::json ctx;
  bool skip = false;
  std::string reason;
  if (rec.deleted && m.on_delete != DeleteAction::kUpsert) {
    DeliveryResult out;
    if (m.on_delete == DeleteAction::kIgnore || !external_id) {
      out.kind = m.on_delete == DeleteAction::kIgnore ? DeliveryResult::Kind::kSkipped
                                                      : DeliveryResult::Kind::kDeleted;
      out.reason = m.on_delete == DeleteAction::kIgnore ? "deletion ignored by the mapping"
                                                        : "deleted in Sippet; never synced, nothing to delete";
      return out;
    }
    ctx = MappingContext(m, rec, external_id);
    HttpResponse r;
    if (!SendSpec("delete", m.delete_request, ctx, sender, &r, &out)) return out;
    if (Success(r) || (r.ok() && (r.status == 404 || r.status == 410))) {
      out.kind = DeliveryResult::Kind::kDeleted;
      out.drop_link = m.delete_request.method == "DELETE";
      return out;
    }
    return Failed(r, "delete");
  }
  if (!PrepareContext(m, rec, external_id, &ctx, &skip, &reason)) return Dead("mapping error: " + reason);
  if (skip) {
    DeliveryResult out;
    out.kind = DeliveryResult::Kind::kSkipped;
    out.reason = reason;
    return out;
  }
  switch (m.strategy) {
    case Strategy::kNative: {
      HttpResponse r;
      DeliveryResult res;
      if (!SendSpec("native", m.native, ctx, sender, &r, &res)) return res;
      if (!Success(r)) return Failed(r, "native");
      std::optional<std::string> id = IdText(Extract(m.native.external_id, ParseBody(r)));
      return Delivered(id ? id : external_id);
    }
    case Strategy::kLink:
      if (external_id) {
        bool not_found = false;
        DeliveryResult res = UpdateById(m, ctx, *external_id, sender, &not_found);
        if (!not_found) return res;
        ctx["link"] = nullptr;
        DeliveryResult again = SearchThenWrite(m, ctx, sender);
        again.drop_link = again.kind != DeliveryResult::Kind::kDelivered;
        return again;
      }
      return SearchThenWrite(m, ctx, sender);
    case Strategy::kSearch:
      return SearchThenWrite(m, ctx, sender);
  }
  return Dead("unknown strategy");
}

std::vector<DeliveryResult> DeliverBatch(const Mapping& m,
                                         const std::vector<const StagedRecord*>& records,
                                         RequestSender* sender) {
  std::vector<DeliveryResult> out(records.size());
  std::vector<size_t> sent;               // indexes of records in the request
  std::map<std::string, size_t> by_key;   // key text -> index
  nlohmann::json items = nlohmann::json::array();
  PlannedRequest req;
  for (size_t i = 0; i < records.size(); ++i) {
    const StagedRecord& rec = *records[i];
    if (rec.deleted && m.on_delete != DeleteAction::kUpsert) {
      out[i] = Deliver(m, rec, std::nullopt, sender);
      continue;
    }
    nlohmann::json ctx;
    bool skip = false;
    std::string reason;
    if (!PrepareContext(m, rec, std::nullopt, &ctx, &skip, &reason)) {
      out[i] = Dead("mapping error: " + reason);
      continue;
    }
    if (skip) {
      out[i].kind = DeliveryResult::Kind::kSkipped;
      out[i].reason = reason;
      continue;
    }
    std::string key = expr::ValueToText(ctx["key"]);
    if (by_key.count(key)) {  // two records with one key: the later one waits for the next batch
      out[i] = Failed(HttpResponse{TransportError::kOther, "another record in this batch has the same key", 0, {}, "", false, {}}, "native");
      continue;
    }
    expr::EvalResult item = m.native.body.Render(ctx);
    if (!item.ok()) {
      out[i] = Dead("mapping error in native request: body: " + item.error());
      continue;
    }
    if (items.empty()) {
      std::string error;
      if (!PlanRequest("native", RequestSpec{true, m.native.method, m.native.path, m.native.query,
                                             m.native.headers, JsonTemplate(), expr::Expression()},
                       ctx, &req, &error)) {
        out[i] = Dead("mapping error in native request: " + error);
        continue;
      }
    }
    by_key[key] = i;
    sent.push_back(i);
    items.push_back(item.take_value());
  }
  if (sent.empty()) return out;
  req.body = nlohmann::json{{m.batch.items_path, items}}.dump(-1, ' ', false,
                                                            nlohmann::json::error_handler_t::replace);
  req.headers.emplace_back("Content-Type", "application/json");
  HttpResponse r = sender->Send(req);
  if (!Success(r)) {
    for (size_t i : sent) out[i] = Failed(r, "native");
    return out;
  }
  nlohmann::json body = ParseBody(r);
  std::map<size_t, bool> settled;
  nlohmann::json results = Extract(m.batch.results, body);
  if (results.is_array()) {
    for (const auto& res : results) {
      auto it = by_key.find(expr::ValueToText(Extract(m.batch.result_key, res)));
      if (it == by_key.end()) continue;
      nlohmann::json id_json = res.is_object() ? res.value("id", nlohmann::json()) : nlohmann::json();
      if (!m.native.external_id.empty()) id_json = Extract(m.native.external_id, res);
      out[it->second] = Delivered(IdText(id_json));
      settled[it->second] = true;
    }
  }
  nlohmann::json errors = Extract(m.batch.errors, body);
  if (errors.is_array()) {
    for (const auto& err : errors) {
      nlohmann::json keys = Extract(m.batch.error_keys, err);
      if (!keys.is_array()) keys = nlohmann::json::array({keys});
      for (const auto& k : keys) {
        auto it = by_key.find(expr::ValueToText(k));
        if (it == by_key.end() || settled[it->second]) continue;
        out[it->second] = Dead("the target refused this record in a batch: " +
                               err.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 2000));
        settled[it->second] = true;
      }
    }
  }
  for (size_t i : sent) {
    if (!settled[i]) {
      HttpResponse missing = r;
      missing.status = 503;  // retry: the batch answer did not mention this record
      out[i] = Failed(missing, "native");
      out[i].reason = "native: the batch response has no result for this record";
    }
  }
  return out;
}

}  // namespace sippet
