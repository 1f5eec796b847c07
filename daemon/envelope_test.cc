#include "daemon/envelope.h"

#include <gtest/gtest.h>

#include "daemon/staging.h"
#include "tests/support/fixtures.h"

namespace sippet {
namespace {

using nlohmann::json;

json Good() { return json::parse(testing::ReadFixture("events/contact.created.json")); }

TEST(EnvelopeTest, EveryFixtureIsAValidEnvelope) {
  for (const std::string& name : testing::EventFixtureNames()) {
    Envelope e;
    EXPECT_FALSE(ParseEnvelope(json::parse(testing::ReadFixture("events/" + name)), &e)) << name;
  }
}

TEST(EnvelopeTest, MissingOrMistypedFieldsAreNamed) {
  struct Case {
    std::string field;
    json value;  // null = remove the field
    std::string want_field;
  } cases[] = {
      {"id", nullptr, "id"},           {"id", 42, "id"},
      {"id", "", "id"},                {"type", nullptr, "type"},
      {"type", "Contact Created", "type"}, {"version", 20260525, "version"},
      {"occurred_at", "2026-11-01", "occurred_at"}, {"occurred_at", "2026-02-30T00:00:00Z", "occurred_at"},
      {"organisation_id", nullptr, "organisation_id"}, {"environment", "prod", "environment"},
      {"environment", true, "environment"}, {"data", nullptr, "data"},
      {"data", "x", "data"},            {"data", json::array(), "data"},
  };
  for (const Case& c : cases) {
    json doc = Good();
    if (c.value.is_null()) {
      doc.erase(c.field);
    } else {
      doc[c.field] = c.value;
    }
    Envelope e;
    auto err = ParseEnvelope(doc, &e);
    ASSERT_TRUE(err) << c.field << "=" << c.value;
    EXPECT_EQ(err->field, c.want_field);
    EXPECT_NE(err->message.find(c.want_field), std::string::npos) << err->message;
  }
  Envelope e;
  EXPECT_TRUE(ParseEnvelope(json::array(), &e));
  json extra = Good();
  extra["delivery_attempt"] = 3;  // fields beyond the guide are tolerated
  EXPECT_FALSE(ParseEnvelope(extra, &e));
}

TEST(EnvelopeTest, Rfc3339) {
  for (const char* ok : {"2026-11-01T08:00:00Z", "2026-11-01T08:00:00.050Z", "2024-02-29T23:59:60+01:00",
                         "2026-11-01t08:00:00.123456789-05:30"}) {
    EXPECT_TRUE(IsRfc3339(ok)) << ok;
  }
  for (const char* bad : {"", "2026-11-01", "2026-11-01 08:00:00Z", "2026-13-01T00:00:00Z",
                          "2025-02-29T00:00:00Z", "2026-11-01T24:00:00Z", "2026-11-01T08:00:00",
                          "2026-11-01T08:00:00+2400", "2026-11-01T08:00:00.Z"}) {
    EXPECT_FALSE(IsRfc3339(bad)) << bad;
  }
}

StagingPlan Plan(const json& doc) {
  Envelope e;
  EXPECT_FALSE(ParseEnvelope(doc, &e));
  return PlanStaging(e);
}

TEST(StagingTest, FamiliesVersionsAndTables) {
  struct Case {
    std::string fixture;
    EventStatus status;
    StagingTable table;
  } cases[] = {
      {"contact.created.json", EventStatus::kStaged, StagingTable::kContacts},
      {"contact.deleted.json", EventStatus::kStaged, StagingTable::kContacts},
      {"conversation.updated.json", EventStatus::kStaged, StagingTable::kConversations},
      {"email.classification.created.json", EventStatus::kStaged, StagingTable::kEmailClassifications},
      {"email.classification.failed-status.json", EventStatus::kStaged, StagingTable::kEmailClassifications},
      {"call.completed.json", EventStatus::kStored, StagingTable::kNone},
  };
  for (const Case& c : cases) {
    StagingPlan p = Plan(json::parse(testing::ReadFixture("events/" + c.fixture)));
    EXPECT_EQ(p.status, c.status) << c.fixture << ": " << p.detail;
    EXPECT_EQ(p.table, c.table) << c.fixture;
  }
  json unknown = Good();
  unknown["type"] = "invoice.paid";
  EXPECT_EQ(Plan(unknown).status, EventStatus::kUnmapped);
  json future = Good();
  future["version"] = "2030-01-01";
  EXPECT_EQ(Plan(future).status, EventStatus::kUnsupportedVersion);
}

TEST(StagingTest, VersionIsUpdatedAtElseOccurredAt) {
  json doc = Good();
  EXPECT_EQ(Plan(doc).version_at, "2026-11-01T08:00:00Z");
  doc["data"].erase("updated_at");
  EXPECT_EQ(Plan(doc).version_at, "2026-11-01T08:00:00.050Z");
  StagingPlan del = Plan(json::parse(testing::ReadFixture("events/contact.deleted.json")));
  EXPECT_TRUE(del.deleted);
  EXPECT_EQ(del.deleted_at, "2026-12-01T12:00:00Z");
}

TEST(StagingTest, ClassificationFieldsAreTypeChecked) {
  json base = json::parse(testing::ReadFixture("events/email.classification.classified.json"));
  StagingPlan ok = Plan(base);
  ASSERT_EQ(ok.status, EventStatus::kStaged) << ok.detail;
  EXPECT_EQ(ok.classification.predicted_confidence, "0.93");
  EXPECT_EQ(ok.classification.estimated_cost, "0.000412");
  EXPECT_EQ(json::parse(*ok.classification.token_usage)["total_tokens"], 826);
  struct Case {
    std::string field;
    json value;
    std::string detail;
  } cases[] = {
      {"status", "done", "data.status must be one of its allowed values"},
      {"predicted_confidence", "0.9", "data.predicted_confidence must be a number or null"},
      {"estimated_cost", 0.0004, "data.estimated_cost must be a string or null"},
      {"estimated_cost", "4e-4", "data.estimated_cost must be a decimal string or null"},
      {"effective_source", "robot", "data.effective_source must be one of its allowed values"},
      {"token_usage", json::array(), "data.token_usage must be an object or null"},
      {"classified_at", "soon", "data.classified_at must be an RFC 3339 timestamp or null"},
      {"updated_at", nullptr, "data.updated_at must be a string"},
      {"provider", nullptr, "data.provider must be a string"},
      {"id", 7, "data.id must be a non-empty string"},
  };
  for (const Case& c : cases) {
    json doc = base;
    doc["data"][c.field] = c.value;
    StagingPlan p = Plan(doc);
    EXPECT_EQ(p.status, EventStatus::kInvalidData) << c.field;
    EXPECT_EQ(p.detail, c.detail);
    EXPECT_EQ(p.table, StagingTable::kNone);
  }
  json missing = base;
  missing["data"].erase("last_error");
  EXPECT_EQ(Plan(missing).detail, "data.last_error must be present (a string or null)");
}

}  // namespace
}  // namespace sippet
