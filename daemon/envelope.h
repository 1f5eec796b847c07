#ifndef SIPPET_DAEMON_ENVELOPE_H_
#define SIPPET_DAEMON_ENVELOPE_H_

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace sippet {

// The Sippet webhook envelope (sippet-webhooks-guide.txt): every event has these fields.
struct Envelope {
  std::string id;               // idempotency key
  std::string type;             // e.g. "contact.updated"
  std::string version;          // e.g. "2026-05-25"
  std::string occurred_at;      // RFC 3339, as sent
  std::string organisation_id;
  std::string environment;      // "live" | "sandbox"
  nlohmann::json data;          // the record; an object
};

// Why an envelope is refused (422): the field and a sentence for the error body.
struct EnvelopeError {
  std::string field;
  std::string message;
};

// Validates a parsed body as an envelope. Extra top-level fields are allowed (forward
// compatibility); missing or mistyped required ones are not.
std::optional<EnvelopeError> ParseEnvelope(const nlohmann::json& doc, Envelope* out);

// True for an RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), with real
// calendar ranges.
bool IsRfc3339(std::string_view s);

// True if any string (key or value) in `j` contains a NUL character, which PostgreSQL's jsonb
// cannot store.
bool ContainsNul(const nlohmann::json& j);

}  // namespace sippet

#endif  // SIPPET_DAEMON_ENVELOPE_H_
