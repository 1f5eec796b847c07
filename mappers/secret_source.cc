#include "mappers/secret_source.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sippet {

std::string SecretRef::Describe() const {
  switch (kind) {
    case Kind::kFile: return "file " + name;
    case Kind::kEnv: return "environment variable " + name;
    case Kind::kCredential: return "credential " + name;
  }
  return name;
}

std::string SecretKey(const std::string& prefix, const SecretRef& ref) {
  switch (ref.kind) {
    case SecretRef::Kind::kFile: return prefix + "_file";
    case SecretRef::Kind::kEnv: return prefix + "_env";
    case SecretRef::Kind::kCredential: return prefix + "_credential";
  }
  return prefix;
}

std::optional<SecretRef> ReadSecretRef(YamlMap& map, const std::string& prefix, bool required) {
  struct Option {
    const char* suffix;
    SecretRef::Kind kind;
  } options[] = {{"_file", SecretRef::Kind::kFile},
                 {"_env", SecretRef::Kind::kEnv},
                 {"_credential", SecretRef::Kind::kCredential}};
  std::optional<SecretRef> found;
  int count = 0;
  for (const Option& o : options) {
    std::string key = prefix + o.suffix;
    std::string value = map.String(key, "");
    if (!map.Has(key)) continue;
    ++count;
    if (value.empty()) {
      map.Error(key, "must not be empty");
      continue;
    }
    if (o.kind == SecretRef::Kind::kCredential && value.find('/') != std::string::npos) {
      map.Error(key, "a credential name must not contain '/'");
      continue;
    }
    found = SecretRef{o.kind, value};
  }
  if (count > 1) {
    map.Error(prefix + "_file", "set only one of " + prefix + "_file, " + prefix + "_env, " +
                                    prefix + "_credential");
    return std::nullopt;
  }
  if (count == 0 && required) {
    map.Error("", "needs one of " + prefix + "_file, " + prefix + "_env or " + prefix +
                      "_credential");
  }
  return found;
}

namespace {

bool ReadWholeFile(const std::string& path, std::string* out, std::string* error,
                   const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot read " + what + ": " + std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  while (!out->empty() && (out->back() == '\n' || out->back() == '\r')) out->pop_back();
  return true;
}

}  // namespace

bool LoadSecretText(const SecretRef& ref, Secret* out, std::string* error) {
  std::string text;
  switch (ref.kind) {
    case SecretRef::Kind::kFile:
      if (!ReadWholeFile(ref.name, &text, error, ref.Describe())) return false;
      break;
    case SecretRef::Kind::kEnv: {
      const char* v = std::getenv(ref.name.c_str());
      if (v == nullptr) {
        *error = ref.Describe() + " is not set";
        return false;
      }
      text = v;
      break;
    }
    case SecretRef::Kind::kCredential: {
      const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
      if (dir == nullptr || *dir == '\0') {
        *error = ref.Describe() + ": $CREDENTIALS_DIRECTORY is not set (use LoadCredential=)";
        return false;
      }
      if (!ReadWholeFile(std::string(dir) + "/" + ref.name, &text, error, ref.Describe()))
        return false;
      break;
    }
  }
  if (text.empty()) {
    *error = ref.Describe() + " is empty";
    return false;
  }
  *out = Secret(std::move(text));
  return true;
}

}  // namespace sippet
