#ifndef SIPPET_DAEMON_COMMANDS_H_
#define SIPPET_DAEMON_COMMANDS_H_

#include "daemon/cli.h"

namespace sippet {

// Each runs one subcommand to completion and returns the process exit status. Messages for
// the user go to stderr (errors) and stdout (results).
int RunCheckConfig(const CliCommand& cmd);
int RunMigrate(const CliCommand& cmd);
// Blocks until SIGTERM or SIGINT; SIGHUP reloads the config. Call with those signals blocked
// in every thread (main does this before any thread starts).
int RunServe(const CliCommand& cmd);

}  // namespace sippet

#endif  // SIPPET_DAEMON_COMMANDS_H_
