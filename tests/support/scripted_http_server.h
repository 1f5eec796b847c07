#ifndef SIPPET_TESTS_SUPPORT_SCRIPTED_HTTP_SERVER_H_
#define SIPPET_TESTS_SUPPORT_SCRIPTED_HTTP_SERVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace sippet::testing {

// What the server saw of one request.
struct SeenRequest {
  std::string method;
  std::string uri;  // path?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string Header(const std::string& name) const;  // case-insensitive, "" when absent
};

// What a handler answers.
struct ScriptedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// A real HTTP/1.1 server on 127.0.0.1, port chosen by the kernel, answering every request
// with `handler`. Records every request. Handlers run on server threads; the server is
// thread-safe. Destruction releases handlers blocked in WaitForRelease and stops the server.
class ScriptedHttpServer {
 public:
  using Handler = std::function<ScriptedResponse(const SeenRequest&)>;
  explicit ScriptedHttpServer(Handler handler);
  // The same over TLS with the given PEM certificate and key; Url() then says https.
  ScriptedHttpServer(Handler handler, const std::string& cert_file, const std::string& key_file);
  ~ScriptedHttpServer();

  uint16_t port() const;
  std::string Url(const std::string& path) const;  // "http(s)://127.0.0.1:<port><path>"
  std::vector<SeenRequest> requests() const;
  size_t request_count() const;
  // Keep-alive connections the server accepted so far.
  size_t connections() const;

  // For handlers that must stall: blocks until Release() (or destruction), at most
  // `max_ms`. Lets a test provoke a client timeout without the test itself sleeping.
  void WaitForRelease(int max_ms);
  void Release();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sippet::testing

#endif  // SIPPET_TESTS_SUPPORT_SCRIPTED_HTTP_SERVER_H_
