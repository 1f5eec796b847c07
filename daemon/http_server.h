#ifndef SIPPET_DAEMON_HTTP_SERVER_H_
#define SIPPET_DAEMON_HTTP_SERVER_H_

#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <string>

#include "daemon/config_holder.h"
#include "daemon/ingest.h"

namespace sippet {

// Answers /readyz: true when the daemon can take events; *reason says why not.
using ReadyCheck = std::function<bool(std::string* reason)>;

// The HTTP front: routes POSTs on the configured endpoint paths to the Ingestor, serves
// /healthz and /readyz, and answers (and records) everything else with 404/405. Reads bodies
// only up to server.max_body_bytes. One pool thread per connection, up to
// server.max_connections.
class HttpServer {
 public:
  // `socket` is already bound and listening (tests bind port 0). The pointers must outlive
  // the server.
  HttpServer(const ServerConfig& options, Poco::Net::ServerSocket socket,
             const ConfigHolder* config, Ingestor* ingestor, ReadyCheck ready,
             std::shared_ptr<spdlog::logger> log);
  ~HttpServer();

  void Start();
  // Stops accepting, lets in-flight requests finish, and waits for them.
  void Stop();

  uint16_t port() const { return port_; }

 private:
  Poco::ThreadPool pool_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  uint16_t port_;
  bool running_ = false;
};

// Binds a listening socket on host:port (port 0 = any free port). Throws Poco exceptions.
Poco::Net::ServerSocket BindListener(const std::string& host, uint16_t port);

}  // namespace sippet

#endif  // SIPPET_DAEMON_HTTP_SERVER_H_
