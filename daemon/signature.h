#ifndef SIPPET_DAEMON_SIGNATURE_H_
#define SIPPET_DAEMON_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/secret.h"

namespace sippet {

// Standard Webhooks v1 signatures: base64(HMAC-SHA256(key, id "." timestamp "." body)),
// where key is the base64 text after "whsec_".

// Decodes a "whsec_<base64>" secret into its key bytes. The decoded key must be 24..64 bytes.
// On failure returns false and sets *error to a message that never contains the secret.
bool ParseWebhookSecret(std::string_view text, Secret* key, std::string* error);

enum class SignatureResult {
  kValid,
  kMissingHeaders,    // webhook-id, webhook-timestamp or webhook-signature absent or empty
  kInvalidTimestamp,  // not a plain decimal number of seconds
  kTimestampTooOld,   // older than now - tolerance
  kTimestampTooNew,   // newer than now + tolerance
  kNoMatch,           // no v1 signature in the header matches any configured key
};

// A short machine-readable code ("invalid_signature", "timestamp_out_of_tolerance", ...).
const char* SignatureResultCode(SignatureResult r);
// A sentence for the error body, naming what was wrong but never what was expected.
std::string SignatureResultMessage(SignatureResult r, int64_t tolerance_seconds);

struct SignedHeaders {
  std::string_view id;         // webhook-id
  std::string_view timestamp;  // webhook-timestamp
  std::string_view signature;  // webhook-signature: space-separated "v1,<base64>" entries
};

// Checks the tolerance window (|now - timestamp| <= tolerance, both directions) and then each
// v1 entry of the header against each key, in constant time per comparison. Any one match of
// any key is valid, so secrets can rotate. `body` must be the raw bytes as received.
SignatureResult VerifySignature(const std::vector<Secret>& keys, const SignedHeaders& headers,
                                std::string_view body, int64_t now_unix,
                                int64_t tolerance_seconds);

// Returns "v1,<base64>" for the given key and message. Used by tests, the demo and benchmarks.
std::string SignV1(const Secret& key, std::string_view id, std::string_view timestamp,
                   std::string_view body);

}  // namespace sippet

#endif  // SIPPET_DAEMON_SIGNATURE_H_
