// hbctl standby|takeover [all|local|foreign|failback]: heartbeat's hb_standby and hb_takeover,
// as calls to hb-resourced's Manager (io.github.hbcluster.resource1). A CLI may block on its one
// call; the default scope is heartbeat's, `all`.
#include <systemd/sd-bus.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "commands.hpp"
#include "sys/dbus/names.hpp"

namespace hb::hbctl {
namespace {

namespace names = hb::dbus::names::resource1;

int call_manager(const char* method, const std::vector<std::string>& args, const char* what) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "Usage: hbctl " << what << " [all|local|foreign|failback]\n"
              << "  local = the groups preferring this node, foreign = the others, failback = "
                 "foreign (default: all)\n";
    return exit_ok;
  }
  if (args.size() > 1) {
    std::cerr << "hbctl " << what << ": too many arguments\n";
    return exit_usage;
  }
  std::string which = args.empty() ? "all" : args[0];
  if (which != "all" && which != "local" && which != "foreign" && which != "failback") {
    std::cerr << "hbctl " << what << ": '" << which
              << "' is not one of all, local, foreign, failback\n";
    return exit_usage;
  }
  sd_bus* bus = nullptr;
  if (int r = sd_bus_open_system(&bus); r < 0) {
    std::cerr << "hbctl: cannot connect to the system bus: " << std::strerror(-r) << "\n";
    return 69;  // EX_UNAVAILABLE
  }
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(bus, names::bus, names::root, names::manager, method, &error, &reply,
                             "s", which.c_str());
  int rc = exit_ok;
  if (r < 0) {
    std::cerr << "hbctl " << what << ": " << (error.message ? error.message : std::strerror(-r))
              << "\n";
    if (sd_bus_error_has_name(&error, SD_BUS_ERROR_ACCESS_DENIED) || r == -EPERM || r == -EACCES)
      rc = 4;  // insufficient privilege
    else if (sd_bus_error_has_name(&error, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
             sd_bus_error_has_name(&error, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
      rc = 69;  // hb-resourced is not running
    else if (sd_bus_error_has_name(&error, hb::dbus::names::error_busy))
      rc = 75;  // busy, retry
    else
      rc = exit_error;
  } else {
    std::cout << what << " " << which << ": requested\n";
  }
  sd_bus_error_free(&error);
  sd_bus_message_unref(reply);
  sd_bus_flush_close_unref(bus);
  return rc;
}

}  // namespace

int standby(const std::vector<std::string>& args) {
  return call_manager("Standby", args, "standby");
}

int takeover(const std::vector<std::string>& args) {
  return call_manager("Takeover", args, "takeover");
}

}  // namespace hb::hbctl
