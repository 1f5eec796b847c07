// Recursive-descent parser of the expression language.
//
// Grammar, loosest binding first (see docs/mappings-expressions.md):
//   or       := and ('or' and)*
//   and      := not ('and' not)*
//   not      := 'not' not | compare
//   compare  := coalesce (('=='|'!='|'<'|'<='|'>'|'>='|'in'|'not' 'in') coalesce)?
//   coalesce := unary ('??' unary)*
//   unary    := '-' unary | postfix
//   postfix  := primary ('.' name | '[' or ']' | '|' name ('(' args ')')?)*
//   primary  := number | string | true | false | null | name | '(' or ')' | '[' list ']'

#include <algorithm>
#include <utility>

#include "mappers/expr_lexer.h"

namespace sippet {
namespace expr {
namespace internal {
namespace {

class Parser {
 public:
  Parser(std::string_view text, size_t pos, bool template_mode, const CompileOptions& options)
      : text_(text),
        lexer_(text, template_mode),
        pos_(pos),
        open_(pos),
        template_mode_(template_mode),
        options_(options) {}

  std::unique_ptr<Node> Run() {
    if (!Advance()) return nullptr;
    if (template_mode_ && tok_.kind == Tok::kTemplateEnd) {
      Fail(open_ >= 2 ? open_ - 2 : 0, "empty '{{ }}'");
      return nullptr;
    }
    std::unique_ptr<Node> node = ParseOr();
    if (!node) return nullptr;
    Tok want = template_mode_ ? Tok::kTemplateEnd : Tok::kEnd;
    if (tok_.kind != want) {
      if (template_mode_ && tok_.kind == Tok::kEnd) {
        Fail(open_ >= 2 ? open_ - 2 : 0, "'{{' is not closed by '}}'");
      } else if (tok_.kind == Tok::kIdent && FindFilter(tok_.text) != nullptr) {
        Fail(tok_.start, "unexpected '" + tok_.text + "' (missing '|' before a filter?)");
      } else {
        Fail(tok_.start, "unexpected " + Describe(tok_));
      }
      return nullptr;
    }
    return node;
  }

  size_t end_pos() const { return tok_.end; }
  const CompileError& error() const { return error_; }

 private:
  // RAII nesting counter; `ok()` is false once the limit is passed (the error is set).
  class Nest {
   public:
    explicit Nest(Parser* p) : p_(p) {
      if (++p_->depth_ > kMaxNesting) {
        p_->Fail(p_->tok_.start,
                 "expression nested too deeply (limit " + std::to_string(kMaxNesting) + ")");
      }
    }
    ~Nest() { --p_->depth_; }
    bool ok() const { return p_->depth_ <= kMaxNesting; }

   private:
    Parser* p_;
  };

  bool Fail(size_t offset, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_.column = Column(offset);
      error_.message = std::move(message);
    }
    return false;
  }

  // 1-based column of a byte offset. O(distance) from the previous call, so
  // parsing stays linear.
  int Column(size_t offset) {
    offset = std::min(offset, text_.size());
    for (; column_offset_ > offset; --column_offset_) {
      if ((static_cast<unsigned char>(text_[column_offset_ - 1]) & 0xC0) != 0x80) --column_;
    }
    for (; column_offset_ < offset; ++column_offset_) {
      if ((static_cast<unsigned char>(text_[column_offset_]) & 0xC0) != 0x80) ++column_;
    }
    return column_;
  }

  std::string Describe(const Token& t) const {
    if (t.kind == Tok::kEnd) return template_mode_ ? "end of template" : "end of expression";
    std::string s(text_.substr(t.start, t.end - t.start));
    if (s.size() > 24) s = s.substr(0, Utf8Offset(s, 20)) + "...";
    return "'" + Printable(s) + "'";
  }

  // Lexes one token at *pos. On failure sets the error (when `report`) and returns false.
  bool Advance() {
    if (failed_) return false;
    if (!lexer_.Next(&pos_, &tok_)) return Fail(lexer_.error_offset(), lexer_.error());
    return true;
  }

  // The token after the current one, or kEnd if it does not lex.
  Token PeekNext() {
    size_t p = pos_;
    Token t;
    if (!lexer_.Next(&p, &t)) t.kind = Tok::kEnd;
    return t;
  }

  bool IsIdent(const char* word) const { return tok_.kind == Tok::kIdent && tok_.text == word; }

