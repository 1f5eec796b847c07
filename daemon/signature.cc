#include "daemon/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cerrno>
#include <cstdlib>

#include "daemon/base64.h"

namespace sippet {
namespace {

constexpr std::string_view kSecretPrefix = "whsec_";
constexpr size_t kMinKeyBytes = 24;
constexpr size_t kMaxKeyBytes = 64;
constexpr size_t kMacBytes = 32;

std::string Mac(const Secret& key, std::string_view id, std::string_view ts,
                std::string_view body) {
  std::string msg;
  msg.reserve(id.size() + ts.size() + body.size() + 2);
  msg.append(id).append(1, '.').append(ts).append(1, '.').append(body);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.Expose().data(), static_cast<int>(key.Expose().size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

// Parses a non-negative decimal timestamp of at most 12 digits.
bool ParseTimestamp(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 12) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

bool ParseWebhookSecret(std::string_view text, Secret* key, std::string* error) {
  if (text.substr(0, kSecretPrefix.size()) == kSecretPrefix) text.remove_prefix(kSecretPrefix.size());
  if (text.empty()) {
    *error = "secret is empty after the whsec_ prefix";
    return false;
  }
  std::optional<std::string> bytes = Base64Decode(text);
  if (!bytes) {
    *error = "secret is not valid base64 after the whsec_ prefix";
    return false;
  }
  if (bytes->size() < kMinKeyBytes || bytes->size() > kMaxKeyBytes) {
    *error = "secret decodes to " + std::to_string(bytes->size()) +
             " bytes; a webhook key must be 24 to 64 bytes";
    OPENSSL_cleanse(bytes->data(), bytes->size());
    return false;
  }
  *key = Secret(std::move(*bytes));
  return true;
}

const char* SignatureResultCode(SignatureResult r) {
  switch (r) {
    case SignatureResult::kValid: return "ok";
    case SignatureResult::kMissingHeaders: return "missing_signature_headers";
    case SignatureResult::kInvalidTimestamp: return "invalid_timestamp";
    case SignatureResult::kTimestampTooOld:
    case SignatureResult::kTimestampTooNew: return "timestamp_out_of_tolerance";
    case SignatureResult::kNoMatch: return "invalid_signature";
  }
  return "invalid_signature";
}

std::string SignatureResultMessage(SignatureResult r, int64_t tolerance_seconds) {
  switch (r) {
    case SignatureResult::kValid: return "signature verified";
    case SignatureResult::kMissingHeaders:
      return "webhook-id, webhook-timestamp and webhook-signature headers are required";
    case SignatureResult::kInvalidTimestamp:
      return "webhook-timestamp must be a whole number of seconds since the Unix epoch";
    case SignatureResult::kTimestampTooOld:
      return "webhook-timestamp is more than " + std::to_string(tolerance_seconds) +
             " seconds in the past";
    case SignatureResult::kTimestampTooNew:
      return "webhook-timestamp is more than " + std::to_string(tolerance_seconds) +
             " seconds in the future";
    case SignatureResult::kNoMatch:
      return "no signature in webhook-signature matches a configured secret";
  }
  return "invalid signature";
}

SignatureResult VerifySignature(const std::vector<Secret>& keys, const SignedHeaders& h,
                                std::string_view body, int64_t now_unix,
                                int64_t tolerance_seconds) {
  if (h.id.empty() || h.timestamp.empty() || h.signature.empty())
    return SignatureResult::kMissingHeaders;
  int64_t ts = 0;
  if (!ParseTimestamp(h.timestamp, &ts)) return SignatureResult::kInvalidTimestamp;
  if (ts < now_unix - tolerance_seconds) return SignatureResult::kTimestampTooOld;
  if (ts > now_unix + tolerance_seconds) return SignatureResult::kTimestampTooNew;

  // Decode the candidate v1 signatures once; skip other versions and malformed entries.
  std::vector<std::string> candidates;
  std::string_view rest = h.signature;
  while (!rest.empty()) {
    size_t sp = rest.find(' ');
    std::string_view entry = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    if (entry.substr(0, 3) != "v1,") continue;
    std::optional<std::string> mac = Base64Decode(entry.substr(3));
    if (mac && mac->size() == kMacBytes) candidates.push_back(std::move(*mac));
  }
  bool match = false;
  for (const Secret& key : keys) {
    std::string expected = Mac(key, h.id, h.timestamp, body);
    for (const std::string& c : candidates) {
      // Constant time over the fixed MAC length; keep looping so timing does not reveal which.
      match |= CRYPTO_memcmp(expected.data(), c.data(), kMacBytes) == 0;
    }
  }
  return match ? SignatureResult::kValid : SignatureResult::kNoMatch;
}

std::string SignV1(const Secret& key, std::string_view id, std::string_view timestamp,
                   std::string_view body) {
  return "v1," + Base64Encode(Mac(key, id, timestamp, body));
}

}  // namespace sippet
