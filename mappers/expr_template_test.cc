// String templates: typed single expressions, string rendering, escapes, errors.

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

struct TemplateCase {
  const char* text;
  const char* expected;  // JSON text of Render's value
  bool single;           // is_single_expression()
};

TEST(ExprTemplateTest, RendersTypedSingleExpressionsAndStringsOtherwise) {
  std::vector<TemplateCase> cases = {
      {"{{ data.first_name }} {{ data.last_name | upper }}", R"("Ada LOVELACE")", false},
      {"{{ data.count }}", "826", true},
      {"  {{ data.score }}\n", "0.93", true},
      {"{{data.obj}}", R"({"a": 1, "b": 2, "n": null})", true},
      {"{{ data.nothing }}", "null", true},
      {"{{ data.tags }}", R"(["vip", "billing"])", true},
      {"{{ data.t }}", "true", true},
      {"n={{ data.count }}", R"("n=826")", false},
      {"{{ data.count }}{{ data.count }}", R"("826826")", false},
      {"[{{ data.nothing }}]", R"("[]")", false},  // null renders as ""
      {"{{ data.score }} {{ data.big }} {{ data.f }}", R"("0.93 1e+21 false")", false},
      {"tags: {{ data.tags }}", R"("tags: [\"vip\",\"billing\"]")", false},
      {"plain text", R"("plain text")", false},
      {"", R"("")", false},
      {"/contacts/{{ data.path | url_encode }}/notes",
       R"("/contacts/a%20b%2Fc%3Fd%3D%C3%A9%26x/notes")", false},
      {"{{ '{{' }} not an expression }}", R"("{{ not an expression }}")", false},
      {"{{ '}}' }}", R"("}}")", true},
      {"a }} b", R"("a }} b")", false},
      {"{{ data.first_name }}}", R"("Ada}")", false},
      {"{{ 'x' | upper }}{{ '' }}", R"("X")", false},
      {"{{ data.missing ?? 'none' }}", R"("none")", true},
      {"Dear {{ data.first_name | default('customer') }},", R"("Dear Ada,")", false},
      {"{{\n  data.first_name\n}}", R"("Ada")", true},
  };
  for (const TemplateCase& c : cases) {
    SCOPED_TRACE(c.text);
    CompileError error;
    std::optional<Template> t = Template::Compile(c.text, Options(), &error);
    ASSERT_TRUE(t.has_value()) << error.ToString();
    EXPECT_EQ(t->is_single_expression(), c.single);
    EvalResult r = t->Render(Context());
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.value(), json::parse(c.expected)) << r.value().dump();
  }
}

TEST(ExprTemplateTest, RenderTextAlwaysGivesAString) {
  std::vector<std::pair<const char*, const char*>> cases = {
      {"{{ data.count }}", "826"},
      {"{{ data.nothing }}", ""},
      {"{{ data.tags }}", R"(["vip","billing"])"},
      {"id-{{ link.external_id }}", "id-123"},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    std::optional<Template> t = Template::Compile(text, Options(), nullptr);
    ASSERT_TRUE(t.has_value());
    EvalResult r = t->RenderText(Context());
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.value(), want);
  }
}

TEST(ExprTemplateTest, LiteralAndDefaultTemplates) {
  std::optional<Template> t = Template::Compile("https://api.example.com/v1", Options(), nullptr);
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->is_literal());
  EXPECT_FALSE(Template::Compile("{{ 1 }}", Options(), nullptr)->is_literal());
  Template empty;
  EXPECT_TRUE(empty.is_literal());
  EXPECT_EQ(empty.Render(Context()).value(), "");
}

TEST(ExprTemplateTest, EvaluationErrorsPropagateWithTheirColumn) {
  std::optional<Template> t =
      Template::Compile("total: {{ data.first_name | to_number }}", Options(), nullptr);
  ASSERT_TRUE(t.has_value());
  EvalResult r = t->Render(Context());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error(), "to_number: 'Ada' is not a number (at column 29)");
}

struct TemplateErrorCase {
  const char* text;
  int column;
  const char* message;
};

TEST(ExprTemplateTest, CompileErrorsCountColumnsFromTheTemplateStart) {
  std::vector<TemplateErrorCase> cases = {
      {"Hello {{ data.first_name | lowr }}", 28, "unknown filter 'lowr' (did you mean 'lower'?)"},
      {"Hello {{ data.first_name", 7, "'{{' is not closed by '}}'"},
      {"a {{ }} b", 3, "empty '{{ }}'"},
      {"{{ dta.x }}", 4, "unknown name 'dta' (did you mean 'data'?)"},
      {"{{ data.x }} and {{ data.y data.z }}", 28, "unexpected 'data'"},
      {"{{ data.x } }}", 11, "unexpected character '}'"},
      {"{{ 'unclosed }}", 4, "unterminated string"},
      {"é {{ (data.x }}", 14, "expected ')'"},
  };
  for (const TemplateErrorCase& c : cases) {
    SCOPED_TRACE(c.text);
    CompileError error;
    EXPECT_FALSE(Template::Compile(c.text, Options(), &error).has_value());
    EXPECT_EQ(error.message, c.message);
    EXPECT_EQ(error.column, c.column);
  }
}

TEST(ExprTemplateTest, CopiesShareTheCompiledParts) {
  std::optional<Template> t = Template::Compile("{{ data.first_name }}!", Options(), nullptr);
  ASSERT_TRUE(t.has_value());
  Template copy = *t;
  t.reset();
  EXPECT_EQ(copy.Render(Context()).value(), "Ada!");
  EXPECT_EQ(copy.text(), "{{ data.first_name }}!");
}

}  // namespace
}  // namespace expr
}  // namespace sippet
