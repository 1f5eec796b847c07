// The HubSpot fake against HubSpot's own OpenAPI contract, over real HTTP.

#include <gtest/gtest.h>

#include <regex>

#include "tests/fakes/fake_crm.h"
#include "tests/fakes/fake_test_util.h"
#include "tests/fakes/http_test_client.h"
#include "tests/fakes/json_schema.h"
#include "tests/support/fixtures.h"

namespace sippet::fakes {
namespace {

constexpr char kUpsert[] = "/crm/v3/objects/contacts/batch/upsert";

nlohmann::json Input(const std::string& email,
                     nlohmann::json properties = nlohmann::json::object()) {
  return {{"id", email}, {"idProperty", "email"}, {"properties", std::move(properties)}};
}

nlohmann::json Batch(std::vector<nlohmann::json> inputs) { return {{"inputs", inputs}}; }

const JsonSchemaValidator& Contract() {
  static const JsonSchemaValidator* validator =
      new JsonSchemaValidator(nlohmann::json::parse(testing::ReadFile(
          std::string(SIPPET_SOURCE_DIR) + "/tests/contracts/hubspot-contacts-v3.json")));
  return *validator;
}

TEST(FakeHubSpotTest, BatchUpsertCreatesThenUpdatesByEmail) {
  auto fake = StartFake(FakeCrmKind::kHubSpot);
  ASSERT_TRUE(fake);
  HttpResult first = HttpJson(fake->port(), "POST", kUpsert,
                              Batch({Input("ann@example.com", {{"firstname", "Ann"}}),
                                     Input("bob@example.com", {{"firstname", "Bob"}})}));
  ASSERT_EQ(first.status, 200) << first.body;
  nlohmann::json body = first.Json();
  ASSERT_EQ(body["results"].size(), 2u);
  EXPECT_EQ(body["results"][0]["new"], true);
  EXPECT_EQ(body["status"], "COMPLETE");
  const std::string ann_id = body["results"][0]["id"];
  EXPECT_TRUE(Contract()
                  .Validate(body, "#/components/schemas/BatchResponseSimplePublicUpsertObject")
                  .empty());

  HttpResult second = HttpJson(fake->port(), "POST", kUpsert,
                               Batch({Input("ANN@example.com", {{"lastname", "Lee"}})}));
  ASSERT_EQ(second.status, 200) << second.body;
  nlohmann::json result = second.Json()["results"][0];
  EXPECT_EQ(result["new"], false);
  EXPECT_EQ(result["id"], ann_id);
  EXPECT_EQ(result["properties"]["firstname"], "Ann");
  EXPECT_EQ(result["properties"]["lastname"], "Lee");

  EXPECT_EQ(fake->state().store.Size("contacts"), 2u);
  EXPECT_EQ(fake->state().store.Counts("contacts").creates, 2);
  EXPECT_EQ(fake->state().store.Counts("contacts").updates, 1);
  EXPECT_EQ(fake->state().store.FindBy("contacts", "email", "ann@example.com").size(), 1u);
  EXPECT_FALSE(second.Header("X-HubSpot-RateLimit-Remaining").empty());
  EXPECT_EQ(second.Header("X-HubSpot-RateLimit-Max"), "190");
}

TEST(FakeHubSpotTest, BatchUpsertBodyIsCheckedAgainstTheContract) {
  struct Case {
    const char* name;
    std::string body;
    int status;
    std::string error_in;  // errors[0].in, when a schema violation
  };
  const std::vector<Case> cases = {
      {"valid", R"({"inputs":[{"id":"a@x.com","idProperty":"email","properties":{"age":"3"}}]})",
       200, ""},
      {"number property",
       R"({"inputs":[{"id":"a@x.com","idProperty":"email","properties":{"age":3}}]})", 400,
       "inputs[0].properties.age"},
      {"missing id", R"({"inputs":[{"idProperty":"email","properties":{}}]})", 400, "inputs[0].id"},
      {"missing properties", R"({"inputs":[{"id":"a@x.com","idProperty":"email"}]})", 400,
       "inputs[0].properties"},
      {"inputs not an array", R"({"inputs":{"id":"a@x.com"}})", 400, "inputs"},
      {"no inputs", R"({})", 400, "inputs"},
      {"numeric id", R"({"inputs":[{"id":7,"properties":{}}]})", 400, "inputs[0].id"},
      {"not json", "{inputs:", 400, ""},
  };
  auto fake = StartFake(FakeCrmKind::kHubSpot);
  ASSERT_TRUE(fake);
  for (const Case& c : cases) {
    HttpCall call;
    call.method = "POST";
    call.path = kUpsert;
    call.body = c.body;
    call.headers = {{"Authorization", "Bearer test-token"}};
    HttpResult r = SendHttp(fake->port(), call);
    EXPECT_EQ(r.status, c.status) << c.name << ": " << r.body;
    if (c.status != 400) continue;
    nlohmann::json err = r.Json();
    EXPECT_EQ(err["status"], "error") << c.name;
    EXPECT_EQ(err["category"], "VALIDATION_ERROR") << c.name;
    EXPECT_FALSE(err.value("correlationId", "").empty()) << c.name;
    EXPECT_TRUE(Contract().Validate(err, "#/components/schemas/Error").empty()) << c.name;
    if (!c.error_in.empty()) {
      ASSERT_FALSE(err["errors"].empty()) << c.name;
      EXPECT_EQ(err["errors"][0]["in"], c.error_in) << c.name;
    }
  }
  EXPECT_EQ(fake->state().store.Size("contacts"), 1u);  // only the valid case wrote
}

TEST(FakeHubSpotTest, BatchLimitsAndDuplicateIds) {
  auto fake = StartFake(FakeCrmKind::kHubSpot);
  ASSERT_TRUE(fake);
  std::vector<nlohmann::json> inputs;
  for (int i = 0; i < 101; ++i) inputs.push_back(Input("u" + std::to_string(i) + "@x.com"));
  EXPECT_EQ(HttpJson(fake->port(), "POST", kUpsert, Batch(inputs)).status, 400);
  inputs.pop_back();
  EXPECT_EQ(HttpJson(fake->port(), "POST", kUpsert, Batch(inputs)).status, 200);
  HttpResult dup =
      HttpJson(fake->port(), "POST", kUpsert, Batch({Input("a@x.com"), Input("A@x.com")}));
  EXPECT_EQ(dup.status, 400);
  EXPECT_NE(dup.Json()["message"].get<std::string>().find("Duplicate IDs"), std::string::npos);
}

TEST(FakeHubSpotTest, ChosenKeysFailWith207AndOthersAreWritten) {
  auto fake = StartFake(FakeCrmKind::kHubSpot);
  ASSERT_TRUE(fake);
  fake->state().faults.FailInBatch("bad@x.com");
  HttpResult r =
      HttpJson(fake->port(), "POST", kUpsert, Batch({Input("ok@x.com"), Input("bad@x.com")}));
  ASSERT_EQ(r.status, 207) << r.body;
  nlohmann::json body = r.Json();
  EXPECT_TRUE(
      Contract()
          .Validate(body, "#/components/schemas/BatchResponseSimplePublicUpsertObjectWithErrors")
          .empty());
  ASSERT_EQ(body["results"].size(), 1u);
  EXPECT_EQ(body["results"][0]["properties"]["email"], "ok@x.com");
  ASSERT_EQ(body["errors"].size(), 1u);
  EXPECT_EQ(body["errors"][0]["context"]["ids"][0], "bad@x.com");
  EXPECT_EQ(body["numErrors"], 1);
  EXPECT_EQ(fake->state().store.Size("contacts"), 1u);
}

TEST(FakeHubSpotTest, PatchByEmailAndCreateConflict) {
  auto fake = StartFake(FakeCrmKind::kHubSpot);
  ASSERT_TRUE(fake);
  const uint16_t port = fake->port();
  HttpResult created = HttpJson(port, "POST", "/crm/v3/objects/contacts",
                                {{"properties", {{"email", "Ann@x.com"}, {"firstname", "Ann"}}}});
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = created.Json()["id"];

  HttpResult conflict = HttpJson(port, "POST", "/crm/v3/objects/contacts",
                                 {{"properties", {{"email", "ann@x.com"}}}});
  EXPECT_EQ(conflict.status, 409);
  std::smatch m;
  const std::string message = conflict.Json()["message"];
  ASSERT_TRUE(std::regex_search(message, m, std::regex("Existing ID: (\\d+)"))) << message;
  EXPECT_EQ(m[1], id);

  HttpResult patched =
      HttpJson(port, "PATCH", "/crm/v3/objects/contacts/ann%40x.com?idProperty=email",
               {{"properties", {{"firstname", "Anna"}}}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Json()["properties"]["firstname"], "Anna");
  EXPECT_EQ(HttpGet(port, "/crm/v3/objects/contacts/" + id).Json()["properties"]["firstname"],
            "Anna");
  HttpResult missing =
      HttpJson(port, "PATCH", "/crm/v3/objects/contacts/nobody%40x.com?idProperty=email",
               {{"properties", {{"firstname", "X"}}}});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Json()["category"], "OBJECT_NOT_FOUND");
  EXPECT_EQ(fake->state().store.Size("contacts"), 1u);
}

nlohmann::json SearchByEmail(const std::string& email) {
  return {{"filterGroups",
           {{{"filters", {{{"propertyName", "email"}, {"operator", "EQ"}, {"value", email}}}}}}}};
}

TEST(FakeHubSpotTest, SearchFindsByEmailAfterTheIndexLag) {
  ManualClock clock(1780000000);
  FakeCrmOptions options;
  options.clock = &clock;
  options.hubspot_search_lag_seconds = 5;
  auto fake = StartFake(FakeCrmKind::kHubSpot, options);
  ASSERT_TRUE(fake);
  const std::string search = "/crm/v3/objects/contacts/search";
  HttpJson(fake->port(), "POST", kUpsert, Batch({Input("ann@x.com")}));
  EXPECT_EQ(HttpJson(fake->port(), "POST", search, SearchByEmail("ann@x.com")).Json()["total"], 0);
  clock.Set(1780000006);
  HttpResult r = HttpJson(fake->port(), "POST", search, SearchByEmail("ANN@x.com"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["total"], 1);
  EXPECT_EQ(r.Json()["results"][0]["properties"]["email"], "ann@x.com");
  EXPECT_EQ(HttpJson(fake->port(), "POST", search, SearchByEmail("bob@x.com")).Json()["total"], 0);
}

TEST(FakeHubSpotTest, AuthAndRateLimitAnswers) {
  auto fake = StartFake(FakeCrmKind::kHubSpot);
  ASSERT_TRUE(fake);
  const nlohmann::json batch = Batch({Input("a@x.com")});
  HttpResult anonymous = HttpJson(fake->port(), "POST", kUpsert, batch, "");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.Json()["category"], "INVALID_AUTHENTICATION");

  fake->state().faults.QueueNext(1, Fault::RateLimit(2));
  HttpResult limited = HttpJson(fake->port(), "POST", kUpsert, batch);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Json()["errorType"], "RATE_LIMIT");
  EXPECT_EQ(limited.Json()["policyName"], "TEN_SECONDLY_ROLLING");
  EXPECT_EQ(limited.Header("Retry-After"), "2");

