#ifndef SIPPET_MAPPERS_JSON_TEMPLATE_H_
#define SIPPET_MAPPERS_JSON_TEMPLATE_H_

#include <yaml-cpp/yaml.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "mappers/config_error.h"
#include "mappers/expr.h"

namespace sippet {

// A JSON document written as YAML whose string leaves may hold {{ }} templates, e.g. a request
// body:
//
//   ticket:
//     $merge: "{{ fields }}"          # an object-valued template merged into this object
//     external_id: "{{ key }}"
//     tags: ["sippet", "{{ data.channel }}"]
//
// Plain YAML scalars that read as numbers, booleans or null become typed JSON; quoted scalars
// stay strings. A leaf that is exactly one {{ expr }} renders to the expression's typed value.
// Immutable after compile; Render is thread-safe.
class JsonTemplate {
 public:
  JsonTemplate() = default;

  // Compiles `node`. On error records it (file, line, column of the failing part, key path)
  // and returns false.
  bool Compile(const YAML::Node& node, const std::string& file, const std::string& path,
               const expr::CompileOptions& options, ConfigErrors* errors);

  // Renders over `context`. Errors name the key path of the part that failed.
  expr::EvalResult Render(const nlohmann::json& context) const;

  bool empty() const { return root_ == nullptr; }

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
};

// A YAML node as JSON, by the same scalar rule as JsonTemplate: plain scalars that read as
// numbers, booleans or null are typed, quoted ones stay strings. No templates are compiled.
nlohmann::json YamlToJson(const YAML::Node& node);

// Compiles one scalar node as an expression / template, recording a located error on failure.
// The column of the error is the node's column plus the column inside the text (plus one for a
// quoted scalar's opening quote).
bool CompileExpression(const YAML::Node& node, const std::string& file, const std::string& path,
                       const expr::CompileOptions& options, ConfigErrors* errors,
                       expr::Expression* out);
bool CompileTemplate(const YAML::Node& node, const std::string& file, const std::string& path,
                     const expr::CompileOptions& options, ConfigErrors* errors,
                     expr::Template* out);

}  // namespace sippet

#endif  // SIPPET_MAPPERS_JSON_TEMPLATE_H_