  static std::unique_ptr<Node> MakeNode(NodeKind kind, int column) {
    auto n = std::make_unique<Node>();
    n->kind = kind;
    n->column = column;
    return n;
  }

  // Builds an n-ary node from `first` and the operands parsed by `next` after each `is_op()`.
  template <typename IsOp, typename Next>
  std::unique_ptr<Node> ParseNary(NodeKind kind, IsOp is_op, Next next) {
    int column = Column(tok_.start);
    std::unique_ptr<Node> first = next();
    if (!first || !is_op()) return first;
    std::unique_ptr<Node> node = MakeNode(kind, column);
    node->children.push_back(std::move(first));
    while (is_op()) {
      if (!Advance()) return nullptr;
      std::unique_ptr<Node> operand = next();
      if (!operand) return nullptr;
      node->children.push_back(std::move(operand));
    }
    return node;
  }

  std::unique_ptr<Node> ParseOr() {
    return ParseNary(
        NodeKind::kOr, [this] { return IsIdent("or"); }, [this] { return ParseAnd(); });
  }

  std::unique_ptr<Node> ParseAnd() {
    return ParseNary(
        NodeKind::kAnd, [this] { return IsIdent("and"); }, [this] { return ParseNot(); });
  }

  std::unique_ptr<Node> ParseNot() {
    if (!IsIdent("not")) return ParseCompare();
    Nest nest(this);
    if (!nest.ok()) return nullptr;
    std::unique_ptr<Node> node = MakeNode(NodeKind::kNot, Column(tok_.start));
    if (!Advance()) return nullptr;
    std::unique_ptr<Node> operand = ParseNot();
    if (!operand) return nullptr;
    node->children.push_back(std::move(operand));
    return node;
  }

  // Recognises a comparison operator at the current token (consuming 'not' of 'not in').
  bool CompareOperator(CompareOp* op, size_t* start) {
    *start = tok_.start;
    switch (tok_.kind) {
      case Tok::kEq:
        *op = CompareOp::kEq;
        return Advance();
      case Tok::kNe:
        *op = CompareOp::kNe;
        return Advance();
      case Tok::kLt:
        *op = CompareOp::kLt;
        return Advance();
      case Tok::kLe:
        *op = CompareOp::kLe;
        return Advance();
      case Tok::kGt:
        *op = CompareOp::kGt;
        return Advance();
      case Tok::kGe:
        *op = CompareOp::kGe;
        return Advance();
      default:
        break;
    }
    if (IsIdent("in")) {
      *op = CompareOp::kIn;
      return Advance();
    }
    if (IsIdent("not")) {
      Token next = PeekNext();
      if (next.kind == Tok::kIdent && next.text == "in") {
        *op = CompareOp::kNotIn;
        return Advance() && Advance();
      }
    }
    return false;
  }

  std::unique_ptr<Node> ParseCompare() {
    std::unique_ptr<Node> left = ParseCoalesce();
    if (!left) return nullptr;
    CompareOp op;
    size_t start;
    if (!CompareOperator(&op, &start)) return failed_ ? nullptr : std::move(left);
    std::unique_ptr<Node> node = MakeNode(NodeKind::kCompare, Column(start));
    node->op = op;
    std::unique_ptr<Node> right = ParseCoalesce();
    if (!right) return nullptr;
    node->children.push_back(std::move(left));
    node->children.push_back(std::move(right));
    CompareOp again;
    size_t again_start;
    if (CompareOperator(&again, &again_start)) {
      Fail(again_start, "comparisons cannot be chained; combine them with 'and'");
      return nullptr;
    }
    return failed_ ? nullptr : std::move(node);
  }

  std::unique_ptr<Node> ParseCoalesce() {
    return ParseNary(
        NodeKind::kCoalesce, [this] { return tok_.kind == Tok::kCoalesce; },
        [this] { return ParseUnary(); });
  }

