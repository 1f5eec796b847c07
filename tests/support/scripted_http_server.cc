#include "tests/support/scripted_http_server.h"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/StreamCopier.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <set>

namespace sippet::testing {

std::string SeenRequest::Header(const std::string& name) const {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    return s;
  };
  for (const auto& [k, v] : headers) {
    if (lower(k) == lower(name)) return v;
  }
  return "";
}



namespace {

class OneHandler : public Poco::Net::HTTPRequestHandler {
 public:
  OneHandler(ScriptedHttpServer::Handler* h, std::mutex* mu, std::vector<SeenRequest>* seen,
             std::set<std::string>* peers)
      : h_(h), mu_(mu), seen_(seen), peers_(peers) {}
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    SeenRequest s;
    s.method = req.getMethod();
    s.uri = req.getURI();
    for (const auto& [k, v] : req) s.headers.emplace_back(k, v);
    Poco::StreamCopier::copyToString(req.stream(), s.body);
    {
      std::lock_guard<std::mutex> lock(*mu_);
      seen_->push_back(s);
      peers_->insert(req.clientAddress().toString());
    }
    ScriptedResponse out = (*h_)(s);
    resp.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(out.status));
    for (const auto& [k, v] : out.headers) resp.set(k, v);
    resp.setContentLength(static_cast<std::streamsize>(out.body.size()));
    resp.send() << out.body;
  }

 private:
  ScriptedHttpServer::Handler* h_;
  std::mutex* mu_;
  std::vector<SeenRequest>* seen_;
  std::set<std::string>* peers_;
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Factory(ScriptedHttpServer::Handler* h, std::mutex* mu, std::vector<SeenRequest>* seen,
          std::set<std::string>* peers)
      : h_(h), mu_(mu), seen_(seen), peers_(peers) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new OneHandler(h_, mu_, seen_, peers_);
  }

 private:
  ScriptedHttpServer::Handler* h_;
  std::mutex* mu_;
  std::vector<SeenRequest>* seen_;
  std::set<std::string>* peers_;
};

}  // namespace

struct ScriptedHttpServer::Impl {
  Handler handler;
  mutable std::mutex mu;
  std::condition_variable cv;
  bool released = false;
  std::vector<SeenRequest> seen;
  std::set<std::string> peers;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  uint16_t port = 0;
  bool tls = false;

  void Start(Poco::Net::ServerSocket socket) {
    port = socket.address().port();
    auto* params = new Poco::Net::HTTPServerParams;
    params->setKeepAlive(true);
    params->setMaxThreads(8);
    server = std::make_unique<Poco::Net::HTTPServer>(new Factory(&handler, &mu, &seen, &peers),
                                                     socket, params);
    server->start();
  }
};

ScriptedHttpServer::ScriptedHttpServer(Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->Start(Poco::Net::ServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0)));
}

ScriptedHttpServer::ScriptedHttpServer(Handler handler, const std::string& cert_file,
                                       const std::string& key_file)
    : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->tls = true;
  Poco::Net::initializeSSL();
  Poco::Net::Context::Ptr ctx = new Poco::Net::Context(
      Poco::Net::Context::TLS_SERVER_USE, key_file, cert_file, "", Poco::Net::Context::VERIFY_NONE);
  impl_->Start(Poco::Net::SecureServerSocket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, ctx));
}

ScriptedHttpServer::~ScriptedHttpServer() {
  Release();
  impl_->server->stopAll(true);
  impl_->server.reset();
  if (impl_->tls) Poco::Net::uninitializeSSL();
}

uint16_t ScriptedHttpServer::port() const { return impl_->port; }

std::string ScriptedHttpServer::Url(const std::string& path) const {
  return std::string(impl_->tls ? "https" : "http") + "://127.0.0.1:" +
         std::to_string(impl_->port) + path;
}

std::vector<SeenRequest> ScriptedHttpServer::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->seen;
}

size_t ScriptedHttpServer::request_count() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->seen.size();
}

size_t ScriptedHttpServer::connections() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->peers.size();
}

void ScriptedHttpServer::WaitForRelease(int max_ms) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->cv.wait_for(lock, std::chrono::milliseconds(max_ms), [&] { return impl_->released; });
}

void ScriptedHttpServer::Release() {
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->released = true;
  }
  impl_->cv.notify_all();
}

}  // namespace sippet::testing
