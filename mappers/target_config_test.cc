#include "mappers/target_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>

namespace sippet {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class TargetConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sippet-targets-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    Write("tok", "tok-123\n");
    Write("pw", "pw-456\n");
    Write("cs", "cs-789\n");
    Write("rt", "rt-000\n");
    Write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
    file_ = (dir_ / "sippet-sync.yaml").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  bool Load(const std::string& yaml, ConfigErrors* errors,
            std::map<std::string, TargetConfig>* out) {
    YAML::Node root = YAML::Load(yaml);
    return LoadTargets(root["targets"], file_, "targets", errors, out);
  }
  // Loads `yaml`, expecting failure; returns the errors as printed, with the config file's
  // path shown as "F" and the temporary directory as "D".
  std::vector<std::string> Errors(const std::string& yaml) {
    ConfigErrors errors;
    std::map<std::string, TargetConfig> out;
    EXPECT_FALSE(Load(yaml, &errors, &out));
    std::vector<std::string> printed;
    for (const auto& e : errors) {
      std::string s = e.ToString();
      if (s.rfind(file_, 0) == 0) s = "F" + s.substr(file_.size());
      for (size_t at; (at = s.find(dir_.string())) != std::string::npos;) {
        s.replace(at, dir_.string().size(), "D");
      }
      printed.push_back(s);
    }
    return printed;
  }
  // Loads one target named "crm", expecting success.
  TargetConfig One(const std::string& yaml) {
    ConfigErrors errors;
    std::map<std::string, TargetConfig> out;
    bool ok = Load(yaml, &errors, &out);
    EXPECT_TRUE(ok) << (errors.empty() ? "" : errors.front().ToString());
    EXPECT_EQ(out.count("crm"), 1u);
    return out.count("crm") ? out["crm"] : TargetConfig{};
  }
  std::filesystem::path dir_;
  std::string file_;
};

// "targets:\n  crm:\n" + body; the body starts on line 3.
std::string T(const std::string& body) { return "targets:\n  crm:\n" + body; }
// A target with a valid base_url (line 3) and `rest` from line 4 on.
std::string B(const std::string& rest) {
  return T("    base_url: https://crm.example.com\n" + rest);
}

TEST_F(TargetConfigTest, MinimalTargetGetsDocumentedDefaults) {
  TargetConfig t = One(T("    base_url: HTTPS://CRM.Example.com/api/v2/\n"));
  EXPECT_EQ(t.name, "crm");
  EXPECT_EQ(t.base_url, "https://crm.example.com/api/v2");
  EXPECT_EQ(t.auth.kind, AuthConfig::Kind::kNone);
  EXPECT_EQ(t.timeout, milliseconds(10000));
  EXPECT_EQ(t.connect_timeout, milliseconds(3000));
  EXPECT_FALSE(t.dangerously_skip_tls_verify);
  EXPECT_EQ(t.ca_file, "");
  EXPECT_FALSE(t.use_instance_url);
  EXPECT_EQ(t.rate_limit.requests_per_window, 0);
  EXPECT_EQ(t.retry.schedule, RetryPolicy{}.schedule);
  EXPECT_EQ(t.retry.max_attempts, 8);
  EXPECT_EQ(t.circuit.consecutive_failures, 5);
  // Private addresses stay refused without allow_private.
  EXPECT_NE(t.address_policy.Check(*IpAddress::Parse("10.1.2.3")), nullptr);
}

