#include "tests/support/crm_fleet.h"

#include <algorithm>
#include <stdexcept>

#include "tests/support/test_daemon.h"

namespace sippet::testing {
namespace {

std::unique_ptr<fakes::FakeCrmServer> StartFake(fakes::FakeCrmKind kind,
                                                fakes::FakeCrmOptions options) {
  auto fake = fakes::MakeFakeCrm(kind, options);
  std::string error;
  if (!fake->Start(&error)) throw std::runtime_error("fake CRM: " + error);
  return fake;
}

}  // namespace

CrmFleet::CrmFleet(const std::string& secrets_dir, FleetOptions options)
    : dir_(secrets_dir), options_(options) {
  fakes::FakeCrmOptions o;  // bearer "test-token", Salesforce client test-client/test-secret
  hubspot_ = StartFake(fakes::FakeCrmKind::kHubSpot, o);
  salesforce_ = StartFake(fakes::FakeCrmKind::kSalesforce, o);
  fakes::FakeCrmOptions zd = o;
  zd.bearer_token = "";
  zd.basic_user = "sync-agent@example.com/token";
  zd.basic_password = "zendesk-api-token";
  zendesk_ = StartFake(fakes::FakeCrmKind::kZendesk, zd);
  fakes::FakeCrmOptions rest = o;
  rest.bearer_token = "";
  rest.api_key_header = "X-API-Key";
  rest.api_key = "rest-api-key";
  // Like most APIs with an external id, a second record with the same sippet_id is refused
  // with 409 and the existing id: what makes a create retried after a timeout safe.
  rest.generic_unique_field = "sippet_id";
  rest_ = StartFake(fakes::FakeCrmKind::kGenericRest, rest);
  WriteFile(dir_ + "/hubspot-token", "test-token\n");
  WriteFile(dir_ + "/salesforce-secret", "test-secret\n");
  WriteFile(dir_ + "/zendesk-token", "zendesk-api-token\n");
  WriteFile(dir_ + "/rest-key", "rest-api-key\n");
}

CrmFleet::~CrmFleet() {
  for (auto* f : {hubspot_.get(), salesforce_.get(), zendesk_.get(), rest_.get()}) {
    if (f) f->Stop();
  }
}

std::string CrmFleet::Yaml() const {
  std::string common = "    allow_private: [\"127.0.0.0/8\"]\n    timeout_ms: " +
                       std::to_string(options_.timeout_ms) +
                       "\n    connect_timeout_ms: " + std::to_string(std::min(1000, options_.timeout_ms)) + "\n"
                       "    retry: {schedule_seconds: [1], jitter: 0.5, min_delay_seconds: 1, "
                       "max_attempts: " + std::to_string(options_.max_attempts) +
                       ", max_retry_after_seconds: 2, rate_limited_delay_seconds: 1}\n"
                       "    circuit: {consecutive_failures: 5, cool_down_ms: 1000}\n";
  return "mappings_dir: " + std::string(SIPPET_SOURCE_DIR) + "/config/mappings.d\n"
         "workers: {concurrency: " + std::to_string(options_.concurrency) +
         ", lease_seconds: " + std::to_string(options_.lease_seconds) +
         ", poll_interval_ms: 500}\n"
         "targets:\n"
         "  hubspot:\n    base_url: " + hubspot_->base_url() + "\n" + common +
         "    auth: {type: bearer, token_file: " + dir_ + "/hubspot-token}\n"
         "  salesforce:\n    base_url: " + salesforce_->base_url() + "\n" + common +
         "    auth: {type: oauth2_client_credentials, token_url: " + salesforce_->base_url() +
         "/services/oauth2/token, client_id: test-client, client_secret_file: " + dir_ +
         "/salesforce-secret, use_instance_url: true}\n"
         "  zendesk:\n    base_url: " + zendesk_->base_url() + "\n" + common +
         "    auth: {type: basic, username: \"sync-agent@example.com/token\", password_file: " +
         dir_ + "/zendesk-token}\n"
         "  crm_rest:\n    base_url: " + rest_->base_url() + "\n" + common +
         "    auth: {type: api_key, header: X-API-Key, key_file: " + dir_ + "/rest-key}\n";
}

}  // namespace sippet::testing
