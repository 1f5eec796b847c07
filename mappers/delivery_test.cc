#include "mappers/delivery.h"

#include <gtest/gtest.h>

#include <deque>

namespace sippet {
namespace {

using nlohmann::json;

// Answers planned requests from a script and records them.
class ScriptedSender final : public RequestSender {
 public:
  void Answer(int status, const std::string& body) {
    HttpResponse r;
    r.status = status;
    r.body = body;
    script_.push_back(r);
  }
  void Timeout() {
    HttpResponse r;
    r.error = TransportError::kTimeout;
    r.error_message = "timed out";
    script_.push_back(r);
  }
  HttpResponse Send(const PlannedRequest& request) override {
    sent.push_back(request);
    if (script_.empty()) {
      ADD_FAILURE() << "unexpected request " << request.method << " " << request.path_and_query;
      return HttpResponse{TransportError::kOther, "no script", 0, {}, "", false, {}};
    }
    HttpResponse r = script_.front();
    script_.pop_front();
    return r;
  }
  std::vector<PlannedRequest> sent;

 private:
  std::deque<HttpResponse> script_;
};

Mapping Load(const std::string& yaml) {
  ConfigErrors errors;
  Mapping m;
  EXPECT_TRUE(LoadMappingFromString(yaml, "t.yaml", {"crm"}, &errors, &m))
      << (errors.empty() ? "" : errors.front().ToString());
  return m;
}

const char* kLink = R"yaml(name: rest
on: [contact.*]
target: crm
object: contact
key: "record.id"
fields:
  email: "data.email | lower"
  phone: {value: "data.phone", on_null: send_null}
  company: "data.company"
upsert:
  strategy: link
  search: {method: GET, path: /contacts, query: {sippet_id: "{{ key }}"}, id: id}
  create: {method: POST, path: /contacts, headers: {Idempotency-Key: "{{ idempotency_key }}"}, body: {$merge: "{{ fields }}", sippet_id: "{{ key }}"}, external_id: id}
  update: {method: PATCH, path: "/contacts/{{ link.external_id }}", body: "{{ fields }}"}
  conflict: {status: 409, id_regex: "Existing ID: ([0-9]+)"}
on_delete:
  action: request
  request: {method: DELETE, path: "/contacts/{{ link.external_id }}"}
)yaml";

StagedRecord Record(bool deleted = false) {
  StagedRecord r;
  r.table = "staging_contacts";
  r.organisation_id = "org_1";
  r.record_id = "con 1/x";
  r.environment = "live";
  r.data = {{"email", "Ada@Example.com"}, {"phone", nullptr}};
  r.deleted = deleted;
  r.last_event_id = "evt_1";
  r.last_event_type = deleted ? "contact.deleted" : "contact.updated";
  r.last_occurred_at = "2026-11-01T08:00:00.000000Z";
  return r;
}

TEST(DeliveryTest, LinkWithoutAStoredIdSearchesThenCreates) {
  Mapping m = Load(kLink);
  ScriptedSender s;
  s.Answer(200, "[]");
  s.Answer(201, R"({"id": 77})");
  DeliveryResult r = Deliver(m, Record(), std::nullopt, &s);
  ASSERT_EQ(r.kind, DeliveryResult::Kind::kDelivered) << r.reason;
  EXPECT_EQ(r.external_id, "77");
  ASSERT_EQ(s.sent.size(), 2u);
  EXPECT_EQ(s.sent[0].method, "GET");
  EXPECT_EQ(s.sent[0].path_and_query, "/contacts?sippet_id=con%201%2Fx");
  EXPECT_EQ(s.sent[1].method, "POST");
  json body = json::parse(s.sent[1].body);
  EXPECT_EQ(body, json::parse(R"({"email":"ada@example.com","phone":null,"sippet_id":"con 1/x"})"));
  bool has_key = false;
  for (const auto& [k, v] : s.sent[1].headers) has_key |= k == "Idempotency-Key" && v.size() == 32;
  EXPECT_TRUE(has_key);
}

TEST(DeliveryTest, LinkUpdatesTheStoredIdAndFallsBackOn404) {
  Mapping m = Load(kLink);
  ScriptedSender s;
  s.Answer(200, R"({"id": 5})");
  DeliveryResult r = Deliver(m, Record(), std::string("5"), &s);
  EXPECT_EQ(r.kind, DeliveryResult::Kind::kDelivered);
  EXPECT_EQ(r.external_id, "5");
  EXPECT_EQ(s.sent.at(0).path_and_query, "/contacts/5");

  ScriptedSender gone;
  gone.Answer(404, R"({"error":"not_found"})");
  gone.Answer(200, R"([{"id": 9}])");
  gone.Answer(200, R"({"id": 9})");
  r = Deliver(m, Record(), std::string("5"), &gone);
  EXPECT_EQ(r.kind, DeliveryResult::Kind::kDelivered);
  EXPECT_EQ(r.external_id, "9");
  ASSERT_EQ(gone.sent.size(), 3u);
  EXPECT_EQ(gone.sent[2].path_and_query, "/contacts/9");
}

TEST(DeliveryTest, SearchOutcomes) {
  Mapping m = Load(kLink);
  struct Case {
    std::string name;
    std::vector<std::pair<int, std::string>> answers;
    DeliveryResult::Kind kind;
    std::string reason_fragment;
    std::optional<std::string> external_id;
  } cases[] = {
      {"one hit updates it", {{200, R"([{"id": 3}])"}, {200, "{}"}}, DeliveryResult::Kind::kDelivered, "", "3"},
      {"many hits dead-letter with the candidates", {{200, R"([{"id": 3}, {"id": "4"}])"}},
       DeliveryResult::Kind::kDeadLetter, "2 records match key 'con 1/x': 3, 4", std::nullopt},
      {"409 with the existing id recovers", {{200, "[]"}, {409, "Contact already exists. Existing ID: 123"}, {200, "{}"}},
       DeliveryResult::Kind::kDelivered, "", "123"},
      {"search failure is a failed step", {{503, "busy"}}, DeliveryResult::Kind::kFailed, "search: HTTP 503", std::nullopt},
      {"create refused", {{200, "[]"}, {422, "{}"}}, DeliveryResult::Kind::kFailed, "create: HTTP 422", std::nullopt},
      {"results not a list", {{200, R"({"oops": 1})"}}, DeliveryResult::Kind::kDeadLetter, "not a list", std::nullopt},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ScriptedSender s;
    for (const auto& [status, body] : c.answers) s.Answer(status, body);
    DeliveryResult r = Deliver(m, Record(), std::nullopt, &s);
    EXPECT_EQ(r.kind, c.kind) << r.reason;
    EXPECT_NE(r.reason.find(c.reason_fragment), std::string::npos) << r.reason;
    EXPECT_EQ(r.external_id, c.external_id);
  }
}

TEST(DeliveryTest, DeletionNeedsALinkAndDropsIt) {
  Mapping m = Load(kLink);
  ScriptedSender none;
  DeliveryResult r = Deliver(m, Record(true), std::nullopt, &none);
  EXPECT_EQ(r.kind, DeliveryResult::Kind::kDeleted);
  EXPECT_TRUE(none.sent.empty());
  ScriptedSender s;
  s.Answer(204, "");
  r = Deliver(m, Record(true), std::string("5"), &s);
  EXPECT_EQ(r.kind, DeliveryResult::Kind::kDeleted);
  EXPECT_TRUE(r.drop_link);
  EXPECT_EQ(s.sent.at(0).method, "DELETE");
}

TEST(DeliveryTest, WhenFalseSkipsAndMappingErrorsDeadLetter) {
  std::string yaml = kLink;
  yaml.insert(yaml.find("key:"), "when: \"data.email != null\"\n");
  Mapping m = Load(yaml);
  StagedRecord no_email = Record();
  no_email.data.erase("email");
  ScriptedSender s;
  EXPECT_EQ(Deliver(m, no_email, std::nullopt, &s).kind, DeliveryResult::Kind::kSkipped);
  EXPECT_TRUE(s.sent.empty());

  std::string bad = kLink;
  bad.replace(bad.find("\"data.company\""), 14, "\"data.company | to_number\"");
  Mapping mb = Load(bad);
  StagedRecord rec = Record();
  rec.data["company"] = "Analytical Engines";
  DeliveryResult r = Deliver(mb, rec, std::nullopt, &s);
  EXPECT_EQ(r.kind, DeliveryResult::Kind::kDeadLetter);
  EXPECT_NE(r.reason.find("mapping error: fields.company: to_number"), std::string::npos) << r.reason;
}

const char* kBatch = R"(name: hs
on: [contact.*]
target: crm
object: contact
key: "data.email | lower"
fields_as_strings: true
fields:
  email: "data.email | lower"
  age: "data.age"
upsert:
  strategy: native
  request:
    method: POST
    path: /crm/v3/objects/contacts/batch/upsert
    body: {id: "{{ key }}", idProperty: email, properties: "{{ fields }}"}
    external_id: id
  batch: {max_items: 100, items_path: inputs, results: results, result_key: "properties.email",
          errors: errors, error_keys: "context.ids"}
)";

