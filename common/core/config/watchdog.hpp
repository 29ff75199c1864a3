// The watchdog's settings across ha.cf (`watchdog PATH`) and hb.conf ([watchdog] timeout): the
// timeout in force and the rule that ties it to deadtime.
#pragma once

#include <vector>

#include "core/config/config.hpp"

namespace hb::config {

// hb.conf's [watchdog] timeout, or twice ha.cf's deadtime when it is not set.
Millis watchdog_timeout(const HaCf& ha_cf, const HbConf& hb_conf);

// The timeout must be longer than deadtime: own heartbeats can go unheard for a while without
// the peers declaring this node dead, and a reset in that window would cause the failover it
// should only follow. An error at hb.conf's line (only when ha.cf has a watchdog line).
std::vector<Diagnostic> check_watchdog(const HaCf& ha_cf, const HbConf& hb_conf);

}  // namespace hb::config
