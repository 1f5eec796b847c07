// Ingest against a real PostgreSQL: every guarantee of DESIGN §2 that ingest owns (G1, G2, G3,
// G6), through real HTTP into the real App.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/fixtures.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/test_daemon.h"
#include "tests/support/webhook_client.h"

namespace sippet::testing {
namespace {

using nlohmann::json;

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<TestDaemon>(PgCluster::Shared().CreateMigratedDatabase());
  }
  HttpResult Post(const std::string& body, const std::string& path = "/webhooks/sippet") {
    return PostSigned(daemon_->port(), path, body);
  }
  std::string Q(const std::string& sql) { return daemon_->Scalar(sql); }
  std::unique_ptr<TestDaemon> daemon_;
};

TEST_F(IngestTest, EveryFixtureEventIsAcceptedAndStoredRawExactly) {
  int live = 0;
  for (const std::string& name : EventFixtureNames()) {
    SCOPED_TRACE(name);
    std::string body = ReadFixture("events/" + name);
    bool sandbox = name.rfind("sandbox.", 0) == 0;
    HttpResult r = Post(body, sandbox ? "/webhooks/sandbox" : "/webhooks/sippet");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["duplicate"], false);
    std::string id = json::parse(body)["id"];
    EXPECT_EQ(r.json["id"], id);
    // The raw bytes are stored as received, never re-serialised.
    pqxx::nontransaction tx(daemon_->db());
    pqxx::result row = tx.exec_params(
        "SELECT raw_body, payload->>'type', endpoint FROM sippet_events WHERE event_id = $1", id);
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(pqxx::binarystring(row[0][0]).str(), body);
    EXPECT_EQ(row[0][1].as<std::string>(), json::parse(body)["type"].get<std::string>());
    live += sandbox ? 0 : 1;
  }
  EXPECT_EQ(Q("SELECT count(*) FROM sippet_events"), std::to_string(EventFixtureNames().size()));
  EXPECT_EQ(Q("SELECT count(*) FROM rejected_requests"), "0");
}

TEST_F(IngestTest, EmailClassificationIsStagedWithTypedColumns) {
  ASSERT_EQ(Post(ReadFixture("events/email.classification.classified.json")).status, 200);
  pqxx::nontransaction tx(daemon_->db());
  pqxx::row r = tx.exec1(
      "SELECT estimated_cost = 0.000412::numeric, pg_typeof(estimated_cost)::text,"
      "       predicted_confidence = 0.93::numeric, pg_typeof(predicted_confidence)::text,"
      "       (token_usage->>'total_tokens')::int, pg_typeof(token_usage)::text,"
      "       classified_at = '2026-11-30T09:12:05.481Z'::timestamptz,"
      "       pg_typeof(classified_at)::text, effective_label, effective_source, status,"
      "       overridden_at IS NULL, communication_message_id, provider, model,"
      "       taxonomy_version, prompt_version, provider_response_id, last_error IS NULL,"
      "       inserted_at = '2026-11-30T09:12:03.120Z'::timestamptz, data->>'id'"
      "  FROM staging_email_classifications WHERE record_id = 'ecl_01JCZ8Q4'");
  EXPECT_TRUE(r[0].as<bool>());
  EXPECT_EQ(r[1].as<std::string>(), "numeric");
  EXPECT_TRUE(r[2].as<bool>());
  EXPECT_EQ(r[3].as<std::string>(), "numeric");
  EXPECT_EQ(r[4].as<int>(), 826);
  EXPECT_EQ(r[5].as<std::string>(), "jsonb");
  EXPECT_TRUE(r[6].as<bool>());
  EXPECT_EQ(r[7].as<std::string>(), "timestamp with time zone");
  EXPECT_EQ(r[8].as<std::string>(), "billing.refund_request");
  EXPECT_EQ(r[9].as<std::string>(), "model");
  EXPECT_EQ(r[10].as<std::string>(), "classified");
  EXPECT_TRUE(r[11].as<bool>());
  EXPECT_EQ(r[12].as<std::string>(), "msg_01JCZ8PX");
  EXPECT_EQ(r[13].as<std::string>(), "openai");
  EXPECT_EQ(r[14].as<std::string>(), "gpt-4.1-mini");
  EXPECT_EQ(r[15].as<std::string>(), "support-2026-04");
  EXPECT_EQ(r[16].as<std::string>(), "v7");
  EXPECT_EQ(r[17].as<std::string>(), "resp_9a8b7c");
  EXPECT_TRUE(r[18].as<bool>());
  EXPECT_TRUE(r[19].as<bool>());
  EXPECT_EQ(r[20].as<std::string>(), "ecl_01JCZ8Q4");
}