  std::unique_ptr<Node> ParseUnary() {
    if (tok_.kind != Tok::kMinus) {
      std::unique_ptr<Node> base = ParsePrimary();
      return base ? ParsePostfix(std::move(base)) : nullptr;
    }
    int column = Column(tok_.start);
    if (!Advance()) return nullptr;
    if (tok_.kind == Tok::kNumber) {  // a negative literal: -1 | to_string is "-1"
      std::unique_ptr<Node> lit = MakeNode(NodeKind::kLiteral, column);
      if (tok_.value.is_number_integer()) {
        lit->literal = -tok_.value.get<int64_t>();
      } else {
        lit->literal = -tok_.value.get<double>();
      }
      if (!Advance()) return nullptr;
      return ParsePostfix(std::move(lit));
    }
    Nest nest(this);
    if (!nest.ok()) return nullptr;
    std::unique_ptr<Node> operand = ParseUnary();
    if (!operand) return nullptr;
    std::unique_ptr<Node> node = MakeNode(NodeKind::kNegate, column);
    node->children.push_back(std::move(operand));
    return node;
  }

  std::unique_ptr<Node> ParsePrimary() {
    std::unique_ptr<Node> node;
    switch (tok_.kind) {
      case Tok::kNumber:
        node = MakeNode(NodeKind::kLiteral, Column(tok_.start));
        node->literal = std::move(tok_.value);
        return Advance() ? std::move(node) : nullptr;
      case Tok::kString:
        node = MakeNode(NodeKind::kLiteral, Column(tok_.start));
        node->literal = std::move(tok_.text);
        return Advance() ? std::move(node) : nullptr;
      case Tok::kIdent:
        return ParseName();
      case Tok::kLParen: {
        Nest nest(this);
        if (!nest.ok() || !Advance()) return nullptr;
        node = ParseOr();
        if (!node) return nullptr;
        if (tok_.kind != Tok::kRParen) {
          Fail(tok_.start, "expected ')'");
          return nullptr;
        }
        return Advance() ? std::move(node) : nullptr;
      }
      case Tok::kLBracket:
        return ParseList();
      default:
        Fail(tok_.start, "expected a value, found " + Describe(tok_));
        return nullptr;
    }
  }

  std::unique_ptr<Node> ParseName() {
    const std::string& name = tok_.text;
    std::unique_ptr<Node> node = MakeNode(NodeKind::kLiteral, Column(tok_.start));
    if (name == "true" || name == "false") {
      node->literal = (name == "true");
    } else if (name == "null") {
      node->literal = nullptr;
    } else if (IsKeyword(name)) {
      Fail(tok_.start, "expected a value, found '" + name + "'");
      return nullptr;
    } else {
      const std::vector<std::string>& roots = options_.roots;
      bool known = roots.empty();
      for (const std::string& r : roots) known = known || r == name;
      if (!known) {
        std::string msg = "unknown name '" + name + "'";
        std::string guess = Suggest(name, roots);
        if (!guess.empty()) {
          msg += " (did you mean '" + guess + "'?)";
        } else {
          msg += " (known names:";
          for (size_t k = 0; k < roots.size(); ++k) msg += (k ? ", " : " ") + roots[k];
          msg += ")";
        }
        Fail(tok_.start, msg);
        return nullptr;
      }
      node->kind = NodeKind::kRoot;
      node->name = name;
    }
    return Advance() ? std::move(node) : nullptr;
  }

  std::unique_ptr<Node> ParseList() {
    Nest nest(this);
    if (!nest.ok()) return nullptr;
    std::unique_ptr<Node> node = MakeNode(NodeKind::kList, Column(tok_.start));
    if (!Advance()) return nullptr;
    while (tok_.kind != Tok::kRBracket) {
      std::unique_ptr<Node> item = ParseOr();
      if (!item) return nullptr;
      node->children.push_back(std::move(item));
      if (tok_.kind == Tok::kComma) {
        if (!Advance()) return nullptr;
      } else if (tok_.kind != Tok::kRBracket) {
        Fail(tok_.start, "expected ',' or ']'");
        return nullptr;
      }
    }
    if (!Advance()) return nullptr;
    bool constant = true;
    for (const auto& c : node->children) constant = constant && c->kind == NodeKind::kLiteral;
    if (constant) {  // fold ['a', 'b'] into one literal
      json list = json::array();
      for (auto& c : node->children) list.push_back(std::move(c->literal));
      node->children.clear();
      node->kind = NodeKind::kLiteral;
      node->literal = std::move(list);
    }
    return node;
  }

