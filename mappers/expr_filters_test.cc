// Every filter of the expression language: normal use, nulls, empty inputs, wrong types.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mappers/expr.h"
#include "mappers/expr_test_util.h"

namespace sippet {
namespace expr {
namespace {

using nlohmann::json;
using testing::Context;
using testing::Options;

struct FilterCase {
  const char* expr;
  const char* expected;  // JSON text, or the error message when it starts with "!"
};

void Check(const std::vector<FilterCase>& cases) {
  for (const FilterCase& c : cases) {
    SCOPED_TRACE(c.expr);
    CompileError error;
    std::optional<Expression> e = Expression::Compile(c.expr, Options(), &error);
    ASSERT_TRUE(e.has_value()) << error.ToString();
    EvalResult r = e->Evaluate(Context());
    std::string expected = c.expected;
    if (expected[0] == '!') {
      EXPECT_FALSE(r.ok()) << r.value().dump();
      EXPECT_EQ(r.error().substr(0, r.error().find(" (at column")), expected.substr(1));
    } else {
      ASSERT_TRUE(r.ok()) << r.error();
      EXPECT_EQ(r.value(), json::parse(expected)) << r.value().dump();
    }
  }
}

TEST(ExprFiltersTest, CaseAndTrim) {
  Check({
      {"data.email | trim", R"("Ada.Lovelace@Example.com")"},
      {"data.email | trim | lower", R"("ada.lovelace@example.com")"},
      {"data.last_name | upper", R"("LOVELACE")"},
      {"data.unicode | lower", R"("émile zoë straße łódź σίσυφος жанна 日本")"},
      {"data.unicode | upper", R"("ÉMILE ZOË STRAßE ŁÓDŹ ΣΊΣΥΦΟΣ ЖАННА 日本")"},
      {"'ÀÉÎÕÜ Ÿ Ǆ' | lower", R"("àéîõü ÿ Ǆ")"},
      {"'ÿ×÷' | upper", R"("Ÿ×÷")"},
      {"826 | upper", R"("826")"},
      {"true | upper", R"("TRUE")"},
      {"'  \t x y \n' | trim", R"("x y")"},
      {"'' | trim", R"("")"},
      {"data.nothing | lower", "null"},
      {"data.missing | upper", "null"},
      {"data.tags | lower", "!lower: expects a string, got list"},
      {"data.obj | trim", "!trim: expects a string, got object"},
  });
}

TEST(ExprFiltersTest, UpperNeverCorruptsUtf8) {
  // ß has no single-character upper case: it is left as it is, not cut in half.
  Check({{"'ß' | upper", R"("ß")"}, {"'日本語' | upper | lower", R"("日本語")"}});
  // Invalid UTF-8 bytes pass through unchanged.
  std::string bad = "a\xC3(\xFF";
  std::optional<Expression> e = Expression::Compile("data.s | upper", Options(), nullptr);
  ASSERT_TRUE(e.has_value());
  json ctx = json::object();
  ctx["data"] = {{"s", bad}};
  EXPECT_EQ(e->Evaluate(ctx).value().get<std::string>(), "A\xC3(\xFF");
}

TEST(ExprFiltersTest, DefaultReplacesNullAndEmptyString) {
  Check({
      {"data.nothing | default('n/a')", R"("n/a")"},
      {"data.missing | default('n/a')", R"("n/a")"},
      {"data.blank | default('n/a')", R"("n/a")"},
      {"data.zero | default('n/a')", "0"},
      {"data.f | default(true)", "false"},
      {"data.empty_list | default(['x'])", "[]"},
      {"data.first_name | default('n/a')", R"("Ada")"},
      {"data.missing | default(data.first_name)", R"("Ada")"},
      {"data.missing | default(null)", "null"},
  });
}

TEST(ExprFiltersTest, JoinSplitReplace) {
  Check({
      {"data.tags | join(', ')", R"("vip, billing")"},
      {"data.tags | join(vars.sep)", R"("vip;billing")"},
      {"data.mixed | join('-')", R"("1-a")"},  // nulls are skipped
      {"data.empty_list | join(',')", R"("")"},
      {"[1.5, true, [1]] | join(' ')", R"("1.5 true [1]")"},
      {"data.nothing | join(',')", "null"},
      {"data.first_name | join(',')", "!join: expects a list, got string"},
      {"data.tags | join(['x'])", "!join: argument 1 must be a string, got list"},
      {"'a,b,,c' | split(',')", R"(["a", "b", "", "c"])"},
      {"'a' | split(',')", R"(["a"])"},
      {"'' | split(',')", "[]"},
      {"'a::b' | split('::')", R"(["a", "b"])"},
      {"data.nothing | split(',')", "null"},
      {"'a' | split('')", "!split: the separator must not be empty"},
      {"data.tags | split(',')", "!split: expects a string, got list"},
      {"'a-b-c' | replace('-', '+')", R"("a+b+c")"},
      {"'aaa' | replace('aa', 'b')", R"("ba")"},
      {"'abc' | replace('x', 'y')", R"("abc")"},
      {"'a b' | replace(' ', '')", R"("ab")"},
      {"'+44 20' | replace(' ', '') | replace('+', '00')", R"("004420")"},
      {"data.nothing | replace('a', 'b')", "null"},
      {"'abc' | replace('', 'x')", "!replace: the text to replace must not be empty"},
  });
}

TEST(ExprFiltersTest, Conversions) {
  Check({
      {"data.cost | to_number", "0.000412"},
      {"'42' | to_number", "42"},
      {"' -7 ' | to_number", "-7"},
      {"'+3.5' | to_number", "3.5"},
      {"'.5' | to_number", "0.5"},
      {"'1e3' | to_number", "1000.0"},
      {"'99999999999999999999' | to_number", "1e20"},
      {"data.count | to_number", "826"},
      {"true | to_number", "1"},
      {"'' | to_number", "null"},
      {"data.nothing | to_number", "null"},
      {"'abc' | to_number", "!to_number: 'abc' is not a number"},
      {"'12abc' | to_number", "!to_number: '12abc' is not a number"},
      {"'1e999' | to_number", "!to_number: '1e999' is not a number"},
      {"'NaN' | to_number", "!to_number: 'NaN' is not a number"},
      {"'.' | to_number", "!to_number: '.' is not a number"},
      {"data.tags | to_number", "!to_number: expects a string or number, got list"},
      {"data.score | to_string", R"("0.93")"},
      {"data.count | to_string", R"("826")"},
      {"826.0 | to_string", R"("826")"},
      {"-0.5 | to_string", R"("-0.5")"},
      {"0.1 | to_string", R"("0.1")"},
      {"data.big | to_string", R"("1e+21")"},
      {"true | to_string", R"("true")"},
      {"data.tags | to_string", R"("[\"vip\",\"billing\"]")"},
      {"data.nothing | to_string", "null"},
      {"data.flag | to_bool", "true"},
      {"' NO ' | to_bool", "false"},
      {"'on' | to_bool", "true"},
      {"'0' | to_bool", "false"},
      {"'' | to_bool", "false"},
      {"2 | to_bool", "true"},
      {"0 | to_bool", "false"},
      {"data.t | to_bool", "true"},
      {"data.nothing | to_bool", "null"},
      {"'maybe' | to_bool", "!to_bool: 'maybe' is not a boolean"},
      {"data.tags | to_bool", "!to_bool: expects a boolean, number or string, got list"},
  });
}

TEST(ExprFiltersTest, FormatTime) {
  Check({
      {"event.occurred_at | format_time('unix')", "1796029925"},
      {"event.occurred_at | format_time('unix_ms')", "1796029925500"},
      {"event.occurred_at | format_time('iso8601')", R"("2026-11-30T09:12:05.500Z")"},
      {"'2026-11-30T09:12:05Z' | format_time('iso8601')", R"("2026-11-30T09:12:05Z")"},
      {"event.occurred_at | format_time('date')", R"("2026-11-30")"},
      {"'2026-11-30T23:30:00-02:00' | format_time('iso8601')", R"("2026-12-01T01:30:00Z")"},
      {"'2026-01-01T00:30:00+01:00' | format_time('date')", R"("2025-12-31")"},
      {"'2026-11-30t09:12:05.123456789z' | format_time('%H:%M:%S.%f %N')",
       R"("09:12:05.123456 123456789")"},
      {"'2026-11-30 09:12:05Z' | format_time('%F %T')", R"("2026-11-30 09:12:05")"},
      {"'2026-11-30' | format_time('unix')", "1795996800"},
      {"'2024-02-29T13:05:09Z' | format_time('%d/%m/%Y %I:%M %p %j %y')",
       R"("29/02/2024 01:05 PM 060 24")"},
      {"'2026-11-30T00:00:00Z' | format_time('%a %A %b %B %e %u %w %z %Z %% %s')",
       R"("Mon Monday Nov November 30 1 1 +0000 UTC % 1795996800")"},
      {"'1969-12-31T23:59:59Z' | format_time('unix')", "-1"},
      {"'1969-12-31T23:59:59Z' | format_time('%F %T %a')", R"("1969-12-31 23:59:59 Wed")"},
      {"'2016-12-31T23:59:60Z' | format_time('iso8601')", R"("2017-01-01T00:00:00Z")"},
      {"1796029925 | format_time('iso8601')", R"("2026-11-30T09:12:05Z")"},
      {"1764493925.25 | format_time('unix_ms')", "1764493925250"},
      {"'' | format_time('date')", "null"},
      {"data.nothing | format_time('date')", "null"},
      {"'2026-02-30' | format_time('date')",
       "!format_time: '2026-02-30' is not an RFC 3339 timestamp"},
      {"'2026-11-30T09:12:05' | format_time('date')",
       "!format_time: '2026-11-30T09:12:05' is not an RFC 3339 timestamp"},
      {"'2026-11-30T25:00:00Z' | format_time('date')",
       "!format_time: '2026-11-30T25:00:00Z' is not an RFC 3339 timestamp"},
      {"'2026-11-30T09:12:05.Z' | format_time('date')",
       "!format_time: '2026-11-30T09:12:05.Z' is not an RFC 3339 timestamp"},
      {"'2026-11-30T09:12:05+0100' | format_time('date')",
       "!format_time: '2026-11-30T09:12:05+0100' is not an RFC 3339 timestamp"},
      {"1e300 | format_time('date')", "!format_time: 1e+300 is out of range for a timestamp"},
      {"data.tags | format_time('date')",
       "!format_time: expects a timestamp string or Unix seconds, got list"},
      {"event.occurred_at | format_time(vars.sep ?? '%Y')", R"(";")"},
      {"event.occurred_at | format_time(vars.limit)", "!format_time: the format must be a string"},
  });
}

TEST(ExprFiltersTest, Lookup) {
  Check({
      {"data.country | lookup('countries')", R"("United Kingdom")"},
      {"'FR' | lookup('countries')", R"("France")"},
      {"data.dial | lookup('countries')", R"("by dialling code")"},  // numbers as text keys
      {"'XX' | lookup('countries')", "null"},
      {"'XX' | lookup('countries', 'Unknown')", R"("Unknown")"},
      {"data.nothing | lookup('countries', 'Unknown')", R"("Unknown")"},
      {"data.nothing | lookup('countries')", "null"},
      {"'gb' | lookup('countries')", "null"},  // keys are exact: use | upper first
      {"'gb' | upper | lookup('countries')", R"("United Kingdom")"},
      {"('billing.refund_request' | lookup('labels')).queue", R"("refunds")"},
      {"data.tags | lookup('countries')", "!lookup: the key must be a string or number, got list"},
  });
}

TEST(ExprFiltersTest, LengthFirstLastSliceTruncate) {
  Check({
      {"data.tags | length", "2"},
      {"data.first_name | length", "3"},
      {"'日本' | length", "2"},  // characters, not bytes
      {"data.obj | length", "3"},
      {"data.empty_list | length", "0"},
      {"data.nothing | length", "0"},
      {"data.count | length", "!length: expects a string, list or object, got number"},
      {"data.tags | first", R"("vip")"},
      {"data.tags | last", R"("billing")"},
      {"data.empty_list | first", "null"},
      {"data.empty_list | last", "null"},
      {"'Łódź' | first", R"("Ł")"},
      {"'Łódź' | last", R"("ź")"},
      {"'' | first", "null"},
      {"data.nothing | first", "null"},
      {"data.obj | first", "!first: expects a string or list, got object"},
      {"[1, 2, 3, 4] | slice(1, 3)", "[2, 3]"},
      {"[1, 2, 3, 4] | slice(-2)", "[3, 4]"},
      {"[1, 2, 3, 4] | slice(1, -1)", "[2, 3]"},
      {"[1, 2, 3, 4] | slice(3, 1)", "[]"},
      {"[1, 2, 3, 4] | slice(-10, 10)", "[1, 2, 3, 4]"},
      {"[1, 2, 3, 4] | slice(2, null)", "[3, 4]"},
      {"'Straße' | slice(4)", R"("ße")"},
      {"'abc' | slice(1.0, 2)", R"("b")"},
      {"'abc' | slice('1')", "!slice: argument 1 must be an integer, got '1'"},
      {"'abc' | slice(0.5)", "!slice: argument 1 must be an integer, got 0.5"},
      {"data.nothing | slice(1)", "null"},
      {"data.last_name | truncate(4)", R"("Love")"},
      {"'日本語' | truncate(2)", R"("日本")"},
      {"'ab' | truncate(10)", R"("ab")"},
      {"data.tags | truncate(1)", R"(["vip"])"},
      {"'ab' | truncate(0)", R"("")"},
      {"'ab' | truncate(-1)", "!truncate: the length must not be negative"},
      {"data.count | truncate(1)", "!truncate: expects a string or list, got number"},
  });
}

TEST(ExprFiltersTest, UrlEncodeJsonKeysCompact) {
  Check({
      {"data.path | url_encode", R"("a%20b%2Fc%3Fd%3D%C3%A9%26x")"},
      {"'A-z_0.9~' | url_encode", R"("A-z_0.9~")"},
      {"data.count | url_encode", R"("826")"},
      {"data.nothing | url_encode", "null"},
      {"data.tags | url_encode", "!url_encode: expects a string, got list"},
      {"data.tags | json", R"("[\"vip\",\"billing\"]")"},
      {"data.obj | json", R"("{\"a\":1,\"b\":2,\"n\":null}")"},
      {"'é' | json", R"("\"é\"")"},
      {"data.nothing | json", R"("null")"},
      {"data.obj | keys", R"(["a", "b", "n"])"},
      {"data.empty_obj | keys", "[]"},
      {"data.nothing | keys", "null"},
      {"data.tags | keys", "!keys: expects an object, got list"},
      {"data.mixed | compact", R"([1, "a"])"},
      {"data.obj | compact", R"({"a": 1, "b": 2})"},
      {"data.empty_list | compact", "[]"},
      {"data.nothing | compact", "null"},
      {"data.count | compact", "!compact: expects a list or object, got number"},
  });
}

}  // namespace
}  // namespace expr
}  // namespace sippet
