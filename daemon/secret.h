#ifndef SIPPET_DAEMON_SECRET_H_
#define SIPPET_DAEMON_SECRET_H_

#include <ostream>
#include <string>
#include <utility>

namespace sippet {

// Holds secret bytes (a webhook key, a CRM token, a database password). It has no way to be
// printed: streaming it writes a fixed mask, so a stray log line cannot leak it. The bytes are
// wiped when the object is destroyed.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string bytes) : bytes_(std::move(bytes)) {}
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  Secret(Secret&&) = default;
  Secret& operator=(Secret&&) = default;
  ~Secret();

  // The secret itself. Only code that must use the bytes (HMAC, an auth header) calls this.
  const std::string& Expose() const { return bytes_; }
  bool empty() const { return bytes_.empty(); }

 private:
  std::string bytes_;
};

inline std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "[secret]"; }

}  // namespace sippet

#endif  // SIPPET_DAEMON_SECRET_H_
