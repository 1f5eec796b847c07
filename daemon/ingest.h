#ifndef SIPPET_DAEMON_INGEST_H_
#define SIPPET_DAEMON_INGEST_H_

#include <spdlog/logger.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/clock.h"
#include "daemon/event_store.h"
#include "mappers/config.h"
#include "mappers/http_client.h"

namespace sippet {

// One webhook request as read off the wire.
struct IngestRequest {
  std::string method;
  std::string path;
  std::string remote_addr;
  HttpHeaders headers;
  std::string body;          // the raw bytes (up to the limit)
  int64_t body_bytes = 0;    // bytes read, or declared length when refused unread
  bool body_too_large = false;
};

// The answer: a status and a JSON body ({"error","message"} for refusals).
struct IngestResponse {
  int status = 500;
  nlohmann::json body;
  bool close_connection = false;  // after a refusal that left the body unread (413)
  int retry_after_seconds = 0;    // > 0: send Retry-After
};

// The ingest pipeline of DESIGN §3: size → signature → JSON → envelope → endpoint policy →
// persist. Every refusal is recorded in rejected_requests before it is answered (G6); a 2xx is
// answered only after COMMIT (G1). Thread-safe; `store`, `clock` and `log` must outlive it.
class Ingestor {
 public:
  Ingestor(EventStore* store, const Clock* clock, std::shared_ptr<spdlog::logger> log,
           int64_t max_body_bytes);

  // `endpoint` belongs to `config`, the snapshot this request is served under.
  IngestResponse Handle(const Config& config, const EndpointConfig& endpoint,
                        const IngestRequest& request);

  // Answers and records a request that reached no webhook endpoint (404, 405).
  IngestResponse Refuse(const IngestRequest& request, int status, const std::string& code,
                        const std::string& message);

 private:
  EventStore* store_;
  const Clock* clock_;
  std::shared_ptr<spdlog::logger> log_;
  const int64_t max_body_bytes_;
};

// Headers as a JSON object for rejected_requests: credentials masked, values bounded.
std::string RedactedHeadersJson(const HttpHeaders& headers);

// The JSON error body of a refusal.
nlohmann::json ErrorBody(const std::string& code, const std::string& message);

}  // namespace sippet

#endif  // SIPPET_DAEMON_INGEST_H_
