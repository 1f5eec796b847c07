#ifndef SIPPET_TESTS_FAKES_JSON_SCHEMA_H_
#define SIPPET_TESTS_FAKES_JSON_SCHEMA_H_

// A small JSON-Schema validator for the subset OpenAPI 3 documents such as HubSpot's use:
// type, required, properties, items, $ref (local "#/..." pointers), enum and
// additionalProperties (boolean or schema). Other keywords (format, description, example...)
// are ignored. Immutable after construction, so safe to share between threads.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace sippet::fakes {

struct SchemaViolation {
  std::string path;     // where in the value, e.g. "inputs[0].properties.age"; "" for the root
  std::string message;  // e.g. "expected string, got number"
  std::string code;     // INVALID_TYPE, REQUIRED_FIELD, INVALID_ENUM, UNKNOWN_PROPERTY, BAD_REF
};

class JsonSchemaValidator {
 public:
  // `document` is the whole OpenAPI / JSON-Schema document that local $refs resolve against.
  explicit JsonSchemaValidator(nlohmann::json document) : document_(std::move(document)) {}

  // Validates `value` against the schema at `ref` ("#/components/schemas/Name"). Returns every
  // violation found (empty: valid). An unresolvable ref is reported as a violation.
  std::vector<SchemaViolation> Validate(const nlohmann::json& value, const std::string& ref) const;

 private:
  void Check(const nlohmann::json& value, const nlohmann::json& schema, const std::string& path,
             int depth, std::vector<SchemaViolation>* out) const;
  const nlohmann::json* Resolve(const std::string& ref) const;

  nlohmann::json document_;
};

}  // namespace sippet::fakes

#endif  // SIPPET_TESTS_FAKES_JSON_SCHEMA_H_
