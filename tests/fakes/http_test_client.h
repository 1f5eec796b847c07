#ifndef SIPPET_TESTS_FAKES_HTTP_TEST_CLIENT_H_
#define SIPPET_TESTS_FAKES_HTTP_TEST_CLIENT_H_

// A minimal blocking HTTP/1.1 client for tests that talk to a fake on 127.0.0.1. One new
// connection per call. Never throws: transport failures come back as ok == false.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace sippet::fakes {

struct HttpCall {
  std::string method = "GET";
  std::string path = "/";  // with the query string, already encoded
  std::string body;
  std::string content_type = "application/json";  // sent only with a body
  std::vector<std::pair<std::string, std::string>> headers;
  int timeout_ms = 5000;
};

struct HttpResult {
  bool ok = false;    // a response arrived
  std::string error;  // why not, when !ok (connection closed, timeout, ...)
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string Header(const std::string& name) const;  // case-insensitive; "" if absent
  // The body as JSON; a "discarded" value when it is not JSON.
  nlohmann::json Json() const;
};

HttpResult SendHttp(uint16_t port, const HttpCall& call);

// Shorthands with "Authorization: Bearer <token>" (no header when token is empty).
HttpResult HttpJson(uint16_t port, const std::string& method, const std::string& path,
                    const nlohmann::json& body, const std::string& token = "test-token");
HttpResult HttpGet(uint16_t port, const std::string& path, const std::string& token = "test-token");

}  // namespace sippet::fakes

#endif  // SIPPET_TESTS_FAKES_HTTP_TEST_CLIENT_H_
