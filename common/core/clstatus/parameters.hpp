// cl_status hbparameter's values: what heartbeat 3.0.6 answers for `-p NAME`, from ha.cf's
// text. heartbeat records the value of each recorded directive as written (the last word of
// its last line: "keepalive 2" answers "2"), fills in its fixed defaults ("keepalive" 1000ms,
// "deadtime" 30000ms, "auto_failback" legacy, ...) and the derived ones (warntime half the
// deadtime, initdead, deadping, udpport, debug) as "<n>ms"; a directive it does not record
// (node, ping, respawn, stonith, ...) and one never set without a default have no value.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace hb::clstatus {

// name -> value. `version` is hbparameter's "hbversion".
std::map<std::string, std::string> parameters_from_ha_cf(std::string_view ha_cf,
                                                         const std::string& version);

}  // namespace hb::clstatus
