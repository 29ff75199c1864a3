// What to track, derived from ha.cf, so hb-linkd and hb-membershipd build the SAME peer and link
// list (membership needs every link of a node to know when "all links are dead").
#pragma once

#include <string_view>
#include <vector>

#include "core/config/config.hpp"
#include "core/liveness/tracker.hpp"

namespace hb::liveness {

// keepalive, warntime, deadtime, initdead, deadping as ha.cf set (or defaulted) them.
Timing timing_from_config(const config::HaCf& ha_cf);

// Every `node` except `local_node` (case-insensitive), each expected on every medium; then each
// `ping` address as a ping peer named by its address with one link of the same name; then each
// `ping_group` as one ping peer with a link per address (up while any address answers).
// Links are named as heartbeat names them: by interface, or by device for serial, so several
// ucast lines on eth0 make one link "eth0".
std::vector<Peer> peers_from_config(const config::HaCf& ha_cf, std::string_view local_node);

}  // namespace hb::liveness
