#include "mappers/expr.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "mappers/expr_test_util.h"

namespace sippet {
namespace expr {
namespace {

using nlohmann::json;
using testing::Context;
using testing::Options;

struct ValueCase {
  const char* expr;
  const char* expected;  // JSON text
};

void ExpectValues(const std::vector<ValueCase>& cases) {
  for (const ValueCase& c : cases) {
    SCOPED_TRACE(c.expr);
    CompileError error;
    std::optional<Expression> e = Expression::Compile(c.expr, Options(), &error);
    ASSERT_TRUE(e.has_value()) << error.ToString();
    EvalResult r = e->Evaluate(Context());
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.value(), json::parse(c.expected)) << r.value().dump();
  }
}

TEST(ExprTest, PathsReadTheContextAndMissingPathsAreNull) {
  ExpectValues({
      {"data.first_name", R"("Ada")"},
      {"data.tags[0]", R"("vip")"},
      {"data.tags[1]", R"("billing")"},
      {"data.tags[-1]", R"("billing")"},
      {"data.tags[2]", "null"},
      {"data.tags[-3]", "null"},
      {"data[\"odd key\"]", R"("odd")"},
      {"data['odd key']", R"("odd")"},
      {"data.nested.a.b[2].c", R"("deep")"},
      {"data.nested['a'].b[1]", "20"},
      {"data.in", R"("keyword as a key")"},
      {"link.external_id", R"("123")"},
      {"event.type", R"("contact.created")"},
      {"data.missing", "null"},
      {"data.missing.deeper[3].x", "null"},
      {"data.first_name.length", "null"},
      {"data.tags.x", "null"},
      {"data.tags['0']", "null"},
      {"data.obj[1]", "null"},
      {"record", "null"},
      {"record.id", "null"},
      {"data.zero", "0"},
      {"(data.nested.a.b | compact)[1]", "20"},
      {"(data.obj | compact).b", "2"},
      {"data.obj", R"({"a": 1, "b": 2, "n": null})"},
  });
}

TEST(ExprTest, Literals) {
  ExpectValues({
      {"'single'", R"("single")"},
      {"\"double\"", R"("double")"},
      {R"('it\'s \"q\" \\ \n\t\/')", R"("it's \"q\" \\ \n\t/")"},
      {R"("\u00e9\u65e5\ud83d\ude00")", R"("é日😀")"},
      {"'日本 ok'", R"("日本 ok")"},
      {"42", "42"},
      {"-7", "-7"},
      {"0.5", "0.5"},
      {"1.5e3", "1500.0"},
      {"2E-2", "0.02"},
      {"true", "true"},
      {"false", "false"},
      {"null", "null"},
      {"[]", "[]"},
      {"['a', 'b']", R"(["a", "b"])"},
      {"[1, 'x', null, [true],]", R"([1, "x", null, [true]])"},
      {"[data.first_name, data.tags[0]]", R"(["Ada", "vip"])"},
      {"9223372036854775807", "9223372036854775807"},
      {"- data.count", "-826"},
      {"-(-3)", "3"},
      {"-data.nothing", "null"},
  });
}

TEST(ExprTest, Comparisons) {
  ExpectValues({
      {"1 == 1", "true"},
      {"1 == 1.0", "true"},
      {"data.count == 826", "true"},
      {"data.count != 826", "false"},
      {"1 == '1'", "false"},
      {"1 != '1'", "true"},
      {"null == null", "true"},
      {"data.missing == null", "true"},
      {"data.tags == ['vip', 'billing']", "true"},
      {"data.obj == data.obj", "true"},
      {"2 < 10", "true"},
      {"'2' < '10'", "false"},  // strings compare lexicographically
      {"'abc' < 'abd'", "true"},
      {"data.score <= 0.93", "true"},
      {"data.score < 0.93", "false"},
      {"data.count > 825.5", "true"},
      {"data.count >= 827", "false"},
      {"'b' >= 'a'", "true"},
      {"1 < '2'", "false"},  // mismatched types: false, not an error
      {"1 > '2'", "false"},
      {"1 <= '2'", "false"},
      {"null < 1", "false"},
      {"null >= null", "false"},
      {"true > false", "false"},
      {"[1] < [2]", "false"},
      {"'vip' in data.tags", "true"},
      {"'gold' in data.tags", "false"},
      {"'gold' not in data.tags", "true"},
      {"826 in [1, 826.0]", "true"},
      {"'Love' in data.last_name", "true"},
      {"'love' in data.last_name", "false"},
      {"'' in 'abc'", "true"},
      {"'email' in data", "true"},
      {"'phone' in data", "false"},
      {"1 in 'a1'", "false"},
      {"'a' in data.missing", "false"},
      {"'a' not in data.missing", "true"},
  });
}

TEST(ExprTest, LogicAndTruthiness) {
  ExpectValues({
      {"true and true", "true"},
      {"true and false", "false"},
      {"false or true", "true"},
      {"false or false", "false"},
      {"not true", "false"},
      {"not not 'x'", "true"},
      {"not data.nothing", "true"},
      {"not data.zero", "true"},
      {"not data.blank", "true"},
      {"not data.empty_list", "true"},
      {"not data.empty_obj", "true"},
      {"not data.f", "true"},
      {"not 0.0", "true"},
      {"not '0'", "false"},  // a non-empty string is true
      {"not data.tags", "false"},
      {"data.first_name and data.count", "true"},
      {"data.blank or data.zero or data.empty_list", "false"},
      {"true or false and false", "true"},  // and binds tighter than or
      {"(true or false) and false", "false"},
      {"not 1 == 2", "true"},  // not is looser than ==
      {"data.count > 800 and data.count < 900 and 'vip' in data.tags", "true"},
      // Short circuit: the right side would be an error.
      {"false and ('x' | to_number)", "false"},
      {"true or ('x' | to_number)", "true"},
  });
}

TEST(ExprTest, NullCoalescing) {
  ExpectValues({
      {"data.missing ?? 'fallback'", R"("fallback")"},
      {"data.first_name ?? 'fallback'", R"("Ada")"},
      {"data.blank ?? 'fallback'", R"("")"},  // only null is replaced
      {"data.zero ?? 5", "0"},
      {"data.missing ?? data.nothing ?? link.external_id", R"("123")"},
      {"data.missing ?? null", "null"},
      {"data.status ?? 'new' == 'new'", "true"},  // ?? binds tighter than ==
      {"data.missing ?? 'a' | upper", R"("A")"},  // filters bind tightest
      {"(data.missing ?? 'a') | upper", R"("A")"},
      {"data.first_name ?? ('x' | to_number)", R"("Ada")"},
  });
}

struct EvalErrorCase {
  const char* expr;
  const char* error;  // the whole message
};

TEST(ExprTest, EvaluationErrorsAreValuesNamingTheColumn) {
  std::vector<EvalErrorCase> cases = {
      {"data.first_name | to_number", "to_number: 'Ada' is not a number (at column 19)"},
      {"-data.first_name", "cannot negate a string (at column 1)"},
      {"data.first_name | join(',')", "join: expects a list, got string (at column 19)"},
      {"data.missing ?? ('abc' | to_number)", "to_number: 'abc' is not a number (at column 26)"},
      {"['x' | to_number]", "to_number: 'x' is not a number (at column 8)"},
      {"data.tags[data.tags | upper]", "upper: expects a string, got list (at column 23)"},
      {"'a' == ('b' | format_time('%Y'))",
       "format_time: 'b' is not an RFC 3339 timestamp (at column 15)"},
  };
  for (const EvalErrorCase& c : cases) {
    SCOPED_TRACE(c.expr);
    CompileError error;
    std::optional<Expression> e = Expression::Compile(c.expr, Options(), &error);
    ASSERT_TRUE(e.has_value()) << error.ToString();
    EvalResult r = e->Evaluate(Context());
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error(), c.error);
  }
}

struct CompileErrorCase {
  const char* expr;
  int column;
  const char* message;
};

TEST(ExprTest, CompileErrorsNameTheColumn) {
  std::vector<CompileErrorCase> cases = {
      {"data.email | lowr", 14, "unknown filter 'lowr' (did you mean 'lower'?)"},
      {"data.email | frobnicate", 14, "unknown filter 'frobnicate'"},
      {"dta.email", 1, "unknown name 'dta' (did you mean 'data'?)"},
      {"zzzzzz", 1, "unknown name 'zzzzzz' (known names: event, data, record, link, target, vars)"},
      {"(data.a == 'x' or data.b", 25, "expected ')'"},
      {"lookup == 1", 1,
       "unknown name 'lookup' (known names: event, data, record, link, target, vars)"},
      {"data.tags[0", 12, "expected ']'"},
      {"[1, 2", 6, "expected ',' or ']'"},
      {"data.a | replace('a')", 10, "filter 'replace' takes 2 arguments, got 1"},
      {"data.a | lower(1)", 10, "filter 'lower' takes no arguments, got 1"},
      {"data.a | default", 10, "filter 'default' takes 1 argument, got 0"},
      {"data.a | slice(1, 2, 3)", 10, "filter 'slice' takes 1 or 2 arguments, got 3"},
      {"data.a | join(',' ", 19, "expected ',' or ')'"},
      {"data.a | lookup('countrys')", 17,
       "unknown lookup table 'countrys' (did you mean 'countries'?)"},
      {"data.a | lookup('nope')", 17, "unknown lookup table 'nope'"},
      {"data.a | lookup(data.b)", 17, "lookup: the table name must be a quoted string"},
      {"data.a | lookup('not_a_map')", 17,
       "lookup table 'not_a_map' is not a map of keys to values"},
      {"data.a | format_time('%Q')", 22, "format_time: unknown format directive '%Q'"},
      {"data.a | format_time(5)", 22, "format_time: the format must be a string"},
      {"data.a = 'x'", 8, "unexpected '=' (use '==' to compare)"},
      {"data.a || data.b", 8, "'||' is not an operator; use 'or'"},
      {"data.a && data.b", 8, "'&&' is not an operator; use 'and'"},
      {"!data.a", 1, "unexpected '!' (use 'not')"},
      {"data.a ? 1", 8, "unexpected '?' (did you mean '?\?'?)"},
      {"data.a lower", 8, "unexpected 'lower' (missing '|' before a filter?)"},
      {"data.a data.b", 8, "unexpected 'data'"},
      {"1 < 2 < 3", 7, "comparisons cannot be chained; combine them with 'and'"},
      {"data.", 6, "expected a field name after '.'"},
      {"data.tags.0", 11, "expected a field name after '.' (use [0] for list items)"},
      {"data.a |", 9, "expected a filter name after '|'"},
      {"data.a ==", 10, "expected a value, found end of expression"},
      {"and", 1, "expected a value, found 'and'"},
      {"'unterminated", 1, "unterminated string"},
      {"'bad \\q escape'", 6, "unknown escape '\\q'"},
      {"'\\u12'", 2, "'\\u' needs four hex digits"},
      {"'\\ud800'", 2, "unpaired surrogate in '\\u' escape"},
      {"99999999999999999999", 1, "integer out of range"},
      {"1e999", 1, "number out of range"},
      {"12abc", 1, "invalid number '12a'"},
      {"data.a # comment", 8, "unexpected character '#'"},
      {"'é' == é", 8, "unexpected character 'é'"},  // columns count characters, not bytes
      {"data.a }}", 8, "unexpected character '}'"},
      {"data.a \x01", 8, "unexpected character '\\x01'"},  // messages stay printable
      {"data.a \xff", 8, "unexpected character '\\xFF'"},
      {"'\\\x7f'", 2, "unknown escape '\\\\x7F'"},
      {"", 1, "empty expression"},
      {"   ", 1, "empty expression"},
  };
  for (const CompileErrorCase& c : cases) {
    SCOPED_TRACE(c.expr);
    CompileError error;
    EXPECT_FALSE(Expression::Compile(c.expr, Options(), &error).has_value());
    EXPECT_EQ(error.message, c.message);
    EXPECT_EQ(error.column, c.column);
  }
}

TEST(ExprTest, CompileErrorToStringAppendsTheColumn) {
  CompileError error;
  ASSERT_FALSE(Expression::Compile("(data.a == 'x' or data.b", Options(), &error));
  EXPECT_EQ(error.ToString(), "expected ')' at column 25");
}

TEST(ExprTest, WithoutRootsAnyNameIsAllowedAndWithoutTablesLookupFails) {
  CompileOptions open;
  std::optional<Expression> e = Expression::Compile("anything.x ?? 1", open, nullptr);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->Evaluate(json{{"anything", {{"x", 2}}}}).value(), 2);
  EXPECT_EQ(e->Evaluate(json::array()).value(), 1);  // a non-object context has no names
  CompileError error;
  EXPECT_FALSE(Expression::Compile("x | lookup('countries')", open, &error));
  EXPECT_EQ(error.message, "unknown lookup table 'countries'");
}

TEST(ExprTest, ScopeBindsNamesToValuesTheCallerOwns) {
  json envelope = Context()["event"];
  envelope["data"] = Context()["data"];
  json link = {{"external_id", "551"}};
  json vars = {{"x", 1}};
  Scope scope(vars);  // object keys: vars' own fields, after the bound names
  scope.Bind("event", &envelope).Bind("data", &envelope["data"]).Bind("link", &link);
  std::optional<Expression> e = Expression::Compile(
      "[event.type, data.first_name, link.external_id, record, x]", CompileOptions(), nullptr);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->Evaluate(scope).value(),
            json::parse(R"(["contact.created", "Ada", "551", null, 1])"));
  link["external_id"] = "552";  // read in place, not copied
  scope.Bind("record", &link).Bind("data", nullptr);
  EXPECT_EQ(e->Evaluate(scope).value(),
            json::parse(R"(["contact.created", null, "552", {"external_id": "552"}, 1])"));
  std::optional<Template> t =
      Template::Compile("{{ link.external_id }}/{{ x }}", CompileOptions(), nullptr);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->Render(scope).value(), "552/1");
  EXPECT_EQ(t->RenderText(Scope()).value(), "/");
}