TEST_F(IngestTest, ClassificationLifecycleConvergesOnTheManualOverrideWhateverTheOrder) {
  // Newest first, then the older ones: the override (newest updated_at) must stay.
  for (const char* f : {"email.classification.updated.json", "email.classification.created.json",
                        "email.classification.failed-status.json",
                        "email.classification.classified.json"}) {
    ASSERT_EQ(Post(ReadFixture(std::string("events/") + f)).status, 200) << f;
  }
  EXPECT_EQ(Q("SELECT effective_label || '/' || effective_source || '/' || overridden_by_user_id "
              "FROM staging_email_classifications"),
            "billing.invoice_question/manual/usr_0042");
  EXPECT_EQ(Q("SELECT count(*) FROM sippet_events WHERE status = 'superseded'"), "3");
  EXPECT_EQ(Q("SELECT last_event_id FROM staging_email_classifications"), "evt_01JCZB1C3D");
}

TEST_F(IngestTest, ContactUpdatedBeforeCreatedKeepsTheNewerState) {
  ASSERT_EQ(Post(ReadFixture("events/contact.updated.json")).status, 200);
  HttpResult created = Post(ReadFixture("events/contact.created.json"));
  ASSERT_EQ(created.status, 200);
  EXPECT_EQ(created.json["status"], "superseded");
  EXPECT_EQ(Q("SELECT data->>'phone' FROM staging_contacts WHERE record_id = 'con_8812'"),
            "+44 20 7946 0999");
  EXPECT_EQ(Q("SELECT jsonb_array_length(data->'tags') FROM staging_contacts"), "3");
  EXPECT_EQ(Q("SELECT last_event_type FROM staging_contacts"), "contact.updated");
}

TEST_F(IngestTest, ContactDeletedMarksTheRowAndKeepsItsData) {
  ASSERT_EQ(Post(ReadFixture("events/contact.created.json")).status, 200);
  ASSERT_EQ(Post(ReadFixture("events/contact.deleted.json")).status, 200);
  // A late, older update cannot resurrect it.
  HttpResult late = Post(ReadFixture("events/contact.updated.json"));
  EXPECT_EQ(late.json["status"], "superseded");
  EXPECT_EQ(Q("SELECT deleted::text || ' ' || (deleted_at = '2026-12-01T12:00:00Z') || ' ' || "
              "(data->>'email') FROM staging_contacts"),
            "true true Ada.Lovelace@Example.com");
}

TEST_F(IngestTest, EqualTimestampsAreOrderedByEventId) {
  json a = json::parse(ReadFixture("events/conversation.updated.json"));
  json b = a;
  a["id"] = "evt_B";
  a["data"]["status"] = "from_b";
  b["id"] = "evt_A";
  b["data"]["status"] = "from_a";
  ASSERT_EQ(Post(a.dump()).status, 200);
  ASSERT_EQ(Post(b.dump()).status, 200);
  EXPECT_EQ(Q("SELECT data->>'status' FROM staging_conversations"), "from_b");
}