TEST(DeliveryTest, BatchResultsAndErrorsMapBackPerRecord) {
  Mapping m = Load(kBatch);
  std::vector<StagedRecord> recs(3, Record());
  recs[0].data = {{"email", "A@x.com"}, {"age", 41}};
  recs[1].data = {{"email", "b@x.com"}};
  recs[2].data = {{"email", "c@x.com"}};
  ScriptedSender s;
  s.Answer(207, R"({"results": [{"id": "101", "properties": {"email": "a@x.com"}}],
                    "errors": [{"status": "error", "message": "bad", "context": {"ids": ["b@x.com"]}}]})");
  std::vector<DeliveryResult> out = DeliverBatch(m, {&recs[0], &recs[1], &recs[2]}, &s);
  ASSERT_EQ(s.sent.size(), 1u);
  json body = json::parse(s.sent[0].body);
  ASSERT_EQ(body["inputs"].size(), 3u);
  EXPECT_EQ(body["inputs"][0]["properties"]["age"], "41");  // values as strings
  EXPECT_EQ(out[0].kind, DeliveryResult::Kind::kDelivered);
  EXPECT_EQ(out[0].external_id, "101");
  EXPECT_EQ(out[1].kind, DeliveryResult::Kind::kDeadLetter);
  EXPECT_NE(out[1].reason.find("\"message\":\"bad\""), std::string::npos) << out[1].reason;
  EXPECT_EQ(out[2].kind, DeliveryResult::Kind::kFailed);  // not mentioned: retried
  ScriptedSender down;
  down.Timeout();
  out = DeliverBatch(m, {&recs[0], &recs[1]}, &down);
  EXPECT_EQ(out[0].kind, DeliveryResult::Kind::kFailed);
  EXPECT_EQ(out[1].response.error, TransportError::kTimeout);
}

}  // namespace
}  // namespace sippet