  fake->state().tokens.ExpireAll();
  HttpResult expired = HttpJson(fake->port(), "POST", kUpsert, batch);
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.Json()["category"], "EXPIRED_AUTHENTICATION");
  EXPECT_EQ(fake->state().store.Size("contacts"), 0u);
}

TEST(FakeHubSpotTest, RetryAfterAnUnseenCommitFindsTheRecord) {
  auto fake = StartFake(FakeCrmKind::kHubSpot);
  ASSERT_TRUE(fake);
  const nlohmann::json batch = Batch({Input("ann@x.com", {{"firstname", "Ann"}})});
  fake->state().faults.QueueNext(1, Fault::CommitThenDrop());
  fake->state().faults.QueueNext(1, Fault::CommitThenStatus(502));
  EXPECT_FALSE(HttpJson(fake->port(), "POST", kUpsert, batch).ok);
  HttpResult bad_gateway = HttpJson(fake->port(), "POST", kUpsert, batch);
  EXPECT_EQ(bad_gateway.status, 502);
  EXPECT_EQ(bad_gateway.Json()["category"], "INTERNAL_ERROR");
  HttpResult retry = HttpJson(fake->port(), "POST", kUpsert, batch);
  ASSERT_EQ(retry.status, 200);
  EXPECT_EQ(retry.Json()["results"][0]["new"], false);
  EXPECT_EQ(fake->state().store.Size("contacts"), 1u);
  EXPECT_EQ(fake->state().store.Counts("contacts").creates, 1);
}

