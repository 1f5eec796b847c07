#ifndef SIPPET_DAEMON_CONFIG_HOLDER_H_
#define SIPPET_DAEMON_CONFIG_HOLDER_H_

#include <memory>
#include <mutex>

#include "mappers/config.h"

namespace sippet {

// The current configuration, swapped whole on reload. Readers take a snapshot and keep using it
// for the rest of their request, so a reload never shows half of two configs. Thread-safe.
class ConfigHolder {
 public:
  explicit ConfigHolder(std::shared_ptr<const Config> initial) : current_(std::move(initial)) {}

  std::shared_ptr<const Config> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }
  void Set(std::shared_ptr<const Config> next) {
    std::lock_guard<std::mutex> lock(mu_);
    current_ = std::move(next);
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const Config> current_;  // GUARDED_BY(mu_)
};

}  // namespace sippet

#endif  // SIPPET_DAEMON_CONFIG_HOLDER_H_
