#include "mappers/yaml_reader.h"

#include <algorithm>

namespace sippet {

std::string ConfigError::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  out += ": ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

void AddError(ConfigErrors* errors, const std::string& file, const YAML::Node& node,
              const std::string& key, const std::string& message) {
  ConfigError e;
  e.file = file;
  if (node.IsDefined()) {
    YAML::Mark m = node.Mark();
    if (m.line >= 0) {
      e.line = m.line + 1;
      e.column = m.column + 1;
    }
  }
  e.key = key;
  e.message = message;
  errors->push_back(std::move(e));
}

YamlMap::YamlMap(const YAML::Node& node, std::string file, std::string path,
                 ConfigErrors* errors)
    : node_(node), file_(std::move(file)), path_(std::move(path)), errors_(errors) {
  valid_ = node_.IsDefined() && node_.IsMap();
  if (!valid_ && node_.IsDefined() && !node_.IsNull()) {
    AddError(errors_, file_, node_, path_, "must be a mapping of keys to values");
  }
}

std::string YamlMap::PathOf(const std::string& key) const {
  if (key.empty()) return path_;
  return path_.empty() ? key : path_ + "." + key;
}

bool YamlMap::Has(const std::string& key) const { return valid_ && node_[key].IsDefined(); }

YAML::Node YamlMap::Child(const std::string& key) {
  known_.insert(key);
  if (!valid_) return YAML::Node();
  return node_[key];
}

void YamlMap::Error(const std::string& key, const std::string& message) {
  YAML::Node at = key.empty() || !Has(key) ? node_ : node_[key];
  AddError(errors_, file_, at, PathOf(key), message);
}

std::string YamlMap::String(const std::string& key, const std::string& def, bool required) {
  YAML::Node n = Child(key);
  if (!n.IsDefined() || n.IsNull()) {
    if (required) Error(key, "is required");
    return def;
  }
  if (!n.IsScalar()) {
    Error(key, "must be a string");
    return def;
  }
  return n.Scalar();
}

int64_t YamlMap::Int(const std::string& key, int64_t def, int64_t min, int64_t max) {
  YAML::Node n = Child(key);
  if (!n.IsDefined() || n.IsNull()) return def;
  int64_t v = 0;
  if (!n.IsScalar() || !YAML::convert<int64_t>::decode(n, v)) {
    Error(key, "must be a whole number");
    return def;
  }
  if (v < min || v > max) {
    Error(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                   ", got " + std::to_string(v));
    return def;
  }
  return v;
}

bool YamlMap::Bool(const std::string& key, bool def) {
  YAML::Node n = Child(key);
  if (!n.IsDefined() || n.IsNull()) return def;
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
    Error(key, "must be true or false");
    return def;
  }
  return v;
}

std::vector<std::string> YamlMap::StringList(const std::string& key) {
  YAML::Node n = Child(key);
  std::vector<std::string> out;
  if (!n.IsDefined() || n.IsNull()) return out;
  if (!n.IsSequence()) {
    Error(key, "must be a list of strings");
    return out;
  }
  for (size_t i = 0; i < n.size(); ++i) {
    if (!n[i].IsScalar()) {
      AddError(errors_, file_, n[i], PathOf(key) + "[" + std::to_string(i) + "]",
               "must be a string");
      continue;
    }
    out.push_back(n[i].Scalar());
  }
  return out;
}

std::string YamlMap::Enum(const std::string& key, const std::string& def,
                          const std::vector<std::string>& allowed) {
  std::string v = String(key, def);
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
    std::string list;
    for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
    Error(key, "must be one of " + list + ", got '" + v + "'");
    return def;
  }
  return v;
}

void YamlMap::Finish() {
  if (!valid_) return;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
    if (known_.count(key)) continue;
    std::string hint;
    if (key == "secret" || key == "password" || key == "token")
      hint = " (secrets are never inline: use a *_file, *_env or *_credential key)";
    AddError(errors_, file_, it->first, PathOf(key), "unknown key" + hint);
  }
}

}  // namespace sippet