TEST(FakeHubSpotTest, BatchKeysAreTrackedPerRecord) {
  auto fake = StartFake(FakeCrmKind::kHubSpot);
  ASSERT_TRUE(fake);
  HttpJson(fake->port(), "POST", kUpsert, Batch({Input("A@x.com"), Input("b@x.com")}));
  const std::vector<std::string> expected = {"a@x.com", "b@x.com"};
  EXPECT_EQ(fake->state().log.Entries().at(0).record_keys, expected);
}

TEST(FakeHubSpotTest, MissingContractFailsStart) {
  FakeCrmOptions options;
  options.hubspot_contract_path = "/nonexistent/contract.json";
  auto fake = MakeFakeCrm(FakeCrmKind::kHubSpot, options);
  std::string error;
  EXPECT_FALSE(fake->Start(&error));
  EXPECT_NE(error.find("/nonexistent/contract.json"), std::string::npos) << error;
}

// ---- the validator itself ----

TEST(JsonSchemaValidatorTest, SubsetKeywords) {
  const JsonSchemaValidator v(nlohmann::json::parse(R"({
    "defs": {
      "Thing": {"type": "object", "required": ["kind"], "additionalProperties": false,
                "properties": {"kind": {"type": "string", "enum": ["a", "b"]},
                               "n": {"type": "integer"},
                               "tags": {"type": "array", "items": {"type": "string"}},
                               "child": {"$ref": "#/defs/Thing"}}}}})"));
  struct Case {
    const char* value;
    std::vector<std::string> codes;
  };
  const std::vector<Case> cases = {
      {R"({"kind":"a"})", {}},
      {R"({"kind":"a","n":2.0,"tags":["x"],"child":{"kind":"b"}})", {}},
      {R"({"kind":"c"})", {"INVALID_ENUM"}},
      {R"({})", {"REQUIRED_FIELD"}},
      {R"({"kind":"a","n":1.5})", {"INVALID_TYPE"}},
      {R"({"kind":"a","tags":["x",1]})", {"INVALID_TYPE"}},
      {R"({"kind":"a","extra":1})", {"UNKNOWN_PROPERTY"}},
      {R"({"kind":"a","child":{}})", {"REQUIRED_FIELD"}},
      {R"([])", {"INVALID_TYPE"}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> codes;
    for (const auto& violation : v.Validate(nlohmann::json::parse(c.value), "#/defs/Thing")) {
      codes.push_back(violation.code);
    }
    EXPECT_EQ(codes, c.codes) << c.value;
  }
  EXPECT_EQ(v.Validate(nlohmann::json::object(), "#/defs/Missing").at(0).code, "BAD_REF");
}

}  // namespace
}  // namespace sippet::fakes
