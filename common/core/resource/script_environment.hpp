// The environment heartbeat gives its resource scripts, so heartbeat's own resource.d wrappers
// (IPaddr, db2, WAS, MailTo... from Debian's heartbeat package, which source /etc/ha.d/shellfuncs
// and the OCF shell libraries of resource-agents) run unchanged under hb.
//
// Facts (heartbeat 3.0.6, Debian's heartbeat and resource-agents 4.12 packages): heartbeat's
// main process exports HA_DIR=/etc/ha.d, HA_FUNCS=/etc/ha.d/shellfuncs, HA_DATEFMT and
// OCF_ROOT=/usr/lib/ocf, plus HA_CURHOST (this node's name), HA_LOGFACILITY (ha.cf's
// logfacility), HA_LOGFILE and HA_DEBUGLOG (ha.cf's logfile, debugfile), HA_LOGD (use_logd) and
// HA_debug (the debug level), and every child inherits them; resource-agents installs
// /etc/ha.d/shellfuncs, /usr/lib/ocf/lib/heartbeat/ocf-shellfuncs and the agents under
// /usr/lib/ocf/resource.d/heartbeat, and its ocf-directories fills in HA_RESOURCEDIR, HA_RCDIR
// and the other directories when they are unset.
//
// hb leaves out HA_LOGFILE and HA_DEBUGLOG on purpose: hb-log.service alone writes ha.cf's log
// files, from the journal. A script's ha_log then goes to syslog through HA_LOGFACILITY, or to
// its standard error without one; both land in the journal and so in ha-log.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/config/config.hpp"

namespace hb::resource {

using Environment = std::vector<std::pair<std::string, std::string>>;

// What is the same on every node: the directories heartbeat's scripts look for. The runner sets
// each one the caller has not set already (a test points them elsewhere).
const Environment& fixed_environment();

// What comes from this node's configuration: HA_CURHOST, HA_LOGFACILITY (unless "none" or
// unset), HA_LOGD, HA_debug. hb-resourced puts these into each script unit's Environment=.
Environment configured_environment(const config::HaCf& ha_cf, const std::string& local_node);

// What keeps a script's processes in its resource's unit: the scripts of the series start their
// products with `su - USER -c …` (MQ, DB2, LoadLeveler), and Debian's PAM stack runs
// pam_systemd for su, which asks systemd-logind for a login session and so moves the product
// into a session scope of its own, where stopping the unit cannot reach it and its crash is not
// the unit's. pam_systemd reaches logind over the system bus at DBUS_SYSTEM_BUS_ADDRESS; pointed
// at a socket that does not exist, it logs "Failed to connect to system bus" and su goes on
// (Debian lists pam_systemd as optional), leaving every process in the unit. The node's PAM
// configuration stays as it is. A script that needs the system bus itself (busctl, loginctl)
// sets DBUS_SYSTEM_BUS_ADDRESS=unix:path=/run/dbus/system_bus_socket for those calls; `su -`
// starts the product with a fresh environment, without this variable. hb-resourced puts it into
// each script unit's Environment=.
const std::pair<std::string, std::string>& no_login_session();

// "NAME=value" lines, as systemd's Environment= takes them.
std::vector<std::string> assignments(const Environment& environment);

}  // namespace hb::resource
