#include "mappers/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

namespace sippet {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool Digits(std::string_view s, size_t min_len, size_t max_len, int* out) {
  if (s.size() < min_len || s.size() > max_len) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

int Month(std::string_view s) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    if (s == kMonths[i]) return i + 1;
  }
  return 0;
}

bool DayName(std::string_view s, bool long_form) {
  static const char* kShort[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static const char* kLong[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                "Friday", "Saturday", "Sunday"};
  for (int i = 0; i < 7; ++i) {
    if (s == (long_form ? kLong[i] : kShort[i])) return true;
  }
  return false;
}

bool Time(std::string_view s, int* h, int* m, int* sec) {
  return s.size() == 8 && s[2] == ':' && s[5] == ':' && Digits(s.substr(0, 2), 2, 2, h) &&
         Digits(s.substr(3, 2), 2, 2, m) && Digits(s.substr(6, 2), 2, 2, sec) && *h < 24 &&
         *m < 60 && *sec <= 60;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) pos = s.size();
    if (pos > start) out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
  return out;
}

bool ContainsDailyPolicy(const std::string& body) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  auto it = j.find("policyName");
  return it != j.end() && it->is_string() && it->get<std::string>() == "DAILY";
}

std::chrono::milliseconds Jittered(const RetryPolicy& p, std::chrono::seconds nominal,
                                   const Rng& rng) {
  double r = rng ? rng() : 0.0;
  if (!(r >= 0.0)) r = 0.0;  // also catches NaN
  if (r >= 1.0) r = std::nextafter(1.0, 0.0);
  double ms = static_cast<double>(nominal.count()) * 1000.0;
  double jittered = ms * (1.0 - p.jitter) + ms * p.jitter * r;
  auto out = std::chrono::milliseconds(static_cast<int64_t>(jittered));
  if (p.jitter > 0 && ms >= 1 && out.count() >= static_cast<int64_t>(ms)) {
    out = std::chrono::milliseconds(static_cast<int64_t>(ms) - 1);  // the band is half-open
  }
  return std::max<std::chrono::milliseconds>(out, p.min_delay);
}

std::chrono::milliseconds Bounded(const RetryPolicy& p, int64_t seconds, std::chrono::seconds max) {
  auto s = std::chrono::seconds(std::clamp<int64_t>(seconds, 0, max.count()));
  return std::max<std::chrono::milliseconds>(s, p.min_delay);
}

}  // namespace

const char* OutcomeClassName(OutcomeClass c) {
  switch (c) {
    case OutcomeClass::kSuccess: return "success";
    case OutcomeClass::kRetryable: return "retryable";
    case OutcomeClass::kRateLimited: return "rate_limited";
    case OutcomeClass::kAuth: return "auth";
    case OutcomeClass::kQuota: return "quota";
    case OutcomeClass::kTerminal: return "terminal";
  }
  return "terminal";
}

