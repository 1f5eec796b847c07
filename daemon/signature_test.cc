#include "daemon/signature.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "daemon/base64.h"
#include "tests/support/fixtures.h"

namespace sippet {
namespace {

using nlohmann::json;

json Vectors() { return json::parse(testing::ReadFixture("signing-vectors.json")); }

Secret Key(const std::string& whsec) {
  Secret key;
  std::string error;
  EXPECT_TRUE(ParseWebhookSecret(whsec, &key, &error)) << error;
  return key;
}

SignatureResult Verify(const std::vector<Secret>& keys, const std::string& id, int64_t ts,
                       const std::string& sig, const std::string& body, int64_t now) {
  std::string ts_text = std::to_string(ts);
  return VerifySignature(keys, {id, ts_text, sig}, body, now, 300);
}

TEST(SignatureTest, EveryValidReferenceVectorVerifies) {
  json v = Vectors();
  ASSERT_GE(v["valid"].size(), 2u);
  for (const json& c : v["valid"]) {
    SCOPED_TRACE(c["source"].get<std::string>());
    Secret key = Key(c["secret"]);
    int64_t ts = c["timestamp"];
    EXPECT_EQ(Verify({key}, c["id"], ts, c["signature"], c["payload"], ts), SignatureResult::kValid);
    // And our signer produces exactly the reference signature.
    EXPECT_EQ(SignV1(key, c["id"].get<std::string>(), std::to_string(ts),
                     c["payload"].get<std::string>()),
              c["signature"].get<std::string>());
  }
}

TEST(SignatureTest, EveryInvalidVectorIsRefused) {
  json v = Vectors();
  const json& first = v["valid"][0];
  Secret key = Key(first["secret"]);
  int64_t ts = first["timestamp"];
  for (const json& c : v["invalid_for_first_vector"]) {
    SCOPED_TRACE(c["why"].get<std::string>());
    std::string payload = c.contains("payload") ? c["payload"] : first["payload"];
    std::string sig = c["signature"];
    SignatureResult r = Verify({key}, first["id"], ts, sig, payload, ts);
    EXPECT_NE(r, SignatureResult::kValid);
    EXPECT_EQ(r, sig.empty() ? SignatureResult::kMissingHeaders : SignatureResult::kNoMatch);
  }
}

TEST(SignatureTest, RotationHeaderWithSeveralEntriesIsAccepted) {
  json v = Vectors();
  const json& first = v["valid"][0];
  int64_t ts = first["timestamp"];
  EXPECT_EQ(Verify({Key(first["secret"])}, first["id"], ts, v["rotation_header_accepted"],
                   first["payload"], ts),
            SignatureResult::kValid);
}

TEST(SignatureTest, AnyOfSeveralConfiguredSecretsMatches) {
  json v = Vectors();
  const json& first = v["valid"][0];
  int64_t ts = first["timestamp"];
  std::vector<Secret> keys = {Key(v["valid"][1]["secret"]), Key(first["secret"])};
  EXPECT_EQ(Verify(keys, first["id"], ts, first["signature"], first["payload"], ts),
            SignatureResult::kValid);
  // The old secret alone no longer verifies it.
  EXPECT_EQ(Verify({keys[0]}, first["id"], ts, first["signature"], first["payload"], ts),
            SignatureResult::kNoMatch);
}

TEST(SignatureTest, ToleranceEdgesInBothDirections) {
  json v = Vectors();
  const json& first = v["valid"][0];
  Secret key = Key(first["secret"]);
  int64_t ts = first["timestamp"];
  struct Case {
    int64_t now_offset;
    SignatureResult want;
  } cases[] = {
      {0, SignatureResult::kValid},
      {299, SignatureResult::kValid},
      {300, SignatureResult::kValid},
      {301, SignatureResult::kTimestampTooOld},
      {-299, SignatureResult::kValid},
      {-300, SignatureResult::kValid},
      {-301, SignatureResult::kTimestampTooNew},
      {86400, SignatureResult::kTimestampTooOld},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.now_offset);
    EXPECT_EQ(Verify({key}, first["id"], ts, first["signature"], first["payload"], ts + c.now_offset),
              c.want);
  }
}

TEST(SignatureTest, NonNumericTimestampIsInvalidNotAnError) {
  json v = Vectors();
  const json& first = v["valid"][0];
  Secret key = Key(first["secret"]);
  std::string id = first["id"], sig = first["signature"], body = first["payload"];
  for (const char* ts : {"abc", "1614265330.5", "-1614265330", " 1614265330", "1e9",
                         "99999999999999999999999", "0x60375D32"}) {
    SCOPED_TRACE(ts);
    EXPECT_EQ(VerifySignature({key}, {id, ts, sig}, body, 1614265330, 300),
              SignatureResult::kInvalidTimestamp);
  }
}

TEST(SignatureTest, MissingHeadersAreReported) {
  Secret key = Key(Vectors()["valid"][0]["secret"]);
  EXPECT_EQ(VerifySignature({key}, {"", "1", "v1,x"}, "{}", 1, 300),
            SignatureResult::kMissingHeaders);
  EXPECT_EQ(VerifySignature({key}, {"id", "", "v1,x"}, "{}", 1, 300),
            SignatureResult::kMissingHeaders);
}

TEST(SignatureTest, MalformedSecretsAreRejectedWithoutEchoingThem) {
  struct Case {
    std::string secret;
    std::string fragment;
  } cases[] = {
      {"whsec_", "empty"},
      {"whsec_not*base64!", "not valid base64"},
      {"whsec_" + Base64Encode(std::string(23, 'k')), "23 bytes"},
      {"whsec_" + Base64Encode(std::string(65, 'k')), "65 bytes"},
  };
  for (const Case& c : cases) {
    Secret key;
    std::string error;
    EXPECT_FALSE(ParseWebhookSecret(c.secret, &key, &error)) << c.secret;
    EXPECT_NE(error.find(c.fragment), std::string::npos) << error;
    if (c.secret.size() > 6) {
      EXPECT_EQ(error.find(c.secret.substr(6)), std::string::npos);
    }
  }
  Secret key;
  std::string error;
  EXPECT_TRUE(ParseWebhookSecret("whsec_" + Base64Encode(std::string(24, 'k')), &key, &error));
  EXPECT_TRUE(ParseWebhookSecret("whsec_" + Base64Encode(std::string(64, 'k')), &key, &error));
}

TEST(Base64Test, RoundTripsAndRejectsNonCanonicalInput) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)), s);
  }
  EXPECT_FALSE(Base64Decode("abc"));
  EXPECT_FALSE(Base64Decode("ab=c"));
  EXPECT_FALSE(Base64Decode("YR=="));  // trailing bits set
  EXPECT_FALSE(Base64Decode("Y Q=="));
}

}  // namespace
}  // namespace sippet