TEST_F(IngestTest, SameEventTwentyTimesConcurrentlyMakesOneRow) {
  std::string body = ReadFixture("events/contact.created.json");
  std::vector<HttpResult> results(20);
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] { results[i] = Post(body); });
  }
  for (auto& t : threads) t.join();
  int ok = 0, duplicates = 0;
  for (const HttpResult& r : results) {
    ok += r.status == 200;
    duplicates += r.json.is_object() && r.json["duplicate"] == true;
  }
  EXPECT_EQ(ok, 20);
  EXPECT_EQ(duplicates, 19);
  EXPECT_EQ(Q("SELECT count(*) FROM sippet_events"), "1");
  EXPECT_EQ(Q("SELECT count(*) FROM staging_contacts"), "1");
}

TEST_F(IngestTest, RedeliveryIsADuplicateThatChangesNothing) {
  std::string body = ReadFixture("events/contact.created.json");
  ASSERT_EQ(Post(body).json["duplicate"], false);
  std::string staged_at = Q("SELECT staged_at::text FROM staging_contacts");
  HttpResult again = Post(body);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json["duplicate"], true);
  EXPECT_EQ(again.json["status"], "staged");
  EXPECT_EQ(Q("SELECT staged_at::text FROM staging_contacts"), staged_at);
  EXPECT_EQ(Q("SELECT count(*) FROM sippet_events"), "1");
}

TEST_F(IngestTest, UnknownTypesVersionsAndFamiliesAreStoredNotDropped) {
  json unknown_type = json::parse(ReadFixture("events/contact.created.json"));
  unknown_type["id"] = "evt_unknown_type";
  unknown_type["type"] = "invoice.paid";
  json unknown_version = json::parse(ReadFixture("events/contact.created.json"));
  unknown_version["id"] = "evt_unknown_version";
  unknown_version["version"] = "2027-01-01";
  struct Case {
    std::string body, status;
  } cases[] = {{unknown_type.dump(), "unmapped"},
               {unknown_version.dump(), "unsupported_version"},
               {ReadFixture("events/call.completed.json"), "stored"}};
  for (const Case& c : cases) {
    HttpResult r = Post(c.body);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.json["status"], c.status);
  }
  EXPECT_EQ(Q("SELECT count(*) FROM sippet_events"), "3");
  EXPECT_EQ(Q("SELECT count(*) FROM staging_contacts"), "0");
}

TEST_F(IngestTest, MistypedClassificationDataIsKeptAsInvalidData) {
  json e = json::parse(ReadFixture("events/email.classification.classified.json"));
  e["data"]["predicted_confidence"] = "high";
  HttpResult r = Post(e.dump());
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json["status"], "invalid_data");
  EXPECT_EQ(Q("SELECT status_detail FROM sippet_events"),
            "data.predicted_confidence must be a number or null");
  EXPECT_EQ(Q("SELECT count(*) FROM staging_email_classifications"), "0");
}

TEST_F(IngestTest, NulCharactersAreKeptRawEvenThoughJsonbCannotHoldThem) {
  std::string body = ReadFixture("events/contact.created.json");
  body.replace(body.find("Ada Lovelace"), 12, "Ada\\u0000Lovelace");
  HttpResult r = Post(body);
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Q("SELECT (payload IS NULL)::text || ' ' || length(raw_body) FROM sippet_events"),
            "true " + std::to_string(body.size()));
}

struct Refusal {
  std::string name;
  std::string path;
  std::function<Headers(const std::string& body)> headers;
  std::string body;
  int status;
  std::string code;
};

