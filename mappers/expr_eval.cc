// Evaluation of compiled expressions, and the public Expression / Template classes.

#include <utility>

#include "mappers/expr_internal.h"

namespace sippet {
namespace expr {

std::string CompileError::ToString() const {
  return message + " at column " + std::to_string(column);
}

EvalResult EvalResult::Value(nlohmann::json value) {
  EvalResult r;
  r.value_ = std::move(value);
  return r;
}

EvalResult EvalResult::Error(std::string message) {
  EvalResult r;
  r.error_ = message.empty() ? "evaluation failed" : std::move(message);
  return r;
}

namespace internal {
namespace {

const json& Null() {
  static const json kNull;
  return kNull;
}

// A value either borrowed (from the context or the syntax tree, both outlive an evaluation)
// or owned, so that paths and literals are read without copying.
class Value {
 public:
  Value() : ref_(&Null()) {}
  static Value Ref(const json& v) {
    Value r;
    r.ref_ = &v;
    return r;
  }
  static Value Own(json v) {
    Value r;
    r.ref_ = nullptr;
    r.owned_ = std::move(v);
    return r;
  }
  const json& get() const { return ref_ != nullptr ? *ref_ : owned_; }
  bool borrowed() const { return ref_ != nullptr; }
  json Take() && { return ref_ != nullptr ? *ref_ : std::move(owned_); }

 private:
  const json* ref_;
  json owned_;
};

bool Ordered(const json& a, const json& b) {
  return (a.is_number() && b.is_number()) || (a.is_string() && b.is_string());
}

bool Compare(CompareOp op, const json& a, const json& b) {
  switch (op) {
    case CompareOp::kEq:
      return a == b;
    case CompareOp::kNe:
      return !(a == b);
    case CompareOp::kLt:
      return Ordered(a, b) && a < b;
    case CompareOp::kLe:
      return Ordered(a, b) && !(b < a);
    case CompareOp::kGt:
      return Ordered(a, b) && b < a;
    case CompareOp::kGe:
      return Ordered(a, b) && !(a < b);
    case CompareOp::kIn:
    case CompareOp::kNotIn: {
      bool found = false;
      if (b.is_array()) {
        for (const json& item : b) {
          if (item == a) {
            found = true;
            break;
          }
        }
      } else if (b.is_string() && a.is_string()) {
        found = b.get_ref<const std::string&>().find(a.get_ref<const std::string&>()) !=
                std::string::npos;
      } else if (b.is_object() && a.is_string()) {
        found = b.contains(a.get_ref<const std::string&>());
      }
      return op == CompareOp::kIn ? found : !found;
    }
  }
  return false;
}

class Evaluator {
 public:
  explicit Evaluator(const Scope& scope) : scope_(scope) {}

  const std::string& error() const { return error_; }

  bool Eval(const Node& n, Value* out) {
    switch (n.kind) {
      case NodeKind::kLiteral:
        *out = Value::Ref(n.literal);
        return true;
      case NodeKind::kRoot: {
        const json* value = scope_.Find(n.name);
        *out = value != nullptr ? Value::Ref(*value) : Value();
        return true;
      }
      case NodeKind::kList: {
        json list = json::array();
        for (const auto& child : n.children) {
          Value v;
          if (!Eval(*child, &v)) return false;
          list.push_back(std::move(v).Take());
        }
        *out = Value::Own(std::move(list));
        return true;
      }
      case NodeKind::kPostfix:
        return EvalPostfix(n, out);
      case NodeKind::kNegate:
        return EvalNegate(n, out);
      case NodeKind::kNot: {
        Value v;
        if (!Eval(*n.children[0], &v)) return false;
        *out = Value::Own(!IsTruthy(v.get()));
        return true;
      }
      case NodeKind::kAnd:
      case NodeKind::kOr: {
        bool want = n.kind == NodeKind::kOr;  // the value that ends the chain early
        for (const auto& child : n.children) {
          Value v;
          if (!Eval(*child, &v)) return false;
          if (IsTruthy(v.get()) == want) {
            *out = Value::Own(want);
            return true;
          }
        }
        *out = Value::Own(!want);
        return true;
      }
      case NodeKind::kCoalesce:
        for (const auto& child : n.children) {
          if (!Eval(*child, out)) return false;
          if (!out->get().is_null()) return true;
        }
        return true;
      case NodeKind::kCompare: {
        Value a, b;
        if (!Eval(*n.children[0], &a) || !Eval(*n.children[1], &b)) return false;
        *out = Value::Own(Compare(n.op, a.get(), b.get()));
        return true;
      }
    }
    return Fail(n.column, "unknown node");
  }

