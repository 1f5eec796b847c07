#include "daemon/staging.h"

#include <regex>
#include <string_view>

namespace sippet {
namespace {

// Event families named in Sippet's guide.
constexpr std::string_view kKnownFamilies[] = {
    "contact.", "call.", "conversation.", "communication.message.", "email.classification.",
    "callback.", "playbook.run."};

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Field readers for the typed payload. Each returns false and sets *error on a type mismatch.
class DataReader {
 public:
  explicit DataReader(const nlohmann::json& data) : data_(data) {}

  bool String(const char* field, std::string* out) {
    auto it = data_.find(field);
    if (it == data_.end() || !it->is_string()) return Fail(field, "a string");
    *out = it->get<std::string>();
    return true;
  }
  bool NullableString(const char* field, std::optional<std::string>* out) {
    auto it = data_.find(field);
    if (it == data_.end()) return Fail(field, "present (a string or null)");
    if (it->is_null()) return true;
    if (!it->is_string()) return Fail(field, "a string or null");
    *out = it->get<std::string>();
    return true;
  }
  bool Enum(const char* field, std::initializer_list<const char*> allowed, bool nullable,
            std::optional<std::string>* out) {
    if (!NullableString(field, out)) return false;
    if (!*out) return nullable ? true : Fail(field, "one of its allowed values");
    for (const char* a : allowed) {
      if (**out == a) return true;
    }
    return Fail(field, "one of its allowed values");
  }
  bool Timestamp(const char* field, std::string* out) {
    if (!String(field, out)) return false;
    return IsRfc3339(*out) || Fail(field, "an RFC 3339 timestamp");
  }
  bool NullableTimestamp(const char* field, std::optional<std::string>* out) {
    if (!NullableString(field, out)) return false;
    return !*out || IsRfc3339(**out) || Fail(field, "an RFC 3339 timestamp or null");
  }
  bool NullableNumber(const char* field, std::optional<std::string>* out) {
    auto it = data_.find(field);
    if (it == data_.end()) return Fail(field, "present (a number or null)");
    if (it->is_null()) return true;
    if (!it->is_number()) return Fail(field, "a number or null");
    *out = it->dump();
    return true;
  }
  bool NullableDecimalString(const char* field, std::optional<std::string>* out) {
    static const std::regex kDecimal(R"(^-?[0-9]{1,30}(\.[0-9]{1,30})?$)");
    if (!NullableString(field, out)) return false;
    return !*out || std::regex_match(**out, kDecimal) || Fail(field, "a decimal string or null");
  }
  bool NullableObject(const char* field, std::optional<std::string>* out) {
    auto it = data_.find(field);
    if (it == data_.end()) return Fail(field, "present (an object or null)");
    if (it->is_null()) return true;
    if (!it->is_object()) return Fail(field, "an object or null");
    *out = it->dump();
    return true;
  }
  const std::string& error() const { return error_; }

