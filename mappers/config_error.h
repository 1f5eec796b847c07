#ifndef SIPPET_MAPPERS_CONFIG_ERROR_H_
#define SIPPET_MAPPERS_CONFIG_ERROR_H_

#include <string>
#include <vector>

namespace sippet {

// One problem found in a configuration file. Printed as "FILE:LINE:COLUMN: KEY: MESSAGE"
// (line and column 1-based; omitted when unknown). Messages never contain secret values.
struct ConfigError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string key;  // dotted path, e.g. "endpoints[0].secrets_file"
  std::string message;

  std::string ToString() const;
};

// Collected problems; loading reports all of them, not just the first.
using ConfigErrors = std::vector<ConfigError>;

}  // namespace sippet

#endif  // SIPPET_MAPPERS_CONFIG_ERROR_H_