OutcomeClass Classify(const HttpResponse& r, bool idempotent) {
  if (!r.ok()) {
    switch (r.error) {
      case TransportError::kAddressForbidden:
      case TransportError::kInvalidRequest:
        return OutcomeClass::kTerminal;  // configuration, not the network: retrying won't help
      default:
        return OutcomeClass::kRetryable;
    }
  }
  const int s = r.status;
  if (s >= 200 && s < 300) return OutcomeClass::kSuccess;
  if (s >= 300 && s < 400) return OutcomeClass::kTerminal;  // redirects are never followed
  if (s == 401) return OutcomeClass::kAuth;
  if (s == 403) {
    return r.body.find("REQUEST_LIMIT_EXCEEDED") != std::string::npos ? OutcomeClass::kQuota
                                                                       : OutcomeClass::kTerminal;
  }
  if (s == 429) {
    const std::string* daily = FindHeader(r.headers, "X-HubSpot-RateLimit-Daily-Remaining");
    if (ContainsDailyPolicy(r.body) || (daily != nullptr && Trim(*daily) == "0")) {
      return OutcomeClass::kQuota;
    }
    return OutcomeClass::kRateLimited;
  }
  if (s == 408 || s == 425) return OutcomeClass::kRetryable;
  if (s >= 400 && s < 500) return OutcomeClass::kTerminal;
  if (s == 500) return idempotent ? OutcomeClass::kRetryable : OutcomeClass::kTerminal;
  if (s == 501 || s == 505) return OutcomeClass::kTerminal;
  return OutcomeClass::kRetryable;  // 502, 503, 504, other 5xx, odd 1xx
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  std::vector<std::string_view> t = Split(Trim(text), ' ');
  int day = 0, month = 0, year = 0, h = 0, m = 0, sec = 0;
  auto has_comma = [](std::string_view s) { return !s.empty() && s.back() == ','; };
  if (t.size() == 6 && has_comma(t[0]) && t[5] == "GMT") {  // IMF-fixdate
    if (!DayName(t[0].substr(0, t[0].size() - 1), false) || !Digits(t[1], 2, 2, &day) ||
        (month = Month(t[2])) == 0 || !Digits(t[3], 4, 4, &year) || !Time(t[4], &h, &m, &sec)) {
      return std::nullopt;
    }
  } else if (t.size() == 4 && has_comma(t[0]) && t[3] == "GMT") {  // RFC 850
    std::vector<std::string_view> d = Split(t[1], '-');
    if (!DayName(t[0].substr(0, t[0].size() - 1), true) || d.size() != 3 ||
        !Digits(d[0], 2, 2, &day) || (month = Month(d[1])) == 0 || !Digits(d[2], 2, 2, &year) ||
        !Time(t[2], &h, &m, &sec)) {
      return std::nullopt;
    }
    year += year < 70 ? 2000 : 1900;
  } else if (t.size() == 5 && !has_comma(t[0])) {  // asctime
    if (!DayName(t[0], false) || (month = Month(t[1])) == 0 || !Digits(t[2], 1, 2, &day) ||
        !Time(t[3], &h, &m, &sec) || !Digits(t[4], 4, 4, &year)) {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  if (day < 1 || day > DaysInMonth(year, month)) return std::nullopt;
  return DaysFromCivil(year, month, day) * 86400 + h * 3600 + m * 60 + sec;
}

std::optional<int64_t> ParseRetryAfter(std::string_view value, int64_t now_unix,
                                       int64_t max_seconds) {
  std::string_view v = Trim(value);
  if (v.empty()) return std::nullopt;
  bool negative = v.front() == '-';
  std::string_view digits = negative ? v.substr(1) : v;
  if (!digits.empty() &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (negative) return 0;
    if (digits.size() > 12) return max_seconds;
    int64_t n = std::stoll(std::string(digits));
    return std::min(n, max_seconds);
  }
  std::optional<int64_t> at = ParseHttpDate(v);
  if (!at) return std::nullopt;
  return std::clamp<int64_t>(*at - now_unix, 0, max_seconds);
}

AttemptOutcome AssessAttempt(const RetryPolicy& policy, const HttpResponse& response,
                             bool idempotent, int64_t now_unix) {
  AttemptOutcome out;
  out.outcome = Classify(response, idempotent);
  if (response.ok()) {
    out.summary = "HTTP " + std::to_string(response.status);
    if (const std::string* ra = FindHeader(response.headers, "Retry-After")) {
      std::chrono::seconds max = out.outcome == OutcomeClass::kQuota ? policy.max_quota_park
                                                                     : policy.max_retry_after;
      out.retry_after_seconds = ParseRetryAfter(*ra, now_unix, max.count());
    }
  } else {
    out.summary = std::string(TransportErrorName(response.error)) + ": " + response.error_message;
  }
  return out;
}

std::chrono::seconds NominalDelay(const RetryPolicy& p, int retry) {
  retry = std::max(retry, 1);
  std::chrono::seconds d;
  if (!p.schedule.empty()) {
    d = p.schedule[std::min<size_t>(static_cast<size_t>(retry), p.schedule.size()) - 1];
  } else {
    int shift = std::min(retry - 1, 40);
    int64_t base = std::max<int64_t>(p.base_delay.count(), 1);
    int64_t cap = p.max_delay.count();
    d = std::chrono::seconds(base > (cap >> shift) ? cap : base << shift);
  }
  return std::min(d, p.max_delay);
}

RetryDecision Decide(const RetryPolicy& policy, const AttemptOutcome& outcome,
                     int attempts_so_far, std::chrono::seconds age, const Rng& rng) {
  using Action = RetryDecision::Action;
  RetryDecision d;
  if (outcome.outcome == OutcomeClass::kSuccess) {
    d.action = Action::kDone;
    d.consumes_attempt = true;
    return d;
  }
  if (outcome.outcome == OutcomeClass::kTerminal) {
    d.action = Action::kDeadLetter;
    d.consumes_attempt = true;
    d.reason = "permanent failure: " + outcome.summary;
    return d;
  }
  if (policy.max_age.count() > 0 && age >= policy.max_age) {
    d.action = Action::kDeadLetter;
    d.consumes_attempt = true;
    d.reason = "expired after " + std::to_string(age.count()) + " s (max_age " +
               std::to_string(policy.max_age.count()) + " s); last: " + outcome.summary;
    return d;
  }
  switch (outcome.outcome) {
    case OutcomeClass::kAuth:
      if (outcome.credentials_refreshed) {
        d.action = Action::kDeadLetter;
        d.consumes_attempt = true;
        d.reason = "authentication failed again after refreshing credentials: " + outcome.summary;
        return d;
      }
      d.action = Action::kRetry;
      d.refresh_credentials = true;
      d.delay = std::chrono::milliseconds(0);
      d.reason = "refreshing credentials";
      return d;
    case OutcomeClass::kRateLimited:
      d.action = Action::kRetry;
      d.delay = outcome.retry_after_seconds
                    ? Bounded(policy, *outcome.retry_after_seconds, policy.max_retry_after)
                    : Jittered(policy, policy.rate_limited_delay, rng);
      d.reason = "rate limited: " + outcome.summary;
      return d;
    case OutcomeClass::kQuota:
      d.action = Action::kPark;
      d.delay = Bounded(policy, outcome.retry_after_seconds.value_or(policy.quota_park.count()),
                        policy.max_quota_park);
      d.reason = "quota exhausted: " + outcome.summary;
      return d;
    default:
      break;
  }
  // Retryable: uses an attempt.
  int used = attempts_so_far + 1;
  d.consumes_attempt = true;
  if (policy.max_attempts > 0 && used >= policy.max_attempts) {
    d.action = Action::kDeadLetter;
    d.reason = "gave up after " + std::to_string(used) + " attempts; last: " + outcome.summary;
    return d;
  }
  d.action = Action::kRetry;
  d.delay = outcome.retry_after_seconds
                ? Bounded(policy, *outcome.retry_after_seconds, policy.max_retry_after)
                : Jittered(policy, NominalDelay(policy, used), rng);
  d.reason = "retrying: " + outcome.summary;
  return d;
}

bool ValidateRetryPolicy(const RetryPolicy& p, std::string* error) {
  auto fail = [&](const char* msg) {
    *error = msg;
    return false;
  };
  if (!(p.jitter >= 0.0 && p.jitter <= 1.0)) return fail("retry.jitter must be in [0, 1]");
  if (p.max_attempts < 0) return fail("retry.max_attempts must be >= 0");
  if (p.base_delay.count() < 1) return fail("retry.base_delay must be at least 1 s");
  if (p.max_delay < p.min_delay) return fail("retry.max_delay must be >= retry.min_delay");
  if (p.min_delay.count() < 0) return fail("retry.min_delay must be >= 0");
  for (auto s : p.schedule) {
    if (s.count() < 0) return fail("retry.schedule entries must be >= 0");
  }
  if (p.max_retry_after.count() < 0 || p.max_quota_park.count() < 0 ||
      p.quota_park.count() < 0 || p.rate_limited_delay.count() < 0) {
    return fail("retry delays must be >= 0");
  }
  return true;
}

}  // namespace sippet
