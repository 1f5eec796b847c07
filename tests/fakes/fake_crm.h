#ifndef SIPPET_TESTS_FAKES_FAKE_CRM_H_
#define SIPPET_TESTS_FAKES_FAKE_CRM_H_

// Stateful fake CRM servers for end-to-end tests: real HTTP on 127.0.0.1 speaking the wire
// format of HubSpot, Salesforce, Zendesk or a plain JSON REST API, with an inspectable record
// store, a request log, programmable faults and per-record concurrency tracking.
//
//   auto crm = sippet::fakes::MakeFakeCrm(sippet::fakes::FakeCrmKind::kHubSpot, {});
//   std::string error;
//   ASSERT_TRUE(crm->Start(&error)) << error;
//   ... point the client at crm->base_url() with "Authorization: Bearer test-token" ...
//   EXPECT_EQ(crm->state().store.Size("contacts"), 1u);
//
// Every fake also answers GET /_fake/records and GET /_fake/stats (no auth, no faults, not
// logged). Faults are decided before the vendor sees the request; "poison" keys are refused
// before anything is written. Thread-safe: tests may read and program the state while the
// server runs.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/clock.h"
#include "tests/fakes/fake_crm_state.h"
#include "tests/fakes/fake_faults.h"

namespace Poco::Net {
class HTTPServer;
}
namespace Poco {
class ThreadPool;
}

namespace sippet::fakes {

enum class FakeCrmKind { kHubSpot, kSalesforce, kZendesk, kGenericRest };

// "hubspot", "salesforce", "zendesk", "generic" -> kind.
std::optional<FakeCrmKind> ParseFakeCrmKind(const std::string& name);

struct FakeCrmOptions {
  uint16_t port = 0;             // 0: any free port; see FakeCrmServer::port()
  int max_threads = 64;          // pool threads = concurrent keep-alive connections
  const Clock* clock = nullptr;  // not owned; nullptr: the system clock
  uint64_t seed = 1;             // fault RNG seed

  // Auth. An empty bearer_token with no other credential set means "no auth required"
  // (except Salesforce, which always wants a Bearer session: static or issued).
  std::string bearer_token = "test-token";  // accepted as "Authorization: Bearer <token>"
  std::string api_key_header;               // generic: also accept header <name>: <api_key>
  std::string api_key;
  std::string basic_user;      // Zendesk: "{email}/token"
  std::string basic_password;  // Zendesk: the API token
  // Salesforce OAuth (POST /services/oauth2/token).
  std::string client_id = "test-client";
  std::string client_secret = "test-secret";
  std::string refresh_token = "test-refresh";
  int token_max_uses = 0;              // issued tokens expire after this many uses; 0: never
  int64_t token_lifetime_seconds = 0;  // ... or this long after issue; 0: never

  // HubSpot: the OpenAPI document the batch-upsert body is validated against.
  std::string hubspot_contract_path;  // empty: SIPPET_SOURCE_DIR/tests/contracts/...
  int hubspot_rate_limit_max = 190;   // X-HubSpot-RateLimit-Max per 10 s window
  // Search is eventually consistent: contacts created less than this many seconds ago (by
  // the fake's clock) are not found by POST .../search yet. 0: visible at once.
  int hubspot_search_lag_seconds = 0;
  // Salesforce: answer 403 REQUEST_LIMIT_EXCEEDED once this many API calls were made; 0: never.
  int salesforce_daily_limit = 0;
  // Generic REST: POST answers 409 {"error":"conflict","id":...} when a record with the same
  // value of this field exists (empty: no uniqueness, like most plain REST APIs).
  std::string generic_unique_field;
};

struct FakeRequest {
  std::string method;
  std::string path;                                // decoded path, without the query
  std::string query;                               // raw query string
  std::multimap<std::string, std::string> params;  // decoded query parameters
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Case-insensitive header lookup; empty if absent.
  std::string Header(const std::string& name) const;
  std::string Param(const std::string& name) const;
  bool HasParam(const std::string& name) const;
};

struct FakeResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static FakeResponse Json(int status, const nlohmann::json& body);
  static FakeResponse Text(int status, std::string body);
  static FakeResponse Empty(int status);
};

