#include "mappers/json_template.h"

#include <regex>
#include <utility>
#include <vector>

#include "mappers/yaml_reader.h"

namespace sippet {

struct JsonTemplate::Node {
  enum class Kind { kLiteral, kTemplate, kObject, kArray };
  Kind kind = Kind::kLiteral;
  std::string path;
  nlohmann::json literal;
  expr::Template tmpl;
  std::vector<std::pair<std::string, std::shared_ptr<const Node>>> members;  // object
  std::vector<std::shared_ptr<const Node>> merges;                          // object $merge
  std::vector<std::shared_ptr<const Node>> items;                           // array
};

namespace {

bool IsQuoted(const YAML::Node& node) { return node.Tag() == "!"; }

ConfigError Located(const YAML::Node& node, const std::string& file, const std::string& path,
                    const expr::CompileError& e) {
  ConfigError out;
  out.file = file;
  YAML::Mark m = node.Mark();
  if (m.line >= 0) {
    out.line = m.line + 1;
    out.column = m.column + e.column + (IsQuoted(node) ? 1 : 0);
  }
  out.key = path;
  out.message = e.message;
  return out;
}

// Plain scalars that read as JSON numbers, booleans or null keep that type.
nlohmann::json TypedScalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (IsQuoted(node)) return s;
  if (s == "true" || s == "false") return s == "true";
  if (s == "null" || s == "~") return nullptr;
  static const std::regex kNumber(R"(^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$)");
  if (std::regex_match(s, kNumber)) {
    nlohmann::json n = nlohmann::json::parse(s, nullptr, false);
    if (!n.is_discarded()) return n;
  }
  return s;
}

std::shared_ptr<const JsonTemplate::Node> CompileNode(const YAML::Node& node,
                                                      const std::string& file,
                                                      const std::string& path,
                                                      const expr::CompileOptions& options,
                                                      ConfigErrors* errors) {
  auto out = std::make_shared<JsonTemplate::Node>();
  out->path = path;
  using Kind = JsonTemplate::Node::Kind;
  if (!node.IsDefined() || node.IsNull()) {
    out->literal = nullptr;
    return out;
  }
  if (node.IsScalar()) {
    const std::string& s = node.Scalar();
    if (s.find("{{") == std::string::npos) {
      out->literal = TypedScalar(node);
      return out;
    }
    expr::CompileError e;
    std::optional<expr::Template> t = expr::Template::Compile(s, options, &e);
    if (!t) {
      errors->push_back(Located(node, file, path, e));
      return nullptr;
    }
    out->kind = Kind::kTemplate;
    out->tmpl = *t;
    return out;
  }
  if (node.IsSequence()) {
    out->kind = Kind::kArray;
    for (size_t i = 0; i < node.size(); ++i) {
      auto item = CompileNode(node[i], file, path + "[" + std::to_string(i) + "]", options, errors);
      if (!item) return nullptr;
      out->items.push_back(item);
    }
    return out;
  }
  out->kind = Kind::kObject;
  for (auto it = node.begin(); it != node.end(); ++it) {
    std::string key = it->first.Scalar();
    std::string child_path = path.empty() ? key : path + "." + key;
    if (key == "$merge") {
      YAML::Node v = it->second;
      std::vector<YAML::Node> parts;
      if (v.IsSequence()) {
        for (size_t i = 0; i < v.size(); ++i) parts.push_back(v[i]);
      } else {
        parts.push_back(v);
      }
      for (const YAML::Node& p : parts) {
        auto m = CompileNode(p, file, child_path, options, errors);
        if (!m) return nullptr;
        out->merges.push_back(m);
      }
      continue;
    }
    auto member = CompileNode(it->second, file, child_path, options, errors);
    if (!member) return nullptr;
    out->members.emplace_back(key, member);
  }
  return out;
}

expr::EvalResult RenderNode(const JsonTemplate::Node& n, const nlohmann::json& ctx) {
  using Kind = JsonTemplate::Node::Kind;
  switch (n.kind) {
    case Kind::kLiteral:
      return expr::EvalResult::Value(n.literal);
    case Kind::kTemplate: {
      expr::EvalResult r = n.tmpl.Render(ctx);
      if (!r.ok()) return expr::EvalResult::Error(n.path + ": " + r.error());
      return r;
    }
    case Kind::kArray: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : n.items) {
        expr::EvalResult r = RenderNode(*item, ctx);
        if (!r.ok()) return r;
        arr.push_back(r.take_value());
      }
      return expr::EvalResult::Value(std::move(arr));
    }
    case Kind::kObject: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& m : n.merges) {
        expr::EvalResult r = RenderNode(*m, ctx);
        if (!r.ok()) return r;
        if (r.value().is_null()) continue;
        if (!r.value().is_object())
          return expr::EvalResult::Error(n.path + ".$merge: must render to an object");
        for (auto it = r.value().begin(); it != r.value().end(); ++it) obj[it.key()] = it.value();
      }
      for (const auto& [key, member] : n.members) {
        expr::EvalResult r = RenderNode(*member, ctx);
        if (!r.ok()) return r;
        obj[key] = r.take_value();
      }
      return expr::EvalResult::Value(std::move(obj));
    }
  }
  return expr::EvalResult::Value(nullptr);
}

}  // namespace

bool JsonTemplate::Compile(const YAML::Node& node, const std::string& file,
                           const std::string& path, const expr::CompileOptions& options,
                           ConfigErrors* errors) {
  root_ = CompileNode(node, file, path, options, errors);
  return root_ != nullptr;
}

expr::EvalResult JsonTemplate::Render(const nlohmann::json& context) const {
  if (!root_) return expr::EvalResult::Value(nullptr);
  return RenderNode(*root_, context);
}

nlohmann::json YamlToJson(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return nullptr;
  if (node.IsScalar()) return TypedScalar(node);
  if (node.IsSequence()) {
    nlohmann::json a = nlohmann::json::array();
    for (size_t i = 0; i < node.size(); ++i) a.push_back(YamlToJson(node[i]));
    return a;
  }
  nlohmann::json o = nlohmann::json::object();
  for (auto it = node.begin(); it != node.end(); ++it) o[it->first.Scalar()] = YamlToJson(it->second);
  return o;
}

bool CompileExpression(const YAML::Node& node, const std::string& file, const std::string& path,
                       const expr::CompileOptions& options, ConfigErrors* errors,
                       expr::Expression* out) {
  if (!node.IsScalar()) {
    AddError(errors, file, node, path, "must be an expression (a string)");
    return false;
  }
  expr::CompileError e;
  std::optional<expr::Expression> x = expr::Expression::Compile(node.Scalar(), options, &e);
  if (!x) {
    errors->push_back(Located(node, file, path, e));
    return false;
  }
  *out = *x;
  return true;
}

bool CompileTemplate(const YAML::Node& node, const std::string& file, const std::string& path,
                     const expr::CompileOptions& options, ConfigErrors* errors,
                     expr::Template* out) {
  if (!node.IsScalar()) {
    AddError(errors, file, node, path, "must be a string template");
    return false;
  }
  expr::CompileError e;
  std::optional<expr::Template> t = expr::Template::Compile(node.Scalar(), options, &e);
  if (!t) {
    errors->push_back(Located(node, file, path, e));
    return false;
  }
  *out = *t;
  return true;
}

}  // namespace sippet
