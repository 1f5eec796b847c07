#ifndef SIPPET_MAPPERS_EXPR_INTERNAL_H_
#define SIPPET_MAPPERS_EXPR_INTERNAL_H_

// Internals of the expression language shared by expr_*.cc. Not for use outside mappers/expr*.
// The syntax tree is flat where the grammar repeats (a.b.c | f | g, x and y and z) so that its
// depth, and therefore the evaluator's recursion, is bounded by the parser's nesting limit.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "mappers/expr.h"

namespace sippet {
namespace expr {
namespace internal {

using json = nlohmann::json;

// Deepest nesting of parentheses, lists, indexes, filter arguments and unary operators.
constexpr int kMaxNesting = 64;

enum class NodeKind {
  kLiteral,
  kRoot,
  kList,
  kPostfix,
  kNegate,
  kNot,
  kAnd,
  kOr,
  kCoalesce,
  kCompare
};
enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe, kIn, kNotIn };
enum class StepKind { kMember, kIndex, kFilter };

struct FilterSpec;
struct Node;

// One step of a postfix chain: .name, [expr] or | filter(args).
struct Step {
  StepKind kind = StepKind::kMember;
  int column = 0;
  std::string member;                       // kMember
  std::unique_ptr<Node> index;              // kIndex
  const FilterSpec* filter = nullptr;       // kFilter
  std::vector<std::unique_ptr<Node>> args;  // kFilter
  std::shared_ptr<const json> table;        // kFilter: the table bound by lookup
};

struct Node {
  NodeKind kind = NodeKind::kLiteral;
  int column = 0;
  json literal;                                 // kLiteral
  std::string name;                             // kRoot
  CompareOp op = CompareOp::kEq;                // kCompare
  std::vector<std::unique_ptr<Node>> children;  // operands; kPostfix: the base
  std::vector<Step> steps;                      // kPostfix
};

// A filter invocation at evaluation time. `args` are the evaluated arguments.
struct FilterCall {
  const json& input;
  const std::vector<const json*>& args;
  const Step& step;
};
// Returns false and sets *error (without the column; the caller adds it) on failure.
using FilterFn = bool (*)(const FilterCall& call, json* out, std::string* error);
// Compile-time check of a call; may bind data into the step (lookup binds its table).
// On failure sets *error and *column (1-based, or leaves it for the filter's own column).
using FilterCheck = bool (*)(Step* step, const CompileOptions& options, std::string* error,
                             int* column);

struct FilterSpec {
  const char* name;
  int min_args;
  int max_args;
  bool null_passthrough;  // a null input gives null without calling fn
  FilterFn fn;
  FilterCheck check;  // may be nullptr
};

const FilterSpec* FindFilter(std::string_view name);
std::vector<std::string> FilterNames();

// Evaluates a compiled tree. Never throws for any input.
EvalResult EvaluateNode(const Node& node, const Scope& scope);

// Parses `text` from byte `*pos`. Expression mode parses to the end of `text`. In template
// mode parsing stops at a top-level "}}", which is consumed, and `*pos` is left after it.
// Columns are counted from text[0]. Returns nullptr and fills *error on failure.
std::unique_ptr<Node> ParseExpression(std::string_view text, size_t* pos, bool template_mode,
                                      const CompileOptions& options, CompileError* error);

struct TemplatePart {
  std::string literal;               // text before expr (or the whole part when no expr)
  std::shared_ptr<const Node> expr;  // may be null
};

// Text helpers (expr_text.cc).
std::string NumberToText(const json& number);
void AppendUtf8(int32_t code_point, std::string* out);
std::string Utf8Lower(std::string_view s);
std::string Utf8Upper(std::string_view s);
// Number of code points (an invalid byte counts as one).
size_t Utf8Length(std::string_view s);
// Byte offset of code point `index` (clamped to s.size()).
size_t Utf8Offset(std::string_view s, size_t index);
std::string UrlEncode(std::string_view s);
// `s` with control characters and invalid UTF-8 bytes written as \xNN, for messages.
std::string Printable(std::string_view s);
// A short quoted rendering of a value for error messages.
std::string Preview(const json& value);
const char* TypeName(const json& value);
// 1-based column of byte offset `offset` in `text`, counted in code points.
int ColumnOf(std::string_view text, size_t offset);
// Closest candidate by edit distance (<= 2) or "".
std::string Suggest(std::string_view word, const std::vector<std::string>& candidates);

// Time helpers (expr_time.cc).
struct Instant {
  int64_t seconds = 0;  // since the Unix epoch, UTC
  int32_t nanos = 0;    // 0..999999999
};
// RFC 3339 date-time ("2026-11-30T09:12:05.481Z", "...+02:00") or a full date "2026-11-30".
bool ParseRfc3339(std::string_view text, Instant* out);
// fmt: 'unix', 'unix_ms', 'iso8601', 'date' or a strftime-like pattern (UTC).
bool FormatTime(const Instant& t, std::string_view fmt, json* out, std::string* error);
// Checks a pattern without formatting (for compile-time checks of literal formats).
bool CheckTimeFormat(std::string_view fmt, std::string* error);

}  // namespace internal
}  // namespace expr
}  // namespace sippet

#endif  // SIPPET_MAPPERS_EXPR_INTERNAL_H_
