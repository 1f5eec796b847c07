// RFC 3339 parsing and strftime-like formatting for the format_time filter. Pure arithmetic
// on the proleptic Gregorian calendar (no libc time zone state), always in UTC.

#include <cstdio>

#include "mappers/expr_internal.h"

namespace sippet {
namespace expr {
namespace internal {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at s[*i].
bool Digits(std::string_view s, size_t* i, int n, int* out) {
  if (*i + n > s.size()) return false;
  int v = 0;
  for (int k = 0; k < n; ++k) {
    char c = s[*i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

bool Expect(std::string_view s, size_t* i, char c) {
  if (*i >= s.size() || s[*i] != c) return false;
  ++*i;
  return true;
}

const char* const kMonths[] = {"January",   "February", "March",    "April",
                               "May",       "June",     "July",     "August",
                               "September", "October",  "November", "December"};
const char* const kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                             "Thursday", "Friday", "Saturday"};

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void Pad(std::string* out, int64_t v, int width, char fill = '0') {
  std::string digits = std::to_string(v < 0 ? -v : v);
  if (v < 0) out->push_back('-');
  for (int k = static_cast<int>(digits.size()); k < width; ++k) out->push_back(fill);
  out->append(digits);
}

}  // namespace

bool ParseRfc3339(std::string_view s, Instant* out) {
  size_t i = 0;
  int year, month, day;
  if (!Digits(s, &i, 4, &year) || !Expect(s, &i, '-') || !Digits(s, &i, 2, &month) ||
      !Expect(s, &i, '-') || !Digits(s, &i, 2, &day)) {
    return false;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return false;
  int64_t days = DaysFromCivil(year, month, day);
  if (i == s.size()) {  // a full date alone: midnight UTC
    *out = Instant{days * 86400, 0};
    return true;
  }
  if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return false;
  ++i;
  int hour, minute, second;
  if (!Digits(s, &i, 2, &hour) || !Expect(s, &i, ':') || !Digits(s, &i, 2, &minute) ||
      !Expect(s, &i, ':') || !Digits(s, &i, 2, &second)) {
    return false;
  }
  if (hour > 23 || minute > 59 || second > 60) return false;
  int32_t nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    int32_t scale = 100000000;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      nanos += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return false;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i] == '-' ? -1 : 1;
    ++i;
    int oh, om;
    if (!Digits(s, &i, 2, &oh) || !Expect(s, &i, ':') || !Digits(s, &i, 2, &om)) return false;
    if (oh > 23 || om > 59) return false;
    offset = sign * (oh * 3600 + om * 60);
  } else {
    return false;
  }
  if (i != s.size()) return false;
  *out = Instant{days * 86400 + hour * 3600 + minute * 60 + second - offset, nanos};
  return true;
}

bool FormatTime(const Instant& t, std::string_view fmt, json* out, std::string* error) {
  if (fmt == "unix") {
    *out = t.seconds;
    return true;
  }
  if (fmt == "unix_ms") {
    *out = t.seconds * 1000 + t.nanos / 1000000;
    return true;
  }
  int64_t days = FloorDiv(t.seconds, 86400);
  int64_t secs = t.seconds - days * 86400;
  int64_t year;
  int month, day;
  CivilFromDays(days, &year, &month, &day);
  int hour = static_cast<int>(secs / 3600);
  int minute = static_cast<int>(secs / 60 % 60);
  int second = static_cast<int>(secs % 60);
  int weekday = static_cast<int>(((days + 4) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
  int yday = static_cast<int>(days - DaysFromCivil(year, 1, 1)) + 1;
  if (fmt == "iso8601") {
    fmt = t.nanos / 1000000 != 0 ? "%Y-%m-%dT%H:%M:%S.%LZ" : "%Y-%m-%dT%H:%M:%SZ";
  } else if (fmt == "date") {
    fmt = "%Y-%m-%d";
  }
  std::string s;
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      s.push_back(fmt[i]);
      continue;
    }
    if (++i == fmt.size()) {
      *error = "format ends with a lone '%'";
      return false;
    }
    switch (fmt[i]) {
      case 'Y':
        Pad(&s, year, 4);
        break;
      case 'y':
        Pad(&s, ((year % 100) + 100) % 100, 2);
        break;
      case 'm':
        Pad(&s, month, 2);
        break;
      case 'd':
        Pad(&s, day, 2);
        break;
      case 'e':
        Pad(&s, day, 2, ' ');
        break;
      case 'j':
        Pad(&s, yday, 3);
        break;
      case 'H':
        Pad(&s, hour, 2);
        break;
      case 'I':
        Pad(&s, hour % 12 == 0 ? 12 : hour % 12, 2);
        break;
      case 'p':
        s += hour < 12 ? "AM" : "PM";
        break;
      case 'M':
        Pad(&s, minute, 2);
        break;
      case 'S':
        Pad(&s, second, 2);
        break;
      case 'L':
        Pad(&s, t.nanos / 1000000, 3);
        break;
      case 'f':
        Pad(&s, t.nanos / 1000, 6);
        break;
      case 'N':
        Pad(&s, t.nanos, 9);
        break;
      case 'b':
        s.append(kMonths[month - 1], 3);
        break;
      case 'B':
        s += kMonths[month - 1];
        break;
      case 'a':
        s.append(kDays[weekday], 3);
        break;
      case 'A':
        s += kDays[weekday];
        break;
      case 'u':
        Pad(&s, weekday == 0 ? 7 : weekday, 1);
        break;
      case 'w':
        Pad(&s, weekday, 1);
        break;
      case 'F':
        Pad(&s, year, 4);
        s += '-';
        Pad(&s, month, 2);
        s += '-';
        Pad(&s, day, 2);
        break;
      case 'T':
        Pad(&s, hour, 2);
        s += ':';
        Pad(&s, minute, 2);
        s += ':';
        Pad(&s, second, 2);
        break;
      case 's':
        s += std::to_string(t.seconds);
        break;
      case 'z':
        s += "+0000";
        break;
      case 'Z':
        s += "UTC";
        break;
      case '%':
        s += '%';
        break;
      default: {
        size_t len = Utf8Offset(fmt.substr(i), 1);
        *error = "unknown format directive '%" + std::string(fmt.substr(i, len)) + "'";
        return false;
      }
    }
  }
  *out = std::move(s);
  return true;
}

bool CheckTimeFormat(std::string_view fmt, std::string* error) {
  json ignored;
  return FormatTime(Instant{}, fmt, &ignored, error);
}

}  // namespace internal
}  // namespace expr
}  // namespace sippet
