// Who is calling: the in-process fence for methods that the policy opens to the hacluster user
// (internal calls between hb daemons). sd-bus' own check for privileged vtable entries would
// demand CAP_SYS_ADMIN from such callers, so those entries are marked unprivileged and call
// require_root_or_daemon_user() first.
#pragma once

#include <sys/types.h>

#include "sys/dbus/message.hpp"

namespace hb::dbus {

// The effective uid of the sender of `call`.
uid_t sender_uid(Message& call);

// Throws org.freedesktop.DBus.Error.AccessDenied unless the caller is root or hacluster.
void require_root_or_daemon_user(Message& call);

}  // namespace hb::dbus