 private:
  bool Fail(int column, const std::string& message) {
    error_ = message + " (at column " + std::to_string(column) + ")";
    return false;
  }

  bool EvalNegate(const Node& n, Value* out) {
    Value v;
    if (!Eval(*n.children[0], &v)) return false;
    const json& x = v.get();
    if (x.is_null()) {
      *out = Value();
    } else if (x.is_number_integer() && !x.is_number_unsigned()) {
      int64_t i = x.get<int64_t>();
      if (i == INT64_MIN) return Fail(n.column, "number out of range");
      *out = Value::Own(-i);
    } else if (x.is_number()) {
      *out = Value::Own(-x.get<double>());
    } else {
      return Fail(n.column, std::string("cannot negate a ") + TypeName(x));
    }
    return true;
  }

  bool EvalPostfix(const Node& n, Value* out) {
    Value cur;
    if (!Eval(*n.children[0], &cur)) return false;
    for (const Step& step : n.steps) {
      switch (step.kind) {
        case StepKind::kMember:
          cur = Member(std::move(cur), step.member);
          break;
        case StepKind::kIndex: {
          Value index;
          if (!Eval(*step.index, &index)) return false;
          cur = Index(std::move(cur), index.get());
          break;
        }
        case StepKind::kFilter:
          if (!ApplyFilter(step, &cur)) return false;
          break;
      }
    }
    *out = std::move(cur);
    return true;
  }

  static Value Member(Value base, const std::string& key) {
    const json& b = base.get();
    if (!b.is_object()) return Value();
    auto it = b.find(key);
    if (it == b.end()) return Value();
    if (base.borrowed()) return Value::Ref(*it);
    json taken = std::move(std::move(base).Take()[key]);
    return Value::Own(std::move(taken));
  }

  static Value Index(Value base, const json& index) {
    const json& b = base.get();
    if (index.is_string()) return Member(std::move(base), index.get<std::string>());
    if (!b.is_array() || !index.is_number_integer()) return Value();
    int64_t size = static_cast<int64_t>(b.size());
    int64_t i = index.is_number_unsigned() && index.get<uint64_t>() > INT64_MAX
                    ? size
                    : index.get<int64_t>();
    if (i < 0) i += size;
    if (i < 0 || i >= size) return Value();
    if (base.borrowed()) return Value::Ref(b[static_cast<size_t>(i)]);
    json taken = std::move(std::move(base).Take()[static_cast<size_t>(i)]);
    return Value::Own(std::move(taken));
  }

  bool ApplyFilter(const Step& step, Value* cur) {
    const FilterSpec& spec = *step.filter;
    if (spec.null_passthrough && cur->get().is_null()) return true;
    std::vector<Value> values(step.args.size());
    std::vector<const json*> args(step.args.size());
    for (size_t k = 0; k < step.args.size(); ++k) {
      if (!Eval(*step.args[k], &values[k])) return false;
      args[k] = &values[k].get();
    }
    json result;
    std::string message;
    if (!spec.fn(FilterCall{cur->get(), args, step}, &result, &message)) {
      return Fail(step.column, std::string(spec.name) + ": " + message);
    }
    *cur = Value::Own(std::move(result));
    return true;
  }

