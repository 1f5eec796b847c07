#include "tests/fakes/http_test_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/Timespan.h>

#include <ostream>

#include "tests/fakes/fake_crm_state.h"

namespace sippet::fakes {

std::string HttpResult::Header(const std::string& name) const {
  const std::string lower = ToLowerAscii(name);
  for (const auto& [k, v] : headers) {
    if (ToLowerAscii(k) == lower) return v;
  }
  return "";
}

nlohmann::json HttpResult::Json() const {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
}

HttpResult SendHttp(uint16_t port, const HttpCall& call) {
  HttpResult result;
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(static_cast<long>(call.timeout_ms) * 1000));
    Poco::Net::HTTPRequest request(call.method, call.path, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [k, v] : call.headers) request.set(k, v);
    if (!call.body.empty() || call.method == "POST" || call.method == "PUT" ||
        call.method == "PATCH") {
      request.setContentType(call.content_type);
      request.setContentLength(static_cast<std::streamsize>(call.body.size()));
    }
    std::ostream& out = session.sendRequest(request);
    out << call.body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    Poco::StreamCopier::copyToString(in, result.body);
    result.status = static_cast<int>(response.getStatus());
    for (const auto& [k, v] : response) result.headers.emplace_back(k, v);
    result.ok = true;
  } catch (const Poco::Exception& e) {
    result.error = e.displayText();
  }
  return result;
}

HttpResult HttpJson(uint16_t port, const std::string& method, const std::string& path,
                    const nlohmann::json& body, const std::string& token) {
  HttpCall call;
  call.method = method;
  call.path = path;
  call.body = body.is_null() ? "" : body.dump();
  if (!token.empty()) call.headers.emplace_back("Authorization", "Bearer " + token);
  return SendHttp(port, call);
}

HttpResult HttpGet(uint16_t port, const std::string& path, const std::string& token) {
  HttpCall call;
  call.path = path;
  if (!token.empty()) call.headers.emplace_back("Authorization", "Bearer " + token);
  return SendHttp(port, call);
}

}  // namespace sippet::fakes
