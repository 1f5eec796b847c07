#include "tests/fakes/fake_crm.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>
#include <Poco/Timestamp.h>
#include <Poco/URI.h>

#include <chrono>
#include <ostream>
#include <thread>

#include "daemon/base64.h"

namespace sippet::fakes {

std::optional<FakeCrmKind> ParseFakeCrmKind(const std::string& name) {
  if (name == "hubspot") return FakeCrmKind::kHubSpot;
  if (name == "salesforce") return FakeCrmKind::kSalesforce;
  if (name == "zendesk") return FakeCrmKind::kZendesk;
  if (name == "generic") return FakeCrmKind::kGenericRest;
  return std::nullopt;
}

std::string FakeRequest::Header(const std::string& name) const {
  const std::string lower = ToLowerAscii(name);
  for (const auto& [k, v] : headers) {
    if (ToLowerAscii(k) == lower) return v;
  }
  return "";
}

std::string FakeRequest::Param(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

bool FakeRequest::HasParam(const std::string& name) const { return params.count(name) > 0; }

FakeResponse FakeResponse::Json(int status, const nlohmann::json& body) {
  FakeResponse r;
  r.status = status;
  r.body = body.dump();
  return r;
}

FakeResponse FakeResponse::Text(int status, std::string body) {
  FakeResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

FakeResponse FakeResponse::Empty(int status) {
  FakeResponse r;
  r.status = status;
  r.content_type.clear();
  return r;
}

AuthResult CheckAuth(const FakeRequest& request, const FakeCrmOptions& options, TokenBook& tokens) {
  const bool configured = !tokens.empty() || !options.basic_user.empty() ||
                          (!options.api_key_header.empty() && !options.api_key.empty());
  if (!configured) return AuthResult::kOk;
  if (!options.api_key_header.empty()) {
    std::string key = request.Header(options.api_key_header);
    if (!key.empty()) return key == options.api_key ? AuthResult::kOk : AuthResult::kInvalid;
  }
  const std::string auth = request.Header("Authorization");
  if (auth.empty()) return AuthResult::kMissing;
  if (auth.rfind("Bearer ", 0) == 0) {
    switch (tokens.Use(auth.substr(7))) {
      case TokenCheck::kValid:
        return AuthResult::kOk;
      case TokenCheck::kExpired:
        return AuthResult::kExpired;
      case TokenCheck::kUnknown:
        return AuthResult::kInvalid;
    }
  }
  if (auth.rfind("Basic ", 0) == 0 && !options.basic_user.empty()) {
    std::optional<std::string> decoded = Base64Decode(auth.substr(6));
    if (decoded && *decoded == options.basic_user + ":" + options.basic_password) {
      return AuthResult::kOk;
    }
  }
  return AuthResult::kInvalid;
}

namespace {

class FakeHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  explicit FakeHandler(FakeCrmServer* server) : server_(server) {}

  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    FakeRequest request;
    request.method = req.getMethod();
    const std::string& uri = req.getURI();
    const size_t q = uri.find('?');
    std::string raw_path = uri.substr(0, q);
    request.query = q == std::string::npos ? "" : uri.substr(q + 1);
    // Decode segment by segment so an encoded '/' in a value (an email, an external id)
    // cannot change the route. Segments are joined back with '/' for matching.
    std::string path;
    size_t start = 0;
    while (start <= raw_path.size()) {
      size_t end = raw_path.find('/', start);
      if (end == std::string::npos) end = raw_path.size();
      std::string segment;
      Poco::URI::decode(raw_path.substr(start, end - start), segment);
      if (start > 0) path += '/';
      path += segment;
      start = end + 1;
    }
    request.path = path;
    try {
      Poco::URI parsed("http://x/?" + request.query);
      for (const auto& [k, v] : parsed.getQueryParameters()) request.params.emplace(k, v);
    } catch (const Poco::Exception&) {
      // A malformed query string leaves params empty; the vendor answers 404/400.
    }
    for (const auto& [k, v] : req) request.headers.emplace_back(k, v);
    Poco::StreamCopier::copyToString(req.stream(), request.body);

    bool drop = false;
    FakeResponse out;
    try {
      out = server_->Serve(request, &drop);
    } catch (const std::exception& e) {
      out = FakeResponse::Text(500, std::string("fake crm internal error: ") + e.what());
    }
    if (drop) {
      auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&req);
      resp.setKeepAlive(false);
      if (impl != nullptr) {
        Poco::Net::StreamSocket socket = impl->detachSocket();
        try {
          socket.shutdown();
        } catch (const Poco::Exception&) {
          // The peer may already be gone; closing is all that matters.
        }
        socket.close();
        return;
      }
      out = FakeResponse::Empty(500);  // cannot drop: answer something unmistakable
    }
    resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(out.status));
    for (const auto& [k, v] : out.headers) resp.set(k, v);
    if (out.status == 204 || out.status == 304) {
      resp.setContentLength(0);
      resp.send();
      return;
    }
    if (!out.content_type.empty()) resp.setContentType(out.content_type);
    resp.setContentLength(static_cast<std::streamsize>(out.body.size()));
    std::ostream& os = resp.send();
    os << out.body;
  }

