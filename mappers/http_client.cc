#include "mappers/http_client.h"

#include <netdb.h>
#include <sys/socket.h>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/IPAddress.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <mutex>
#include <tuple>

namespace sippet {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Poco::Timespan ToTimespan(milliseconds ms) {
  return Poco::Timespan(std::max<int64_t>(ms.count(), 1) * 1000);
}

HttpResponse Fail(TransportError e, std::string message) {
  HttpResponse r;
  r.error = e;
  r.error_message = std::move(message);
  return r;
}

// Turns a Poco exception into an outcome. The messages name the host, never the full URL
// (which may carry an api key as a query parameter).
HttpResponse FromException(const Poco::Exception& e, const std::string& host) {
  std::string what = e.displayText();
  std::string where = " (" + host + ")";
  if (dynamic_cast<const Poco::TimeoutException*>(&e)) {
    return Fail(TransportError::kTimeout, "timed out" + where);
  }
  if (dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&e)) {
    return Fail(TransportError::kConnectionRefused, "connection refused" + where);
  }
  if (dynamic_cast<const Poco::Net::ConnectionResetException*>(&e) ||
      dynamic_cast<const Poco::Net::ConnectionAbortedException*>(&e) ||
      dynamic_cast<const Poco::Net::NoMessageException*>(&e) ||
      dynamic_cast<const Poco::Net::MessageException*>(&e)) {
    return Fail(TransportError::kConnectionReset, "connection closed: " + what + where);
  }
  if (dynamic_cast<const Poco::Net::SSLException*>(&e)) {
    return Fail(TransportError::kTlsError, "TLS error: " + what + where);
  }
  if (dynamic_cast<const Poco::Net::HostNotFoundException*>(&e) ||
      dynamic_cast<const Poco::Net::NoAddressFoundException*>(&e) ||
      dynamic_cast<const Poco::Net::DNSException*>(&e)) {
    return Fail(TransportError::kDnsFailure, "DNS failure" + where);
  }
  return Fail(TransportError::kOther, what + where);
}

struct Target {
  bool https = false;
  std::string host;         // as in the URL, without brackets
  std::string host_header;  // host[:port], brackets for IPv6 literals
  uint16_t port = 0;
  std::string path_etc;     // path?query
};

bool ParseTarget(const std::string& url, Target* t, std::string* error) {
  try {
    Poco::URI uri(url);
    std::string scheme = uri.getScheme();
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::tolower);
    if (scheme != "http" && scheme != "https") {
      *error = "unsupported URL scheme \"" + scheme + "\" (http or https only)";
      return false;
    }
    if (uri.getHost().empty()) {
      *error = "URL has no host";
      return false;
    }
    if (!uri.getUserInfo().empty()) {
      *error = "URL must not carry credentials; use the target's auth settings";
      return false;
    }
    t->https = scheme == "https";
    t->host = uri.getHost();
    t->port = uri.getPort();
    bool literal6 = t->host.find(':') != std::string::npos;
    t->host_header = literal6 ? "[" + t->host + "]" : t->host;
    if (t->port != (t->https ? 443 : 80)) t->host_header += ":" + std::to_string(t->port);
    t->path_etc = uri.getPathEtc();
    if (t->path_etc.empty()) t->path_etc = "/";
    return true;
  } catch (const Poco::Exception& e) {
    *error = "malformed URL: " + e.message();
    return false;
  }
}

}  // namespace

const std::string* FindHeader(const HttpHeaders& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (IEquals(k, name)) return &v;
  }
  return nullptr;
}

void SetHeader(HttpHeaders* headers, std::string_view name, std::string value) {
  headers->erase(std::remove_if(headers->begin(), headers->end(),
                                [&](const auto& kv) { return IEquals(kv.first, name); }),
                 headers->end());
  headers->emplace_back(std::string(name), std::move(value));
}

const char* TransportErrorName(TransportError e) {
  switch (e) {
    case TransportError::kNone: return "none";
    case TransportError::kTimeout: return "timeout";
    case TransportError::kConnectionRefused: return "connection_refused";
    case TransportError::kConnectionReset: return "connection_reset";
    case TransportError::kDnsFailure: return "dns_failure";
    case TransportError::kTlsError: return "tls_error";
    case TransportError::kAddressForbidden: return "address_forbidden";
    case TransportError::kInvalidRequest: return "invalid_request";
    case TransportError::kOther: return "other";
  }
  return "other";
}

