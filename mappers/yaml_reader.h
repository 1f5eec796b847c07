#ifndef SIPPET_MAPPERS_YAML_READER_H_
#define SIPPET_MAPPERS_YAML_READER_H_

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mappers/config_error.h"

namespace sippet {

// A view of one YAML mapping that knows its file and key path, records which keys were read,
// and reports type and range errors with file, line, column and key path. Unknown keys are
// errors: call Finish() after reading every known key.
//
// Not thread-safe; lives only while one file is loaded.
class YamlMap {
 public:
  // If `node` is not a mapping (and not absent) an error is recorded.
  YamlMap(const YAML::Node& node, std::string file, std::string path, ConfigErrors* errors);

  bool Has(const std::string& key) const;
  // The raw child (marks the key as known). Null node when absent.
  YAML::Node Child(const std::string& key);

  // Typed getters: return the value, the default when the key is absent, or the default plus an
  // error when the value has the wrong type or is out of range.
  std::string String(const std::string& key, const std::string& def, bool required = false);
  int64_t Int(const std::string& key, int64_t def, int64_t min, int64_t max);
  bool Bool(const std::string& key, bool def);
  std::vector<std::string> StringList(const std::string& key);
  // A string that must be one of `allowed`.
  std::string Enum(const std::string& key, const std::string& def,
                   const std::vector<std::string>& allowed);

  // Records an error located at `key` (or at the map itself when key is empty).
  void Error(const std::string& key, const std::string& message);
  // Records an error for every key that no getter asked for.
  void Finish();

  std::string PathOf(const std::string& key) const;
  const std::string& file() const { return file_; }
  ConfigErrors* errors() const { return errors_; }

 private:
  const YAML::Node node_;  // a handle; copies are cheap
  std::string file_;
  std::string path_;
  ConfigErrors* errors_;
  std::set<std::string> known_;
  bool valid_;
};

// Records an error located at `node`.
void AddError(ConfigErrors* errors, const std::string& file, const YAML::Node& node,
              const std::string& key, const std::string& message);

}  // namespace sippet

#endif  // SIPPET_MAPPERS_YAML_READER_H_
