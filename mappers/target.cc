#include "mappers/target.h"

#include <algorithm>
#include <cctype>
#include <utility>

namespace sippet {
namespace {

std::unique_ptr<HttpTransport> MakeTransport(const TargetConfig& c) {
  HttpClientOptions options;
  options.address_policy = c.address_policy;
  options.ca_file = c.ca_file;
  options.dangerously_skip_tls_verify = c.dangerously_skip_tls_verify;
  return std::make_unique<PocoHttpTransport>(std::move(options));
}

std::string SchemeOf(const std::string& url) { return url.substr(0, url.find("://")); }

// A path segment that means "this" or "parent" directory, also when percent-encoded.
bool IsDotSegment(std::string segment) {
  std::transform(segment.begin(), segment.end(), segment.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  std::string decoded;
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment.compare(i, 3, "%2e") == 0) {
      decoded.push_back('.');
      i += 2;
    } else {
      decoded.push_back(segment[i]);
    }
  }
  return decoded == "." || decoded == "..";
}

}  // namespace

const char* PathProblem(const std::string& p) {
  if (p.empty() || p[0] != '/') {
    return "must start with '/' (a full URL is not allowed: the base URL comes from the target)";
  }
  if (p.size() > 1 && p[1] == '/') return "must not start with '//'";
  for (unsigned char ch : p) {
    if (ch <= 0x20 || ch == 0x7f) return "must not contain spaces or control characters";
    if (ch == '\\') return "must not contain '\\'";
  }
  if (p.find('#') != std::string::npos) return "must not contain a fragment ('#')";
  std::string path = p.substr(0, p.find('?'));
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (IsDotSegment(path.substr(start, end - start))) {
      return "must not contain '.' or '..' segments";
    }
    start = end + 1;
  }
  return nullptr;
}

Target::Target(TargetConfig config, const Clock* clock, HttpTransport* transport)
    : config_(std::move(config)),
      owned_transport_(transport == nullptr ? MakeTransport(config_) : nullptr),
      transport_(transport == nullptr ? owned_transport_.get() : transport),
      token_transport_(transport_),
      auth_(config_.auth, &token_transport_, clock),
      limiter_(config_.rate_limit),
      breaker_(config_.circuit) {}

namespace {
thread_local const TokenAudit::Sink* g_token_sink = nullptr;
}  // namespace

TokenAudit::TokenAudit(Sink sink) : sink_(std::move(sink)) { g_token_sink = &sink_; }

TokenAudit::~TokenAudit() { g_token_sink = nullptr; }

HttpResponse Target::TokenTransport::Send(const HttpRequest& request) {
  HttpResponse response = inner_->Send(request);
  if (g_token_sink != nullptr) (*g_token_sink)(request, response);
  return response;
}

std::string Target::BaseUrl() const {
  if (config_.use_instance_url) {
    std::optional<std::string> instance = auth_.InstanceUrl();
    std::string normalised, error;
    if (instance && NormaliseBaseUrl(*instance, &normalised, &error) &&
        SchemeOf(normalised) == SchemeOf(config_.base_url)) {
      return normalised;
    }
  }
  return config_.base_url;
}

bool Target::NewRequest(const std::string& method, const std::string& path_and_query,
                        HttpRequest* out, std::string* error) const {
  if (const char* problem = PathProblem(path_and_query)) {
    *error = std::string("request path ") + problem;
    return false;
  }
  if (method.empty() || !std::all_of(method.begin(), method.end(),
                                     [](unsigned char ch) { return ch >= 'A' && ch <= 'Z'; })) {
    *error = "request method must be upper-case letters, e.g. POST";
    return false;
  }
  HttpRequest r;
  r.method = method;
  r.url = BaseUrl() + path_and_query;
  r.connect_timeout = config_.connect_timeout;
  r.total_timeout = config_.timeout;
  *out = std::move(r);
  return true;
}

}  // namespace sippet