std::vector<IpAddress> SystemResolve(const std::string& host, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  std::vector<IpAddress> out;
  if (rc != 0) {
    *error = gai_strerror(rc);
    return out;
  }
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    IpAddress ip;
    if (ai->ai_family == AF_INET) {
      const auto* sa = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
      std::memcpy(ip.bytes.data(), &sa->sin_addr, 4);
    } else if (ai->ai_family == AF_INET6) {
      const auto* sa = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
      ip.v6 = true;
      std::memcpy(ip.bytes.data(), &sa->sin6_addr, 16);
    } else {
      continue;
    }
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const IpAddress& o) { return o.v6 == ip.v6 && o.bytes == ip.bytes; });
    if (!seen) out.push_back(ip);
  }
  freeaddrinfo(res);
  if (out.empty()) *error = "no addresses";
  return out;
}

struct PocoHttpTransport::Impl {
  using Key = std::tuple<bool, std::string, uint16_t, std::string>;  // https, host, port, ip
  struct Idle {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    Clock::time_point since;
  };

  HttpClientOptions options;
  Poco::Net::Context::Ptr tls;
  std::string tls_error;
  std::mutex mu;
  std::map<Key, std::vector<Idle>> idle;  // GUARDED_BY(mu)

  std::unique_ptr<Poco::Net::HTTPClientSession> TakeIdle(const Key& key) {
    std::lock_guard<std::mutex> lock(mu);
    auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    auto& list = it->second;
    while (!list.empty()) {
      Idle entry = std::move(list.back());
      list.pop_back();
      if (Clock::now() - entry.since < options.idle_timeout && entry.session->connected()) {
        return std::move(entry.session);
      }
    }
    return nullptr;
  }

  void PutIdle(const Key& key, std::unique_ptr<Poco::Net::HTTPClientSession> s) {
    std::lock_guard<std::mutex> lock(mu);
    auto& list = idle[key];
    if (list.size() < options.max_idle_per_host) list.push_back({std::move(s), Clock::now()});
  }

  // A session bound to the checked address: its "host" is the IP literal, so neither the first
  // connection nor any reconnect Poco makes on its own resolves the name again. For HTTPS the
  // socket carries the URL's host name for SNI and certificate hostname verification.
  std::unique_ptr<Poco::Net::HTTPClientSession> NewSession(const Target& t, const IpAddress& ip,
                                                           milliseconds connect_timeout,
                                                           milliseconds remaining) {
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    if (t.https) {
      if (tls.isNull()) throw Poco::Net::SSLException(tls_error);
      auto https = std::make_unique<Poco::Net::HTTPSClientSession>(ip.ToString(), t.port, tls);
      Poco::Net::SecureStreamSocket secure(https->socket());
      secure.setPeerHostName(t.host);
      session = std::move(https);
    } else {
      session = std::make_unique<Poco::Net::HTTPClientSession>(ip.ToString(), t.port);
    }
    session->setTimeout(ToTimespan(std::min(connect_timeout, remaining)), ToTimespan(remaining),
                        ToTimespan(remaining));
    session->setKeepAlive(true);
    return session;
  }
};

PocoHttpTransport::PocoHttpTransport(HttpClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (!impl_->options.resolver) impl_->options.resolver = SystemResolve;
  Poco::Net::initializeSSL();
  try {
    const std::string& ca = impl_->options.ca_file;
    bool skip = impl_->options.dangerously_skip_tls_verify;
    impl_->tls = new Poco::Net::Context(
        Poco::Net::Context::TLS_CLIENT_USE, ca,
        skip ? Poco::Net::Context::VERIFY_NONE : Poco::Net::Context::VERIFY_STRICT, 9,
        ca.empty());
    impl_->tls->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    if (!skip) {
      // Plain OpenSSL verification: a bad chain aborts the handshake. This replaces Poco's
      // callback, which would consult the process-wide SSLManager configuration.
      SSL_CTX_set_verify(impl_->tls->sslContext(), SSL_VERIFY_PEER, nullptr);
    } else {
      spdlog::warn("TLS certificate verification is DISABLED for an outbound target "
                   "(dangerously_skip_tls_verify); anyone on the path can read and alter "
                   "its traffic");
    }
  } catch (const Poco::Exception& e) {
    impl_->tls.reset();
    impl_->tls_error = "cannot set up TLS: " + e.displayText();
  }
}

PocoHttpTransport::~PocoHttpTransport() {
  impl_.reset();
  Poco::Net::uninitializeSSL();
}