  std::unique_ptr<Node> ParsePostfix(std::unique_ptr<Node> base) {
    std::unique_ptr<Node> node;
    while (tok_.kind == Tok::kDot || tok_.kind == Tok::kLBracket || tok_.kind == Tok::kPipe) {
      if (!node) {
        node = MakeNode(NodeKind::kPostfix, base->column);
        node->children.push_back(std::move(base));
      }
      Step step;
      step.column = Column(tok_.start);
      bool ok = tok_.kind == Tok::kDot    ? ParseMember(&step)
                : tok_.kind == Tok::kPipe ? ParseFilter(&step)
                                          : ParseIndex(&step);
      if (!ok) return nullptr;
      node->steps.push_back(std::move(step));
    }
    return node ? std::move(node) : std::move(base);
  }

  bool ParseMember(Step* step) {
    if (!Advance()) return false;
    if (tok_.kind != Tok::kIdent) {
      return Fail(tok_.start, tok_.kind == Tok::kNumber
                                  ? "expected a field name after '.' (use [0] for list items)"
                                  : "expected a field name after '.'");
    }
    step->kind = StepKind::kMember;
    step->member = tok_.text;
    return Advance();
  }

  bool ParseIndex(Step* step) {
    Nest nest(this);
    if (!nest.ok() || !Advance()) return false;
    step->kind = StepKind::kIndex;
    step->index = ParseOr();
    if (!step->index) return false;
    if (tok_.kind != Tok::kRBracket) return Fail(tok_.start, "expected ']'");
    return Advance();
  }

  bool ParseFilter(Step* step) {
    if (!Advance()) return false;
    if (tok_.kind != Tok::kIdent) return Fail(tok_.start, "expected a filter name after '|'");
    size_t name_start = tok_.start;
    std::string name = tok_.text;
    const FilterSpec* spec = FindFilter(name);
    if (spec == nullptr) {
      std::string msg = "unknown filter '" + name + "'";
      std::string guess = Suggest(name, FilterNames());
      if (!guess.empty()) msg += " (did you mean '" + guess + "'?)";
      return Fail(name_start, msg);
    }
    step->kind = StepKind::kFilter;
    step->filter = spec;
    step->column = Column(name_start);
    if (!Advance()) return false;
    if (tok_.kind == Tok::kLParen) {
      Nest nest(this);
      if (!nest.ok() || !Advance()) return false;
      while (tok_.kind != Tok::kRParen) {
        std::unique_ptr<Node> arg = ParseOr();
        if (!arg) return false;
        step->args.push_back(std::move(arg));
        if (tok_.kind == Tok::kComma) {
          if (!Advance()) return false;
        } else if (tok_.kind != Tok::kRParen) {
          return Fail(tok_.start, "expected ',' or ')'");
        }
      }
      if (!Advance()) return false;
    }
    int n = static_cast<int>(step->args.size());
    if (n < spec->min_args || n > spec->max_args) {
      std::string want =
          spec->max_args == 0 ? "no arguments"
          : spec->min_args == spec->max_args
              ? std::to_string(spec->min_args) + (spec->min_args == 1 ? " argument" : " arguments")
              : std::to_string(spec->min_args) + " or " + std::to_string(spec->max_args) +
                    " arguments";
      return Fail(name_start, "filter '" + name + "' takes " + want + ", got " + std::to_string(n));
    }
    if (spec->check != nullptr) {
      std::string msg;
      int column = step->column;
      if (!spec->check(step, options_, &msg, &column)) {
        if (!failed_) {
          failed_ = true;
          error_.column = column;
          error_.message = msg;
        }
        return false;
      }
    }
    return true;
  }

  std::string_view text_;
  Lexer lexer_;
  size_t pos_;
  size_t open_;  // template mode: offset just after the "{{"
  bool template_mode_;
  const CompileOptions& options_;
  Token tok_;
  int depth_ = 0;
  size_t column_offset_ = 0;  // Column() cache
  int column_ = 1;
  bool failed_ = false;
  CompileError error_;
};

}  // namespace

std::unique_ptr<Node> ParseExpression(std::string_view text, size_t* pos, bool template_mode,
                                      const CompileOptions& options, CompileError* error) {
  Parser parser(text, *pos, template_mode, options);
  std::unique_ptr<Node> node = parser.Run();
  if (!node) {
    if (error != nullptr) *error = parser.error();
    return nullptr;
  }
  *pos = parser.end_pos();
  return node;
}

}  // namespace internal
}  // namespace expr
}  // namespace sippet
