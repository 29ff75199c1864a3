// Which systemd unit runs each haresources resource (pure: what exists on the node is asked
// through Lookup, so tests give their own answers).
//
//   IP (192.0.2.10, .../24/eth0, IPaddr::..., IPaddr2::...)  hb-ipaddr@<escaped spec>.service,
//       a template unit running hb-ipaddr start|stop with only CAP_NET_ADMIN and CAP_NET_RAW.
//   Filesystem::dev::/ha::ext4::opts   a transient mount unit named after the mount point by
//       systemd's path escaping (/ha -> ha.mount; /srv/my-data -> srv-my\x2ddata.mount).
//   a bare name (httpd)                <name>.service when systemd knows it; else the alias table
//       below (httpd -> apache2.service, Debian's name); else a heartbeat resource script.
//   any other Name::arg::arg           a heartbeat resource script, run as a transient oneshot
//       service hb-resource-<escaped token>.service through hb-resource-script, which carries
//       out heartbeat's contract: ExecStart=hb-resource-script Name args start, ExecStop=...
//       stop, RemainAfterExit; its monitor runs ... status.
// The runner looks the script up each time it runs (/etc/ha.d/resource.d, then /etc/init.d, as
// heartbeat), so a script installed later, or one on the group's shared disk, is found; the
// plan only warns about a script that is not there yet.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"

namespace hb::resourced {

struct UnitPlan {
  enum class Kind {
    existing,           // a unit systemd already has (StartUnit/StopUnit)
    transient_mount,    // StartTransientUnit of a .mount
    transient_service,  // StartTransientUnit of a oneshot .service running a script
  };
  Kind kind = Kind::existing;
  std::string unit;
  std::string description;
  // transient_mount
  std::string what, where, fstype, options;
  // transient_service: argv of ExecStart / ExecStop, and of the monitor's status check
  std::vector<std::string> exec_start, exec_stop, exec_status;
  // transient_service: Environment= lines (heartbeat's, core/resource/script_environment.hpp)
  std::vector<std::string> environment;
  // The resource's timeouts and monitoring (hb.conf [resources], [resource TOKEN]).
  config::ResourceSettings settings;
  // Transient units only: the group's units to the left (After=) and to the right (Before=), so
  // that systemd's own stop of everything at system shutdown goes right to left too
  // (order_group()).
  std::vector<std::string> after, before;
  std::string warning;  // something the admin should know now (a script not installed yet)
};

struct Lookup {
  // Does systemd have this unit (LoadState "loaded")?
  std::function<bool(const std::string& unit)> unit_exists;
  // Is this path an executable file?
  std::function<bool(const std::string& path)> executable;
};

// Bare names whose service has another name on Debian (documented in haresources(5) terms:
// heartbeat configs name the Red Hat init script).
const std::map<std::string, std::string>& service_aliases();

// The template instance every IP resource runs as: hb-ipaddr@<escaped spec>.service.
inline constexpr const char* ip_unit_prefix = "hb-ipaddr@";

// The runner of heartbeat resource scripts (services/hb-resource-script).
std::string resource_script_runner();

// systemd-escape: "/" -> "-", other characters outside [A-Za-z0-9:_.] (and a leading ".") as
// \xNN.
std::string escape_unit_name(std::string_view text);
// systemd-escape --path: slashes collapsed and trimmed, "/" alone -> "-".
std::string escape_path(std::string_view path);

// Whether a Filesystem resource's type is served from elsewhere (nfs, nfs4, cifs, smb3, and FUSE
// file systems, "fuse.NAME", whose daemon may stop answering as a dead server does). Their
// unmount can hang on the server rather than on local users, so a failed unmount is forced and
// detached (umount -f -l) instead of killing the users: fuser itself would hang on the mount.
bool is_network_filesystem(std::string_view fstype);

// The units a bare-name resource may be (in order of preference), for Lookup to be asked about.
std::vector<std::string> service_candidates(const std::string& name);

// The unit for one resource.
UnitPlan plan_resource(const config::Resource& resource, const Lookup& lookup);

// Orders a group's transient units after every unit to their left and before every unit to
// their right. At system shutdown systemd stops every unit at once, each as soon as the units
// ordered after it have stopped: without this a shared disk could be unmounted while the web
// server still writes to it, or a script's product be stopped after its file system. Units of
// their own (apache2.service) cannot be given dependencies by hb, but a transient neighbour's
// Before=/After= orders them too (systemd records both sides).
void order_group(std::vector<UnitPlan>& plans);

}  // namespace hb::resourced
