#include "mappers/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace sippet {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sippet-config-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    Write("secrets", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
    unsetenv("SIPPET_SYNC_DATABASE_URL");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  std::unique_ptr<Config> Load(const std::string& yaml, ConfigErrors* errors) {
    return LoadConfigFromString(yaml, (dir_ / "sippet-sync.yaml").string(), errors);
  }
  // Loads `yaml`, expecting failure; returns the errors as printed.
  std::vector<std::string> Errors(const std::string& yaml) {
    ConfigErrors errors;
    EXPECT_EQ(Load(yaml, &errors), nullptr);
    std::vector<std::string> out;
    std::string prefix = (dir_ / "sippet-sync.yaml").string();
    for (const auto& e : errors) {
      std::string s = e.ToString();
      if (s.rfind(prefix, 0) == 0) s = "F" + s.substr(prefix.size());
      out.push_back(s);
    }
    return out;
  }
  std::filesystem::path dir_;
};

constexpr const char* kMinimal =
    "database:\n"
    "  url: postgresql://u@h/db\n"
    "endpoints:\n"
    "  - path: /webhooks/sippet\n"
    "    secrets_file: secrets\n";

TEST_F(ConfigTest, MinimalConfigGetsDocumentedDefaults) {
  ConfigErrors errors;
  auto c = Load(kMinimal, &errors);
  ASSERT_NE(c, nullptr) << errors.front().ToString();
  EXPECT_EQ(c->server.listen_host, "127.0.0.1");
  EXPECT_EQ(c->server.listen_port, 8080);
  EXPECT_EQ(c->server.max_body_bytes, 1048576);
  ASSERT_EQ(c->endpoints.size(), 1u);
  EXPECT_EQ(c->endpoints[0].environment, Environment::kLive);
  EXPECT_EQ(c->endpoints[0].timestamp_tolerance_seconds, 300);
  EXPECT_EQ(c->endpoints[0].keys.size(), 1u);
  EXPECT_EQ(c->database.url.Expose(), "postgresql://u@h/db");
  EXPECT_EQ(c->logging.format, "text");
}

TEST_F(ConfigTest, ErrorsNameFileLineColumnAndKey) {
  struct Case {
    std::string yaml;
    std::string want;
  } cases[] = {
      {std::string(kMinimal) + "serevr:\n  listen: x\n", "F:6:1: serevr: unknown key"},
      {std::string(kMinimal) + "    environmnet: live\n",
       "F:6:5: endpoints[0].environmnet: unknown key"},
      {std::string(kMinimal) + "    environment: staging\n",
       "F:6:18: endpoints[0].environment: must be one of live, sandbox, got 'staging'"},
      {std::string(kMinimal) + "    timestamp_tolerance_seconds: -5\n",
       "F:6:34: endpoints[0].timestamp_tolerance_seconds: must be between 1 and 86400, got -5"},
      {std::string(kMinimal) + "server:\n  max_body_bytes: lots\n",
       "F:7:19: server.max_body_bytes: must be a whole number"},
      {std::string(kMinimal) + "server:\n  listen: localhost\n",
       "F:7:11: server.listen: must be HOST:PORT (e.g. 127.0.0.1:8080 or [::1]:8080), got 'localhost'"},
      {std::string(kMinimal) + "    secret: whsec_abc\n",
       "F:6:5: endpoints[0].secret: unknown key (secrets are never inline: use a *_file, *_env "
       "or *_credential key)"},
      {"database:\n  url: x\nendpoints:\n  - path: webhooks\n    secrets_file: secrets\n",
       "F:4:11: endpoints[0].path: must start with '/'"},
      {"database:\n  url: x\nendpoints: []\n", "F:3:12: endpoints: needs at least one entry in endpoints"},
      {"database:\n  url: x\nendpoints:\n  - path: /a\n",
       "F:4:5: endpoints[0]: needs one of secrets_file, secrets_env or secrets_credential"},
      {"database:\n  url: [1\n", "F:3:1: invalid YAML: end of sequence flow not found"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.yaml);
    std::vector<std::string> errors = Errors(c.yaml);
    ASSERT_FALSE(errors.empty());
    EXPECT_EQ(errors[0], c.want);
  }
}

TEST_F(ConfigTest, AllErrorsAreReportedNotJustTheFirst) {
  auto errors = Errors("databse: {}\nserver:\n  max_connections: 0\nendpoints:\n  - path: /a\n");
  EXPECT_GE(errors.size(), 4u);  // unknown key, missing url, range, missing secrets
}

TEST_F(ConfigTest, MalformedSecretsAreConfigErrorsThatDoNotLeakThem) {
  struct Case {
    std::string file, fragment;
  } cases[] = {
      {"whsec_not*base64!\n", "line 1: secret is not valid base64"},
      {"# rotated\n\nwhsec_c2hvcnQ=\n", "line 3: secret decodes to 5 bytes"},
      {"\n# nothing\n", "holds no secret"},
  };
  for (const Case& c : cases) {
    Write("bad-secrets", c.file);
    std::string yaml = "database:\n  url: x\nendpoints:\n  - path: /a\n    secrets_file: bad-secrets\n";
    auto errors = Errors(yaml);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].find("F:5:19: endpoints[0].secrets_file: file "), std::string::npos) << errors[0];
    EXPECT_NE(errors[0].find(c.fragment), std::string::npos) << errors[0];
    EXPECT_EQ(errors[0].find("not*base64"), std::string::npos);
    EXPECT_EQ(errors[0].find("c2hvcnQ"), std::string::npos);
  }
}

