// End to end through the real sippet-sync binary: the CLI contract (exit statuses, messages),
// migrate, serve, signals, and events signed by an independent implementation (openssl, in
// scripts/sign-webhook.sh) over real HTTP.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "daemon/http_server.h"
#include "tests/support/fixtures.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_daemon.h"
#include "tests/support/webhook_client.h"

namespace sippet::testing {
namespace {

using nlohmann::json;

const std::string kBinary = SIPPET_BINARY;
const std::string kScripts = std::string(SIPPET_SOURCE_DIR) + "/scripts/";

uint16_t FreePort() {
  Poco::Net::ServerSocket s = BindListener("127.0.0.1", 0);
  uint16_t port = s.address().port();
  s.close();
  return port;
}

class BinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = "/tmp/sippet-bin-" + std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::create_directories(dir_);
    WriteFile(dir_ + "/secrets", std::string(kTestSecret) + "\n");
    port_ = FreePort();
    db_url_ = PgCluster::Shared().CreateDatabase();
    WriteConfig("");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void WriteConfig(const std::string& extra) {
    WriteFile(config(), "database:\n  url: \"" + db_url_ + "\"\nserver:\n  listen: \"127.0.0.1:" +
                            std::to_string(port_) +
                            "\"\nendpoints:\n  - path: /webhooks/sippet\n    environment: live\n"
                            "    secrets_file: secrets\n" + extra);
  }
  std::string config() const { return dir_ + "/sippet-sync.yaml"; }
  CommandResult Cli(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    std::vector<std::string> argv = {kBinary};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, env);
  }
  // Starts `serve` and waits until /readyz answers 200 (or the process dies).
  std::unique_ptr<Subprocess> Serve() {
    auto p = std::make_unique<Subprocess>(
        std::vector<std::string>{kBinary, "serve", "--config", config()},
        std::vector<std::string>{}, dir_ + "/serve.log");
    for (int i = 0; i < 500; ++i) {
      if (p->Wait(0) != -1) break;
      try {
        if (HttpRequest(port_, "GET", "/readyz", {}, "").status == 200) return p;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << "serve did not become ready:\n" << p->Log();
    return p;
  }
  std::string dir_, db_url_;
  uint16_t port_ = 0;
};

TEST_F(BinaryTest, HelpVersionAndUsageErrors) {
  CommandResult help = Cli({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("serve --config FILE"), std::string::npos);
  CommandResult version = Cli({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.output, "sippet-sync " SIPPET_SYNC_VERSION "\n");
  CommandResult bad = Cli({"serve"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.output.find("serve needs --config FILE"), std::string::npos);
}

TEST_F(BinaryTest, CheckConfigReportsFileLineAndKeyWithExitStatus2) {
  EXPECT_EQ(Cli({"check-config", "--config", config()}).exit_code, 0);
  WriteConfig("    organisation_id: [org_1]\n");
  CommandResult r = Cli({"check-config", "--config", config()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find(config() + ":9:5: endpoints[0].organisation_id: unknown key"),
            std::string::npos)
      << r.output;
  CommandResult missing = Cli({"check-config", "--config", dir_ + "/nope.yaml"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("nope.yaml: cannot read the configuration file"), std::string::npos);
}

TEST_F(BinaryTest, ServeRefusesAnUnmigratedDatabaseAndMigrateIsIdempotent) {
  CommandResult early = Cli({"serve", "--config", config()});
  EXPECT_EQ(early.exit_code, 1);
  EXPECT_NE(early.output.find("run: sippet-sync migrate --config"), std::string::npos) << early.output;
  CommandResult first = Cli({"migrate", "--config", config()});
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("applied 0001_init.sql"), std::string::npos);
  CommandResult second = Cli({"migrate", "--config", config()});
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_NE(second.output.find("schema is up to date"), std::string::npos);
}

TEST_F(BinaryTest, DatabaseUrlFromEnvironmentAndPasswordsNeverPrinted) {
  CommandResult r = Cli({"migrate", "--config", config()},
                        {"SIPPET_SYNC_DATABASE_URL=postgresql://app:hunter2@127.0.0.1:1/none"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("postgresql://app:***@127.0.0.1:1/none"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("hunter2"), std::string::npos);
}

TEST_F(BinaryTest, IndependentSignerMatchesTheReferenceVectors) {
  json vectors = json::parse(ReadFixture("signing-vectors.json"));
  for (const json& v : vectors["valid"]) {
    WriteFile(dir_ + "/vector-secret", v["secret"].get<std::string>() + "\n");
    WriteFile(dir_ + "/vector-body", v["payload"].get<std::string>());
    CommandResult r = RunProcess({"/bin/sh", "-c",
                           kScripts + "sign-webhook.sh " + dir_ + "/vector-secret " +
                               v["id"].get<std::string>() + " " + std::to_string(v["timestamp"].get<int64_t>()) +
                               " < " + dir_ + "/vector-body"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(r.output, v["signature"].get<std::string>() + "\n");
  }
}

TEST_F(BinaryTest, ServeStoresEventsSignedByAnIndependentImplementationAndDrainsOnSigterm) {
  ASSERT_EQ(Cli({"migrate", "--config", config()}).exit_code, 0);
  std::unique_ptr<Subprocess> serve = Serve();
  std::vector<std::string> argv = {kScripts + "send-events.sh",
                                   "http://127.0.0.1:" + std::to_string(port_) + "/webhooks/sippet",
                                   dir_ + "/secrets"};
  int live = 0;
  for (const std::string& name : EventFixtureNames()) {
    if (name.rfind("sandbox.", 0) == 0) continue;
    argv.push_back(std::string(SIPPET_TEST_FIXTURES_DIR) + "/events/" + name);
    ++live;
  }
  CommandResult sent = RunProcess(argv);
  EXPECT_EQ(sent.exit_code, 0) << sent.output;
  pqxx::connection db(db_url_);
  pqxx::nontransaction tx(db);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM sippet_events")[0].as<int>(), live);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM staging_contacts")[0].as<int>(), 1);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM rejected_requests")[0].as<int>(), 0);

  serve->Signal(SIGTERM);
  EXPECT_EQ(serve->Wait(20000), 0) << serve->Log();
  EXPECT_NE(serve->Log().find("received SIGTERM, draining"), std::string::npos);
  EXPECT_EQ(serve->Log().find("MfKQ9r8G"), std::string::npos);  // no secret in logs
}

TEST_F(BinaryTest, MapShowsEachPresetsRequestsWithCredentialsMasked) {
  // The shipped presets, with targets whose secrets are test files.
  for (const char* f : {"hubspot-token", "sf-secret", "zd-token", "rest-key"})
    WriteFile(dir_ + "/" + f, "super-secret-value\n");
  WriteConfig("mappings_dir: " + std::string(SIPPET_SOURCE_DIR) + "/config/mappings.d\n"
              "targets:\n"
              "  hubspot: {base_url: https://api.hubapi.com, auth: {type: bearer, token_file: hubspot-token}}\n"
              "  salesforce:\n    base_url: https://login.salesforce.com\n"
              "    auth: {type: oauth2_client_credentials, token_url: https://login.salesforce.com/services/oauth2/token,"
              " client_id: cid, client_secret_file: sf-secret}\n"
              "  zendesk: {base_url: https://acme.zendesk.com, auth: {type: basic, username: a@b.c/token, password_file: zd-token}}\n"
              "  crm_rest: {base_url: https://crm.example.com/api, auth: {type: api_key, header: X-API-Key, key_file: rest-key}}\n");
  struct Case {
    std::string mapping, event;
    std::vector<std::string> want;
  } cases[] = {
      {"hubspot-contacts", "contact.updated.json",
       {"POST https://api.hubapi.com/crm/v3/objects/contacts/batch/upsert", "Authorization: Bearer ***",
        "\"idProperty\": \"email\"", "\"phone\": \"+44 20 7946 0999\""}},
      {"salesforce-contacts", "contact.created.json",
       {"PATCH https://login.salesforce.com/services/data/v60.0/sobjects/Contact/Sippet_Id__c/con_8812",
        "\"LastName\": \"Lovelace\""}},
      {"zendesk-users", "contact.created.json",
       {"POST https://acme.zendesk.com/api/v2/users/create_or_update", "Authorization: Basic ***",
        "\"external_id\": \"con_8812\""}},
      {"zendesk-tickets", "conversation.updated.json",
       {"GET https://acme.zendesk.com/api/v2/tickets?external_id=cnv_5501",
        "POST https://acme.zendesk.com/api/v2/tickets", "Idempotency-Key: ",
        "PUT https://acme.zendesk.com/api/v2/tickets/<external-id>", "\"status\": \"solved\""}},
      {"rest-contacts", "contact.created.json",
       {"GET https://crm.example.com/api/contacts?sippet_id=con_8812", "POST https://crm.example.com/api/contacts",
        "PATCH https://crm.example.com/api/contacts/<external-id>", "X-API-Key: ***"}},
      {"rest-email-classifications", "email.classification.updated.json",
       {"\"label\": \"billing.invoice_question\"", "\"label_source\": \"manual\""}},
      {"salesforce-contacts", "contact.deleted.json",
       {"DELETE https://login.salesforce.com/services/data/v60.0/sobjects/Contact/%3Cexternal-id%3E"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.mapping + " " + c.event);
    CommandResult r = Cli({"map", "--config", config(), "--mapping", c.mapping, "--event",
                           std::string(SIPPET_TEST_FIXTURES_DIR) + "/events/" + c.event});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    for (const std::string& w : c.want) EXPECT_NE(r.output.find(w), std::string::npos) << w << "\n" << r.output;
    EXPECT_EQ(r.output.find("super-secret-value"), std::string::npos);
  }
  CommandResult unknown = Cli({"map", "--config", config(), "--mapping", "nope", "--event", "x.json"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("no mapping named 'nope' (known: hubspot-contacts"), std::string::npos);
  CommandResult pending = Cli({"map", "--config", config(), "--mapping", "rest-email-classifications", "--event",
                               std::string(SIPPET_TEST_FIXTURES_DIR) + "/events/email.classification.created.json"});
  EXPECT_EQ(pending.exit_code, 0);
  EXPECT_NE(pending.output.find("skipped: condition 'when' is false"), std::string::npos) << pending.output;
}

TEST_F(BinaryTest, SighupReloadsRotatedSecretsAndKeepsTheOldConfigOnError) {
  ASSERT_EQ(Cli({"migrate", "--config", config()}).exit_code, 0);
  std::unique_ptr<Subprocess> serve = Serve();
  const std::string fresh = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
  std::string body = ReadFixture("events/contact.created.json");
  auto post_with = [&](const std::string& secret) {
    return HttpRequest(port_, "POST", "/webhooks/sippet",
                       SignedHeaders(secret, "msg_hup", NowSeconds(), body), body)
        .status;
  };
  EXPECT_EQ(post_with(fresh), 401);
  WriteFile(dir_ + "/secrets", fresh + "\n");
  serve->Signal(SIGHUP);
  int status = 0;
  for (int i = 0; i < 200 && (status = post_with(fresh)) != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(status, 200) << serve->Log();
  // A broken file on reload is refused and the running config stays.
  WriteConfig("    bogus_key: 1\n");
  serve->Signal(SIGHUP);
  for (int i = 0; i < 200 && serve->Log().find("reload refused") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(serve->Log().find("endpoints[0].bogus_key: unknown key"), std::string::npos) << serve->Log();
  body = ReadFixture("events/contact.updated.json");
  EXPECT_EQ(post_with(fresh), 200);
  serve->Signal(SIGTERM);
  EXPECT_EQ(serve->Wait(20000), 0);
}

}  // namespace
}  // namespace sippet::testing