TEST_F(IngestTest, EveryRefusalAnswersItsStatusAndLeavesARejectedRow) {
  std::string good = ReadFixture("events/contact.created.json");
  auto signed_now = [](const std::string& b) { return SignedHeaders(kTestSecret, "msg_r", NowSeconds(), b); };
  json no_org = json::parse(good);
  no_org.erase("organisation_id");
  json other_org = json::parse(good);
  other_org["organisation_id"] = "org_intruder";
  json bad_time = json::parse(good);
  bad_time["occurred_at"] = "yesterday";
  json data_list = json::parse(good);
  data_list["data"] = json::array();
  std::vector<Refusal> cases = {
      {"bad signature", "/webhooks/sippet",
       [&](const std::string& b) {
         Headers h = signed_now(b);
         h[2].second = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
         return h;
       },
       good, 401, "invalid_signature"},
      {"no signature headers", "/webhooks/sippet", [](const std::string&) { return Headers{}; },
       good, 401, "missing_signature_headers"},
      {"non-numeric timestamp", "/webhooks/sippet",
       [&](const std::string& b) {
         Headers h = signed_now(b);
         h[1].second = "soon";
         return h;
       },
       good, 401, "invalid_timestamp"},
      {"timestamp 301 s old", "/webhooks/sippet",
       [&](const std::string& b) { return SignedHeaders(kTestSecret, "m", NowSeconds() - 400, b); },
       good, 401, "timestamp_out_of_tolerance"},
      {"timestamp in the future", "/webhooks/sippet",
       [&](const std::string& b) { return SignedHeaders(kTestSecret, "m", NowSeconds() + 400, b); },
       good, 401, "timestamp_out_of_tolerance"},
      {"signed garbage", "/webhooks/sippet", signed_now, "{not json", 400, "invalid_json"},
      {"no organisation", "/webhooks/sippet", signed_now, no_org.dump(), 422, "invalid_envelope"},
      {"bad occurred_at", "/webhooks/sippet", signed_now, bad_time.dump(), 422, "invalid_envelope"},
      {"data not an object", "/webhooks/sippet", signed_now, data_list.dump(), 422, "invalid_envelope"},
      {"json array", "/webhooks/sippet", signed_now, "[1,2]", 422, "invalid_envelope"},
      {"other organisation", "/webhooks/sippet", signed_now, other_org.dump(), 403,
       "organisation_not_allowed"},
      {"sandbox event on live endpoint", "/webhooks/sippet", signed_now,
       ReadFixture("events/sandbox.contact.created.json"), 422, "environment_mismatch"},
      {"live event on sandbox endpoint", "/webhooks/sandbox", signed_now, good, 422,
       "environment_mismatch"},
      {"unknown path", "/webhooks/nope", signed_now, good, 404, "not_found"},
  };
  int expected_rows = 0;
  for (const Refusal& c : cases) {
    SCOPED_TRACE(c.name);
    HttpResult r = HttpRequest(daemon_->port(), "POST", c.path, c.headers(c.body), c.body);
    EXPECT_EQ(r.status, c.status) << r.body;
    EXPECT_EQ(r.json["error"], c.code) << r.body;
    EXPECT_TRUE(r.json["message"].is_string() && !r.json["message"].get<std::string>().empty());
    ++expected_rows;
    pqxx::nontransaction tx(daemon_->db());
    pqxx::row row = tx.exec1("SELECT http_status, reason, body_bytes, endpoint, headers::text,"
                             " body_prefix FROM rejected_requests ORDER BY id DESC LIMIT 1");
    EXPECT_EQ(row[0].as<int>(), c.status);
    EXPECT_EQ(row[1].as<std::string>(), c.code);
    EXPECT_EQ(row[2].as<int64_t>(), static_cast<int64_t>(c.body.size()));
    EXPECT_EQ(row[3].as<std::string>(), c.path);
    EXPECT_EQ(pqxx::binarystring(row[5]).str(), c.body.substr(0, 4096));
  }
  EXPECT_EQ(Q("SELECT count(*) FROM rejected_requests"), std::to_string(expected_rows));
  EXPECT_EQ(Q("SELECT count(*) FROM sippet_events"), "0");
  // No secret anywhere in what was recorded.
  EXPECT_EQ(Q("SELECT count(*) FROM rejected_requests WHERE headers::text LIKE '%MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw%'"
              " OR message LIKE '%MfKQ9r8G%' OR encode(body_prefix, 'escape') LIKE '%MfKQ9r8G%'"),
            "0");
}

