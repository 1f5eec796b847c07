#ifndef SIPPET_MAPPERS_EXPR_H_
#define SIPPET_MAPPERS_EXPR_H_

// The mapping expression language and string templates (DESIGN §4; reference in
// docs/mappings-expressions.md).
//
//   data.email | lower                       an expression
//   "{{ data.first_name }} {{ data.last_name | upper }}"   a template
//
// Both are compiled once (at config load) and evaluated many times. A compiled Expression or
// Template is immutable, cheap to copy (it shares its syntax tree) and safe to evaluate from
// any number of threads at once. Compilation reports the first error with a 1-based column
// (counted in characters of the text given to Compile). Evaluation never throws: failures
// such as to_number on "abc" come back as an EvalResult holding an error message.

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sippet {
namespace expr {

namespace internal {
struct Node;
struct TemplatePart;
}  // namespace internal

// Lookup tables by name, as given in the YAML config. Each table must be a JSON object
// (key -> value); lookup('name') of anything else is a compile error.
using Tables = std::map<std::string, nlohmann::json>;

struct CompileOptions {
  // The allowed top-level names (e.g. event, data, record, link, target, vars). Empty allows
  // any name. Any other name is a compile error at its column.
  std::vector<std::string> roots;
  // Tables for the lookup filter; nullptr means none. Only read during Compile: the tables a
  // compiled expression uses are copied into it.
  const Tables* tables = nullptr;
};

struct CompileError {
  int column = 0;       // 1-based, in characters of the compiled text
  std::string message;  // e.g. "unknown filter 'lowr' (did you mean 'lower'?)"

  // "<message> at column <column>", for a caller that has nothing better to prefix.
  std::string ToString() const;
};

// Either a JSON value or an error message. Evaluation errors name the column of the part of
// the expression that failed, e.g. "to_number: 'abc' is not a number (at column 12)".
class EvalResult {
 public:
  static EvalResult Value(nlohmann::json value);
  static EvalResult Error(std::string message);

  bool ok() const { return error_.empty(); }
  // REQUIRES: ok(). (Returns null otherwise.)
  const nlohmann::json& value() const { return value_; }
  nlohmann::json&& take_value() { return std::move(value_); }
  // Empty when ok().
  const std::string& error() const { return error_; }

 private:
  nlohmann::json value_;
  std::string error_;
};

// Truthiness as used by `and`, `or`, `not` and mapping conditions: null, false, 0, "", []
// and {} are false; everything else is true.
bool IsTruthy(const nlohmann::json& value);

// How a value reads inside a string template: null -> "", strings as they are, numbers
// without trailing noise (0.93 -> "0.93", 826.0 -> "826"), true/false, lists and objects as
// compact JSON.
std::string ValueToText(const nlohmann::json& value);

// The top-level names an evaluation reads, bound to values the caller owns, so that a record's
// envelope and staged state are read in place rather than copied into one context object.
// Holds pointers only: the bound values must outlive every evaluation that uses the Scope.
class Scope {
 public:
  Scope() = default;
  // Every key of `object` becomes a name (a non-object binds nothing).
  explicit Scope(const nlohmann::json& object) : object_(&object) {}

  // Binds (or rebinds) `name`; nullptr makes it read as null. Returns *this for chaining.
  Scope& Bind(std::string name, const nlohmann::json* value);
  // The value bound to `name` (names bound with Bind first, then the object's keys), or
  // nullptr.
  const nlohmann::json* Find(std::string_view name) const;

 private:
  const nlohmann::json* object_ = nullptr;
  std::vector<std::pair<std::string, const nlohmann::json*>> names_;
};

class Expression {
 public:
  // Returns nullopt and fills *error (if not null) when `text` is not a valid expression.
  static std::optional<Expression> Compile(std::string_view text, const CompileOptions& options,
                                           CompileError* error);

  // A default-constructed Expression is empty() and evaluates to null.
  Expression();

  // Evaluates over `context`, a JSON object whose keys are the top-level names. A path that
  // does not exist yields null. Thread-safe; `context` is only read.
  EvalResult Evaluate(const nlohmann::json& context) const;
  // The same over names bound in a Scope, e.g.
  //   Scope().Bind("event", &envelope).Bind("data", &envelope["data"]).Bind("link", &link)
  EvalResult Evaluate(const Scope& scope) const;

  bool empty() const { return root_ == nullptr; }
  // The text this expression was compiled from.
  const std::string& text() const { return text_; }

 private:
  std::shared_ptr<const internal::Node> root_;
  std::string text_;
};

class Template {
 public:
  // Returns nullopt and fills *error (if not null) when a {{ }} part is invalid or unclosed.
  // Columns count from the start of the whole template text.
  static std::optional<Template> Compile(std::string_view text, const CompileOptions& options,
                                         CompileError* error);

  // A default-constructed Template renders to "".
  Template();

  // A template that is exactly one {{ expr }} (optionally surrounded by whitespace) renders
  // to the expression's typed value (number, object, null, ...). Any other template renders
  // to a string, each value converted with ValueToText. Thread-safe.
  EvalResult Render(const nlohmann::json& context) const;
  EvalResult Render(const Scope& scope) const;
  // Always a string: like Render, then ValueToText on a typed result (null -> "").
  EvalResult RenderText(const nlohmann::json& context) const;
  EvalResult RenderText(const Scope& scope) const;

  // True when the template has no {{ }} part (it always renders to its own text).
  bool is_literal() const;
  // True when Render returns the typed value of a single expression.
  bool is_single_expression() const { return single_; }
  const std::string& text() const { return text_; }

 private:
  std::shared_ptr<const std::vector<internal::TemplatePart>> parts_;
  bool single_ = false;
  std::string text_;
};

}  // namespace expr
}  // namespace sippet

#endif  // SIPPET_MAPPERS_EXPR_H_
