#ifndef SIPPET_DAEMON_CLI_H_
#define SIPPET_DAEMON_CLI_H_

#include <string>
#include <vector>

namespace sippet {

// Exit statuses of the binary.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;  // the database, the network, a signal
inline constexpr int kExitUsage = 2;    // the command line or the configuration

struct CliCommand {
  enum class Kind { kHelp, kVersion, kServe, kMigrate, kCheckConfig, kMap, kError };
  Kind kind = Kind::kHelp;
  std::string config;        // --config FILE
  bool no_ingest = false;    // serve --no-ingest
  bool no_workers = false;   // serve --no-workers
  std::string mapping;       // map --mapping NAME
  std::string event;         // map --event FILE.json
  std::string error;         // for kError: what was wrong and what to do
};

// Parses argv (without argv[0]). Never exits; errors come back as Kind::kError.
CliCommand ParseCommandLine(const std::vector<std::string>& args);

std::string UsageText();

}  // namespace sippet

#endif  // SIPPET_DAEMON_CLI_H_
