#ifndef SIPPET_MAPPERS_SECRET_SOURCE_H_
#define SIPPET_MAPPERS_SECRET_SOURCE_H_

#include <optional>
#include <string>

#include "daemon/secret.h"
#include "mappers/yaml_reader.h"

namespace sippet {

// Where a secret lives. Secrets are never inline in YAML: a file, an environment variable, or
// a systemd credential (a file in $CREDENTIALS_DIRECTORY, see LoadCredential=).
struct SecretRef {
  enum class Kind { kFile, kEnv, kCredential };
  Kind kind = Kind::kFile;
  std::string name;  // path, variable name or credential name

  // "file /etc/x", "environment variable X", "credential x" — safe to log.
  std::string Describe() const;
};

// Reads "<prefix>_file", "<prefix>_env" and "<prefix>_credential" from `map`; exactly one may
// be set. Returns nullopt (recording an error when `required` or when several are set) if none.
std::optional<SecretRef> ReadSecretRef(YamlMap& map, const std::string& prefix, bool required);

// The YAML key that names `ref` under `prefix`, e.g. "secrets_file".
std::string SecretKey(const std::string& prefix, const SecretRef& ref);

// Reads the secret's text. Trailing newlines of files are removed. On failure returns false and
// sets *error (naming the source, never the content).
bool LoadSecretText(const SecretRef& ref, Secret* out, std::string* error);

}  // namespace sippet

#endif  // SIPPET_MAPPERS_SECRET_SOURCE_H_
