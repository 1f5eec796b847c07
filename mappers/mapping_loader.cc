#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "mappers/mapping.h"
#include "mappers/yaml_reader.h"

namespace sippet {
namespace {

const std::vector<std::string> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};

class Loader {
 public:
  Loader(std::string file, const std::set<std::string>& targets, ConfigErrors* errors)
      : file_(std::move(file)), targets_(targets), errors_(errors) {}

  bool Load(const YAML::Node& root, Mapping* m) {
    size_t before = errors_->size();
    m->file = file_;
    YamlMap top(root, file_, "", errors_);
    std::string stem = std::filesystem::path(file_).stem().string();
    m->name = top.String("name", stem);
    static const std::regex kName("^[a-z0-9][a-z0-9_.-]*$");
    if (!std::regex_match(m->name, kName))
      top.Error("name", "must be lower-case letters, digits, '.', '_' or '-'");
    // Tables and vars first: expressions may refer to them.
    YAML::Node tables = top.Child("lookups");
    if (tables.IsDefined() && !tables.IsNull()) {
      if (!tables.IsMap()) {
        top.Error("lookups", "must map table names to tables");
      } else {
        for (auto it = tables.begin(); it != tables.end(); ++it) {
          if (!it->second.IsMap()) {
            AddError(errors_, file_, it->second, "lookups." + it->first.Scalar(),
                     "a lookup table must map keys to values");
            continue;
          }
          nlohmann::json t = nlohmann::json::object();
          for (auto kv = it->second.begin(); kv != it->second.end(); ++kv) {
            t[kv->first.Scalar()] = YamlToJson(kv->second);
          }
          tables_[it->first.Scalar()] = t;
        }
      }
    }
    YAML::Node vars = top.Child("vars");
    if (vars.IsDefined() && !vars.IsNull()) {
      if (!vars.IsMap()) top.Error("vars", "must be a mapping");
      else m->vars = YamlToJson(vars);
    }
    options_.roots = MappingRoots();
    options_.tables = &tables_;

    YAML::Node on = top.Child("on");
    if (on.IsScalar()) {
      m->on.push_back(on.Scalar());
    } else if (on.IsSequence() && on.size() > 0) {
      m->on = top.StringList("on");
    } else {
      top.Error(on.IsDefined() ? "on" : "", "needs 'on': the event types it maps (e.g. contact.*)");
    }
    static const std::regex kPattern(R"(^(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)$)");
    for (const std::string& p : m->on) {
      if (!std::regex_match(p, kPattern))
        top.Error("on", "'" + p + "' is not an event type or a pattern like contact.*");
    }
    Expr(top, "when", false, &m->when);
    m->target = top.String("target", "", true);
    if (!m->target.empty() && !targets_.count(m->target)) {
      std::string known;
      for (const auto& t : targets_) known += (known.empty() ? "" : ", ") + t;
      top.Error("target", "no target named '" + m->target + "' in the configuration" +
                              (known.empty() ? "" : " (known: " + known + ")"));
    }
    m->object = top.String("object", "", true);
    Expr(top, "key", true, &m->key);
    m->fields_as_strings = top.Bool("fields_as_strings", false);
    YAML::Node clear = top.Child("clear_value");
    m->clear_value = clear.IsDefined() ? YamlToJson(clear) : nlohmann::json("");
    LoadFields(top, m);
    LoadUpsert(YamlMap(top.Child("upsert"), file_, "upsert", errors_), top.Has("upsert"), m);
    LoadDelete(YamlMap(top.Child("on_delete"), file_, "on_delete", errors_), m);
    top.Finish();
    return errors_->size() == before;
  }

 private:
  void Expr(YamlMap& map, const std::string& key, bool required, expr::Expression* out,
            const expr::CompileOptions* options = nullptr) {
    YAML::Node n = map.Child(key);
    if (!n.IsDefined() || n.IsNull()) {
      if (required) map.Error("", "needs '" + key + "'");
      return;
    }
    CompileExpression(n, file_, map.PathOf(key), options ? *options : options_, errors_, out);
  }

