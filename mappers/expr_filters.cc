// The filters of the expression language (`value | name(args)`). Each is a pure function of
// its input and arguments; see docs/mappings-expressions.md for the user-facing reference.

#include <charconv>
#include <cmath>

#include "mappers/expr_internal.h"

namespace sippet {
namespace expr {
namespace internal {
namespace {

// Scalars as text: strings as they are, numbers and booleans as ValueToText writes them.
bool TextOf(const json& v, std::string* out) {
  if (v.is_string()) {
    *out = v.get<std::string>();
    return true;
  }
  if (v.is_number() || v.is_boolean()) {
    *out = ValueToText(v);
    return true;
  }
  return false;
}

bool WantText(const FilterCall& c, std::string* out, std::string* error) {
  if (TextOf(c.input, out)) return true;
  *error = std::string("expects a string, got ") + TypeName(c.input);
  return false;
}

bool ArgText(const FilterCall& c, size_t k, std::string* out, std::string* error) {
  if (TextOf(*c.args[k], out)) return true;
  *error = "argument " + std::to_string(k + 1) + " must be a string, got " + TypeName(*c.args[k]);
  return false;
}

bool ArgInt(const FilterCall& c, size_t k, int64_t* out, std::string* error) {
  const json& a = *c.args[k];
  if (a.is_number_integer() && !(a.is_number_unsigned() && a.get<uint64_t>() > INT64_MAX)) {
    *out = a.get<int64_t>();
    return true;
  }
  if (a.is_number_float() && a.get<double>() == std::floor(a.get<double>()) &&
      std::fabs(a.get<double>()) < 9e18) {
    *out = static_cast<int64_t>(a.get<double>());
    return true;
  }
  *error = "argument " + std::to_string(k + 1) + " must be an integer, got " + Preview(a);
  return false;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && IsSpace(s[b])) ++b;
  while (e > b && IsSpace(s[e - 1])) --e;
  return s.substr(b, e - b);
}

bool Lower(const FilterCall& c, json* out, std::string* error) {
  std::string s;
  if (!WantText(c, &s, error)) return false;
  *out = Utf8Lower(s);
  return true;
}

bool Upper(const FilterCall& c, json* out, std::string* error) {
  std::string s;
  if (!WantText(c, &s, error)) return false;
  *out = Utf8Upper(s);
  return true;
}

bool TrimFilter(const FilterCall& c, json* out, std::string* error) {
  std::string s;
  if (!WantText(c, &s, error)) return false;
  *out = std::string(Trim(s));
  return true;
}

bool Default(const FilterCall& c, json* out, std::string*) {
  bool missing =
      c.input.is_null() || (c.input.is_string() && c.input.get_ref<const std::string&>().empty());
  *out = missing ? *c.args[0] : c.input;
  return true;
}

bool Join(const FilterCall& c, json* out, std::string* error) {
  if (!c.input.is_array()) {
    *error = std::string("expects a list, got ") + TypeName(c.input);
    return false;
  }
  std::string sep;
  if (!ArgText(c, 0, &sep, error)) return false;
  std::string s;
  bool first = true;
  for (const json& item : c.input) {
    if (item.is_null()) continue;
    if (!first) s += sep;
    first = false;
    s += ValueToText(item);
  }
  *out = std::move(s);
  return true;
}

bool Split(const FilterCall& c, json* out, std::string* error) {
  std::string s, sep;
  if (!WantText(c, &s, error) || !ArgText(c, 0, &sep, error)) return false;
  if (sep.empty()) {
    *error = "the separator must not be empty";
    return false;
  }
  json list = json::array();
  if (!s.empty()) {
    size_t start = 0;
    while (true) {
      size_t at = s.find(sep, start);
      list.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
      if (at == std::string::npos) break;
      start = at + sep.size();
    }
  }
  *out = std::move(list);
  return true;
}

bool Replace(const FilterCall& c, json* out, std::string* error) {
  std::string s, from, to;
  if (!WantText(c, &s, error) || !ArgText(c, 0, &from, error) || !ArgText(c, 1, &to, error)) {
    return false;
  }
  if (from.empty()) {
    *error = "the text to replace must not be empty";
    return false;
  }
  std::string r;
  size_t start = 0;
  for (size_t at; (at = s.find(from, start)) != std::string::npos; start = at + from.size()) {
    r.append(s, start, at - start);
    r += to;
  }
  r.append(s, start, std::string::npos);
  *out = std::move(r);
  return true;
}

// Strict decimal number syntax: [+-] digits [. digits] [e [+-] digits], digits on at least one
// side of the point.
bool ParseNumber(std::string_view s, json* out) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++int_digits;
  bool is_float = false;
  if (i < s.size() && s[i] == '.') {
    is_float = true;
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    is_float = true;
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  if (i != s.size()) return false;
  std::string_view body = s[0] == '+' ? s.substr(1) : s;
  const char* b = body.data();
  const char* e = body.data() + body.size();
  if (!is_float) {
    int64_t v;
    auto r = std::from_chars(b, e, v);
    if (r.ec == std::errc() && r.ptr == e) {
      *out = v;
      return true;
    }
  }
  double d;
  auto r = std::from_chars(b, e, d);
  if (r.ec != std::errc() || r.ptr != e || !std::isfinite(d)) return false;
  *out = d;
  return true;
}

bool ToNumber(const FilterCall& c, json* out, std::string* error) {
  if (c.input.is_number()) {
    *out = c.input;
  } else if (c.input.is_boolean()) {
    *out = c.input.get<bool>() ? 1 : 0;
  } else if (c.input.is_string()) {
    std::string_view s = Trim(c.input.get_ref<const std::string&>());
    if (s.empty()) {
      *out = nullptr;
    } else if (!ParseNumber(s, out)) {
      *error = Preview(c.input) + " is not a number";
      return false;
    }
  } else {
    *error = std::string("expects a string or number, got ") + TypeName(c.input);
    return false;
  }
  return true;
}

bool ToString(const FilterCall& c, json* out, std::string*) {
  *out = ValueToText(c.input);
  return true;
}

bool ToBool(const FilterCall& c, json* out, std::string* error) {
  if (c.input.is_boolean()) {
    *out = c.input;
    return true;
  }
  if (c.input.is_number()) {
    *out = IsTruthy(c.input);
    return true;
  }
  if (c.input.is_string()) {
    std::string s = Utf8Lower(Trim(c.input.get_ref<const std::string&>()));
    if (s == "true" || s == "yes" || s == "y" || s == "on" || s == "1") {
      *out = true;
      return true;
    }
    if (s == "false" || s == "no" || s == "n" || s == "off" || s == "0" || s.empty()) {
      *out = false;
      return true;
    }
    *error = Preview(c.input) + " is not a boolean";
    return false;
  }
  *error = std::string("expects a boolean, number or string, got ") + TypeName(c.input);
  return false;
}

bool FormatTimeFilter(const FilterCall& c, json* out, std::string* error) {
  constexpr int64_t kMinSeconds = -62167219200;  // 0000-01-01T00:00:00Z
  constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
  if (!c.args[0]->is_string()) {
    *error = "the format must be a string";
    return false;
  }
  Instant t;
  if (c.input.is_string()) {
    const std::string& s = c.input.get_ref<const std::string&>();
    if (s.empty()) {
      *out = nullptr;
      return true;
    }
    if (!ParseRfc3339(s, &t)) {
      *error = Preview(c.input) + " is not an RFC 3339 timestamp";
      return false;
    }
  } else if (c.input.is_number()) {  // Unix seconds
    double d = c.input.get<double>();
    if (!(d >= kMinSeconds && d <= kMaxSeconds)) {
      *error = Preview(c.input) + " is out of range for a timestamp";
      return false;
    }
    if (c.input.is_number_integer()) {
      t.seconds = c.input.get<int64_t>();
    } else {
      double whole = std::floor(d);
      t.seconds = static_cast<int64_t>(whole);
      t.nanos = static_cast<int32_t>(std::llround((d - whole) * 1e9));
      if (t.nanos >= 1000000000) t.nanos = 999999999;
    }
  } else {
    *error = std::string("expects a timestamp string or Unix seconds, got ") + TypeName(c.input);
    return false;
  }
  return FormatTime(t, c.args[0]->get_ref<const std::string&>(), out, error);
}

bool CheckFormatTime(Step* step, const CompileOptions&, std::string* error, int* column) {
  const Node& fmt = *step->args[0];
  if (fmt.kind != NodeKind::kLiteral) return true;  // checked when evaluated
  *column = fmt.column;
  if (!fmt.literal.is_string()) {
    *error = "format_time: the format must be a string";
    return false;
  }
  if (!CheckTimeFormat(fmt.literal.get_ref<const std::string&>(), error)) {
    *error = "format_time: " + *error;
    return false;
  }
  return true;
}

bool Lookup(const FilterCall& c, json* out, std::string* error) {
  const json* fallback = c.args.size() > 1 ? c.args[1] : nullptr;
  std::string key;
  if (c.input.is_null()) {
    *out = fallback != nullptr ? *fallback : json();
    return true;
  }
  if (!TextOf(c.input, &key)) {
    *error = std::string("the key must be a string or number, got ") + TypeName(c.input);
    return false;
  }
  auto it = c.step.table->find(key);
  if (it != c.step.table->end()) {
    *out = *it;
  } else {
    *out = fallback != nullptr ? *fallback : json();
  }
  return true;
}

bool CheckLookup(Step* step, const CompileOptions& options, std::string* error, int* column) {
  const Node& name = *step->args[0];
  *column = name.column;
  if (name.kind != NodeKind::kLiteral || !name.literal.is_string()) {
    *error = "lookup: the table name must be a quoted string";
    return false;
  }
  const std::string& table = name.literal.get_ref<const std::string&>();
  std::vector<std::string> names;
  if (options.tables != nullptr) {
    auto it = options.tables->find(table);
    if (it != options.tables->end()) {
      if (!it->second.is_object()) {
        *error = "lookup table '" + table + "' is not a map of keys to values";
        return false;
      }
      step->table = std::make_shared<const json>(it->second);
      return true;
    }
    for (const auto& entry : *options.tables) names.push_back(entry.first);
  }
  *error = "unknown lookup table '" + table + "'";
  std::string guess = Suggest(table, names);
  if (!guess.empty()) *error += " (did you mean '" + guess + "'?)";
  return false;
}

bool Length(const FilterCall& c, json* out, std::string* error) {
  if (c.input.is_null()) {
    *out = 0;
  } else if (c.input.is_string()) {
    *out = Utf8Length(c.input.get_ref<const std::string&>());
  } else if (c.input.is_array() || c.input.is_object()) {
    *out = c.input.size();
  } else {
    *error = std::string("expects a string, list or object, got ") + TypeName(c.input);
    return false;
  }
  return true;
}

// Python-style [begin, end) with negative indexes counted from the end, clamped.
void Clamp(int64_t size, int64_t* begin, int64_t* end) {
  if (*begin < 0) *begin += size;
  if (*end < 0) *end += size;
  *begin = std::max<int64_t>(0, std::min(*begin, size));
  *end = std::max<int64_t>(*begin, std::min(*end, size));
}

bool SliceOf(const json& in, int64_t begin, int64_t end, json* out, std::string* error) {
  if (in.is_array()) {
    Clamp(static_cast<int64_t>(in.size()), &begin, &end);
    *out = json::array();
    for (int64_t i = begin; i < end; ++i) out->push_back(in[static_cast<size_t>(i)]);
    return true;
  }
  if (in.is_string()) {
    const std::string& s = in.get_ref<const std::string&>();
    Clamp(static_cast<int64_t>(Utf8Length(s)), &begin, &end);
    size_t b = Utf8Offset(s, static_cast<size_t>(begin));
    size_t e = Utf8Offset(s, static_cast<size_t>(end));
    *out = s.substr(b, e - b);
    return true;
  }
  *error = std::string("expects a string or list, got ") + TypeName(in);
  return false;
}

bool First(const FilterCall& c, json* out, std::string* error) {
  if (!SliceOf(c.input, 0, 1, out, error)) return false;
  if (c.input.is_array()) *out = out->empty() ? json() : json((*out)[0]);
  if (c.input.is_string() && out->get_ref<const std::string&>().empty()) *out = nullptr;
  return true;
}

bool Last(const FilterCall& c, json* out, std::string* error) {
  if (!SliceOf(c.input, -1, INT64_MAX, out, error)) return false;
  if (c.input.is_array()) *out = out->empty() ? json() : json((*out)[0]);
  if (c.input.is_string() && out->get_ref<const std::string&>().empty()) *out = nullptr;
  return true;
}

bool Slice(const FilterCall& c, json* out, std::string* error) {
  int64_t begin = 0, end = INT64_MAX;
  if (!ArgInt(c, 0, &begin, error)) return false;
  if (c.args.size() > 1 && !c.args[1]->is_null() && !ArgInt(c, 1, &end, error)) return false;
  return SliceOf(c.input, begin, end, out, error);
}

bool Truncate(const FilterCall& c, json* out, std::string* error) {
  int64_t n = 0;
  if (!ArgInt(c, 0, &n, error)) return false;
  if (n < 0) {
    *error = "the length must not be negative";
    return false;
  }
  return SliceOf(c.input, 0, n, out, error);
}

bool UrlEncodeFilter(const FilterCall& c, json* out, std::string* error) {
  std::string s;
  if (!WantText(c, &s, error)) return false;
  *out = UrlEncode(s);
  return true;
}

bool Json(const FilterCall& c, json* out, std::string*) {
  *out = c.input.dump(-1, ' ', false, json::error_handler_t::replace);
  return true;
}

bool Keys(const FilterCall& c, json* out, std::string* error) {
  if (!c.input.is_object()) {
    *error = std::string("expects an object, got ") + TypeName(c.input);
    return false;
  }
  *out = json::array();
  for (auto it = c.input.begin(); it != c.input.end(); ++it) out->push_back(it.key());
  return true;
}

bool Compact(const FilterCall& c, json* out, std::string* error) {
  if (c.input.is_array()) {
    *out = json::array();
    for (const json& item : c.input) {
      if (!item.is_null()) out->push_back(item);
    }
  } else if (c.input.is_object()) {
    *out = json::object();
    for (auto it = c.input.begin(); it != c.input.end(); ++it) {
      if (!it->is_null()) (*out)[it.key()] = *it;
    }
  } else {
    *error = std::string("expects a list or object, got ") + TypeName(c.input);
    return false;
  }
  return true;
}

// clang-format off
// name, min args, max args, null in -> null out (fn not called), fn, compile-time check
const FilterSpec kFilters[] = {
    {"lower",       0, 0, true,  Lower,            nullptr},
    {"upper",       0, 0, true,  Upper,            nullptr},
    {"trim",        0, 0, true,  TrimFilter,       nullptr},
    {"default",     1, 1, false, Default,          nullptr},
    {"join",        1, 1, true,  Join,             nullptr},
    {"split",       1, 1, true,  Split,            nullptr},
    {"replace",     2, 2, true,  Replace,          nullptr},
    {"to_number",   0, 0, true,  ToNumber,         nullptr},
    {"to_string",   0, 0, true,  ToString,         nullptr},
    {"to_bool",     0, 0, true,  ToBool,           nullptr},
    {"format_time", 1, 1, true,  FormatTimeFilter, CheckFormatTime},
    {"lookup",      1, 2, false, Lookup,           CheckLookup},
    {"length",      0, 0, false, Length,           nullptr},
    {"first",       0, 0, true,  First,            nullptr},
    {"last",        0, 0, true,  Last,             nullptr},
    {"slice",       1, 2, true,  Slice,            nullptr},
    {"truncate",    1, 1, true,  Truncate,         nullptr},
    {"url_encode",  0, 0, true,  UrlEncodeFilter,  nullptr},
    {"json",        0, 0, false, Json,             nullptr},
    {"keys",        0, 0, true,  Keys,             nullptr},
    {"compact",     0, 0, true,  Compact,          nullptr},
};
// clang-format on

}  // namespace

const FilterSpec* FindFilter(std::string_view name) {
  for (const FilterSpec& f : kFilters) {
    if (name == f.name) return &f;
  }
  return nullptr;
}

std::vector<std::string> FilterNames() {
  std::vector<std::string> names;
  for (const FilterSpec& f : kFilters) names.push_back(f.name);
  return names;
}

}  // namespace internal
}  // namespace expr
}  // namespace sippet