// Everything a vendor may touch while handling a request.
struct FakeCrmState {
  FakeCrmState(const Clock* c, uint64_t seed) : clock(c), store(c), tokens(c), faults(seed) {}
  const Clock* clock;
  RecordStore store;
  RequestLog log;
  ConcurrencyTracker concurrency;
  TokenBook tokens;
  FaultPlan faults;
  std::atomic<int64_t> requests{0};  // requests answered or dropped (not /_fake/*)
};

enum class AuthResult { kOk, kMissing, kInvalid, kExpired };

// Checks Bearer (against state.tokens), Basic and api-key credentials from the options.
// kOk when no credential is configured at all.
AuthResult CheckAuth(const FakeRequest& request, const FakeCrmOptions& options, TokenBook& tokens);

// One vendor's wire format. Implementations keep their state in FakeCrmState (or guard their
// own with a mutex): Handle runs concurrently on pool threads.
class FakeVendor {
 public:
  virtual ~FakeVendor() = default;
  virtual std::string Name() const = 0;
  // Loads whatever the vendor needs (e.g. a contract); false with *error on failure.
  virtual bool Init(FakeCrmState& state, std::string* error) = 0;
  // The record keys a request touches (for concurrency tracking and poison keys).
  virtual std::vector<std::string> RecordKeys(const FakeRequest& request,
                                              FakeCrmState& state) const = 0;
  virtual FakeResponse Handle(const FakeRequest& request, FakeCrmState& state) = 0;
  // A vendor-shaped error answer for an injected status (5xx, a poison 4xx).
  virtual FakeResponse ErrorResponse(int status, const std::string& message) const = 0;
  // The vendor's answer to an injected rate limit; the core adds Retry-After to a 429.
  virtual FakeResponse RateLimitResponse() const = 0;
  // Adds per-response headers (rate-limit counters).
  virtual void Decorate(FakeResponse& response, FakeCrmState& state) const = 0;
};

std::unique_ptr<FakeVendor> MakeHubSpotVendor(const FakeCrmOptions& options);
std::unique_ptr<FakeVendor> MakeSalesforceVendor(const FakeCrmOptions& options);
std::unique_ptr<FakeVendor> MakeZendeskVendor(const FakeCrmOptions& options);
std::unique_ptr<FakeVendor> MakeGenericRestVendor(const FakeCrmOptions& options);

class FakeCrmServer {
 public:
  FakeCrmServer(std::unique_ptr<FakeVendor> vendor, FakeCrmOptions options);
  ~FakeCrmServer();  // stops the server; releases paused requests
  FakeCrmServer(const FakeCrmServer&) = delete;
  FakeCrmServer& operator=(const FakeCrmServer&) = delete;

  // Binds 127.0.0.1:options.port and starts serving. False with *error on failure.
  bool Start(std::string* error);
  // Stops accepting and aborts open connections. Idempotent.
  void Stop();

  uint16_t port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:<port>"
  const std::string& name() const { return name_; }
  FakeCrmState& state() { return *state_; }
  const FakeCrmOptions& options() const { return options_; }

  // Handles one parsed request (what the HTTP handler calls). `drop` is set when the
  // connection must be closed without an answer. Exposed for the handler only.
  FakeResponse Serve(const FakeRequest& request, bool* drop);

 private:
  FakeResponse Introspect(const FakeRequest& request);
  void SleepMs(int ms);  // interruptible by Stop()

  FakeCrmOptions options_;
  std::unique_ptr<Clock> owned_clock_;
  std::unique_ptr<FakeCrmState> state_;
  std::unique_ptr<FakeVendor> vendor_;
  std::string name_;
  std::unique_ptr<Poco::ThreadPool> pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex sleep_mutex_;
  std::condition_variable sleep_cv_;
};

// A fake of the given kind, not yet started.
std::unique_ptr<FakeCrmServer> MakeFakeCrm(FakeCrmKind kind, FakeCrmOptions options);

}  // namespace sippet::fakes

#endif  // SIPPET_TESTS_FAKES_FAKE_CRM_H_
