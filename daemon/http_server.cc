#include "daemon/http_server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SocketAddress.h>

namespace sippet {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

void Send(Poco::Net::HTTPServerResponse& resp, int status, const nlohmann::json& body,
          bool close, int retry_after) {
  resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  resp.setContentType("application/json");
  if (close) resp.setKeepAlive(false);
  if (retry_after > 0) resp.set("Retry-After", std::to_string(retry_after));
  std::string text = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += "\n";
  resp.sendBuffer(text.data(), text.size());
}

IngestRequest Describe(Poco::Net::HTTPServerRequest& req) {
  IngestRequest r;
  r.method = req.getMethod();
  r.path = req.getURI().substr(0, req.getURI().find('?'));
  r.remote_addr = req.clientAddress().host().toString();
  for (const auto& [k, v] : req) r.headers.emplace_back(k, v);
  return r;
}

// Reads the body up to `limit` bytes. Sets body_too_large (without reading further) when the
// declared or actual size passes the limit; chunked bodies are counted as they arrive.
void ReadBody(Poco::Net::HTTPServerRequest& req, int64_t limit, IngestRequest* out) {
  int64_t declared = req.getContentLength64();
  if (declared != Poco::Net::HTTPMessage::UNKNOWN_CONTENT_LENGTH && declared > limit) {
    out->body_too_large = true;
    out->body_bytes = declared;
    return;
  }
  std::istream& in = req.stream();
  char buf[kReadChunk];
  while (in) {
    in.read(buf, sizeof(buf));
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    out->body_bytes += n;
    if (out->body_bytes > limit) {
      out->body_too_large = true;
      size_t room = static_cast<size_t>(limit) - out->body.size();
      out->body.append(buf, std::min<size_t>(room, static_cast<size_t>(n)));
      return;
    }
    out->body.append(buf, static_cast<size_t>(n));
  }
}

class RequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  RequestHandler(const ConfigHolder* config, Ingestor* ingestor, const ReadyCheck* ready,
                 int64_t max_body, spdlog::logger* log)
      : config_(config), ingestor_(ingestor), ready_(ready), max_body_(max_body), log_(log) {}

  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    IngestRequest r = Describe(req);
    try {
      if (r.path == "/healthz" || r.path == "/readyz") return Health(r, resp);
      std::shared_ptr<const Config> config = config_->Get();
      const EndpointConfig* endpoint = nullptr;
      for (const EndpointConfig& e : config->endpoints) {
        if (e.path == r.path) endpoint = &e;
      }
      ReadBody(req, max_body_, &r);
      IngestResponse out;
      if (endpoint == nullptr) {
        out = ingestor_->Refuse(r, 404, "not_found", "no webhook endpoint at " + r.path);
      } else if (r.method != "POST") {
        resp.set("Allow", "POST");
        out = ingestor_->Refuse(r, 405, "method_not_allowed", "webhook endpoints accept POST only");
      } else {
        out = ingestor_->Handle(*config, *endpoint, r);
      }
      Send(resp, out.status, out.body, out.close_connection || r.body_too_large,
           out.retry_after_seconds);
    } catch (const std::exception& e) {
      // The client went away or timed out mid-body: nothing was stored; record it.
      r.body_bytes = static_cast<int64_t>(r.body.size());
      IngestResponse out = ingestor_->Refuse(r, 400, "body_read_failed",
                                             std::string("the request body could not be read: ") + e.what());
      if (!resp.sent()) {
        try {
          Send(resp, out.status, out.body, true, 0);
        } catch (const std::exception& send_error) {
          log_->debug("could not answer {}: {}", r.path, send_error.what());
        }
      }
    }
  }

 private:
  void Health(const IngestRequest& r, Poco::Net::HTTPServerResponse& resp) {
    if (r.path == "/healthz") return Send(resp, 200, {{"status", "ok"}}, false, 0);
    std::string reason;
    if ((*ready_)(&reason)) return Send(resp, 200, {{"status", "ready"}}, false, 0);
    Send(resp, 503, ErrorBody("not_ready", reason), false, 0);
  }

  const ConfigHolder* config_;
  Ingestor* ingestor_;
  const ReadyCheck* ready_;
  int64_t max_body_;
  spdlog::logger* log_;
};

class HandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  HandlerFactory(const ConfigHolder* config, Ingestor* ingestor, ReadyCheck ready,
                 int64_t max_body, std::shared_ptr<spdlog::logger> log)
      : config_(config), ingestor_(ingestor), ready_(std::move(ready)), max_body_(max_body),
        log_(std::move(log)) {}

  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new RequestHandler(config_, ingestor_, &ready_, max_body_, log_.get());
  }

 private:
  const ConfigHolder* config_;
  Ingestor* ingestor_;
  ReadyCheck ready_;
  int64_t max_body_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace

Poco::Net::ServerSocket BindListener(const std::string& host, uint16_t port) {
  Poco::Net::ServerSocket socket;
  socket.bind(Poco::Net::SocketAddress(host, port), /*reuseAddress=*/true);
  socket.listen(1024);
  return socket;
}

HttpServer::HttpServer(const ServerConfig& options, Poco::Net::ServerSocket socket,
                       const ConfigHolder* config, Ingestor* ingestor, ReadyCheck ready,
                       std::shared_ptr<spdlog::logger> log)
    : pool_(2, options.max_connections + 2), port_(socket.address().port()) {
  auto params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(options.max_connections);
  params->setMaxQueued(options.max_connections * 4);
  params->setTimeout(Poco::Timespan(options.read_timeout_seconds, 0));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(options.keep_alive_timeout_seconds, 0));
  params->setMaxKeepAliveRequests(10000);
  params->setServerName("sippet-sync");
  server_ = std::make_unique<Poco::Net::HTTPServer>(
      new HandlerFactory(config, ingestor, std::move(ready), options.max_body_bytes, std::move(log)),
      pool_, socket, params);
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Start() {
  server_->start();
  running_ = true;
}

void HttpServer::Stop() {
  if (!running_) return;
  running_ = false;
  server_->stopAll(false);
  pool_.joinAll();
}

}  // namespace sippet
