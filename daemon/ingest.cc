#include "daemon/ingest.h"

#include <algorithm>

#include "daemon/signature.h"
#include "daemon/staging.h"

namespace sippet {
namespace {

constexpr size_t kBodyPrefixBytes = 4096;
constexpr size_t kHeaderValueBytes = 1024;
constexpr size_t kMaxHeadersStored = 64;

bool IsCredentialHeader(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), ::tolower);
  static const char* kExact[] = {"authorization", "proxy-authorization", "cookie", "set-cookie"};
  for (const char* e : kExact) {
    if (name == e) return true;
  }
  static const char* kParts[] = {"secret", "token", "password", "api-key", "apikey", "x-auth"};
  for (const char* p : kParts) {
    if (name.find(p) != std::string::npos) return true;
  }
  return false;
}

// The header's value, or "" when absent.
std::string HeaderValue(const HttpHeaders& headers, const char* name) {
  const std::string* v = FindHeader(headers, name);
  return v ? *v : std::string();
}

}  // namespace

std::string RedactedHeadersJson(const HttpHeaders& headers) {
  nlohmann::json out = nlohmann::json::object();
  size_t n = 0;
  for (const auto& [k, v] : headers) {
    if (++n > kMaxHeadersStored) {
      out["..."] = std::to_string(headers.size() - kMaxHeadersStored) + " more headers";
      break;
    }
    std::string key = k;
    std::transform(key.begin(), key.end(), key.begin(), ::tolower);
    out[key] = IsCredentialHeader(k) ? std::string("***") : v.substr(0, kHeaderValueBytes);
  }
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json ErrorBody(const std::string& code, const std::string& message) {
  return {{"error", code}, {"message", message}};
}

Ingestor::Ingestor(EventStore* store, const Clock* clock, std::shared_ptr<spdlog::logger> log,
                   int64_t max_body_bytes)
    : store_(store), clock_(clock), log_(std::move(log)), max_body_bytes_(max_body_bytes) {}

IngestResponse Ingestor::Refuse(const IngestRequest& req, int status, const std::string& code,
                                const std::string& message) {
  Rejection r;
  r.endpoint = req.path;
  r.method = req.method;
  r.remote_addr = req.remote_addr;
  r.http_status = status;
  r.reason = code;
  r.message = message;
  r.body_bytes = req.body_bytes;
  r.headers_json = RedactedHeadersJson(req.headers);
  r.body_prefix = req.body.substr(0, kBodyPrefixBytes);
  std::string webhook_id = HeaderValue(req.headers, "webhook-id");
  if (!webhook_id.empty()) r.webhook_id = webhook_id.substr(0, 255);
  std::string error;
  if (!store_->RecordRejection(r, &error)) {
    // The database is down: the refusal itself is still answered, and logged for the record.
    log_->error("rejected request not recorded: path={} status={} reason={} error={}", req.path,
                status, code, error);
  }
  log_->info("rejected request: path={} status={} reason={} remote={}", req.path, status, code,
             req.remote_addr);
  IngestResponse resp;
  resp.status = status;
  resp.body = ErrorBody(code, message);
  resp.close_connection = req.body_too_large;
  return resp;
}

IngestResponse Ingestor::Handle(const Config& config, const EndpointConfig& endpoint,
                                const IngestRequest& req) {
  // 1. Size: the HTTP layer stopped reading at the limit.
  if (req.body_too_large) {
    return Refuse(req, 413, "payload_too_large",
                  "the body exceeds the limit of " + std::to_string(max_body_bytes_) + " bytes");
  }
  // 2. Signature over the raw bytes.
  std::string webhook_id = HeaderValue(req.headers, "webhook-id");
  std::string timestamp = HeaderValue(req.headers, "webhook-timestamp");
  std::string signature = HeaderValue(req.headers, "webhook-signature");
  SignatureResult sig =
      VerifySignature(endpoint.keys, {webhook_id, timestamp, signature}, req.body,
                      clock_->NowUnixSeconds(), endpoint.timestamp_tolerance_seconds);
  if (sig != SignatureResult::kValid) {
    return Refuse(req, 401, SignatureResultCode(sig),
                  SignatureResultMessage(sig, endpoint.timestamp_tolerance_seconds));
  }
  // 3. JSON.
  nlohmann::json doc = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return Refuse(req, 400, "invalid_json", "the body is not valid JSON");
  }
  // 4. Envelope.
  Envelope envelope;
  if (std::optional<EnvelopeError> err = ParseEnvelope(doc, &envelope)) {
    return Refuse(req, 422, "invalid_envelope", err->message);
  }
  // 5. Endpoint policy.
  if (!endpoint.organisation_ids.empty() &&
      std::find(endpoint.organisation_ids.begin(), endpoint.organisation_ids.end(),
                envelope.organisation_id) == endpoint.organisation_ids.end()) {
    IngestResponse r = Refuse(req, 403, "organisation_not_allowed",
                              "organisation " + envelope.organisation_id +
                                  " is not allowed on this endpoint");
    return r;
  }
  if (envelope.environment != EnvironmentName(endpoint.environment)) {
    return Refuse(req, 422, "environment_mismatch",
                  "this endpoint accepts " + std::string(EnvironmentName(endpoint.environment)) +
                      " events, got " + envelope.environment);
  }
  // 6. Persist: one transaction, answered only after COMMIT.
  IncomingEvent in;
  in.envelope = &envelope;
  in.plan = PlanStaging(envelope);
  in.webhook_id = webhook_id;
  in.endpoint = endpoint.path;
  in.raw_body = &req.body;
  in.jsonb_safe = !ContainsNul(doc);
  if (in.plan.status == EventStatus::kStaged) {
    for (const Mapping& m : config.mappings) {
      if (!m.Subscribes(envelope.type)) continue;
      in.job_mappings.push_back(m.name);
      in.job_targets.push_back(m.target);
    }
  }
  PersistResult stored = store_->Persist(in);
  IngestResponse resp;
  switch (stored.status) {
    case PersistStatus::kStored:
    case PersistStatus::kDuplicate: {
      bool duplicate = stored.status == PersistStatus::kDuplicate;
      resp.status = 200;
      resp.body = {{"id", envelope.id},
                   {"duplicate", duplicate},
                   {"status", EventStatusName(stored.event_status)}};
      log_->info("event {}: id={} type={} status={}", duplicate ? "duplicate" : "accepted",
                 envelope.id, envelope.type, EventStatusName(stored.event_status));
      return resp;
    }
    case PersistStatus::kUnavailable:
      break;
  }
  log_->error("event not stored, answering 503: id={} type={} error={}", envelope.id,
              envelope.type, stored.error);
  resp.status = 503;
  resp.body = ErrorBody("database_unavailable",
                        "the event could not be stored; nothing was acknowledged, retry later");
  resp.retry_after_seconds = 5;
  return resp;
}

}  // namespace sippet
