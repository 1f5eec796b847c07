#ifndef SIPPET_DAEMON_JOB_OUTCOME_H_
#define SIPPET_DAEMON_JOB_OUTCOME_H_

#include "daemon/job_store.h"
#include "mappers/delivery.h"
#include "mappers/retry_policy.h"

namespace sippet {

// Turns a delivery result into the job's next state (DESIGN §5): done, dead with its reason,
// or pending again after a delay. Pure: the clock and the random source are arguments.
// `credentials_refreshed`: this round already refreshed credentials after a 401.
JobFinish DecideFinish(const RetryPolicy& policy, const ClaimedJob& job,
                       const DeliveryResult& result, bool credentials_refreshed,
                       int64_t now_unix, const Rng& rng);

// A JSON body with the values of credential-looking keys (password, secret, token, api_key,
// authorization, ...) masked, cut to `max_bytes`. Non-JSON text is only cut.
std::string RedactBody(const std::string& body, size_t max_bytes);

}  // namespace sippet

#endif  // SIPPET_DAEMON_JOB_OUTCOME_H_
