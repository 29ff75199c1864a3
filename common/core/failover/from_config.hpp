// The failover engine's settings built from the cluster configuration (ha.cf and haresources).
#pragma once

#include <vector>

#include "core/config/config.hpp"
#include "core/failover/options.hpp"

namespace hb::failover {

AutoFailback auto_failback_from(config::AutoFailback mode);

// haresources' groups that have resources, keyed by their first resource token.
std::vector<Group> groups_from(const config::Config& config);

// ha.cf's initdead and deadtime; the hand-over timeouts and the grace keep their defaults.
Timing timing_from(const config::HaCf& ha_cf);

// Everything but what only the daemon knows at start: `adopted` is left empty and `membership`
// false (hb-membershipd's nodes are not read yet).
Options options_from(const config::Config& config);

}  // namespace hb::failover
