// sippet-sync: the composition root. Parses the command line and runs one subcommand.
#include <signal.h>

#include <iostream>
#include <string>
#include <vector>

#include "daemon/cli.h"
#include "daemon/commands.h"

int main(int argc, char** argv) {
  // Block the signals `serve` waits for before any thread exists, so every thread inherits it.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> args(argv + 1, argv + argc);
  sippet::CliCommand cmd = sippet::ParseCommandLine(args);
  using Kind = sippet::CliCommand::Kind;
  switch (cmd.kind) {
    case Kind::kHelp:
      std::cout << sippet::UsageText();
      return sippet::kExitOk;
    case Kind::kVersion:
      std::cout << "sippet-sync " << SIPPET_SYNC_VERSION << "\n";
      return sippet::kExitOk;
    case Kind::kError:
      std::cerr << "sippet-sync: " << cmd.error << "\n";
      return sippet::kExitUsage;
    case Kind::kCheckConfig:
      return sippet::RunCheckConfig(cmd);
    case Kind::kMigrate:
      return sippet::RunMigrate(cmd);
    case Kind::kMap:
      return sippet::RunMap(cmd);
    case Kind::kServe:
      return sippet::RunServe(cmd);
  }
  return sippet::kExitUsage;
}
