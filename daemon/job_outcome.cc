#include "daemon/job_outcome.h"

#include <algorithm>
#include <cctype>

namespace sippet {
namespace {

bool IsCredentialKey(std::string key) {
  std::transform(key.begin(), key.end(), key.begin(), ::tolower);
  if (key == "client_id" || key == "username") return true;
  for (const char* part : {"password", "secret", "token", "api_key", "apikey", "api-key",
                           "authorization", "credential"}) {
    if (key.find(part) != std::string::npos) return true;
  }
  return false;
}

void Mask(nlohmann::json* j) {
  if (j->is_object()) {
    for (auto it = j->begin(); it != j->end(); ++it) {
      if (IsCredentialKey(it.key()) && !it.value().is_null()) {
        it.value() = "***";
      } else {
        Mask(&it.value());
      }
    }
  } else if (j->is_array()) {
    for (auto& v : *j) Mask(&v);
  }
}

}  // namespace

std::string RedactBody(const std::string& body, size_t max_bytes) {
  std::string out = body;
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_discarded()) {
    Mask(&j);
    out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else if (body.find('=') != std::string::npos && body.find_first_of(" \n{") == std::string::npos) {
    // application/x-www-form-urlencoded (OAuth2 token requests): mask credential fields.
    out.clear();
    size_t start = 0;
    while (start <= body.size()) {
      size_t amp = body.find('&', start);
      std::string pair = body.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      size_t eq = pair.find('=');
      if (eq != std::string::npos && IsCredentialKey(pair.substr(0, eq))) pair = pair.substr(0, eq) + "=***";
      out += (out.empty() ? "" : "&") + pair;
      if (amp == std::string::npos) break;
      start = amp + 1;
    }
  }
  if (out.size() > max_bytes) {
    out.resize(max_bytes);
    // Do not cut a UTF-8 sequence in half: PostgreSQL text must stay valid.
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
    if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80)) out.pop_back();
    out += "...[truncated]";
  }
  return out;
}

JobFinish DecideFinish(const RetryPolicy& policy, const ClaimedJob& job,
                       const DeliveryResult& result, bool credentials_refreshed,
                       int64_t now_unix, const Rng& rng) {
  JobFinish f;
  f.attempts = job.attempts;
  switch (result.kind) {
    case DeliveryResult::Kind::kDelivered:
      f.state = "done";
      f.outcome = "delivered";
      f.attempts = job.attempts + 1;
      f.external_id = result.external_id;
      f.drop_link = result.drop_link && !result.external_id;
      return f;
    case DeliveryResult::Kind::kSkipped:
      f.state = "done";
      f.outcome = "skipped";
      f.last_error = result.reason;
      return f;
    case DeliveryResult::Kind::kDeleted:
      f.state = "done";
      f.outcome = "deleted";
      f.attempts = job.attempts + 1;
      f.drop_link = result.drop_link;
      f.last_error = result.reason.empty() ? std::nullopt : std::optional<std::string>(result.reason);
      return f;
    case DeliveryResult::Kind::kDeadLetter:
      f.state = "dead";
      f.attempts = job.attempts + 1;
      f.dead_reason = result.reason;
      f.last_error = result.reason;
      f.drop_link = result.drop_link;
      return f;
    case DeliveryResult::Kind::kFailed:
      break;
  }
  AttemptOutcome outcome = AssessAttempt(policy, result.response, /*idempotent=*/true, now_unix);
  outcome.credentials_refreshed = credentials_refreshed;
  outcome.summary = result.reason;
  RetryDecision d = Decide(policy, outcome, job.attempts, std::chrono::seconds(job.age_seconds), rng);
  if (result.response.ok()) f.last_status = result.response.status;
  f.last_error = result.reason;
  if (!result.response.body.empty()) *f.last_error += ": " + RedactBody(result.response.body, 500);
  f.attempts = job.attempts + (d.consumes_attempt ? 1 : 0);
  f.drop_link = result.drop_link;
  switch (d.action) {
    case RetryDecision::Action::kRetry:
    case RetryDecision::Action::kPark:
      f.state = "pending";
      f.delay_seconds = static_cast<double>(d.delay.count()) / 1000.0;
      return f;
    case RetryDecision::Action::kDone:  // not produced for a failure; treat as retry
      f.state = "pending";
      return f;
    case RetryDecision::Action::kDeadLetter:
      f.state = "dead";
      f.dead_reason = d.reason.empty() ? result.reason : d.reason + " (" + result.reason + ")";
      return f;
  }
  return f;
}

}  // namespace sippet
