#ifndef SIPPET_DAEMON_BASE64_H_
#define SIPPET_DAEMON_BASE64_H_

#include <optional>
#include <string>
#include <string_view>

namespace sippet {

// Standard alphabet with '=' padding (RFC 4648 §4).
std::string Base64Encode(std::string_view bytes);

// Strict decoding: the standard alphabet, length a multiple of 4, padding only at the end.
// Returns nullopt on any deviation; never throws.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace sippet

#endif  // SIPPET_DAEMON_BASE64_H_