HttpResponse PocoHttpTransport::Send(const HttpRequest& request) {
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + request.total_timeout;
  auto remaining = [&] {
    return std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  };
  auto finish = [&](HttpResponse r) {
    r.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    return r;
  };

  Target t;
  std::string error;
  if (!ParseTarget(request.url, &t, &error)) {
    return finish(Fail(TransportError::kInvalidRequest, error));
  }

  std::vector<IpAddress> addresses;
  if (std::optional<IpAddress> literal = IpAddress::Parse(t.host)) {
    addresses.push_back(*literal);
  } else {
    addresses = impl_->options.resolver(t.host, &error);
    if (addresses.empty()) {
      return finish(Fail(TransportError::kDnsFailure,
                         "cannot resolve " + t.host + ": " + error));
    }
  }
  std::vector<IpAddress> allowed;
  std::string refused;
  for (const IpAddress& ip : addresses) {
    if (const char* reason = impl_->options.address_policy.Check(ip)) {
      if (refused.empty()) refused = ip.ToString() + " is a " + reason + " address";
    } else {
      allowed.push_back(ip);
    }
  }
  if (allowed.empty()) {
    return finish(Fail(TransportError::kAddressForbidden,
                       "refused to connect to " + t.host + ": " + refused +
                           " and the target's allowed ranges do not include it"));
  }

  HttpResponse last = Fail(TransportError::kOther, "no attempt");
  for (const IpAddress& ip : allowed) {
    Impl::Key key{t.https, t.host, t.port, ip.ToString()};
    // A pooled connection may have been closed by the server while idle; if it fails before
    // any response arrived, the request is sent once more on a fresh connection.
    for (int round = 0; round < 2; ++round) {
      if (remaining().count() <= 0) return finish(Fail(TransportError::kTimeout, "timed out (" + t.host + ")"));
      std::unique_ptr<Poco::Net::HTTPClientSession> session =
          round == 0 ? impl_->TakeIdle(key) : nullptr;
      bool reused = session != nullptr;
      bool got_response = false;
      try {
        if (session) {
          session->socket().setSendTimeout(ToTimespan(remaining()));
          session->socket().setReceiveTimeout(ToTimespan(remaining()));
        } else {
          session = impl_->NewSession(t, ip, request.connect_timeout, remaining());
        }

        Poco::Net::HTTPRequest req(request.method, t.path_etc, Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [name, value] : request.headers) {
          if (IEquals(name, "Host") || IEquals(name, "Content-Length")) continue;
          req.add(name, value);
        }
        req.set("Host", t.host_header);
        req.setKeepAlive(true);
        if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
            request.method == "PATCH") {
          req.setContentLength(static_cast<std::streamsize>(request.body.size()));
        }
        std::ostream& os = session->sendRequest(req);
        os.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
        os.flush();

        Poco::Net::HTTPResponse resp;
        std::istream& is = session->receiveResponse(resp);
        got_response = true;
        HttpResponse out;
        out.status = static_cast<int>(resp.getStatus());
        for (const auto& [name, value] : resp) out.headers.emplace_back(name, value);

        char buf[16384];
        bool clean = true;
        while (true) {
          milliseconds left = remaining();
          if (left.count() <= 0) throw Poco::TimeoutException("total timeout");
          if (session->connected()) session->socket().setReceiveTimeout(ToTimespan(left));
          is.read(buf, sizeof(buf));
          std::streamsize n = is.gcount();
          if (n <= 0) break;
          size_t room = impl_->options.max_body_bytes - out.body.size();
          if (static_cast<size_t>(n) > room) {
            out.body.append(buf, room);
            out.body_truncated = true;
            clean = false;  // the rest is not read; the connection cannot be reused
            break;
          }
          out.body.append(buf, static_cast<size_t>(n));
        }
        if (is.bad()) clean = false;
        if (clean && resp.getKeepAlive()) {
          impl_->PutIdle(key, std::move(session));
        }
        return finish(std::move(out));
      } catch (const Poco::Exception& e) {
        last = FromException(e, t.host);
        if (reused && !got_response && last.error != TransportError::kTimeout) continue;
        break;
      } catch (const std::exception& e) {
        last = Fail(TransportError::kOther, std::string(e.what()) + " (" + t.host + ")");
        break;
      }
    }
    // Only connection failures move on to the host's next address.
    if (last.error != TransportError::kConnectionRefused) break;
  }
  return finish(std::move(last));
}

}  // namespace sippet
