#include "tests/support/webhook_client.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <chrono>
#include <sstream>

#include "daemon/signature.h"

namespace sippet::testing {

const char kTestSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Headers SignedHeaders(const std::string& secret, const std::string& webhook_id,
                      int64_t timestamp, const std::string& body) {
  Secret key;
  std::string error;
  if (!ParseWebhookSecret(secret, &key, &error)) throw std::runtime_error(error);
  std::string ts = std::to_string(timestamp);
  return {{"webhook-id", webhook_id},
          {"webhook-timestamp", ts},
          {"webhook-signature", SignV1(key, webhook_id, ts, body)},
          {"Content-Type", "application/json"}};
}

HttpResult HttpRequest(uint16_t port, const std::string& method, const std::string& path,
                       const Headers& headers, const std::string& body, bool chunked) {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) req.set(k, v);
  if (chunked) {
    req.setChunkedTransferEncoding(true);
  } else if (method != "GET" || !body.empty()) {
    req.setContentLength64(static_cast<int64_t>(body.size()));
  }
  std::ostream& os = session.sendRequest(req);
  os << body;
  Poco::Net::HTTPResponse resp;
  std::istream& is = session.receiveResponse(resp);
  HttpResult r;
  r.status = resp.getStatus();
  for (const auto& [k, v] : resp) r.headers.emplace_back(k, v);
  std::ostringstream ss;
  Poco::StreamCopier::copyStream(is, ss);
  r.body = ss.str();
  r.json = nlohmann::json::parse(r.body, nullptr, false);
  if (r.json.is_discarded()) r.json = nullptr;
  return r;
}

HttpResult PostSigned(uint16_t port, const std::string& path, const std::string& body,
                      const std::string& webhook_id) {
  return HttpRequest(port, "POST", path, SignedHeaders(kTestSecret, webhook_id, NowSeconds(), body),
                     body);
}

}  // namespace sippet::testing
