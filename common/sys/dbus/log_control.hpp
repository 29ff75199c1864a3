// org.freedesktop.LogControl1 at /org/freedesktop/LogControl1, so that
// `systemctl service-log-level hb-linkd debug` and `service-log-target` work on every hb daemon
// (the unit's BusName= tells systemctl where to call). Setting is privileged: the vtable leaves
// the setters without SD_BUS_VTABLE_UNPRIVILEGED, and the policies allow Set only to root.
#pragma once

#include "sys/dbus/bus.hpp"

namespace hb::dbus {

class LogControl {
 public:
  explicit LogControl(Bus& bus);

  // The vtable alone, for tests that register it on their own connection.
  static const sd_bus_vtable* vtable();

  std::string log_level() const;
  std::string log_target() const;
  std::string syslog_identifier() const;
  void set_log_level(Message& value);
  void set_log_target(Message& value);

 private:
  Slot slot_;
};

}  // namespace hb::dbus
