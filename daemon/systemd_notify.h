#ifndef SIPPET_DAEMON_SYSTEMD_NOTIFY_H_
#define SIPPET_DAEMON_SYSTEMD_NOTIFY_H_

#include <string>

namespace sippet {

// Sends a state line ("READY=1", "STOPPING=1", ...) to systemd when run with Type=notify;
// does nothing otherwise (no $NOTIFY_SOCKET).
void NotifySystemd(const std::string& state);

}  // namespace sippet

#endif  // SIPPET_DAEMON_SYSTEMD_NOTIFY_H_
