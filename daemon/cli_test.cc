#include "daemon/cli.h"

#include <gtest/gtest.h>

namespace sippet {
namespace {

TEST(CliTest, ParsesCommandsAndOptions) {
  CliCommand c = ParseCommandLine({"serve", "--config", "/etc/s.yaml", "--no-workers"});
  EXPECT_EQ(c.kind, CliCommand::Kind::kServe);
  EXPECT_EQ(c.config, "/etc/s.yaml");
  EXPECT_TRUE(c.no_workers);
  EXPECT_FALSE(c.no_ingest);
  EXPECT_EQ(ParseCommandLine({"migrate", "--config=x.yaml"}).config, "x.yaml");
  EXPECT_EQ(ParseCommandLine({"check-config", "--config", "x"}).kind, CliCommand::Kind::kCheckConfig);
  EXPECT_EQ(ParseCommandLine({"--help"}).kind, CliCommand::Kind::kHelp);
  EXPECT_EQ(ParseCommandLine({"serve", "--help"}).kind, CliCommand::Kind::kHelp);
  EXPECT_EQ(ParseCommandLine({"--version"}).kind, CliCommand::Kind::kVersion);
}

TEST(CliTest, ErrorsNameTheProblemAndPointToHelp) {
  struct Case {
    std::vector<std::string> args;
    std::string want;
  } cases[] = {
      {{}, "missing command"},
      {{"srve"}, "unknown command 'srve'"},
      {{"serve"}, "serve needs --config FILE"},
      {{"migrate", "--config"}, "--config needs a file name"},
      {{"migrate", "--config", "x", "--no-ingest"}, "unknown option '--no-ingest' for migrate"},
      {{"serve", "--config", "x", "--no-ingest", "--no-workers"}, "leave nothing to run"},
  };
  for (const Case& c : cases) {
    CliCommand r = ParseCommandLine(c.args);
    EXPECT_EQ(r.kind, CliCommand::Kind::kError);
    EXPECT_NE(r.error.find(c.want), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("sippet-sync --help"), std::string::npos);
  }
}

}  // namespace
}  // namespace sippet
