// Lexer of the expression language: names, numbers, quoted strings, operators.

#include "mappers/expr_lexer.h"

#include <charconv>
#include <utility>

namespace sippet {
namespace expr {
namespace internal {
namespace {

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }

}  // namespace

bool IsKeyword(std::string_view s) {
  return s == "and" || s == "or" || s == "not" || s == "in" || s == "true" || s == "false" ||
         s == "null";
}

bool Lexer::Next(size_t* pos, Token* t) {
  size_t i = *pos;
  while (i < text_.size() &&
         (text_[i] == ' ' || text_[i] == '\t' || text_[i] == '\n' || text_[i] == '\r')) {
    ++i;
  }
  *t = Token();
  t->start = i;
  auto one = [&](Tok k, size_t len) {
    t->kind = k;
    t->end = i + len;
    *pos = t->end;
    return true;
  };
  if (i >= text_.size()) return one(Tok::kEnd, 0);
  char c = text_[i];
  char n = i + 1 < text_.size() ? text_[i + 1] : '\0';
  if (IsIdentStart(c)) {
    size_t j = i;
    while (j < text_.size() && IsIdentChar(text_[j])) ++j;
    t->text = std::string(text_.substr(i, j - i));
    return one(Tok::kIdent, j - i);
  }
  if (IsDigit(c)) return LexNumber(i, pos, t);
  if (c == '\'' || c == '"') return LexString(i, pos, t);
  switch (c) {
    case '.':
      return one(Tok::kDot, 1);
    case '[':
      return one(Tok::kLBracket, 1);
    case ']':
      return one(Tok::kRBracket, 1);
    case '(':
      return one(Tok::kLParen, 1);
    case ')':
      return one(Tok::kRParen, 1);
    case ',':
      return one(Tok::kComma, 1);
    case '-':
      return one(Tok::kMinus, 1);
    case '|':
      if (n == '|') return Fail(i, "'||' is not an operator; use 'or'");
      return one(Tok::kPipe, 1);
    case '?':
      if (n == '?') return one(Tok::kCoalesce, 2);
      return Fail(i, "unexpected '?' (did you mean '?\?'?)");
    case '=':
      if (n == '=') return one(Tok::kEq, 2);
      return Fail(i, "unexpected '=' (use '==' to compare)");
    case '!':
      if (n == '=') return one(Tok::kNe, 2);
      return Fail(i, "unexpected '!' (use 'not')");
    case '<':
      return n == '=' ? one(Tok::kLe, 2) : one(Tok::kLt, 1);
    case '>':
      return n == '=' ? one(Tok::kGe, 2) : one(Tok::kGt, 1);
    case '&':
      if (n == '&') return Fail(i, "'&&' is not an operator; use 'and'");
      break;
    case '}':
      if (template_mode_ && n == '}') return one(Tok::kTemplateEnd, 2);
      break;
    default:
      break;
  }
  size_t len = Utf8Offset(text_.substr(i), 1);
  return Fail(i, "unexpected character '" + Printable(text_.substr(i, len)) + "'");
}

bool Lexer::LexNumber(size_t i, size_t* pos, Token* t) {
  size_t j = i;
  bool decimal = false;
  while (j < text_.size() && IsDigit(text_[j])) ++j;
  if (j + 1 < text_.size() && text_[j] == '.' && IsDigit(text_[j + 1])) {
    decimal = true;
    ++j;
    while (j < text_.size() && IsDigit(text_[j])) ++j;
  }
  if (j < text_.size() && (text_[j] == 'e' || text_[j] == 'E')) {
    size_t k = j + 1;
    if (k < text_.size() && (text_[k] == '+' || text_[k] == '-')) ++k;
    if (k < text_.size() && IsDigit(text_[k])) {
      decimal = true;
      j = k;
      while (j < text_.size() && IsDigit(text_[j])) ++j;
    }
  }
  if (j < text_.size() && IsIdentStart(text_[j])) {
    return Fail(i, "invalid number '" + std::string(text_.substr(i, j - i + 1)) + "'");
  }
  const char* b = text_.data() + i;
  const char* e = text_.data() + j;
  t->kind = Tok::kNumber;
  t->end = j;
  *pos = j;
  if (!decimal) {
    int64_t v = 0;
    auto r = std::from_chars(b, e, v);
    if (r.ec == std::errc() && r.ptr == e) {
      t->value = v;
      return true;
    }
    return Fail(i, "integer out of range");
  }
  double d = 0;
  auto r = std::from_chars(b, e, d);
  if (r.ec == std::errc() && r.ptr == e) {
    t->value = d;
    return true;
  }
  return Fail(i, "number out of range");
}

int Lexer::HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Lexer::ReadHex4(size_t at, uint32_t* out) {
  if (at + 4 > text_.size()) return false;
  uint32_t v = 0;
  for (size_t k = at; k < at + 4; ++k) {
    int h = HexValue(text_[k]);
    if (h < 0) return false;
    v = v * 16 + static_cast<uint32_t>(h);
  }
  *out = v;
  return true;
}

bool Lexer::LexString(size_t i, size_t* pos, Token* t) {
  char quote = text_[i];
  size_t j = i + 1;
  std::string value;
  while (true) {
    if (j >= text_.size()) return Fail(i, "unterminated string");
    char c = text_[j];
    if (c == quote) break;
    if (c != '\\') {
      value.push_back(c);
      ++j;
      continue;
    }
    if (j + 1 >= text_.size()) return Fail(i, "unterminated string");
    char e = text_[j + 1];
    switch (e) {
      case '\\':
      case '\'':
      case '"':
      case '/':
        value.push_back(e);
        j += 2;
        continue;
      case 'n':
        value.push_back('\n');
        j += 2;
        continue;
      case 't':
        value.push_back('\t');
        j += 2;
        continue;
      case 'r':
        value.push_back('\r');
        j += 2;
        continue;
      case 'b':
        value.push_back('\b');
        j += 2;
        continue;
      case 'f':
        value.push_back('\f');
        j += 2;
        continue;
      case 'u': {
        uint32_t cp = 0;
        if (!ReadHex4(j + 2, &cp)) {
          return Fail(j, "'\\u' needs four hex digits");
        }
        size_t next = j + 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t lo = 0;
          if (next + 1 < text_.size() && text_[next] == '\\' && text_[next + 1] == 'u' &&
              ReadHex4(next + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            next += 6;
          } else {
            return Fail(j, "unpaired surrogate in '\\u' escape");
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return Fail(j, "unpaired surrogate in '\\u' escape");
        }
        AppendUtf8(static_cast<int32_t>(cp), &value);
        j = next;
        continue;
      }
      default: {
        size_t len = Utf8Offset(text_.substr(j + 1), 1);
        return Fail(j, "unknown escape '\\" + Printable(text_.substr(j + 1, len)) + "'");
      }
    }
  }
  t->kind = Tok::kString;
  t->text = std::move(value);
  t->end = j + 1;
  *pos = j + 1;
  return true;
}

}  // namespace internal
}  // namespace expr
}  // namespace sippet