TEST(ExprTest, DefaultExpressionIsEmptyAndNull) {
  Expression e;
  EXPECT_TRUE(e.empty());
  EvalResult r = e.Evaluate(Context());
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.value().is_null());
}

TEST(ExprTest, LookupTablesAreCopiedAtCompileTime) {
  Tables tables = {{"t", json{{"a", "A"}}}};
  CompileOptions o;
  o.tables = &tables;
  std::optional<Expression> e = Expression::Compile("'a' | lookup('t')", o, nullptr);
  ASSERT_TRUE(e.has_value());
  tables.clear();  // the expression keeps its own copy
  EXPECT_EQ(e->Evaluate(json::object()).value(), "A");
}

TEST(ExprTest, DeepNestingIsACompileErrorNotAStackOverflow) {
  const std::vector<std::pair<std::string, std::string>> deep = {
      {"(", "1"},           {"[", "1"},          {"not ", "true"},          {"-", "1"},
      {"- ", "data.count"}, {"data.tags[", "0"}, {"'a' | default(", "'b'"},
  };
  for (const auto& [open, inner] : deep) {
    SCOPED_TRACE(open);
    std::string text;
    for (int i = 0; i < 100000; ++i) text += open;
    text += inner;
    CompileError error;
    EXPECT_FALSE(Expression::Compile(text, Options(), &error));
    EXPECT_EQ(error.message, "expression nested too deeply (limit 64)");
  }
  // Nesting up to the limit is fine.
  std::string ok(60, '(');
  ok += "1" + std::string(60, ')');
  EXPECT_TRUE(Expression::Compile(ok, Options(), nullptr).has_value());
}

