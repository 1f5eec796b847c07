#ifndef SIPPET_DAEMON_LOGGING_H_
#define SIPPET_DAEMON_LOGGING_H_

#include <spdlog/logger.h>

#include <memory>

#include "mappers/config.h"

namespace sippet {

// A logger writing to stderr (journald picks it up under systemd): plain text, or one JSON
// object per line when logging.format is json. Messages must never carry secrets.
std::shared_ptr<spdlog::logger> MakeLogger(const LoggingConfig& config);

// A logger that drops everything (tests, check-config).
std::shared_ptr<spdlog::logger> NullLogger();

}  // namespace sippet

#endif  // SIPPET_DAEMON_LOGGING_H_