TEST_F(TargetConfigTest, EveryAuthTypeLoadsItsSecrets) {
  setenv("SIPPET_TEST_TOKEN", "env-tok", 1);
  std::filesystem::create_directories(dir_ / "creds");
  Write("creds/crm-token", "cred-tok\n");
  setenv("CREDENTIALS_DIRECTORY", (dir_ / "creds").c_str(), 1);
  using Kind = AuthConfig::Kind;
  struct Case {
    std::string auth;
    std::function<void(const TargetConfig&)> check;
  } cases[] = {
      {"      type: none\n", [](const TargetConfig& t) { EXPECT_EQ(t.auth.kind, Kind::kNone); }},
      {"      type: bearer\n      token_file: tok\n",
       [&](const TargetConfig& t) {
         EXPECT_EQ(t.auth.kind, Kind::kBearer);
         EXPECT_EQ(t.auth.token.Expose(), "tok-123");
         ASSERT_EQ(t.secret_sources.size(), 1u);
         EXPECT_EQ(t.secret_sources[0], "targets.crm.auth.token: file " + (dir_ / "tok").string());
       }},
      {"      type: bearer\n      token_env: SIPPET_TEST_TOKEN\n",
       [](const TargetConfig& t) { EXPECT_EQ(t.auth.token.Expose(), "env-tok"); }},
      {"      type: bearer\n      token_credential: crm-token\n",
       [](const TargetConfig& t) { EXPECT_EQ(t.auth.token.Expose(), "cred-tok"); }},
      {"      type: basic\n      username: agent@example.com/token\n      password_file: pw\n",
       [](const TargetConfig& t) {
         EXPECT_EQ(t.auth.kind, Kind::kBasic);
         EXPECT_EQ(t.auth.username.Expose(), "agent@example.com/token");
         EXPECT_EQ(t.auth.password.Expose(), "pw-456");
       }},
      {"      type: basic\n      username_file: tok\n      password_env: SIPPET_TEST_TOKEN\n",
       [](const TargetConfig& t) {
         EXPECT_EQ(t.auth.username.Expose(), "tok-123");
         EXPECT_EQ(t.auth.password.Expose(), "env-tok");
       }},
      {"      type: api_key\n      key_file: tok\n",
       [](const TargetConfig& t) {
         EXPECT_EQ(t.auth.kind, Kind::kApiKey);
         EXPECT_EQ(t.auth.api_key.Expose(), "tok-123");
         EXPECT_FALSE(t.auth.api_key_in_query);
         EXPECT_EQ(t.auth.api_key_name, "X-API-Key");
       }},
      {"      type: api_key\n      key_file: tok\n      header: Authorization\n"
       "      prefix: \"Zoho-oauthtoken \"\n",
       [](const TargetConfig& t) {
         EXPECT_EQ(t.auth.api_key_name, "Authorization");
         EXPECT_EQ(t.auth.api_key_prefix, "Zoho-oauthtoken ");
       }},
      {"      type: api_key\n      key_env: SIPPET_TEST_TOKEN\n      query: api_key\n",
       [](const TargetConfig& t) {
         EXPECT_TRUE(t.auth.api_key_in_query);
         EXPECT_EQ(t.auth.api_key_name, "api_key");
         EXPECT_EQ(t.auth.api_key.Expose(), "env-tok");
       }},
      {"      type: oauth2_client_credentials\n"
       "      token_url: https://login.example.com/oauth/token?audience=crm\n"
       "      client_id: my-client\n      client_secret_file: cs\n      scopes: [read, write]\n"
       "      client_auth: basic\n      expiry_margin_seconds: 30\n"
       "      default_lifetime_seconds: 7200\n      token_timeout_ms: 5000\n"
       "      use_instance_url: true\n",
       [](const TargetConfig& t) {
         EXPECT_EQ(t.auth.kind, Kind::kOAuth2ClientCredentials);
         EXPECT_EQ(t.auth.token_url, "https://login.example.com/oauth/token?audience=crm");
         EXPECT_EQ(t.auth.client_id.Expose(), "my-client");
         EXPECT_EQ(t.auth.client_secret.Expose(), "cs-789");
         EXPECT_EQ(t.auth.scopes, (std::vector<std::string>{"read", "write"}));
         EXPECT_TRUE(t.auth.client_auth_basic);
         EXPECT_EQ(t.auth.expiry_margin, seconds(30));
         EXPECT_EQ(t.auth.default_lifetime, seconds(7200));
         EXPECT_EQ(t.auth.token_timeout, milliseconds(5000));
         EXPECT_TRUE(t.use_instance_url);
       }},
      {"      type: oauth2_refresh_token\n      token_url: https://login.example.com/token\n"
       "      client_id_env: SIPPET_TEST_TOKEN\n      refresh_token_file: rt\n",
       [](const TargetConfig& t) {
         EXPECT_EQ(t.auth.kind, Kind::kOAuth2RefreshToken);
         EXPECT_EQ(t.auth.client_id.Expose(), "env-tok");
         EXPECT_TRUE(t.auth.client_secret.empty());  // optional for the refresh grant
         EXPECT_EQ(t.auth.refresh_token.Expose(), "rt-000");
         EXPECT_FALSE(t.auth.client_auth_basic);
         EXPECT_EQ(t.auth.expiry_margin, seconds(60));
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.auth);
    c.check(One(B("    auth:\n" + c.auth)));
  }
  unsetenv("SIPPET_TEST_TOKEN");
  unsetenv("CREDENTIALS_DIRECTORY");
}

TEST_F(TargetConfigTest, ErrorsNameFileLineColumnAndKey) {
  Write("empty", "\n");
  Write("two-lines", "abc-secret\ndef-secret\n");
  unsetenv("SIPPET_TEST_UNSET");
  struct Case {
    std::string yaml;
    std::string want;
  } cases[] = {
      // Unknown keys, at every level.
      {B("    timeuot_ms: 5\n"), "F:4:5: targets.crm.timeuot_ms: unknown key"},
      {B("    tls:\n      verify: false\n"), "F:5:7: targets.crm.tls.verify: unknown key"},
      {B("    auth:\n      type: bearer\n      token_file: tok\n      username: x\n"),
       "F:7:7: targets.crm.auth.username: unknown key"},
      {B("    retry:\n      max_attempt: 3\n"),
       "F:5:7: targets.crm.retry.max_attempt: unknown key"},
      // Inline secrets.
      {B("    auth:\n      type: bearer\n      token: sekrit-inline\n"),
       "F:6:14: targets.crm.auth.token: secrets are never inline: use token_file, token_env or "
       "token_credential"},
      {B("    auth:\n      type: basic\n      username: u\n      password: sekrit-inline\n"),
       "F:7:17: targets.crm.auth.password: secrets are never inline: use password_file, "
       "password_env or password_credential"},
      {B("    auth:\n      type: oauth2_client_credentials\n      client_secret: sekrit-inline\n"),
       "F:6:22: targets.crm.auth.client_secret: secrets are never inline: use client_secret_file, "
       "client_secret_env or client_secret_credential"},
      {B("    auth:\n      type: api_key\n      key: sekrit-inline\n"),
       "F:6:12: targets.crm.auth.key: secrets are never inline: use key_file, key_env or "
       "key_credential"},
      // Secrets that cannot be read or are unusable.
      {B("    auth:\n      type: bearer\n      token_file: nope\n"),
       "F:6:19: targets.crm.auth.token_file: cannot read file D/nope: No such file or directory"},
      {B("    auth:\n      type: bearer\n      token_file: empty\n"),
       "F:6:19: targets.crm.auth.token_file: file D/empty is empty"},
      {B("    auth:\n      type: bearer\n      token_file: two-lines\n"),
       "F:6:19: targets.crm.auth.token_file: file D/two-lines contains a line break"},
      {B("    auth:\n      type: bearer\n      token_env: SIPPET_TEST_UNSET\n"),
       "F:6:18: targets.crm.auth.token_env: environment variable SIPPET_TEST_UNSET is not set"},
      {B("    auth:\n      type: bearer\n"),
       "F:5:7: targets.crm.auth: needs one of token_file, token_env or token_credential"},
      {B("    auth:\n      type: bearer\n      token_file: tok\n      token_env: X\n"),
       "F:6:19: targets.crm.auth.token_file: set only one of token_file, token_env, "
       "token_credential"},
      {B("    auth:\n      type: basic\n      password_file: pw\n"),
       "F:5:7: targets.crm.auth: needs username or one of username_file, username_env or "
       "username_credential"},
      {B("    auth:\n      type: basic\n      username: u\n      username_file: tok\n"
         "      password_file: pw\n"),
       "F:6:17: targets.crm.auth.username: set either username or one of username_file, "
       "username_env or username_credential"},
      {B("    auth:\n      type: oauth2_refresh_token\n      token_url: https://a.example/t\n"
         "      client_id: c\n"),
       "F:5:7: targets.crm.auth: needs one of refresh_token_file, refresh_token_env or "
       "refresh_token_credential"},
      {B("    auth:\n      type: oauth2_client_credentials\n      token_url: https://a.example/t\n"
         "      client_id: c\n"),
       "F:5:7: targets.crm.auth: needs one of client_secret_file, client_secret_env or "
       "client_secret_credential"},
      // Auth types and their options.
      {B("    auth:\n      token_file: tok\n"), "F:5:7: targets.crm.auth.type: is required"},
      {B("    auth:\n      type: oauth\n"),
       "F:5:13: targets.crm.auth.type: must be one of none, bearer, basic, api_key, "
       "oauth2_client_credentials, oauth2_refresh_token, got 'oauth'"},
      {B("    auth: bearer\n"), "F:4:11: targets.crm.auth: must be a mapping of keys to values"},
      {B("    auth:\n      type: api_key\n      key_file: tok\n      header: X-Key\n"
         "      query: key\n"),
       "F:8:14: targets.crm.auth.query: set either header or query, not both"},
      {B("    auth:\n      type: api_key\n      key_file: tok\n      header: \"X Key\"\n"),
       "F:7:15: targets.crm.auth.header: is not a header name"},
      {B("    auth:\n      type: api_key\n      key_file: tok\n      query: k\n      prefix: x\n"),
       "F:8:15: targets.crm.auth.prefix: applies only to a key sent in a header"},
      {B("    auth:\n      type: bearer\n      token_file: tok\n      use_instance_url: true\n"),
       "F:7:25: targets.crm.auth.use_instance_url: applies only to the oauth2_* types"},
      {B("    auth:\n      type: oauth2_client_credentials\n      token_url: /oauth/token\n"
         "      client_id: c\n      client_secret_file: cs\n"),
       "F:6:18: targets.crm.auth.token_url: must start with https:// or http://"},
      {B("    auth:\n      type: oauth2_client_credentials\n      token_url: https://a.example/t\n"
         "      client_id: c\n      client_secret_file: cs\n      client_auth: header\n"),
       "F:9:20: targets.crm.auth.client_auth: must be one of body, basic, got 'header'"},
      // URLs.
      {T("    timeout_ms: 1000\n"), "F:3:5: targets.crm.base_url: is required"},
      {T("    base_url: ftp://crm.example.com\n"),
       "F:3:15: targets.crm.base_url: must start with https:// or http://"},
      {T("    base_url: crm.example.com\n"),
       "F:3:15: targets.crm.base_url: must start with https:// or http://"},
      {T("    base_url: https://admin:hunter2@crm.example.com\n"),
       "F:3:15: targets.crm.base_url: must not contain a user name or password (credentials "
       "belong under auth)"},
      {T("    base_url: https://crm.example.com/api?key=1\n"),
       "F:3:15: targets.crm.base_url: must not contain a query ('?')"},
      {T("    base_url: https://crm.example.com/#x\n"),
       "F:3:15: targets.crm.base_url: must not contain a fragment ('#')"},
      {T("    base_url: https://crm.example.com:99999\n"),
       "F:3:15: targets.crm.base_url: has an invalid port '99999'"},
      {T("    base_url: https://\n"), "F:3:15: targets.crm.base_url: has no host"},
      {T("    base_url: \"https://crm.example.com/a b\"\n"),
       "F:3:15: targets.crm.base_url: must not contain spaces or control characters"},
      {T("    base_url: https://[::1/\n"),
       "F:3:15: targets.crm.base_url: has an unterminated IPv6 address"},
      // Address ranges and TLS.
      {B("    allow_private: [\"10.0.0.0/8\", \"10.0.0.0/33\"]\n"),
       "F:4:35: targets.crm.allow_private[1]: '10.0.0.0/33' is not an address range (a.b.c.d/n, "
       "x::/n or a single address)"},
      {B("    allow_private: [\"intranet\"]\n"),
       "F:4:21: targets.crm.allow_private[0]: 'intranet' is not an address range (a.b.c.d/n, "
       "x::/n or a single address)"},
      {B("    allow_private: 10.0.0.0/8\n"),
       "F:4:20: targets.crm.allow_private: must be a list of address ranges, e.g. "
       "[\"10.0.0.0/8\"]"},
      {B("    tls:\n      ca_file: missing.pem\n"),
       "F:5:16: targets.crm.tls.ca_file: cannot read file D/missing.pem: No such file or "
       "directory"},
      {B("    tls:\n      dangerously_skip_verify: yes please\n"),
       "F:5:32: targets.crm.tls.dangerously_skip_verify: must be true or false"},
      // Numbers out of range.
      {B("    timeout_ms: 50\n"),
       "F:4:17: targets.crm.timeout_ms: must be between 100 and 600000, got 50"},
      {B("    connect_timeout_ms: 10\n"),
       "F:4:25: targets.crm.connect_timeout_ms: must be between 50 and 60000, got 10"},
      {B("    timeout_ms: 1000\n    connect_timeout_ms: 2000\n"),
       "F:5:25: targets.crm.connect_timeout_ms: connect_timeout_ms (2000) must not exceed "
       "timeout_ms (1000)"},
      {B("    rate_limit:\n      requests: -1\n"),
       "F:5:17: targets.crm.rate_limit.requests: must be between 0 and 1000000, got -1"},
      {B("    rate_limit:\n      window_ms: 0\n"),
       "F:5:18: targets.crm.rate_limit.window_ms: must be between 1 and 86400000, got 0"},
      {B("    rate_limit:\n      max_concurrency: 5000\n"),
       "F:5:24: targets.crm.rate_limit.max_concurrency: must be between 0 and 1024, got 5000"},
      {B("    rate_limit:\n      reset_format: hours\n"),
       "F:5:21: targets.crm.rate_limit.reset_format: must be one of delta_seconds, unix_seconds, "
       "delta_ms, got 'hours'"},
      {B("    retry:\n      jitter: 1.5\n"),
       "F:5:15: targets.crm.retry.jitter: must be between 0 and 1, got 1.5"},
      {B("    retry:\n      jitter: lots\n"), "F:5:15: targets.crm.retry.jitter: must be a number"},
      {B("    retry:\n      schedule_seconds: [5, -1]\n"),
       "F:5:29: targets.crm.retry.schedule_seconds[1]: must be between 0 and 604800, got -1"},
      {B("    retry:\n      max_attempts: 1001\n"),
       "F:5:21: targets.crm.retry.max_attempts: must be between 0 and 1000, got 1001"},
      {B("    retry:\n      min_delay_seconds: 100\n      max_delay_seconds: 10\n"),
       "F:6:26: targets.crm.retry.max_delay_seconds: max_delay_seconds (10) must not be below "
       "min_delay_seconds (100)"},
      {B("    circuit:\n      failure_ratio: 2\n"),
       "F:5:22: targets.crm.circuit.failure_ratio: must be between 0 and 1, got 2"},
      {B("    circuit:\n      cool_down_ms: 0\n"),
       "F:5:21: targets.crm.circuit.cool_down_ms: must be between 100 and 86400000, got 0"},
      // Names and shape.
      {"targets:\n  HubSpot:\n    base_url: https://x.example\n",
       "F:2:3: targets.HubSpot: a target name must match ^[a-z0-9][a-z0-9_-]*$ (at most 64 "
       "characters)"},
      {"targets:\n  -crm:\n    base_url: https://x.example\n",
       "F:2:3: targets.-crm: a target name must match ^[a-z0-9][a-z0-9_-]*$ (at most 64 "
       "characters)"},
      {"targets:\n  crm:\n", "F:2:3: targets.crm.base_url: is required"},
      {"targets:\n  crm:\n    base_url: https://a.example\n  crm:\n    base_url: "
       "https://b.example\n",
       "F:4:3: targets.crm: is defined twice"},
      {"targets: [crm]\n", "F:1:10: targets: must be a mapping of target names to settings"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.yaml);
    std::vector<std::string> errors = Errors(c.yaml);
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors[0], c.want);
    for (const std::string& e : errors) {
      EXPECT_EQ(e.find("sekrit"), std::string::npos) << e;
      EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
      EXPECT_EQ(e.find("abc-secret"), std::string::npos) << e;
    }
  }
}

