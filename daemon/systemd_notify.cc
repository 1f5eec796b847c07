#include "daemon/systemd_notify.h"

#include <systemd/sd-daemon.h>

namespace sippet {

void NotifySystemd(const std::string& state) { sd_notify(0, state.c_str()); }

}  // namespace sippet
