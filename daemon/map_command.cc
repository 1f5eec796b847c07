// `sippet-sync map`: shows what a mapping would send for one event, without sending.
#include <fstream>
#include <iostream>
#include <sstream>

#include "daemon/commands.h"
#include "daemon/envelope.h"
#include "daemon/event_store.h"
#include "daemon/staging.h"
#include "mappers/auth.h"
#include "mappers/delivery.h"
#include "mappers/target.h"

namespace sippet {
namespace {

// The credentials a request would carry, masked, by auth kind (no token is fetched).
void AddMaskedAuth(const TargetConfig& t, HttpRequest* req) {
  const AuthConfig& a = t.auth;
  switch (a.kind) {
    case AuthConfig::Kind::kNone: break;
    case AuthConfig::Kind::kBearer:
    case AuthConfig::Kind::kOAuth2ClientCredentials:
    case AuthConfig::Kind::kOAuth2RefreshToken:
      req->headers.emplace_back("Authorization", "Bearer ***");
      break;
    case AuthConfig::Kind::kBasic:
      req->headers.emplace_back("Authorization", "Basic ***");
      break;
    case AuthConfig::Kind::kApiKey:
      if (a.api_key_in_query) {
        req->url += (req->url.find('?') == std::string::npos ? "?" : "&") + a.api_key_name + "=***";
      } else {
        req->headers.emplace_back(a.api_key_name, a.api_key_prefix + "***");
      }
      break;
  }
}

void Print(const Target& target, const PlannedRequest& p, const std::string& note) {
  HttpRequest req;
  std::string error;
  std::cout << "\n# " << p.step << (note.empty() ? "" : " — " + note) << "\n";
  if (!target.NewRequest(p.method, p.path_and_query, &req, &error)) {
    std::cout << "refused: " << error << "\n";
    return;
  }
  req.headers = p.headers;
  AddMaskedAuth(target.config(), &req);
  std::cout << req.method << " " << req.url << "\n";
  for (const auto& [k, v] : req.headers) std::cout << k << ": " << v << "\n";
  if (!p.body.empty()) {
    nlohmann::json body = nlohmann::json::parse(p.body, nullptr, false);
    std::cout << "\n" << (body.is_discarded() ? p.body : body.dump(2)) << "\n";
  }
}

bool PlanOrReport(const std::string& step, const RequestSpec& spec, const nlohmann::json& ctx,
                  PlannedRequest* out) {
  std::string error;
  if (PlanRequest(step, spec, ctx, out, &error)) return true;
  std::cerr << "sippet-sync map: " << step << " request: " << error << "\n";
  return false;
}

}  // namespace

int RunMap(const CliCommand& cmd) {
  std::shared_ptr<Config> config = LoadForCommand(cmd.config);
  if (!config) return kExitUsage;
  const Mapping* m = config->FindMapping(cmd.mapping);
  if (m == nullptr) {
    std::string known;
    for (const Mapping& x : config->mappings) known += (known.empty() ? "" : ", ") + x.name;
    std::cerr << "sippet-sync map: no mapping named '" << cmd.mapping << "' (known: "
              << (known.empty() ? "none; set mappings_dir" : known) << ")\n";
    return kExitUsage;
  }
  std::ifstream in(cmd.event, std::ios::binary);
  if (!in) {
    std::cerr << "sippet-sync map: cannot read " << cmd.event << "\n";
    return kExitUsage;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(ss.str(), nullptr, false);
  Envelope e;
  std::optional<EnvelopeError> bad = doc.is_discarded()
                                         ? std::optional<EnvelopeError>(EnvelopeError{"", "not valid JSON"})
                                         : ParseEnvelope(doc, &e);
  if (bad) {
    std::cerr << "sippet-sync map: " << cmd.event << ": " << bad->message << "\n";
    return kExitUsage;
  }
  StagingPlan plan = PlanStaging(e);
  if (plan.status != EventStatus::kStaged) {
    std::cerr << "sippet-sync map: " << cmd.event << ": this event is not staged ("
              << EventStatusName(plan.status) << (plan.detail.empty() ? "" : ": " + plan.detail)
              << "), so no mapping runs for it\n";
    return kExitUsage;
  }
  StagedRecord rec;
  rec.table = StagingTableName(plan.table);
  rec.organisation_id = e.organisation_id;
  rec.record_id = plan.record_id;
  rec.environment = e.environment;
  rec.data = e.data;
  rec.deleted = plan.deleted;
  rec.last_event_id = e.id;
  rec.last_event_type = e.type;
  rec.last_occurred_at = e.occurred_at;

  SystemClock clock;
  Target target(config->targets.at(m->target), &clock);
  std::cout << "# mapping " << m->name << " (" << m->file << ") -> target " << m->target << " ("
            << target.BaseUrl() << "), strategy " << StrategyName(m->strategy) << "\n";
  if (!m->Subscribes(e.type)) {
    std::cout << "# note: this mapping does not subscribe to " << e.type
              << "; shown as if it did\n";
  }
  const std::string shown_id = "<external-id>";  // stands for the id a search would find
  nlohmann::json ctx;
  if (rec.deleted && m->on_delete != DeleteAction::kUpsert) {
    if (m->on_delete == DeleteAction::kIgnore) {
      std::cout << "# deletion: ignored by this mapping; nothing is sent\n";
      return kExitOk;
    }
    ctx = MappingContext(*m, rec, shown_id);
    PlannedRequest p;
    if (!PlanOrReport("delete", m->delete_request, ctx, &p)) return kExitUsage;
    Print(target, p, "sent when the record has a stored link (crm_links)");
    return kExitOk;
  }
  bool skip = false;
  std::string reason;
  if (!PrepareContext(*m, rec, std::nullopt, &ctx, &skip, &reason)) {
    std::cerr << "sippet-sync map: this record cannot be mapped (it would dead-letter): "
              << reason << "\n";
    return kExitRuntime;
  }
  if (skip) {
    std::cout << "# skipped: " << reason << "; nothing is sent\n";
    return kExitOk;
  }
  PlannedRequest p;
  if (m->strategy == Strategy::kNative) {
    if (!PlanOrReport("native", m->native, ctx, &p)) return kExitUsage;
    if (m->batch.max_items > 0) {
      nlohmann::json item = nlohmann::json::parse(p.body);
      p.body = nlohmann::json{{m->batch.items_path, nlohmann::json::array({item})}}.dump();
    }
    Print(target, p, m->batch.max_items > 0
                         ? "batched with up to " + std::to_string(m->batch.max_items) + " records"
                         : "");
    return kExitOk;
  }
  if (m->strategy == Strategy::kLink) {
    nlohmann::json linked = ctx;
    linked["link"] = {{"external_id", shown_id}};
    if (!PlanOrReport("update", m->update, linked, &p)) return kExitUsage;
    Print(target, p, "when a link is stored in crm_links; on 404 the search below runs");
  }
  if (!PlanOrReport("search", m->search, ctx, &p)) return kExitUsage;
  Print(target, p, "finds the record by its key");
  if (!PlanOrReport("create", m->create, ctx, &p)) return kExitUsage;
  Print(target, p, "when the search finds nothing");
  nlohmann::json found = ctx;
  found["link"] = {{"external_id", shown_id}};
  if (!PlanOrReport("update", m->update, found, &p)) return kExitUsage;
  Print(target, p, "when the search finds one record (several: dead letter)");
  return kExitOk;
}

}  // namespace sippet