TEST(ExprTest, LongFlatChainsCompileAndEvaluate) {
  std::string ands = "true", coalesce = "data.missing", filters = "data.first_name",
              path = "data.nested";
  for (int i = 0; i < 20000; ++i) {
    ands += " and true";
    coalesce += " ?? data.missing";
    filters += " | upper";
    path += ".x";
  }
  coalesce += " ?? 7";
  ExpectValues({{ands.c_str(), "true"},
                {coalesce.c_str(), "7"},
                {filters.c_str(), R"("ADA")"},
                {path.c_str(), "null"}});
  std::string long_string = "'" + std::string(1 << 20, 'x') + "' | length";
  ExpectValues({{long_string.c_str(), "1048576"}});
}

TEST(ExprTest, ConcurrentEvaluationOfOneExpressionAgrees) {
  std::optional<Expression> e = Expression::Compile(
      "[data.email | trim | lower, data.tags | join(vars.sep), data.country | lookup('countries')]",
      Options(), nullptr);
  ASSERT_TRUE(e.has_value());
  json want = json::parse(R"(["ada.lovelace@example.com", "vip;billing", "United Kingdom"])");
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  Expression copy = *e;  // copies share the compiled tree
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        EvalResult r = (t % 2 ? copy : *e).Evaluate(Context());
        if (!r.ok() || r.value() != want) ++mismatches[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace expr
}  // namespace sippet
