#include "mappers/http_client.h"

#include <gtest/gtest.h>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <atomic>
#include <thread>

#include "tests/support/scripted_http_server.h"
#include "tests/support/test_certs.h"

namespace sippet {
namespace {

using testing::ScriptedHttpServer;
using testing::ScriptedResponse;
using testing::SeenRequest;

HttpClientOptions AllowLoopback() {
  HttpClientOptions o;
  std::string error;
  EXPECT_TRUE(AddressPolicy::FromStrings({"127.0.0.0/8"}, &o.address_policy, &error));
  return o;
}

HttpRequest Get(const std::string& url) {
  HttpRequest r;
  r.url = url;
  r.connect_timeout = std::chrono::milliseconds(2000);
  r.total_timeout = std::chrono::milliseconds(5000);
  return r;
}

TEST(HttpClientTest, RoundTripCarriesMethodHeadersAndBody) {
  ScriptedHttpServer server([](const SeenRequest& r) {
    return ScriptedResponse{201, {{"X-Echo-Method", r.method}}, "got " + r.body};
  });
  PocoHttpTransport http(AllowLoopback());
  HttpRequest req = Get(server.Url("/crm/v3/objects/contacts?idProperty=email"));
  req.method = "PATCH";
  req.headers = {{"Content-Type", "application/json"}, {"X-Trace", "abc"}};
  req.body = R"({"properties":{"email":"a@b.c"}})";
  HttpResponse resp = http.Send(req);

  ASSERT_TRUE(resp.ok()) << resp.error_message;
  EXPECT_EQ(resp.status, 201);
  EXPECT_EQ(resp.body, "got {\"properties\":{\"email\":\"a@b.c\"}}");
  ASSERT_NE(FindHeader(resp.headers, "x-echo-method"), nullptr);
  EXPECT_EQ(*FindHeader(resp.headers, "x-echo-method"), "PATCH");
  EXPECT_FALSE(resp.body_truncated);

  ASSERT_EQ(server.request_count(), 1u);
  SeenRequest seen = server.requests()[0];
  EXPECT_EQ(seen.method, "PATCH");
  EXPECT_EQ(seen.uri, "/crm/v3/objects/contacts?idProperty=email");
  EXPECT_EQ(seen.Header("X-Trace"), "abc");
  EXPECT_EQ(seen.Header("Host"), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen.body, req.body);
}

TEST(HttpClientTest, RedirectIsReturnedNotFollowed) {
  ScriptedHttpServer server([](const SeenRequest&) {
    return ScriptedResponse{302, {{"Location", "http://169.254.169.254/latest/meta-data/"}}, ""};
  });
  PocoHttpTransport http(AllowLoopback());
  HttpResponse resp = http.Send(Get(server.Url("/start")));
  ASSERT_TRUE(resp.ok()) << resp.error_message;
  EXPECT_EQ(resp.status, 302);
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(HttpClientTest, SlowServerGivesATimeoutError) {
  ScriptedHttpServer* self = nullptr;
  ScriptedHttpServer server([&self](const SeenRequest&) {
    self->WaitForRelease(1000);
    return ScriptedResponse{200, {}, "late"};
  });
  self = &server;
  PocoHttpTransport http(AllowLoopback());
  HttpRequest req = Get(server.Url("/slow"));
  req.total_timeout = std::chrono::milliseconds(200);
  HttpResponse resp = http.Send(req);
  server.Release();
  EXPECT_EQ(resp.error, TransportError::kTimeout) << resp.error_message;
  EXPECT_EQ(resp.status, 0);
}

TEST(HttpClientTest, LoopbackIsRefusedUnlessTheTargetAllowsIt) {
  ScriptedHttpServer server([](const SeenRequest&) { return ScriptedResponse{200, {}, "ok"}; });
  struct Case {
    const char* name;
    std::vector<std::string> allowed;
    TransportError want;
  } cases[] = {
      {"default policy", {}, TransportError::kAddressForbidden},
      {"other ranges only", {"10.0.0.0/8", "::1/128"}, TransportError::kAddressForbidden},
      {"loopback allowed", {"127.0.0.0/8"}, TransportError::kNone},
      {"single host allowed", {"127.0.0.1"}, TransportError::kNone},
  };
  size_t expected_requests = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpClientOptions o;
    std::string error;
    ASSERT_TRUE(AddressPolicy::FromStrings(c.allowed, &o.address_policy, &error));
    PocoHttpTransport http(std::move(o));
    HttpResponse resp = http.Send(Get(server.Url("/x")));
    EXPECT_EQ(resp.error, c.want) << resp.error_message;
    if (c.want == TransportError::kNone) ++expected_requests;
    EXPECT_EQ(server.request_count(), expected_requests);  // refused before connecting
  }
  PocoHttpTransport strict{HttpClientOptions{}};
  EXPECT_EQ(strict.Send(Get(server.Url("/x"))).error_message,
            "refused to connect to 127.0.0.1: 127.0.0.1 is a loopback address and the target's "
            "allowed ranges do not include it");
}

TEST(HttpClientTest, ConnectsToTheCheckedAddressAndSendsTheOriginalHost) {
  ScriptedHttpServer server([](const SeenRequest&) { return ScriptedResponse{200, {}, "ok"}; });
  std::atomic<int> lookups{0};
  HttpClientOptions o = AllowLoopback();
  o.resolver = [&lookups](const std::string& host, std::string* error) {
    ++lookups;
    if (host == "crm.example") return std::vector<IpAddress>{*IpAddress::Parse("127.0.0.1")};
    if (host == "metadata.example") {
      return std::vector<IpAddress>{*IpAddress::Parse("169.254.169.254")};
    }
    *error = "no such host";
    return std::vector<IpAddress>{};
  };
  PocoHttpTransport http(std::move(o));
  std::string port = std::to_string(server.port());

  HttpResponse ok = http.Send(Get("http://crm.example:" + port + "/api"));
  ASSERT_TRUE(ok.ok()) << ok.error_message;
  EXPECT_EQ(lookups.load(), 1);  // resolved once, then the checked address is used
  EXPECT_EQ(server.requests()[0].Header("Host"), "crm.example:" + port);

  HttpResponse metadata = http.Send(Get("http://metadata.example/latest/meta-data/"));
  EXPECT_EQ(metadata.error, TransportError::kAddressForbidden);
  EXPECT_EQ(metadata.error_message,
            "refused to connect to metadata.example: 169.254.169.254 is a link-local address "
            "and the target's allowed ranges do not include it");

  HttpResponse unknown = http.Send(Get("http://nowhere.example/"));
  EXPECT_EQ(unknown.error, TransportError::kDnsFailure);
  EXPECT_EQ(unknown.error_message, "cannot resolve nowhere.example: no such host");
  EXPECT_EQ(server.request_count(), 1u);
}

TEST(HttpClientTest, KeepAliveReusesOneConnection) {
  ScriptedHttpServer server([](const SeenRequest&) { return ScriptedResponse{200, {}, "ok"}; });
  PocoHttpTransport http(AllowLoopback());
  for (int i = 0; i < 3; ++i) {
    HttpResponse resp = http.Send(Get(server.Url("/n")));
    ASSERT_TRUE(resp.ok()) << resp.error_message;
  }
  EXPECT_EQ(server.request_count(), 3u);
  EXPECT_EQ(server.connections(), 1u);
}

TEST(HttpClientTest, BodyIsBoundedAndMarkedTruncated) {
  ScriptedHttpServer server([](const SeenRequest&) {
    return ScriptedResponse{200, {}, std::string(100'000, 'x')};
  });
  HttpClientOptions o = AllowLoopback();
  o.max_body_bytes = 1000;
  PocoHttpTransport http(std::move(o));
  HttpResponse resp = http.Send(Get(server.Url("/big")));
  ASSERT_TRUE(resp.ok()) << resp.error_message;
  EXPECT_EQ(resp.body.size(), 1000u);
  EXPECT_TRUE(resp.body_truncated);
  // The half-read connection is not reused: the next request still works.
  EXPECT_EQ(http.Send(Get(server.Url("/big"))).status, 200);
}

TEST(HttpClientTest, TransportFailuresAreClassified) {
  uint16_t closed_port;
  {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    closed_port = s.address().port();
  }
  // A plain-text server that answers at once, whatever the client sent: a TLS client must see
  // a handshake failure (a server that waited for a full request line could leave the
  // ClientHello hanging until a timeout, depending on its random bytes).
  Poco::Net::ServerSocket plain_socket(Poco::Net::SocketAddress("127.0.0.1", 0));
  std::thread plain([&plain_socket] {
    Poco::Net::StreamSocket conn = plain_socket.acceptConnection();
    const std::string answer = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    conn.sendBytes(answer.data(), static_cast<int>(answer.size()));
    conn.shutdown();
    conn.close();
  });
  struct PlainPort {
    uint16_t port() const { return p; }
    uint16_t p;
  } plain_port{plain_socket.address().port()};
  PocoHttpTransport http(AllowLoopback());
  struct Case {
    const char* name;
    std::string url;
    TransportError want;
  } cases[] = {
      {"nothing listening", "http://127.0.0.1:" + std::to_string(closed_port) + "/",
       TransportError::kConnectionRefused},
      {"TLS to a plain HTTP server", "https://127.0.0.1:" + std::to_string(plain_port.port()) + "/",
       TransportError::kTlsError},
      {"unsupported scheme", "ftp://127.0.0.1/", TransportError::kInvalidRequest},
      {"credentials in URL", "http://user:hunter2@127.0.0.1/", TransportError::kInvalidRequest},
      {"not a URL", "http://[oops/", TransportError::kInvalidRequest},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpResponse resp = http.Send(Get(c.url));
    EXPECT_EQ(resp.error, c.want) << TransportErrorName(resp.error) << ": " << resp.error_message;
    EXPECT_EQ(resp.error_message.find("hunter2"), std::string::npos);
  }
  plain.join();
}

TEST(HttpClientTest, HttpsVerifiesTheUrlsHostNameWhileConnectingToTheCheckedAddress) {
  testing::SelfSignedCert cert("crm.test");
  ASSERT_TRUE(cert.ok());
  ScriptedHttpServer server([](const SeenRequest& r) {
    return ScriptedResponse{200, {}, "host " + r.Header("Host")};
  }, cert.cert_path(), cert.key_path());
  std::string port = std::to_string(server.port());
  struct Case {
    const char* name;
    std::string url;
    std::string ca_file;
    bool skip_verify;
    TransportError want;
  } cases[] = {
      {"trusted CA, matching name", "https://crm.test:" + port + "/", cert.cert_path(), false,
       TransportError::kNone},
      {"name mismatch", "https://other.test:" + port + "/", cert.cert_path(), false,
       TransportError::kTlsError},
      {"IP literal is not the certificate's name", "https://127.0.0.1:" + port + "/",
       cert.cert_path(), false, TransportError::kTlsError},
      {"self-signed against the system store", "https://crm.test:" + port + "/", "", false,
       TransportError::kTlsError},
      {"verification dangerously off", "https://other.test:" + port + "/", "", true,
       TransportError::kNone},
      {"unreadable CA file", "https://crm.test:" + port + "/", "/nonexistent/ca.pem", false,
       TransportError::kTlsError},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    HttpClientOptions o = AllowLoopback();
    o.ca_file = c.ca_file;
    o.dangerously_skip_tls_verify = c.skip_verify;
    o.resolver = [](const std::string&, std::string*) {
      return std::vector<IpAddress>{*IpAddress::Parse("127.0.0.1")};
    };
    PocoHttpTransport http(std::move(o));
    HttpResponse resp = http.Send(Get(c.url));
    EXPECT_EQ(resp.error, c.want) << TransportErrorName(resp.error) << ": " << resp.error_message;
    if (c.want == TransportError::kNone) {
      EXPECT_EQ(resp.status, 200);
      EXPECT_EQ(resp.body.rfind("host ", 0), 0u);
      EXPECT_NE(resp.body.find(".test:" + port), std::string::npos) << resp.body;
    }
  }
}

TEST(HttpClientTest, ManyThreadsShareOneTransport) {
  std::atomic<int> served{0};
  ScriptedHttpServer server([&served](const SeenRequest& r) {
    ++served;
    return ScriptedResponse{200, {}, r.uri};
  });
  PocoHttpTransport http(AllowLoopback());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        HttpResponse resp = http.Send(Get(server.Url(path)));
        if (resp.ok() && resp.status == 200 && resp.body == path) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(served.load(), 40);
  EXPECT_LE(server.connections(), 4u);  // connections are reused, at most one per thread
}

TEST(HttpClientTest, HeaderHelpersAreCaseInsensitive) {
  HttpHeaders h = {{"Content-Type", "a"}, {"content-type", "b"}, {"X", "1"}};
  ASSERT_NE(FindHeader(h, "CONTENT-TYPE"), nullptr);
  EXPECT_EQ(*FindHeader(h, "CONTENT-TYPE"), "a");
  EXPECT_EQ(FindHeader(h, "missing"), nullptr);
  SetHeader(&h, "Content-TYPE", "c");
  EXPECT_EQ(h, (HttpHeaders{{"X", "1"}, {"Content-TYPE", "c"}}));
}

}  // namespace
}  // namespace sippet