  void LoadFields(YamlMap& top, Mapping* m) {
    YAML::Node fields = top.Child("fields");
    if (!fields.IsDefined() || fields.IsNull()) return;
    if (!fields.IsMap()) {
      top.Error("fields", "must map CRM field names to expressions");
      return;
    }
    for (auto it = fields.begin(); it != fields.end(); ++it) {
      FieldRule rule;
      rule.name = it->first.Scalar();
      std::string path = "fields." + rule.name;
      if (it->second.IsScalar()) {
        CompileExpression(it->second, file_, path, options_, errors_, &rule.value);
      } else {
        YamlMap f(it->second, file_, path, errors_);
        Expr(f, "value", true, &rule.value);
        std::string policy = f.Enum("on_null", "skip", {"skip", "send_null", "clear"});
        rule.on_null = policy == "send_null" ? NullPolicy::kSendNull
                       : policy == "clear"   ? NullPolicy::kClear
                                             : NullPolicy::kSkip;
        f.Finish();
      }
      m->fields.push_back(std::move(rule));
    }
  }

  // `search`: also read the search-only keys `results` and `id` into it.
  void Request(YamlMap& parent, const std::string& key, bool required, RequestSpec* out,
               Mapping* search = nullptr) {
    bool has = parent.Has(key);
    YamlMap r(parent.Child(key), file_, parent.PathOf(key), errors_);
    if (!has) {
      if (required) parent.Error("", "needs '" + key + "'");
      return;
    }
    out->present = true;
    std::string method = r.String("method", "", true);
    std::transform(method.begin(), method.end(), method.begin(), ::toupper);
    if (!method.empty() && std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end())
      r.Error("method", "must be one of GET, POST, PUT, PATCH, DELETE");
    out->method = method;
    YAML::Node path = r.Child("path");
    if (!path.IsDefined()) {
      r.Error("", "needs 'path' (joined to the target's base_url)");
    } else if (CompileTemplate(path, file_, r.PathOf("path"), options_, errors_, &out->path) &&
               (path.Scalar().empty() || path.Scalar()[0] != '/')) {
      r.Error("path", "must start with '/': URLs come from the target's base_url");
    }
    Pairs(r, "query", &out->query);
    Pairs(r, "headers", &out->headers);
    YAML::Node body = r.Child("body");
    if (body.IsDefined() && !body.IsNull())
      out->body.Compile(body, file_, r.PathOf("body"), options_, errors_);
    expr::CompileOptions any;  // response paths: any top-level name of the response body
    Expr(r, "external_id", false, &out->external_id, &any);
    if (search != nullptr) {
      Expr(r, "results", false, &search->search_results, &any);
      Expr(r, "id", true, &search->search_id, &any);
    }
    r.Finish();
  }

  void Pairs(YamlMap& r, const std::string& key,
             std::vector<std::pair<std::string, expr::Template>>* out) {
    YAML::Node n = r.Child(key);
    if (!n.IsDefined() || n.IsNull()) return;
    if (!n.IsMap()) {
      r.Error(key, "must map names to values");
      return;
    }
    for (auto it = n.begin(); it != n.end(); ++it) {
      expr::Template t;
      if (CompileTemplate(it->second, file_, r.PathOf(key) + "." + it->first.Scalar(), options_,
                          errors_, &t))
        out->emplace_back(it->first.Scalar(), t);
    }
  }

