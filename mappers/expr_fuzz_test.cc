// Garbage in: Compile never crashes, compile errors point inside the text, and whatever
// compiles evaluates to a value or an error, the same one every time. Deterministic (fixed
// seeds), so a failure reproduces; run under SIPPET_SANITIZE=ON to catch memory errors.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>
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

const std::vector<std::string>& Pieces() {
  static const std::vector<std::string> kPieces = {"data",
                                                   "event",
                                                   "dta",
                                                   ".",
                                                   "[",
                                                   "]",
                                                   "(",
                                                   ")",
                                                   ",",
                                                   "|",
                                                   "??",
                                                   "==",
                                                   "!=",
                                                   "<",
                                                   "<=",
                                                   ">",
                                                   ">=",
                                                   "-",
                                                   "and",
                                                   "or",
                                                   "not",
                                                   "in",
                                                   "true",
                                                   "false",
                                                   "null",
                                                   "'s'",
                                                   "\"d\"",
                                                   "'",
                                                   "\"",
                                                   "\\",
                                                   "\\u",
                                                   "1",
                                                   "2.5",
                                                   "1e",
                                                   "{{",
                                                   "}}",
                                                   "{",
                                                   "}",
                                                   " ",
                                                   "lower",
                                                   "join(",
                                                   "lookup(",
                                                   "'countries'",
                                                   "format_time(",
                                                   "'%Y'",
                                                   "slice(",
                                                   "default(",
                                                   "é",
                                                   "\xff",
                                                   "\x80",
                                                   std::string("\0", 1),
                                                   "tags",
                                                   "first",
                                                   "email",
                                                   "#",
                                                   "=",
                                                   "!",
                                                   "&",
                                                   "?",
                                                   "\n"};
  return kPieces;
}

// Checks the invariants for one input, as an expression and as a template.
void CheckInput(const std::string& text, int* compiled) {
  SCOPED_TRACE(::testing::PrintToString(text));
  int limit = static_cast<int>(text.size()) + 1;
  CompileError error;
  std::optional<Expression> e = Expression::Compile(text, Options(), &error);
  if (e) {
    ++*compiled;
    EvalResult r1 = e->Evaluate(Context());
    EvalResult r2 = e->Evaluate(Context());
    EXPECT_TRUE(r1.ok() || !r1.error().empty());
    EXPECT_EQ(r1.ok(), r2.ok());
    EXPECT_EQ(r1.error(), r2.error());
    EXPECT_EQ(r1.value(), r2.value());
  } else {
    EXPECT_FALSE(error.message.empty());
    EXPECT_GE(error.column, 1);
    EXPECT_LE(error.column, limit);
  }
  std::optional<Template> t = Template::Compile(text, Options(), &error);
  if (t) {
    EvalResult r = t->Render(Context());
    EXPECT_TRUE(r.ok() || !r.error().empty());
  } else {
    EXPECT_FALSE(error.message.empty());
    EXPECT_GE(error.column, 1);
    EXPECT_LE(error.column, limit);
  }
}

TEST(ExprFuzzTest, RandomTokenSoupNeverCrashes) {
  std::mt19937 rng(20261203);
  int compiled = 0;
  for (int i = 0; i < 5000; ++i) {
    std::string text;
    int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) {
      if (rng() % 8 == 0) {
        text.push_back(static_cast<char>(rng() % 256));
      } else {
        text += Pieces()[rng() % Pieces().size()];
      }
    }
    CheckInput(text, &compiled);
  }
  EXPECT_GT(compiled, 50);  // the generator does reach the evaluator
}

TEST(ExprFuzzTest, MutatedValidExpressionsNeverCrash) {
  const std::vector<std::string> seeds = {
      "data.email | trim | lower",
      "data.tags[0] ?? 'none'",
      "data['odd key'] == 'odd' and not (data.count < 3 or 'vip' in data.tags)",
      "data.country | lookup('countries', 'Unknown') | upper",
      "event.occurred_at | format_time('%Y-%m-%dT%H:%M:%S')",
      "[data.first_name, data.last_name] | compact | join(' ') | truncate(10)",
      "data.cost | to_number | to_string | slice(-3, null)",
      "{{ data.first_name }} {{ data.last_name | upper }}",
      "/contacts/{{ link.external_id | url_encode }}?x={{ data.obj | json }}",
      "'\\u00e9\\ud83d\\ude00' | length",
      "data.path | split('/') | first | replace('a', 'b') | default('x') not in ['y']",
  };
  std::mt19937 rng(42);
  int compiled = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string text = seeds[rng() % seeds.size()];
    int mutations = 1 + static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations && !text.empty(); ++m) {
      size_t at = rng() % text.size();
      switch (rng() % 4) {
        case 0:
          text.erase(at, 1 + rng() % 4);
          break;
        case 1:
          text.insert(at, Pieces()[rng() % Pieces().size()]);
          break;
        case 2:
          text[at] = static_cast<char>(rng() % 256);
          break;
        case 3:
          text.insert(at, text.substr(at, rng() % 8));
          break;
      }
    }
    CheckInput(text, &compiled);
  }
  EXPECT_GT(compiled, 150);  // mutants do reach the evaluator
}

}  // namespace
}  // namespace expr
}  // namespace sippet