TEST_F(IngestTest, CredentialHeadersAreMaskedInRejectedRows) {
  Headers h = {{"Authorization", "Bearer hunter2-token"}, {"X-Api-Key", "k-123"},
               {"Cookie", "session=abc"}, {"webhook-id", "msg_x"}};
  HttpResult r = HttpRequest(daemon_->port(), "POST", "/webhooks/sippet", h, "{}");
  EXPECT_EQ(r.status, 401);
  std::string headers = Q("SELECT headers::text FROM rejected_requests");
  EXPECT_EQ(headers.find("hunter2"), std::string::npos) << headers;
  EXPECT_EQ(headers.find("k-123"), std::string::npos) << headers;
  EXPECT_EQ(headers.find("session=abc"), std::string::npos) << headers;
  EXPECT_NE(headers.find("\"authorization\": \"***\""), std::string::npos) << headers;
  EXPECT_EQ(Q("SELECT webhook_id FROM rejected_requests"), "msg_x");
}

TEST_F(IngestTest, WrongMethodIs405AndRecorded) {
  HttpResult r = HttpRequest(daemon_->port(), "GET", "/webhooks/sippet", {}, "");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.json["error"], "method_not_allowed");
  EXPECT_EQ(Q("SELECT reason FROM rejected_requests"), "method_not_allowed");
}

TEST_F(IngestTest, RotatedOldSecretStillVerifies) {
  std::string body = ReadFixture("events/contact.created.json");
  Headers h = SignedHeaders("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", "msg_old",
                            NowSeconds(), body);
  EXPECT_EQ(HttpRequest(daemon_->port(), "POST", "/webhooks/sippet", h, body).status, 200);
}

TEST_F(IngestTest, HealthAndReadiness) {
  EXPECT_EQ(HttpRequest(daemon_->port(), "GET", "/healthz", {}, "").status, 200);
  HttpResult ready = HttpRequest(daemon_->port(), "GET", "/readyz", {}, "");
  EXPECT_EQ(ready.status, 200) << ready.body;
}

class BodyLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestDaemonOptions o;
    o.extra_server_yaml = "  max_body_bytes: 2048\n";
    daemon_ = std::make_unique<TestDaemon>(PgCluster::Shared().CreateMigratedDatabase(), o);
  }
  std::unique_ptr<TestDaemon> daemon_;
};

TEST_F(BodyLimitTest, OversizedBodiesAre413DeclaredOrChunked) {
  std::string big(5000, 'x');
  for (bool chunked : {false, true}) {
    SCOPED_TRACE(chunked ? "chunked" : "content-length");
    HttpResult r = HttpRequest(daemon_->port(), "POST", "/webhooks/sippet",
                               SignedHeaders(kTestSecret, "m", NowSeconds(), big), big, chunked);
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.json["error"], "payload_too_large");
  }
  EXPECT_EQ(daemon_->Scalar("SELECT count(*) FROM rejected_requests WHERE http_status = 413"), "2");
  // The declared size is recorded for the unread body; a chunked one is counted up to the limit.
  EXPECT_EQ(daemon_->Scalar("SELECT max(body_bytes) FROM rejected_requests"), "5000");
  // A body at the limit is still read and judged on its merits.
  std::string at_limit(2048, ' ');
  at_limit.replace(0, 2, "{}");
  HttpResult r = HttpRequest(daemon_->port(), "POST", "/webhooks/sippet",
                             SignedHeaders(kTestSecret, "m", NowSeconds(), at_limit), at_limit, true);
  EXPECT_EQ(r.status, 422);
}

}  // namespace
}  // namespace sippet::testing
