#include "sys/dbus/log_control.hpp"

#include "sys/dbus/names.hpp"
#include "sys/dbus/vtable.hpp"
#include "sys/log.hpp"

namespace hb::dbus {
namespace {

const sd_bus_vtable log_control_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_WRITABLE_PROPERTY("LogLevel", "s", property<&LogControl::log_level>,
                             property_set<&LogControl::set_log_level>, 0, 0),
    SD_BUS_WRITABLE_PROPERTY("LogTarget", "s", property<&LogControl::log_target>,
                             property_set<&LogControl::set_log_target>, 0, 0),
    SD_BUS_PROPERTY("SyslogIdentifier", "s", property<&LogControl::syslog_identifier>, 0,
                    SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_VTABLE_END};

}  // namespace

LogControl::LogControl(Bus& bus)
    : slot_(bus.add_object_vtable(names::log_control1::path, names::log_control1::interface,
                                  log_control_vtable, this)) {}

const sd_bus_vtable* LogControl::vtable() {
  return log_control_vtable;
}

std::string LogControl::log_level() const {
  return log::level_name(log::level());
}
std::string LogControl::log_target() const {
  return log::target_name(log::target());
}
std::string LogControl::syslog_identifier() const {
  return log::identifier();
}

void LogControl::set_log_level(Message& value) {
  auto s = value.read<std::string>();
  auto level = log::parse_level(s);
  if (!level) throw Error(SD_BUS_ERROR_INVALID_ARGS, "invalid log level '" + s + "'");
  log::set_level(*level);
  log::notice(log::msgid::log_level_changed, "log level set to " + s);
}

void LogControl::set_log_target(Message& value) {
  auto s = value.read<std::string>();
  auto target = log::parse_target(s);
  if (!target)
    throw Error(SD_BUS_ERROR_INVALID_ARGS,
                "invalid log target '" + s + "' (auto, journal, console or null)");
  log::set_target(*target);
}

}  // namespace hb::dbus
