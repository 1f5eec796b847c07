#ifndef SIPPET_MAPPERS_EXPR_LEXER_H_
#define SIPPET_MAPPERS_EXPR_LEXER_H_

// Tokens of the expression language. Internal to mappers/expr*.

#include <cstdint>
#include <string>
#include <string_view>

#include "mappers/expr_internal.h"

namespace sippet {
namespace expr {
namespace internal {

enum class Tok {
  kEnd,
  kIdent,
  kNumber,
  kString,
  kDot,
  kLBracket,
  kRBracket,
  kLParen,
  kRParen,
  kComma,
  kPipe,
  kCoalesce,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kMinus,
  kTemplateEnd,
};

struct Token {
  Tok kind = Tok::kEnd;
  size_t start = 0;  // byte offsets in the lexed text
  size_t end = 0;
  std::string text;  // kIdent: the name; kString: the decoded value
  json value;        // kNumber: int64 or double
};

bool IsKeyword(std::string_view s);

// Splits `text` into tokens on demand. In template mode "}}" is a token (kTemplateEnd);
// otherwise '}' is an unexpected character. Holds a view of `text`, which must outlive it.
class Lexer {
 public:
  Lexer(std::string_view text, bool template_mode) : text_(text), template_mode_(template_mode) {}

  // Lexes the token at or after *pos (skipping whitespace) into *t and moves *pos past it.
  // At the end of the text returns kEnd. On a malformed token returns false; error_offset()
  // and error() then say where and what.
  bool Next(size_t* pos, Token* t);

  size_t error_offset() const { return error_offset_; }
  const std::string& error() const { return error_; }

 private:
  bool Fail(size_t offset, std::string message) {
    error_offset_ = offset;
    error_ = std::move(message);
    return false;
  }
  bool LexNumber(size_t i, size_t* pos, Token* t);
  bool LexString(size_t i, size_t* pos, Token* t);
  bool ReadHex4(size_t at, uint32_t* out);
  static int HexValue(char c);

  std::string_view text_;
  bool template_mode_;
  size_t error_offset_ = 0;
  std::string error_;
};

}  // namespace internal
}  // namespace expr
}  // namespace sippet

#endif  // SIPPET_MAPPERS_EXPR_LEXER_H_
