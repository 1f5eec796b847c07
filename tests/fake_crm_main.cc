// fake-crm: serves one fake CRM on 127.0.0.1 for the demo and manual testing.
//
//   fake-crm --kind hubspot|salesforce|zendesk|generic [--port N] [--token T]
//            [--basic-user U --basic-password P] [--api-key-header H --api-key K]
//            [--latency-ms MS] [--fail-rate F] [--seed S]
//
// Prints "listening on 127.0.0.1:PORT" once bound, then serves until SIGINT or SIGTERM.
// GET /_fake/records and /_fake/stats show what the fake holds.

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>

#include "tests/fakes/fake_crm.h"

namespace {

int Usage(const std::string& problem) {
  std::cerr << "fake-crm: " << problem << "\n"
            << "usage: fake-crm --kind hubspot|salesforce|zendesk|generic [--port N] "
               "[--token T] [--basic-user U --basic-password P] [--api-key-header H "
               "--api-key K] [--latency-ms MS] [--fail-rate F] [--seed S]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using sippet::fakes::FakeCrmKind;
  std::optional<FakeCrmKind> kind;
  sippet::fakes::FakeCrmOptions options;
  int latency_ms = 0;
  double fail_rate = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return Usage("missing value for " + arg);
    const std::string value = argv[++i];
    if (arg == "--kind") {
      kind = sippet::fakes::ParseFakeCrmKind(value);
      if (!kind) return Usage("unknown kind '" + value + "'");
    } else if (arg == "--port") {
      options.port = static_cast<uint16_t>(std::atoi(value.c_str()));
    } else if (arg == "--token") {
      options.bearer_token = value;
    } else if (arg == "--basic-user") {
      options.basic_user = value;
    } else if (arg == "--basic-password") {
      options.basic_password = value;
    } else if (arg == "--api-key-header") {
      options.api_key_header = value;
    } else if (arg == "--api-key") {
      options.api_key = value;
    } else if (arg == "--latency-ms") {
      latency_ms = std::atoi(value.c_str());
    } else if (arg == "--fail-rate") {
      fail_rate = std::atof(value.c_str());
    } else if (arg == "--seed") {
      options.seed = std::strtoull(value.c_str(), nullptr, 10);
    } else {
      return Usage("unknown option " + arg);
    }
  }
  if (!kind) return Usage("--kind is required");

  // Block the stop signals before any thread starts, then wait for one of them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto fake = sippet::fakes::MakeFakeCrm(*kind, options);
  std::string error;
  if (!fake->Start(&error)) {
    std::cerr << error << "\n";
    return 1;
  }
  if (latency_ms > 0) fake->state().faults.SetLatencyMs(latency_ms);
  if (fail_rate > 0) {
    fake->state().faults.AddRandom(fail_rate, sippet::fakes::Fault::Status(503));
  }
  std::cout << "listening on 127.0.0.1:" << fake->port() << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  fake->Stop();
  return 0;
}