 private:
  FakeCrmServer* server_;
};

class FakeHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  explicit FakeHandlerFactory(FakeCrmServer* server) : server_(server) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new FakeHandler(server_);
  }

 private:
  FakeCrmServer* server_;
};

}  // namespace

FakeCrmServer::FakeCrmServer(std::unique_ptr<FakeVendor> vendor, FakeCrmOptions options)
    : options_(std::move(options)), vendor_(std::move(vendor)) {
  if (options_.clock == nullptr) {
    owned_clock_ = std::make_unique<SystemClock>();
    options_.clock = owned_clock_.get();
  }
  state_ = std::make_unique<FakeCrmState>(options_.clock, options_.seed);
  if (!options_.bearer_token.empty()) state_->tokens.Add(options_.bearer_token);
  name_ = vendor_->Name();
}

FakeCrmServer::~FakeCrmServer() { Stop(); }

bool FakeCrmServer::Start(std::string* error) {
  if (server_) return true;
  if (!vendor_->Init(*state_, error)) return false;
  try {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", options_.port),
                                   /*backlog=*/128);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(options_.max_threads);
    params->setMaxQueued(512);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setTimeout(Poco::Timespan(10, 0));
    pool_ = std::make_unique<Poco::ThreadPool>(2, options_.max_threads + 2);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new FakeHandlerFactory(this), *pool_, socket,
                                                      params);
    server_->start();
    port_ = socket.address().port();
  } catch (const Poco::Exception& e) {
    *error = "fake " + name_ + ": cannot listen on 127.0.0.1:" + std::to_string(options_.port) +
             ": " + e.displayText();
    server_.reset();
    pool_.reset();
    return false;
  }
  stopping_ = false;
  return true;
}

