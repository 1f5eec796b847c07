#include "daemon/target_sender.h"

#include <chrono>
#include <thread>

#include "daemon/job_outcome.h"
#include "mappers/auth.h"

namespace sippet {
namespace {

constexpr size_t kStoredBodyBytes = 8192;

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse LocalError(const std::string& message) {
  HttpResponse r;
  r.error = TransportError::kOther;
  r.error_message = message;
  return r;
}

}  // namespace

void TargetSender::Record(const std::string& step, const HttpRequest& shown,
                          const std::string& body, const HttpResponse& resp,
                          OutcomeClass outcome, int64_t started_unix_ms) {
  AttemptRow row;
  row.step = step;
  row.started_unix_ms = started_unix_ms;
  row.method = shown.method;
  row.url = shown.url;
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& [k, v] : shown.headers) headers[k] = v;
  row.headers_json = headers.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!body.empty()) row.request_body = RedactBody(body, kStoredBodyBytes);
  if (resp.ok()) {
    row.status = resp.status;
    row.response_body = RedactBody(resp.body, kStoredBodyBytes);
  } else {
    row.error = resp.error_message;
  }
  row.error_class = OutcomeClassName(outcome);
  row.duration_ms = static_cast<int>(resp.duration.count());
  attempts_.push_back(std::move(row));
}

int64_t MonotonicMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

TargetSender::TargetSender(Target* target, const Clock* clock, const std::atomic<bool>* stopping)
    : target_(target), clock_(clock), stopping_(stopping) {}

HttpResponse TargetSender::Send(const PlannedRequest& planned) {
  uint64_t generation = 0;
  HttpResponse r = SendOnce(planned, &generation);
  if (r.ok() && r.status == 401 && !refreshed_ &&
      target_->config().auth.kind != AuthConfig::Kind::kNone) {
    // The token may have expired: refresh once and try again straight away.
    refreshed_ = true;
    target_->auth().Invalidate(generation);
    r = SendOnce(planned, &generation);
  }
  return r;
}

HttpResponse TargetSender::SendOnce(const PlannedRequest& planned, uint64_t* generation) {
  HttpRequest req;
  std::string error;
  if (!target_->NewRequest(planned.method, planned.path_and_query, &req, &error)) {
    return LocalError("request refused: " + error);
  }
  req.headers = planned.headers;
  req.body = planned.body;

  // Wait for the target's rate limit (bounded by shutdown).
  for (;;) {
    RateLimiter::Admission a = target_->limiter().TryAcquire(MonotonicMs());
    if (a.granted) break;
    if (stopping_->load()) return LocalError("shutting down before the request was sent");
    std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp<int64_t>(a.wait_ms, 5, 200)));
  }
  int64_t started = WallMs();
  Authenticator::Applied applied;
  {
    // A token request made now (OAuth2) is an outbound attempt of this round too.
    TokenAudit audit([&](const HttpRequest& token_req, const HttpResponse& token_resp) {
      Record("token", RedactRequest(token_req), token_req.body, token_resp,
             Classify(token_resp, true), WallMs() - token_resp.duration.count());
    });
    applied = target_->auth().Apply(&req);
  }
  HttpResponse resp;
  if (!applied.ok) {
    resp = LocalError("credentials: " + applied.error);
  } else {
    *generation = applied.generation;
    started = WallMs();
    resp = target_->transport().Send(req);
  }
  target_->limiter().Release();
  target_->limiter().UpdateFromHeaders(resp.headers, MonotonicMs(), clock_->NowUnixSeconds());
  OutcomeClass outcome = Classify(resp, /*idempotent=*/true);
  if (outcome == OutcomeClass::kRateLimited) {
    const std::string* ra = FindHeader(resp.headers, "Retry-After");
    std::optional<int64_t> secs =
        ra ? ParseRetryAfter(*ra, clock_->NowUnixSeconds(), 3600) : std::nullopt;
    target_->limiter().BlockFor(secs ? *secs * 1000 : 1000, MonotonicMs());
  }
  target_->breaker().Record(outcome, MonotonicMs());
  Record(planned.step, target_->auth().Redacted(req), req.body, resp, outcome, started);
  return resp;
}

}  // namespace sippet
