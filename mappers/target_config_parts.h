#ifndef SIPPET_MAPPERS_TARGET_CONFIG_PARTS_H_
#define SIPPET_MAPPERS_TARGET_CONFIG_PARTS_H_

// Pieces shared by target_config.cc and target_auth_config.cc. Not a public interface.

#include <string>

#include "mappers/target_config.h"
#include "mappers/yaml_reader.h"

namespace sippet {
namespace target_config_internal {

// `path` made relative to the directory of `config_file` (absolute paths unchanged).
std::string ResolvePath(const std::string& config_file, const std::string& path);

// Checks an absolute http(s) URL: no spaces or control characters, no userinfo, no fragment,
// a query only when `allow_query`, a host name or IP literal, a port 1..65535. On success sets
// *out to the URL with scheme and host lower-cased (and, when `strip_slash`, trailing '/'
// removed); on failure returns false with a reason in *error.
bool CheckHttpUrl(const std::string& url, bool allow_query, bool strip_slash, std::string* out,
                  std::string* error);

// A number (integer or decimal) in [min, max]; the default plus an error otherwise.
double Number(YamlMap& m, const std::string& key, double def, double min, double max);

// Reads `targets.<name>.auth` into t->auth, t->use_instance_url and t->secret_sources, loading
// the secrets. Errors go to m.errors().
void LoadTargetAuth(YamlMap m, const std::string& config_file, TargetConfig* t);

}  // namespace target_config_internal
}  // namespace sippet

#endif  // SIPPET_MAPPERS_TARGET_CONFIG_PARTS_H_