TEST_F(ConfigTest, SecretsFromEnvironmentAndCredentialsDirectory) {
  setenv("SIPPET_TEST_SECRETS", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", 1);
  std::filesystem::create_directories(dir_ / "creds");
  Write("creds/hooks", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
  setenv("CREDENTIALS_DIRECTORY", (dir_ / "creds").c_str(), 1);
  ConfigErrors errors;
  auto c = Load("database:\n  url: x\nendpoints:\n"
                "  - path: /a\n    secrets_env: SIPPET_TEST_SECRETS\n"
                "  - path: /b\n    secrets_credential: hooks\n",
                &errors);
  ASSERT_NE(c, nullptr) << errors.front().ToString();
  EXPECT_EQ(c->endpoints[0].keys.size(), 2u);
  EXPECT_EQ(c->endpoints[1].keys.size(), 1u);
  unsetenv("CREDENTIALS_DIRECTORY");
  auto missing = Errors("database:\n  url: x\nendpoints:\n  - path: /b\n    secrets_credential: hooks\n");
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_NE(missing[0].find("$CREDENTIALS_DIRECTORY is not set"), std::string::npos);
  unsetenv("SIPPET_TEST_SECRETS");
}

TEST_F(ConfigTest, DatabaseUrlFromFileAndEnvironmentOverride) {
  Write("db-url", "postgresql://app:pw@db/sippet\n");
  ConfigErrors errors;
  auto c = Load("database:\n  url_file: db-url\nendpoints:\n  - path: /a\n    secrets_file: secrets\n", &errors);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->database.url.Expose(), "postgresql://app:pw@db/sippet");
  setenv("SIPPET_SYNC_DATABASE_URL", "postgresql://env@h/e", 1);
  auto d = Load(kMinimal, &errors);
  unsetenv("SIPPET_SYNC_DATABASE_URL");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->database.url.Expose(), "postgresql://env@h/e");
  // Without url and without the variable, the message says what to do.
  auto e = Errors("endpoints:\n  - path: /a\n    secrets_file: secrets\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_NE(e[0].find("database.url: is required"), std::string::npos) << e[0];
}

TEST_F(ConfigTest, DuplicateAndReservedPathsAreRefused) {
  auto errors = Errors("database:\n  url: x\nendpoints:\n"
                       "  - path: /a\n    secrets_file: secrets\n"
                       "  - path: /a\n    secrets_file: secrets\n"
                       "  - path: /healthz\n    secrets_file: secrets\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("endpoints[1].path: '/a' is used by another endpoint"), std::string::npos);
  EXPECT_NE(errors[1].find("endpoints[2].path: '/healthz' is reserved"), std::string::npos);
}

TEST_F(ConfigTest, ShippedExampleConfigsParse) {
  // The production example, with its /etc/sippet-sync files and credentials provided here.
  std::ifstream in(std::string(SIPPET_SOURCE_DIR) + "/config/sippet-sync.yaml");
  std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string etc = (dir_ / "etc").string();
  std::filesystem::create_directories(dir_ / "etc");
  std::filesystem::create_directories(dir_ / "creds");
  for (size_t at; (at = yaml.find("/etc/sippet-sync")) != std::string::npos;) yaml.replace(at, 16, etc);
  yaml.replace(yaml.find("mappings_dir: mappings.d"), 24,
               "mappings_dir: " + std::string(SIPPET_SOURCE_DIR) + "/config/mappings.d");
  Write("etc/webhook-secrets", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
  for (const char* f : {"salesforce-client-id", "salesforce-client-secret", "zendesk-api-token",
                        "crm-rest-key"}) {
    Write(std::string("etc/") + f, "example-value\n");
  }
  Write("creds/hubspot-token", "pat-example\n");
  setenv("CREDENTIALS_DIRECTORY", (dir_ / "creds").c_str(), 1);
  ConfigErrors errors;
  auto c = Load(yaml, &errors);
  unsetenv("CREDENTIALS_DIRECTORY");
  for (const auto& e : errors) ADD_FAILURE() << e.ToString();
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->targets.size(), 4u);
  EXPECT_EQ(c->mappings.size(), 6u);
  EXPECT_EQ(c->endpoints.size(), 1u);

  ConfigErrors demo_errors;
  auto demo = LoadConfig(std::string(SIPPET_SOURCE_DIR) + "/config/demo/sippet-sync.yaml", &demo_errors);
  ASSERT_NE(demo, nullptr) << demo_errors.front().ToString();
  EXPECT_EQ(demo->endpoints.size(), 2u);
  EXPECT_EQ(demo->mappings.size(), 6u);
}

TEST(MaskDatabaseUrlTest, HidesPasswordsInEveryForm) {
  EXPECT_EQ(MaskDatabaseUrl("postgresql://app:s3cret@db:5432/x"), "postgresql://app:***@db:5432/x");
  EXPECT_EQ(MaskDatabaseUrl("postgresql://app@db/x"), "postgresql://app@db/x");
  EXPECT_EQ(MaskDatabaseUrl("host=db password=s3cret user=app"), "host=db password=*** user=app");
  EXPECT_EQ(MaskDatabaseUrl("postgresql://db/x?user=a&password=s3cret"), "postgresql://db/x?user=a&password=***");
}

}  // namespace
}  // namespace sippet