  const Scope& scope_;
  std::string error_;
};

}  // namespace

EvalResult EvaluateNode(const Node& node, const Scope& scope) {
  try {
    Evaluator evaluator(scope);
    Value v;
    if (!evaluator.Eval(node, &v)) return EvalResult::Error(evaluator.error());
    return EvalResult::Value(std::move(v).Take());
  } catch (const nlohmann::json::exception& e) {  // a bug in a filter, not a user error
    return EvalResult::Error(std::string("internal error: ") + e.what());
  }
}

}  // namespace internal

Scope& Scope::Bind(std::string name, const nlohmann::json* value) {
  for (auto& entry : names_) {
    if (entry.first == name) {
      entry.second = value;
      return *this;
    }
  }
  names_.emplace_back(std::move(name), value);
  return *this;
}

const nlohmann::json* Scope::Find(std::string_view name) const {
  for (const auto& entry : names_) {
    if (entry.first == name) return entry.second;
  }
  if (object_ != nullptr && object_->is_object()) {
    auto it = object_->find(name);
    if (it != object_->end()) return &*it;
  }
  return nullptr;
}

Expression::Expression() = default;

std::optional<Expression> Expression::Compile(std::string_view text, const CompileOptions& options,
                                              CompileError* error) {
  CompileError ignored;
  if (error == nullptr) error = &ignored;
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    *error = CompileError{1, "empty expression"};
    return std::nullopt;
  }
  size_t pos = 0;
  std::unique_ptr<internal::Node> node =
      internal::ParseExpression(text, &pos, /*template_mode=*/false, options, error);
  if (!node) return std::nullopt;
  Expression e;
  e.root_ = std::move(node);
  e.text_ = std::string(text);
  return e;
}

EvalResult Expression::Evaluate(const nlohmann::json& context) const {
  return Evaluate(Scope(context));
}

EvalResult Expression::Evaluate(const Scope& scope) const {
  if (root_ == nullptr) return EvalResult::Value(nullptr);
  return internal::EvaluateNode(*root_, scope);
}

Template::Template() = default;

std::optional<Template> Template::Compile(std::string_view text, const CompileOptions& options,
                                          CompileError* error) {
  CompileError ignored;
  if (error == nullptr) error = &ignored;
  auto parts = std::make_shared<std::vector<internal::TemplatePart>>();
  std::string literal;
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("{{", i);
    if (open == std::string_view::npos) {
      literal.append(text.substr(i));
      break;
    }
    literal.append(text.substr(i, open - i));
    size_t pos = open + 2;
    std::unique_ptr<internal::Node> node =
        internal::ParseExpression(text, &pos, /*template_mode=*/true, options, error);
    if (!node) return std::nullopt;
    parts->push_back(internal::TemplatePart{std::move(literal), std::move(node)});
    literal.clear();
    i = pos;
  }
  if (!literal.empty()) parts->push_back(internal::TemplatePart{std::move(literal), nullptr});
  Template t;
  int exprs = 0;
  bool blank = true;
  for (const auto& p : *parts) {
    exprs += p.expr != nullptr;
    blank = blank && p.literal.find_first_not_of(" \t\r\n") == std::string::npos;
  }
  t.single_ = exprs == 1 && blank;
  t.parts_ = std::move(parts);
  t.text_ = std::string(text);
  return t;
}

bool Template::is_literal() const {
  if (parts_ == nullptr) return true;
  for (const auto& p : *parts_) {
    if (p.expr != nullptr) return false;
  }
  return true;
}

EvalResult Template::Render(const nlohmann::json& context) const { return Render(Scope(context)); }

EvalResult Template::Render(const Scope& context) const {
  if (parts_ == nullptr) return EvalResult::Value("");
  if (single_) {
    for (const auto& p : *parts_) {
      if (p.expr != nullptr) return internal::EvaluateNode(*p.expr, context);
    }
  }
  std::string out;
  for (const auto& p : *parts_) {
    out += p.literal;
    if (p.expr == nullptr) continue;
    EvalResult r = internal::EvaluateNode(*p.expr, context);
    if (!r.ok()) return r;
    out += ValueToText(r.value());
  }
  return EvalResult::Value(std::move(out));
}

EvalResult Template::RenderText(const nlohmann::json& context) const {
  return RenderText(Scope(context));
}

EvalResult Template::RenderText(const Scope& context) const {
  EvalResult r = Render(context);
  if (!r.ok() || r.value().is_string()) return r;
  return EvalResult::Value(ValueToText(r.value()));
}

}  // namespace expr
}  // namespace sippet
