#ifndef SIPPET_MAPPERS_HTTP_CLIENT_H_
#define SIPPET_MAPPERS_HTTP_CLIENT_H_

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mappers/address_policy.h"

namespace sippet {

// Header fields in order; names compare case-insensitively. Repeated names are allowed.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// The first value of header `name` (case-insensitive), or nullptr.
const std::string* FindHeader(const HttpHeaders& headers, std::string_view name);
// Replaces every field named `name` with one field holding `value`.
void SetHeader(HttpHeaders* headers, std::string_view name, std::string value);

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute http:// or https:// URL
  HttpHeaders headers;
  std::string body;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{30000};  // connect + send + whole response
};

// Why no HTTP response was obtained.
enum class TransportError {
  kNone,
  kTimeout,             // connect or total timeout
  kConnectionRefused,
  kConnectionReset,     // reset or closed before a complete response
  kDnsFailure,
  kTlsError,            // handshake, certificate or hostname verification failure
  kAddressForbidden,    // every resolved address refused by the target's AddressPolicy
  kInvalidRequest,      // malformed URL, unsupported scheme
  kOther,
};
// "timeout", "connection_refused", ... — stable, for delivery_attempts.error_class.
const char* TransportErrorName(TransportError e);

struct HttpResponse {
  TransportError error = TransportError::kNone;
  std::string error_message;  // set with error; names host and cause, never credentials
  int status = 0;             // 0 when error != kNone
  HttpHeaders headers;
  std::string body;           // at most HttpClientOptions::max_body_bytes
  bool body_truncated = false;
  std::chrono::milliseconds duration{0};

  bool ok() const { return error == TransportError::kNone; }
};

// The outbound HTTP transport. Implementations are thread-safe: many workers call Send at
// once. Send never throws; every failure is an HttpResponse with `error` set. Redirects are
// never followed: a 3xx is returned as is.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  virtual HttpResponse Send(const HttpRequest& request) = 0;
};

// Resolves a host name to its addresses (IPv4 and IPv6). Returns an empty list on failure and
// sets *error. Injected so tests can simulate a name that points at a forbidden address.
using HostResolver =
    std::function<std::vector<IpAddress>(const std::string& host, std::string* error)>;
// The system resolver (getaddrinfo).
std::vector<IpAddress> SystemResolve(const std::string& host, std::string* error);

struct HttpClientOptions {
  AddressPolicy address_policy;  // default: public addresses only
  std::string ca_file;           // PEM bundle to trust instead of the system store; "" = system
  // Turns off certificate and hostname verification. Never for production; logs a warning
  // when the transport is built.
  bool dangerously_skip_tls_verify = false;
  size_t max_body_bytes = 1 << 20;    // response bytes kept; the rest is discarded
  size_t max_idle_per_host = 4;       // keep-alive connections kept per (scheme, host, port, ip)
  std::chrono::milliseconds idle_timeout{4000};  // idle connections older than this are closed
  HostResolver resolver;              // empty = SystemResolve
};

// HTTP/1.1 over Poco. For each request: resolve the host, refuse addresses that the policy
// forbids, connect to the checked address itself (no second resolution, so DNS rebinding
// cannot redirect it) and send the original Host header; for HTTPS, SNI and certificate
// hostname verification use the URL's host name. Keep-alive connections are pooled; when a
// pooled connection turns out to be closed before any response byte arrived, the request is
// sent once more on a fresh connection (upserts are retry-safe by design, DESIGN G4). If the
// TLS context cannot be built (e.g. unreadable ca_file), every HTTPS Send fails with kTlsError
// naming the cause.
class PocoHttpTransport final : public HttpTransport {
 public:
  explicit PocoHttpTransport(HttpClientOptions options);
  ~PocoHttpTransport() override;
  PocoHttpTransport(const PocoHttpTransport&) = delete;
  PocoHttpTransport& operator=(const PocoHttpTransport&) = delete;

  HttpResponse Send(const HttpRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sippet

#endif  // SIPPET_MAPPERS_HTTP_CLIENT_H_
