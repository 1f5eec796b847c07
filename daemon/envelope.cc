#include "daemon/envelope.h"

#include <regex>

namespace sippet {
namespace {

constexpr size_t kMaxIdentifierBytes = 255;

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int Digits(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

std::optional<EnvelopeError> RequireString(const nlohmann::json& doc, const char* field,
                                           std::string* out) {
  auto it = doc.find(field);
  if (it == doc.end() || it->is_null())
    return EnvelopeError{field, std::string("the envelope has no '") + field + "'"};
  if (!it->is_string())
    return EnvelopeError{field, std::string("'") + field + "' must be a string"};
  *out = it->get<std::string>();
  if (out->empty()) return EnvelopeError{field, std::string("'") + field + "' must not be empty"};
  return std::nullopt;
}

}  // namespace

bool IsRfc3339(std::string_view s) {
  static const std::regex kShape(
      R"(^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$)");
  if (s.size() > 40 || !std::regex_match(s.begin(), s.end(), kShape)) return false;
  int y = Digits(s, 0, 4), mo = Digits(s, 5, 2), d = Digits(s, 8, 2);
  int h = Digits(s, 11, 2), mi = Digits(s, 14, 2), sec = Digits(s, 17, 2);
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  int dim = kDays[mo - 1] + (mo == 2 && IsLeap(y) ? 1 : 0);
  if (d > dim || h > 23 || mi > 59 || sec > 60) return false;
  char last = s.back();
  if (last != 'Z' && last != 'z') {
    int oh = Digits(s, s.size() - 5, 2), om = Digits(s, s.size() - 2, 2);
    if (oh > 23 || om > 59) return false;
  }
  return true;
}

bool ContainsNul(const nlohmann::json& j) {
  if (j.is_string()) return j.get_ref<const std::string&>().find('\0') != std::string::npos;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key().find('\0') != std::string::npos || ContainsNul(it.value())) return true;
    }
  } else if (j.is_array()) {
    for (const auto& v : j) {
      if (ContainsNul(v)) return true;
    }
  }
  return false;
}

std::optional<EnvelopeError> ParseEnvelope(const nlohmann::json& doc, Envelope* out) {
  if (!doc.is_object()) return EnvelopeError{"", "the body must be a JSON object (the event envelope)"};
  if (auto e = RequireString(doc, "id", &out->id)) return e;
  if (out->id.size() > kMaxIdentifierBytes) return EnvelopeError{"id", "'id' is longer than 255 bytes"};
  if (auto e = RequireString(doc, "type", &out->type)) return e;
  static const std::regex kType(R"(^[a-z0-9_]+(\.[a-z0-9_]+)*$)");
  if (out->type.size() > kMaxIdentifierBytes || !std::regex_match(out->type, kType))
    return EnvelopeError{"type", "'type' must be dot-separated lower-case words, like contact.updated"};
  if (auto e = RequireString(doc, "version", &out->version)) return e;
  if (out->version.size() > 64) return EnvelopeError{"version", "'version' is longer than 64 bytes"};
  if (auto e = RequireString(doc, "occurred_at", &out->occurred_at)) return e;
  if (!IsRfc3339(out->occurred_at))
    return EnvelopeError{"occurred_at", "'occurred_at' must be an RFC 3339 timestamp"};
  if (auto e = RequireString(doc, "organisation_id", &out->organisation_id)) return e;
  if (out->organisation_id.size() > kMaxIdentifierBytes)
    return EnvelopeError{"organisation_id", "'organisation_id' is longer than 255 bytes"};
  if (auto e = RequireString(doc, "environment", &out->environment)) return e;
  if (out->environment != "live" && out->environment != "sandbox")
    return EnvelopeError{"environment", "'environment' must be \"live\" or \"sandbox\""};
  auto data = doc.find("data");
  if (data == doc.end() || data->is_null()) return EnvelopeError{"data", "the envelope has no 'data'"};
  if (!data->is_object()) return EnvelopeError{"data", "'data' must be a JSON object"};
  out->data = *data;
  return std::nullopt;
}

}  // namespace sippet