  void LoadUpsert(YamlMap u, bool present, Mapping* m) {
    if (!present) {
      AddError(errors_, file_, YAML::Node(), "upsert", "is required (strategy and requests)");
      return;
    }
    std::string s = u.Enum("strategy", "native", {"native", "search", "link"});
    m->strategy = s == "search" ? Strategy::kSearch : s == "link" ? Strategy::kLink : Strategy::kNative;
    expr::CompileOptions any;
    if (m->strategy == Strategy::kNative) {
      Request(u, "request", true, &m->native);
      if (u.Has("batch")) {
        YamlMap b(u.Child("batch"), file_, "upsert.batch", errors_);
        m->batch.max_items = static_cast<int>(b.Int("max_items", 100, 1, 1000));
        m->batch.items_path = b.String("items_path", "", true);
        Expr(b, "results", true, &m->batch.results, &any);
        Expr(b, "result_key", true, &m->batch.result_key, &any);
        Expr(b, "errors", false, &m->batch.errors, &any);
        Expr(b, "error_keys", false, &m->batch.error_keys, &any);
        b.Finish();
      }
    } else {
      Request(u, "search", true, &m->search, m);
      Request(u, "create", true, &m->create);
      Request(u, "update", true, &m->update);
      if (u.Has("conflict")) {
        YamlMap c(u.Child("conflict"), file_, "upsert.conflict", errors_);
        m->conflict_status = static_cast<int>(c.Int("status", 409, 400, 499));
        m->conflict_id_regex = c.String("id_regex", "", true);
        try {
          std::regex re(m->conflict_id_regex);
          if (re.mark_count() < 1) c.Error("id_regex", "needs a capture group for the id");
        } catch (const std::regex_error& e) {
          c.Error("id_regex", std::string("is not a valid regular expression: ") + e.what());
        }
        c.Finish();
      }
    }
    u.Finish();
  }

  void LoadDelete(YamlMap d, Mapping* m) {
    std::string action = d.Enum("action", "ignore", {"ignore", "request", "upsert"});
    m->on_delete = action == "request" ? DeleteAction::kRequest
                   : action == "upsert" ? DeleteAction::kUpsert
                                        : DeleteAction::kIgnore;
    Request(d, "request", m->on_delete == DeleteAction::kRequest, &m->delete_request);
    d.Finish();
  }

  std::string file_;
  const std::set<std::string>& targets_;
  ConfigErrors* errors_;
  expr::Tables tables_;
  expr::CompileOptions options_;
};

}  // namespace

const char* StrategyName(Strategy s) {
  switch (s) {
    case Strategy::kNative: return "native";
    case Strategy::kSearch: return "search";
    case Strategy::kLink: return "link";
  }
  return "native";
}

const std::vector<std::string>& MappingRoots() {
  static const std::vector<std::string> kRoots = {"event", "data", "record", "key", "fields",
                                                  "link", "vars", "idempotency_key"};
  return kRoots;
}

bool MatchesEventType(const std::string& pattern, const std::string& type) {
  if (pattern == "*") return true;
  if (pattern.size() >= 2 && pattern.compare(pattern.size() - 2, 2, ".*") == 0) {
    std::string prefix = pattern.substr(0, pattern.size() - 1);  // keeps the dot
    return type.compare(0, prefix.size(), prefix) == 0;
  }
  return pattern == type;
}

bool Mapping::Subscribes(const std::string& type) const {
  for (const std::string& p : on) {
    if (MatchesEventType(p, type)) return true;
  }
  return false;
}

bool LoadMappingFromString(const std::string& yaml, const std::string& file,
                           const std::set<std::string>& targets, ConfigErrors* errors,
                           Mapping* out) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& ex) {
    errors->push_back({file, ex.mark.line + 1, ex.mark.column + 1, "", "invalid YAML: " + ex.msg});
    return false;
  }
  if (!root.IsMap()) {
    errors->push_back({file, 0, 0, "", "a mapping file must be a YAML mapping"});
    return false;
  }
  return Loader(file, targets, errors).Load(root, out);
}

bool LoadMappings(const std::string& dir, const std::set<std::string>& targets,
                  ConfigErrors* errors, std::vector<Mapping>* out) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    errors->push_back({dir, 0, 0, "", "mappings_dir is not a readable directory"});
    return false;
  }
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::string ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  size_t before = errors->size();
  std::set<std::string> names;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    Mapping m;
    if (!LoadMappingFromString(ss.str(), f, targets, errors, &m)) continue;
    if (!names.insert(m.name).second) {
      errors->push_back({f, 0, 0, "name", "mapping name '" + m.name + "' is used by another file"});
      continue;
    }
    out->push_back(std::move(m));
  }
  return errors->size() == before;
}

}  // namespace sippet