void FakeCrmServer::Stop() {
  if (!server_) return;
  stopping_ = true;
  state_->concurrency.Resume();
  {
    std::lock_guard<std::mutex> lock(sleep_mutex_);
    sleep_cv_.notify_all();
  }
  // Poco's accept loop notices a stop only when its 250 ms poll returns; connecting to it
  // wakes the poll at once, so a test that starts and stops many fakes stays fast.
  std::atomic<bool> stopped{false};
  std::thread waker([this, &stopped] {
    while (!stopped) {
      try {
        Poco::Net::StreamSocket poke;
        poke.connect(Poco::Net::SocketAddress("127.0.0.1", port_), Poco::Timespan(0, 100000));
      } catch (const Poco::Exception&) {
        // Refused once the listener is closed; the loop ends when stopAll returns.
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  server_->stopAll(/*abortCurrent=*/true);
  stopped = true;
  waker.join();
  pool_->joinAll();
  server_.reset();
  pool_.reset();
}

std::string FakeCrmServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakeCrmServer::SleepMs(int ms) {
  std::unique_lock<std::mutex> lock(sleep_mutex_);
  sleep_cv_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping_.load(); });
}

FakeResponse FakeCrmServer::Serve(const FakeRequest& request, bool* drop) {
  *drop = false;
  if (request.path.rfind("/_fake/", 0) == 0) return Introspect(request);

  const std::vector<std::string> keys = vendor_->RecordKeys(request, *state_);
  LoggedRequest entry;
  entry.method = request.method;
  entry.path = request.path;
  entry.query = request.query;
  entry.headers = request.headers;
  entry.body = request.body;
  entry.record_keys = keys;
  const int64_t seq = state_->log.Begin(std::move(entry));
  ++state_->requests;

  const Fault fault = state_->faults.Next(request.path);
  std::string fault_name = FaultName(fault);
  state_->concurrency.Enter(keys, request.method, request.path);
  state_->concurrency.WaitWhilePaused();
  if (int latency = state_->faults.latency_ms(); latency > 0) SleepMs(latency);

  FakeResponse out;
  auto handle = [&] {
    if (std::optional<int> poison = state_->faults.PoisonStatus(keys)) {
      fault_name = "poison";
      return vendor_->ErrorResponse(*poison, "This record is invalid (poison key).");
    }
    return vendor_->Handle(request, *state_);
  };
  switch (fault.kind) {
    case FaultKind::kStatus:
      out = vendor_->ErrorResponse(fault.status, "Injected failure.");
      break;
    case FaultKind::kRateLimit:
      out = vendor_->RateLimitResponse();
      if (out.status == 429 && fault.retry_after_seconds >= 0) {
        std::string value = std::to_string(fault.retry_after_seconds);
        if (fault.retry_after_http_date) {
          value = Poco::DateTimeFormatter::format(
              Poco::Timestamp::fromEpochTime(static_cast<std::time_t>(
                  state_->clock->NowUnixSeconds() + fault.retry_after_seconds)),
              Poco::DateTimeFormat::HTTP_FORMAT);
        }
        out.headers.emplace_back("Retry-After", value);
      }
      break;
    case FaultKind::kDrop:
      *drop = true;
      break;
    case FaultKind::kSlow:
      SleepMs(fault.delay_ms);
      out = handle();
      break;
    case FaultKind::kCommitThenDrop:
      out = handle();
      *drop = true;
      break;
    case FaultKind::kCommitThenStatus:
      out = handle();
      out = vendor_->ErrorResponse(fault.status, "Injected failure after commit.");
      break;
    case FaultKind::kCommitThenDelay:
      out = handle();
      SleepMs(fault.delay_ms);
      break;
    case FaultKind::kNone:
      out = handle();
      break;
  }
  if (!*drop) vendor_->Decorate(out, *state_);
  state_->concurrency.Exit(keys);
  state_->log.Finish(seq, *drop ? 0 : out.status, fault_name);
  return out;
}

FakeResponse FakeCrmServer::Introspect(const FakeRequest& request) {
  if (request.method == "GET" && request.path == "/_fake/records") {
    return FakeResponse::Json(200, state_->store.Dump());
  }
  if (request.method == "GET" && request.path == "/_fake/stats") {
    nlohmann::json violations = nlohmann::json::array();
    for (const auto& v : state_->concurrency.Violations()) {
      violations.push_back(
          {{"key", v.key}, {"method", v.method}, {"path", v.path}, {"in_flight", v.in_flight}});
    }
    nlohmann::json by_status = nlohmann::json::object();
    for (const auto& e : state_->log.Entries()) {
      std::string k = e.status == 0 ? "dropped" : std::to_string(e.status);
      by_status[k] = by_status.value(k, 0) + 1;
    }
    return FakeResponse::Json(200,
                              {{"kind", name_},
                               {"requests", state_->requests.load()},
                               {"responses_by_status", by_status},
                               {"objects", state_->store.CountsJson()},
                               {"faults_injected", state_->faults.injected()},
                               {"max_in_flight_total", state_->concurrency.MaxInFlightTotal()},
                               {"max_in_flight_per_key", state_->concurrency.MaxInFlightPerKey()},
                               {"concurrency_violations", violations}});
  }
  return FakeResponse::Json(404, {{"error", "unknown introspection endpoint"}});
}

std::unique_ptr<FakeCrmServer> MakeFakeCrm(FakeCrmKind kind, FakeCrmOptions options) {
  std::unique_ptr<FakeVendor> vendor;
  switch (kind) {
    case FakeCrmKind::kHubSpot:
      vendor = MakeHubSpotVendor(options);
      break;
    case FakeCrmKind::kSalesforce:
      vendor = MakeSalesforceVendor(options);
      break;
    case FakeCrmKind::kZendesk:
      vendor = MakeZendeskVendor(options);
      break;
    case FakeCrmKind::kGenericRest:
      vendor = MakeGenericRestVendor(options);
      break;
  }
  return std::make_unique<FakeCrmServer>(std::move(vendor), std::move(options));
}

}  // namespace sippet::fakes
