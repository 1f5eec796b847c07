#include "daemon/cli.h"

namespace sippet {
namespace {

CliCommand Error(const std::string& message) {
  CliCommand c;
  c.kind = CliCommand::Kind::kError;
  c.error = message + "\nRun 'sippet-sync --help' for usage.";
  return c;
}

}  // namespace

std::string UsageText() {
  return R"(Usage: sippet-sync COMMAND [OPTIONS]

Receives Sippet webhooks into PostgreSQL and syncs them to CRM and ticketing systems.

Commands:
  serve --config FILE [--no-ingest] [--no-workers]
                     Run the webhook receiver and the delivery workers.
  migrate --config FILE
                     Apply pending database migrations (safe to run repeatedly).
  check-config --config FILE
                     Validate the configuration, its secrets and every mapping, then exit.
  map --config FILE --mapping NAME --event FILE.json
                     Print the exact HTTP request(s) the mapping would send for the event
                     (credentials masked). Sends nothing.

Options:
  --config FILE      The YAML configuration (e.g. /etc/sippet-sync/sippet-sync.yaml).
  --help             Show this text.
  --version          Show the version.

Environment:
  SIPPET_SYNC_DATABASE_URL   Overrides database.url from the configuration.

Exit status: 0 success, 1 runtime failure, 2 usage or configuration error.
)";
}

CliCommand ParseCommandLine(const std::vector<std::string>& args) {
  CliCommand c;
  if (args.empty()) return Error("missing command");
  size_t i = 0;
  const std::string& first = args[0];
  if (first == "--help" || first == "-h" || first == "help") {
    c.kind = CliCommand::Kind::kHelp;
    return c;
  }
  if (first == "--version" || first == "version") {
    c.kind = CliCommand::Kind::kVersion;
    return c;
  }
  if (first == "serve") {
    c.kind = CliCommand::Kind::kServe;
  } else if (first == "migrate") {
    c.kind = CliCommand::Kind::kMigrate;
  } else if (first == "check-config") {
    c.kind = CliCommand::Kind::kCheckConfig;
  } else if (first == "map") {
    c.kind = CliCommand::Kind::kMap;
  } else {
    return Error("unknown command '" + first + "'");
  }
  for (i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      CliCommand h;
      h.kind = CliCommand::Kind::kHelp;
      return h;
    } else if (a == "--config") {
      if (i + 1 >= args.size()) return Error("--config needs a file name");
      c.config = args[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      c.config = a.substr(9);
    } else if ((a == "--mapping" || a == "--event") && c.kind == CliCommand::Kind::kMap) {
      if (i + 1 >= args.size()) return Error(a + " needs a value");
      (a == "--mapping" ? c.mapping : c.event) = args[++i];
    } else if (a == "--no-ingest" && c.kind == CliCommand::Kind::kServe) {
      c.no_ingest = true;
    } else if (a == "--no-workers" && c.kind == CliCommand::Kind::kServe) {
      c.no_workers = true;
    } else {
      return Error("unknown option '" + a + "' for " + first);
    }
  }
  if (c.config.empty()) return Error(first + " needs --config FILE");
  if (c.kind == CliCommand::Kind::kMap && (c.mapping.empty() || c.event.empty()))
    return Error("map needs --mapping NAME and --event FILE.json");
  if (c.no_ingest && c.no_workers) return Error("--no-ingest and --no-workers together leave nothing to run");
  return c;
}

}  // namespace sippet
