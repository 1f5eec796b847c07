#include "tests/fakes/json_schema.h"

#include <cmath>

namespace sippet::fakes {
namespace {

constexpr int kMaxDepth = 64;  // guards against reference cycles

std::string TypeName(const nlohmann::json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

bool HasType(const nlohmann::json& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "integer") {
    if (v.is_number_integer() || v.is_number_unsigned()) return true;
    if (!v.is_number_float()) return false;
    const double d = v.get<double>();
    return std::isfinite(d) && std::trunc(d) == d;
  }
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  if (type == "null") return v.is_null();
  return true;  // unknown type names do not constrain
}

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

}  // namespace

std::vector<SchemaViolation> JsonSchemaValidator::Validate(const nlohmann::json& value,
                                                           const std::string& ref) const {
  std::vector<SchemaViolation> out;
  Check(value, nlohmann::json{{"$ref", ref}}, "", 0, &out);
  return out;
}

const nlohmann::json* JsonSchemaValidator::Resolve(const std::string& ref) const {
  if (ref.rfind("#", 0) != 0) return nullptr;
  try {
    const nlohmann::json::json_pointer pointer(ref.substr(1));
    if (!document_.contains(pointer)) return nullptr;
    return &document_.at(pointer);
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
}

void JsonSchemaValidator::Check(const nlohmann::json& value, const nlohmann::json& schema,
                                const std::string& path, int depth,
                                std::vector<SchemaViolation>* out) const {
  if (!schema.is_object()) return;
  if (depth > kMaxDepth) {
    out->push_back({path, "schema nesting too deep", "BAD_REF"});
    return;
  }
  if (auto it = schema.find("$ref"); it != schema.end() && it->is_string()) {
    const nlohmann::json* target = Resolve(it->get<std::string>());
    if (target == nullptr) {
      out->push_back({path, "unresolvable schema reference " + it->get<std::string>(), "BAD_REF"});
      return;
    }
    Check(value, *target, path, depth + 1, out);
    return;  // siblings of $ref are ignored, as in OpenAPI 3.0
  }
  if (auto it = schema.find("type"); it != schema.end() && it->is_string()) {
    const std::string type = it->get<std::string>();
    if (!HasType(value, type)) {
      out->push_back({path, "expected " + type + ", got " + TypeName(value), "INVALID_TYPE"});
      return;
    }
  }
  if (auto it = schema.find("enum"); it != schema.end() && it->is_array()) {
    bool found = false;
    for (const auto& allowed : *it) found = found || allowed == value;
    if (!found) {
      out->push_back(
          {path, "value " + value.dump() + " is not one of " + it->dump(), "INVALID_ENUM"});
    }
  }
  if (value.is_object()) {
    if (auto it = schema.find("required"); it != schema.end() && it->is_array()) {
      for (const auto& name : *it) {
        if (name.is_string() && !value.contains(name.get<std::string>())) {
          out->push_back(
              {Join(path, name.get<std::string>()), "required field is missing", "REQUIRED_FIELD"});
        }
      }
    }
    const auto props = schema.find("properties");
    const auto additional = schema.find("additionalProperties");
    for (const auto& [key, child] : value.items()) {
      if (props != schema.end() && props->is_object() && props->contains(key)) {
        Check(child, props->at(key), Join(path, key), depth + 1, out);
      } else if (additional != schema.end()) {
        if (additional->is_boolean() && !additional->get<bool>()) {
          out->push_back({Join(path, key), "unknown property", "UNKNOWN_PROPERTY"});
        } else if (additional->is_object()) {
          Check(child, *additional, Join(path, key), depth + 1, out);
        }
      }
    }
  }
  if (value.is_array()) {
    if (auto it = schema.find("items"); it != schema.end()) {
      for (size_t i = 0; i < value.size(); ++i) {
        Check(value[i], *it, path + "[" + std::to_string(i) + "]", depth + 1, out);
      }
    }
  }
}

}  // namespace sippet::fakes
