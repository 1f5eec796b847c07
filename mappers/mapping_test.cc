#include "mappers/mapping.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace sippet {
namespace {

const std::set<std::string> kTargets = {"crm", "hubspot"};

constexpr const char* kGood = R"(name: m
on: [contact.*]
target: crm
object: contact
key: "record.id"
fields:
  email: "data.email | lower"
  phone: {value: "data.phone", on_null: clear}
upsert:
  strategy: link
  search: {method: GET, path: /contacts, query: {sippet_id: "{{ key }}"}, id: id}
  create: {method: POST, path: /contacts, body: "{{ fields }}", external_id: id}
  update: {method: PATCH, path: "/contacts/{{ link.external_id }}", body: "{{ fields }}"}
)";

std::vector<std::string> Errors(const std::string& yaml) {
  ConfigErrors errors;
  Mapping m;
  EXPECT_FALSE(LoadMappingFromString(yaml, "m.yaml", kTargets, &errors, &m));
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.ToString());
  return out;
}

TEST(MappingTest, LoadsAGoodMapping) {
  ConfigErrors errors;
  Mapping m;
  ASSERT_TRUE(LoadMappingFromString(kGood, "m.yaml", kTargets, &errors, &m))
      << errors.front().ToString();
  EXPECT_EQ(m.strategy, Strategy::kLink);
  ASSERT_EQ(m.fields.size(), 2u);
  EXPECT_EQ(m.fields[1].on_null, NullPolicy::kClear);
  EXPECT_TRUE(m.Subscribes("contact.updated"));
  EXPECT_FALSE(m.Subscribes("conversation.updated"));
}

TEST(MappingTest, ErrorsNameFileLineColumnAndKeyPath) {
  struct Case {
    std::string from, to, want;
  } cases[] = {
      {"email: \"data.email | lower\"", "email: \"data.email | lowr\"",
       "m.yaml:7:24: fields.email: unknown filter 'lowr' (did you mean 'lower'?)"},
      {"key: \"record.id\"", "key: \"recrd.id\"",
       "m.yaml:5:7: key: unknown name 'recrd' (did you mean 'record'?)"},
      {"target: crm", "target: zoho",
       "m.yaml:3:9: target: no target named 'zoho' in the configuration (known: crm, hubspot)"},
      {"strategy: link", "strategy: upsert",
       "m.yaml:10:13: upsert.strategy: must be one of native, search, link, got 'upsert'"},
      {"create: {method: POST, path: /contacts,", "create: {method: POST, path: contacts,",
       "m.yaml:12:32: upsert.create.path: must start with '/': URLs come from the target's base_url"},
      {"update: {method: PATCH,", "update: {method: FETCH,",
       "m.yaml:13:20: upsert.update.method: must be one of GET, POST, PUT, PATCH, DELETE"},
      {"on_null: clear", "on_null: wipe",
       "m.yaml:8:41: fields.phone.on_null: must be one of skip, send_null, clear, got 'wipe'"},
      {"object: contact", "objekt: contact", "m.yaml:1:1: object: is required"},
      {"on: [contact.*]", "on: [Contact Created]",
       "m.yaml:2:5: on: 'Contact Created' is not an event type or a pattern like contact.*"},
      {"path: \"/contacts/{{ link.external_id }}\"", "path: \"/contacts/{{ link.external_id \"",
       "m.yaml:13:44: upsert.update.path: '{{' is not closed by '}}'"},
  };
  for (const Case& c : cases) {
    std::string yaml = kGood;
    size_t at = yaml.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    yaml.replace(at, c.from.size(), c.to);
    std::vector<std::string> errors = Errors(yaml);
    ASSERT_FALSE(errors.empty()) << c.to;
    EXPECT_EQ(errors[0], c.want);
  }
}

TEST(MappingTest, UnknownKeysAreReportedWithTheirPosition) {
  std::string yaml = std::string(kGood) + "retries: 3\n";
  std::vector<std::string> errors = Errors(yaml);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "m.yaml:14:1: retries: unknown key");
}

TEST(MappingTest, EventTypePatterns) {
  EXPECT_TRUE(MatchesEventType("*", "anything.at.all"));
  EXPECT_TRUE(MatchesEventType("contact.*", "contact.updated"));
  EXPECT_FALSE(MatchesEventType("contact.*", "contacts.updated"));
  EXPECT_TRUE(MatchesEventType("email.classification.*", "email.classification.classified"));
  EXPECT_TRUE(MatchesEventType("contact.updated", "contact.updated"));
  EXPECT_FALSE(MatchesEventType("contact.updated", "contact.created"));
}

TEST(MappingTest, EveryShippedPresetLoads) {
  std::set<std::string> targets = {"hubspot", "salesforce", "zendesk", "crm_rest"};
  ConfigErrors errors;
  std::vector<Mapping> mappings;
  EXPECT_TRUE(LoadMappings(std::string(SIPPET_SOURCE_DIR) + "/config/mappings.d", targets,
                           &errors, &mappings));
  for (const auto& e : errors) ADD_FAILURE() << e.ToString();
  EXPECT_EQ(mappings.size(), 6u);
}

}  // namespace
}  // namespace sippet
