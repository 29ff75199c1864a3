// Timings that are valid for heartbeat but risky for hb's hand-over rules, as warnings at the
// ha.cf line that set them: shown by `hbctl config check` and logged by every daemon at start,
// not found only in hb-resourced's journal once the cluster runs.
#pragma once

#include <vector>

#include "core/config/config.hpp"

namespace hb::config {

// deadtime under 2 x (keepalive + 100 ms): a node whose hb-linkd hangs lets its groups go
// deadtime/2 after the hang plus the time a stop takes, while its peers declare it dead
// deadtime after its last heartbeat (up to keepalive sooner): they may start the groups before
// it has stopped them (docs/handover.md).
std::vector<Diagnostic> timing_advice(const HaCf& ha_cf, const std::string& file);

}  // namespace hb::config
