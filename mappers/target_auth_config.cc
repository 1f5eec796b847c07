// Loading of `targets.<name>.auth`: one function per credential kind, secrets read from their
// sources as they are found.

#include <regex>
#include <utility>

#include "mappers/secret_source.h"
#include "mappers/target_config_parts.h"

namespace sippet {
namespace target_config_internal {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Keys that would hold a secret inline, and the prefix of the *_file/_env/_credential forms.
const std::pair<const char*, const char*> kInlineSecrets[] = {
    {"token", "token"},       {"password", "password"}, {"client_secret", "client_secret"},
    {"key", "key"},           {"api_key", "key"},       {"refresh_token", "refresh_token"},
    {"access_token", "token"}};

std::string Forms(const std::string& prefix) {
  return prefix + "_file, " + prefix + "_env or " + prefix + "_credential";
}

bool HasRef(const YamlMap& m, const std::string& prefix) {
  return m.Has(prefix + "_file") || m.Has(prefix + "_env") || m.Has(prefix + "_credential");
}

// Reads the secret named by `prefix`_file/_env/_credential into *out. Returns false (with an
// error recorded when required or when the source cannot be read) if none was loaded.
bool ReadSecret(YamlMap& m, const std::string& config_file, const std::string& prefix,
                bool required, Secret* out, TargetConfig* t) {
  std::optional<SecretRef> ref = ReadSecretRef(m, prefix, required);
  if (!ref) return false;
  if (ref->kind == SecretRef::Kind::kFile) ref->name = ResolvePath(config_file, ref->name);
  std::string key = SecretKey(prefix, *ref);
  std::string error;
  if (!LoadSecretText(*ref, out, &error)) {
    m.Error(key, error);
    return false;
  }
  // A line break inside would let a secret inject HTTP headers.
  if (out->Expose().find_first_of("\r\n") != std::string::npos) {
    *out = Secret();
    m.Error(key, ref->Describe() + " contains a line break");
    return false;
  }
  t->secret_sources.push_back(m.PathOf(prefix) + ": " + ref->Describe());
  return true;
}

// A value that may be written plainly (`key`) or come from a secret source (`key`_file, ...).
void ReadPlainOrSecret(YamlMap& m, const std::string& config_file, const std::string& key,
                       bool required, Secret* out, TargetConfig* t) {
  std::string plain = m.String(key, "");
  if (m.Has(key) && HasRef(m, key)) {
    for (const char* s : {"_file", "_env", "_credential"}) m.Child(key + s);
    m.Error(key, "set either " + key + " or one of " + Forms(key));
    return;
  }
  if (HasRef(m, key)) {
    ReadSecret(m, config_file, key, true, out, t);
    return;
  }
  if (!m.Has(key)) {
    if (required) m.Error("", "needs " + key + " or one of " + Forms(key));
    return;
  }
  if (plain.empty()) {
    m.Error(key, "must not be empty");
  } else if (plain.find_first_of("\r\n") != std::string::npos) {
    m.Error(key, "must not contain a line break");
  } else {
    *out = Secret(plain);
  }
}

void LoadBasic(YamlMap& m, const std::string& file, TargetConfig* t) {
  ReadPlainOrSecret(m, file, "username", true, &t->auth.username, t);
  ReadSecret(m, file, "password", true, &t->auth.password, t);
}

void LoadApiKey(YamlMap& m, const std::string& file, TargetConfig* t) {
  AuthConfig& a = t->auth;
  ReadSecret(m, file, "key", true, &a.api_key, t);
  std::string header = m.String("header", "");
  std::string query = m.String("query", "");
  std::string prefix = m.String("prefix", "");
  static const std::regex kHeaderName("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$");
  static const std::regex kQueryName("^[A-Za-z0-9._~-]+$");
  if (m.Has("header") && m.Has("query")) {
    m.Error("query", "set either header or query, not both");
  } else if (m.Has("query")) {
    if (!std::regex_match(query, kQueryName)) m.Error("query", "is not a query parameter name");
    a.api_key_in_query = true;
    a.api_key_name = query;
    if (m.Has("prefix")) m.Error("prefix", "applies only to a key sent in a header");
  } else if (m.Has("header")) {
    if (!std::regex_match(header, kHeaderName)) m.Error("header", "is not a header name");
    a.api_key_name = header;
  }
  if (prefix.find_first_of("\r\n") != std::string::npos) {
    m.Error("prefix", "must not contain a line break");
  } else {
    a.api_key_prefix = prefix;
  }
}

void LoadOAuth2(YamlMap& m, const std::string& file, bool refresh_grant, TargetConfig* t) {
  AuthConfig& a = t->auth;
  std::string url = m.String("token_url", "", true);
  std::string error;
  if (m.Has("token_url") &&
      !CheckHttpUrl(url, /*allow_query=*/true, /*strip_slash=*/false, &a.token_url, &error)) {
    m.Error("token_url", error);
  }
  ReadPlainOrSecret(m, file, "client_id", true, &a.client_id, t);
  ReadSecret(m, file, "client_secret", !refresh_grant, &a.client_secret, t);
  if (refresh_grant) ReadSecret(m, file, "refresh_token", true, &a.refresh_token, t);
  a.scopes = m.StringList("scopes");
  for (const std::string& s : a.scopes) {
    if (s.empty() || s.find_first_of(" \t\r\n\"\\") != std::string::npos) {
      m.Error("scopes", "scope '" + s + "' must be non-empty, without spaces, quotes or '\\'");
    }
  }
  a.client_auth_basic = m.Enum("client_auth", "body", {"body", "basic"}) == "basic";
  a.expiry_margin = seconds(m.Int("expiry_margin_seconds", a.expiry_margin.count(), 0, 3600));
  a.default_lifetime =
      seconds(m.Int("default_lifetime_seconds", a.default_lifetime.count(), 0, 7 * 86400));
  a.token_timeout = milliseconds(m.Int("token_timeout_ms", a.token_timeout.count(), 100, 600000));
}

}  // namespace

void LoadTargetAuth(YamlMap m, const std::string& config_file, TargetConfig* t) {
  for (const auto& [key, prefix] : kInlineSecrets) {
    if (!m.Has(key)) continue;
    m.Child(key);
    m.Error(key, std::string("secrets are never inline: use ") + Forms(prefix));
  }
  using Kind = AuthConfig::Kind;
  static const std::pair<const char*, Kind> kKinds[] = {
      {"none", Kind::kNone},
      {"bearer", Kind::kBearer},
      {"basic", Kind::kBasic},
      {"api_key", Kind::kApiKey},
      {"oauth2_client_credentials", Kind::kOAuth2ClientCredentials},
      {"oauth2_refresh_token", Kind::kOAuth2RefreshToken}};
  std::vector<std::string> names;
  for (const auto& k : kKinds) names.push_back(k.first);
  std::string type = m.String("type", "", /*required=*/true);
  bool known_type = false;
  if (m.Has("type")) {
    type = m.Enum("type", "", names);
    for (const auto& k : kKinds) {
      if (type == k.first) {
        t->auth.kind = k.second;
        known_type = true;
      }
    }
  }
  bool oauth2 =
      t->auth.kind == Kind::kOAuth2ClientCredentials || t->auth.kind == Kind::kOAuth2RefreshToken;
  t->use_instance_url = m.Bool("use_instance_url", false);
  if (t->use_instance_url && !oauth2 && known_type) {
    m.Error("use_instance_url", "applies only to the oauth2_* types");
  }
  switch (t->auth.kind) {
    case Kind::kNone:
      break;
    case Kind::kBearer:
      ReadSecret(m, config_file, "token", true, &t->auth.token, t);
      break;
    case Kind::kBasic:
      LoadBasic(m, config_file, t);
      break;
    case Kind::kApiKey:
      LoadApiKey(m, config_file, t);
      break;
    case Kind::kOAuth2ClientCredentials:
      LoadOAuth2(m, config_file, false, t);
      break;
    case Kind::kOAuth2RefreshToken:
      LoadOAuth2(m, config_file, true, t);
      break;
  }
  // Without a known type the other keys cannot be judged; report only the type.
  if (known_type) m.Finish();
}

}  // namespace target_config_internal
}  // namespace sippet
