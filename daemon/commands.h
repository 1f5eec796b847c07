#ifndef SIPPET_DAEMON_COMMANDS_H_
#define SIPPET_DAEMON_COMMANDS_H_

#include <memory>
#include <string>

#include "daemon/cli.h"
#include "mappers/config.h"

namespace sippet {

// Loads a configuration, printing every error to stderr; nullptr when invalid.
std::shared_ptr<Config> LoadForCommand(const std::string& path);

// Each runs one subcommand to completion and returns the process exit status. Messages for
// the user go to stderr (errors) and stdout (results).
int RunCheckConfig(const CliCommand& cmd);
int RunMigrate(const CliCommand& cmd);
// Prints the requests a mapping would send for an event file; sends nothing.
int RunMap(const CliCommand& cmd);
// Blocks until SIGTERM or SIGINT; SIGHUP reloads the config. Call with those signals blocked
// in every thread (main does this before any thread starts).
int RunServe(const CliCommand& cmd);

}  // namespace sippet

#endif  // SIPPET_DAEMON_COMMANDS_H_
