// Every D-Bus name hb uses, derived from one prefix so that a rename touches one line here (and
// the file names under dbus/). style.md A.5.5 has the reasoning for io.github.hbcluster.
#pragma once

#define HB_DBUS_PREFIX "io.github.hbcluster"
#define HB_DBUS_PATH_PREFIX "/io/github/hbcluster"

namespace hb::dbus::names {

inline constexpr const char* prefix = HB_DBUS_PREFIX;
inline constexpr const char* error_no_such_node = HB_DBUS_PREFIX ".Error.NoSuchNode";
inline constexpr const char* error_busy = HB_DBUS_PREFIX ".Error.Busy";
inline constexpr const char* error_no_such_group = HB_DBUS_PREFIX ".Error.NoSuchGroup";
// Reload: the files have errors (nothing applied), or a change cannot be applied live (nothing
// applied; the message names each setting and why).
inline constexpr const char* error_invalid_configuration =
    HB_DBUS_PREFIX ".Error.InvalidConfiguration";
inline constexpr const char* error_reload_refused = HB_DBUS_PREFIX ".Error.ReloadRefused";

// The user hb's unprivileged daemons run as (heartbeat's name); the policies allow it the
// internal methods one daemon calls on another.
inline constexpr const char* daemon_user = "hacluster";
// hb-statusd's user. hb-resourced's admin methods admit it in-process, but the bus lets it call
// them only where the admin installed the policy drop-in for hb-statusd's admin endpoints
// (dbus/io.github.hbcluster.status-admin.conf.example).
inline constexpr const char* status_user = "hb-statusd";

namespace link1 {
inline constexpr const char* bus = HB_DBUS_PREFIX ".link1";
inline constexpr const char* root = HB_DBUS_PATH_PREFIX "/link1";
inline constexpr const char* manager = HB_DBUS_PREFIX ".link1.Manager";
inline constexpr const char* link = HB_DBUS_PREFIX ".link1.Link";
inline constexpr const char* peer = HB_DBUS_PREFIX ".link1.Peer";
inline constexpr const char* link_prefix = HB_DBUS_PATH_PREFIX "/link1/link";
inline constexpr const char* peer_prefix = HB_DBUS_PATH_PREFIX "/link1/peer";
}  // namespace link1

namespace membership1 {
inline constexpr const char* bus = HB_DBUS_PREFIX ".membership1";
inline constexpr const char* root = HB_DBUS_PATH_PREFIX "/membership1";
inline constexpr const char* manager = HB_DBUS_PREFIX ".membership1.Manager";
inline constexpr const char* node = HB_DBUS_PREFIX ".membership1.Node";
inline constexpr const char* node_prefix = HB_DBUS_PATH_PREFIX "/membership1/node";
}  // namespace membership1

namespace resource1 {
inline constexpr const char* bus = HB_DBUS_PREFIX ".resource1";
inline constexpr const char* root = HB_DBUS_PATH_PREFIX "/resource1";
inline constexpr const char* manager = HB_DBUS_PREFIX ".resource1.Manager";
inline constexpr const char* group = HB_DBUS_PREFIX ".resource1.Group";
inline constexpr const char* group_prefix = HB_DBUS_PATH_PREFIX "/resource1/group";
}  // namespace resource1

namespace ipfail1 {
inline constexpr const char* bus = HB_DBUS_PREFIX ".ipfail1";
inline constexpr const char* root = HB_DBUS_PATH_PREFIX "/ipfail1";
inline constexpr const char* manager = HB_DBUS_PREFIX ".ipfail1.Manager";
inline constexpr const char* ping_node = HB_DBUS_PREFIX ".ipfail1.PingNode";
inline constexpr const char* ping_node_prefix = HB_DBUS_PATH_PREFIX "/ipfail1/pingnode";
}  // namespace ipfail1

namespace status1 {
inline constexpr const char* bus = HB_DBUS_PREFIX ".status1";
}  // namespace status1

// systemd's interface for `systemctl service-log-level`, at its fixed path.
namespace log_control1 {
inline constexpr const char* path = "/org/freedesktop/LogControl1";
inline constexpr const char* interface = "org.freedesktop.LogControl1";
}  // namespace log_control1

}  // namespace hb::dbus::names
