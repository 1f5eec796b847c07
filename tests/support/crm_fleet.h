#ifndef SIPPET_TESTS_SUPPORT_CRM_FLEET_H_
#define SIPPET_TESTS_SUPPORT_CRM_FLEET_H_

#include <memory>
#include <string>

#include "tests/fakes/fake_crm.h"

namespace sippet::testing {

struct FleetOptions {
  int timeout_ms = 2000;     // every target's request timeout
  int lease_seconds = 10;    // workers.lease_seconds
  int concurrency = 4;       // workers.concurrency
  int max_attempts = 50;     // retry budget (fast schedule: 1 s between attempts)
};

// The four fake CRMs the shipped presets talk to (HubSpot, Salesforce, Zendesk, generic
// REST), each a real HTTP server on 127.0.0.1, plus the YAML that points the presets'
// targets at them: the presets in config/mappings.d run unchanged.
class CrmFleet {
 public:
  explicit CrmFleet(const std::string& secrets_dir, FleetOptions options = {});
  ~CrmFleet();

  // Top-level YAML: mappings_dir (the shipped presets), workers, targets.
  std::string Yaml() const;

  fakes::FakeCrmServer& hubspot() { return *hubspot_; }
  fakes::FakeCrmServer& salesforce() { return *salesforce_; }
  fakes::FakeCrmServer& zendesk() { return *zendesk_; }
  fakes::FakeCrmServer& rest() { return *rest_; }

 private:
  std::string dir_;
  FleetOptions options_;
  std::unique_ptr<fakes::FakeCrmServer> hubspot_, salesforce_, zendesk_, rest_;
};

}  // namespace sippet::testing

#endif  // SIPPET_TESTS_SUPPORT_CRM_FLEET_H_