 private:
  bool Fail(const char* field, const char* what) {
    if (error_.empty()) error_ = std::string("data.") + field + " must be " + what;
    return false;
  }
  const nlohmann::json& data_;
  std::string error_;
};

bool PlanEmailClassification(const nlohmann::json& data, StagingPlan* plan) {
  DataReader r(data);
  EmailClassificationRow& c = plan->classification;
  std::optional<std::string> status;
  bool ok = r.String("communication_message_id", &c.communication_message_id) &&
            r.Enum("status", {"pending", "classified", "failed"}, false, &status) &&
            r.NullableString("predicted_label", &c.predicted_label) &&
            r.NullableNumber("predicted_confidence", &c.predicted_confidence) &&
            r.NullableString("effective_label", &c.effective_label) &&
            r.Enum("effective_source", {"model", "manual"}, true, &c.effective_source) &&
            r.String("provider", &c.provider) && r.String("model", &c.model) &&
            r.String("taxonomy_version", &c.taxonomy_version) &&
            r.String("prompt_version", &c.prompt_version) &&
            r.NullableObject("token_usage", &c.token_usage) &&
            r.NullableDecimalString("estimated_cost", &c.estimated_cost) &&
            r.NullableString("provider_response_id", &c.provider_response_id) &&
            r.NullableString("last_error", &c.last_error) &&
            r.NullableTimestamp("classified_at", &c.classified_at) &&
            r.NullableTimestamp("overridden_at", &c.overridden_at) &&
            r.NullableString("overridden_by_user_id", &c.overridden_by_user_id) &&
            r.Timestamp("inserted_at", &c.inserted_at) && r.Timestamp("updated_at", &c.updated_at);
  if (!ok) {
    plan->status = EventStatus::kInvalidData;
    plan->detail = r.error();
    return false;
  }
  c.status = *status;
  plan->inserted_at = c.inserted_at;
  plan->updated_at = c.updated_at;
  return true;
}

// Contacts and conversations: only id (and the timestamps when present) are relied upon.
bool PlanGenericRecord(const nlohmann::json& data, StagingPlan* plan) {
  const char* fields[] = {"inserted_at", "updated_at", "deleted_at"};
  std::optional<std::string>* outs[] = {&plan->inserted_at, &plan->updated_at, &plan->deleted_at};
  for (int i = 0; i < 3; ++i) {
    auto it = data.find(fields[i]);
    if (it == data.end() || it->is_null()) continue;
    if (!it->is_string() || !IsRfc3339(it->get_ref<const std::string&>())) {
      plan->status = EventStatus::kInvalidData;
      plan->detail = std::string("data.") + fields[i] + " must be an RFC 3339 timestamp or null";
      return false;
    }
    *outs[i] = it->get<std::string>();
  }
  return true;
}

}  // namespace

const char* EventStatusName(EventStatus s) {
  switch (s) {
    case EventStatus::kStaged: return "staged";
    case EventStatus::kSuperseded: return "superseded";
    case EventStatus::kStored: return "stored";
    case EventStatus::kUnmapped: return "unmapped";
    case EventStatus::kUnsupportedVersion: return "unsupported_version";
    case EventStatus::kInvalidData: return "invalid_data";
  }
  return "stored";
}

bool IsKnownVersion(const std::string& version) { return version == "2026-05-25"; }

StagingPlan PlanStaging(const Envelope& e) {
  StagingPlan plan;
  auto id = e.data.find("id");
  if (id != e.data.end() && id->is_string()) plan.record_id = id->get<std::string>();

  bool known_family = false;
  for (std::string_view f : kKnownFamilies) known_family |= StartsWith(e.type, f);
  if (!known_family) {
    plan.status = EventStatus::kUnmapped;
    plan.detail = "no known event family for type " + e.type;
    return plan;
  }
  if (!IsKnownVersion(e.version)) {
    plan.status = EventStatus::kUnsupportedVersion;
    plan.detail = "envelope version " + e.version + " is not supported by this build";
    return plan;
  }
  if (StartsWith(e.type, "contact.")) {
    plan.table = StagingTable::kContacts;
  } else if (StartsWith(e.type, "conversation.")) {
    plan.table = StagingTable::kConversations;
  } else if (StartsWith(e.type, "email.classification.")) {
    plan.table = StagingTable::kEmailClassifications;
  } else {
    plan.status = EventStatus::kStored;
    return plan;
  }
  if (plan.record_id.empty()) {
    plan.status = EventStatus::kInvalidData;
    plan.detail = "data.id must be a non-empty string";
    plan.table = StagingTable::kNone;
    return plan;
  }
  bool ok = plan.table == StagingTable::kEmailClassifications ? PlanEmailClassification(e.data, &plan)
                                                              : PlanGenericRecord(e.data, &plan);
  if (!ok) {
    plan.table = StagingTable::kNone;
    return plan;
  }
  plan.status = EventStatus::kStaged;
  plan.deleted = EndsWith(e.type, ".deleted");
  plan.version_at = plan.updated_at ? *plan.updated_at : e.occurred_at;
  return plan;
}

}  // namespace sippet
