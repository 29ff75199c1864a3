// Who is calling: the in-process fence for methods that the policy opens to the hacluster user
// (internal calls between hb daemons). sd-bus' own check for privileged vtable entries would
// demand CAP_SYS_ADMIN from such callers, so those entries are marked unprivileged and call
// require_root_or_daemon_user() first.
#pragma once

#include <sys/types.h>

#include <initializer_list>

#include "sys/dbus/message.hpp"

namespace hb::dbus {

// The effective uid of the sender of `call`, as the bus vouches for it (dbus-daemon's
// GetConnectionCredentials: the peer credentials of the caller's socket), never read from /proc,
// where a process that exited can be replaced by another with the same pid. Asked once per
// caller connection (a blocking call on the bus), then remembered by its unique name.
uid_t sender_uid(Message& call);

// Throws org.freedesktop.DBus.Error.AccessDenied unless the caller is root. For the root-only
// methods of a daemon that is not root: sd-bus' own check of privileged vtable entries lets a
// caller with the daemon's own uid through, and wants capabilities it cannot learn from
// dbus-daemon, so such entries are marked unprivileged and call this first.
void require_root(Message& call);

// Throws org.freedesktop.DBus.Error.AccessDenied unless the caller is root or hacluster.
void require_root_or_daemon_user(Message& call);

// Throws org.freedesktop.DBus.Error.AccessDenied unless the caller is root or one of `users`.
void require_root_or(Message& call, std::initializer_list<const char*> users);

}  // namespace hb::dbus
