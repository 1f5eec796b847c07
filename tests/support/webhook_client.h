#ifndef SIPPET_TESTS_SUPPORT_WEBHOOK_CLIENT_H_
#define SIPPET_TESTS_SUPPORT_WEBHOOK_CLIENT_H_

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sippet::testing {

// The whsec_ secret the tests and the demo configure (24 bytes of key).
extern const char kTestSecret[];

struct HttpResult {
  int status = 0;
  std::string body;
  nlohmann::json json;  // parsed body, or null
  std::vector<std::pair<std::string, std::string>> headers;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// Standard Webhooks headers for `body`, signed with `secret` at `timestamp`.
Headers SignedHeaders(const std::string& secret, const std::string& webhook_id,
                      int64_t timestamp, const std::string& body);

// One HTTP request to 127.0.0.1:port over a fresh connection. Throws on connection failure.
HttpResult HttpRequest(uint16_t port, const std::string& method, const std::string& path,
                       const Headers& headers, const std::string& body,
                       bool chunked = false);

// POSTs `body` signed now with kTestSecret to `path`.
HttpResult PostSigned(uint16_t port, const std::string& path, const std::string& body,
                      const std::string& webhook_id = "msg_test");

int64_t NowSeconds();

}  // namespace sippet::testing

#endif  // SIPPET_TESTS_SUPPORT_WEBHOOK_CLIENT_H_