TEST_F(TargetConfigTest, AllErrorsAreReportedAndGoodTargetsStillLoad) {
  ConfigErrors errors;
  std::map<std::string, TargetConfig> out;
  EXPECT_FALSE(
      Load("targets:\n"
           "  good:\n    base_url: https://good.example\n"
           "  bad:\n    base_url: ftp://x\n    timeout_ms: 1\n    colour: red\n",
           &errors, &out));
  EXPECT_EQ(errors.size(), 3u);
  EXPECT_EQ(out.count("good"), 1u);
  EXPECT_EQ(out.count("bad"), 0u);
}

TEST_F(TargetConfigTest, AbsentOrEmptyTargetsAreNoTargets) {
  for (const char* yaml : {"other: 1\n", "targets:\n", "targets: {}\n"}) {
    ConfigErrors errors;
    std::map<std::string, TargetConfig> out;
    EXPECT_TRUE(Load(yaml, &errors, &out)) << yaml;
    EXPECT_TRUE(out.empty());
  }
}

// The example of the configuration reference, with its secrets in temporary files.
TEST_F(TargetConfigTest, DocumentedExampleLoads) {
  std::string yaml =
      "targets:\n"
      "  hubspot:\n"
      "    base_url: \"https://api.hubapi.com/\"\n"
      "    auth:\n"
      "      type: bearer\n"
      "      token_file: " +
      (dir_ / "tok").string() +
      "\n"
      "      use_instance_url: false\n"
      "    timeout_ms: 10000\n"
      "    connect_timeout_ms: 3000\n"
      "    tls:\n"
      "      ca_file: ca.pem\n"
      "      dangerously_skip_verify: true\n"
      "    allow_private: [\"127.0.0.0/8\", \"10.0.0.0/8\"]\n"
      "    rate_limit: {requests: 100, window_ms: 10000, max_concurrency: 4,\n"
      "                 remaining_header: X-HubSpot-RateLimit-Remaining,\n"
      "                 reset_header: X-HubSpot-RateLimit-Interval-Milliseconds,\n"
      "                 reset_format: delta_ms}\n"
      "    retry: {schedule_seconds: [5, 300, 1800, 7200, 18000, 36000, 36000], max_attempts: 8,\n"
      "            max_age_seconds: 108000, jitter: 1.0, min_delay_seconds: 1,\n"
      "            max_delay_seconds: 36000, max_retry_after_seconds: 3600,\n"
      "            rate_limited_delay_seconds: 10}\n"
      "    circuit: {consecutive_failures: 5, failure_ratio: 0.5, ratio_min_requests: 20,\n"
      "              window_ms: 60000, cool_down_ms: 30000}\n"
      "  zendesk:\n"
      "    base_url: https://acme.zendesk.com\n"
      "    auth: {type: basic, username: \"agent@example.com/token\", password_file: pw}\n"
      "  salesforce:\n"
      "    base_url: https://login.salesforce.com\n"
      "    auth:\n"
      "      type: oauth2_refresh_token\n"
      "      token_url: https://login.salesforce.com/services/oauth2/token\n"
      "      client_id: consumer-key\n"
      "      client_secret_file: cs\n"
      "      refresh_token_file: rt\n"
      "      use_instance_url: true\n";
  ConfigErrors errors;
  std::map<std::string, TargetConfig> out;
  ASSERT_TRUE(Load(yaml, &errors, &out)) << errors.front().ToString();
  ASSERT_EQ(out.size(), 3u);
  const TargetConfig& h = out["hubspot"];
  EXPECT_EQ(h.base_url, "https://api.hubapi.com");
  EXPECT_EQ(h.auth.token.Expose(), "tok-123");
  EXPECT_EQ(h.ca_file, (dir_ / "ca.pem").string());  // relative to the config file
  EXPECT_TRUE(h.dangerously_skip_tls_verify);
  EXPECT_EQ(h.allow_private, (std::vector<std::string>{"127.0.0.0/8", "10.0.0.0/8"}));
  EXPECT_EQ(h.address_policy.Check(*IpAddress::Parse("10.1.2.3")), nullptr);
  EXPECT_NE(h.address_policy.Check(*IpAddress::Parse("192.168.1.1")), nullptr);
  EXPECT_EQ(h.rate_limit.requests_per_window, 100);
  EXPECT_EQ(h.rate_limit.window_ms, 10000);
  EXPECT_EQ(h.rate_limit.max_concurrency, 4);
  EXPECT_EQ(h.rate_limit.remaining_header, "X-HubSpot-RateLimit-Remaining");
  EXPECT_EQ(h.rate_limit.reset_format, RateLimitOptions::ResetFormat::kDeltaMilliseconds);
  EXPECT_EQ(h.retry.schedule.size(), 7u);
  EXPECT_EQ(h.retry.schedule[2], seconds(1800));
  EXPECT_EQ(h.retry.max_age, seconds(108000));
  EXPECT_EQ(h.retry.max_delay, seconds(36000));
  EXPECT_DOUBLE_EQ(h.retry.jitter, 1.0);
  EXPECT_DOUBLE_EQ(h.circuit.failure_ratio, 0.5);
  EXPECT_EQ(h.circuit.cool_down_ms, 30000);
  EXPECT_EQ(out["zendesk"].auth.password.Expose(), "pw-456");
  const TargetConfig& s = out["salesforce"];
  EXPECT_TRUE(s.use_instance_url);
  EXPECT_EQ(s.auth.refresh_token.Expose(), "rt-000");
  EXPECT_EQ(s.secret_sources.size(), 2u);
}

}  // namespace
}  // namespace sippet
