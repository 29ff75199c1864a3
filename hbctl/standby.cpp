// hbctl standby|takeover [all|local|foreign|failback]: heartbeat's hb_standby and hb_takeover,
// hbctl move GROUP NODE (hb's per-group move) and hbctl fence-confirm NODE, as calls to
// hb-resourced's Manager (io.github.hbcluster.resource1). A CLI may block on its one call; the
// default scope is heartbeat's, `all`.
#include <systemd/sd-bus.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "commands.hpp"
#include "sys/dbus/names.hpp"

namespace hb::hbctl {
namespace {

namespace names = hb::dbus::names::resource1;

// One call to the Manager with string arguments; maps the bus errors to exit codes.
int call(const char* method, const std::vector<std::string>& in, const std::string& what,
         const std::string& done) {
  sd_bus* bus = nullptr;
  if (int r = sd_bus_open_system(&bus); r < 0) {
    std::cerr << "hbctl: cannot connect to the system bus: " << std::strerror(-r) << "\n";
    return 69;  // EX_UNAVAILABLE
  }
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* m = nullptr;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_message_new_method_call(bus, &m, names::bus, names::root, names::manager, method);
  for (const auto& a : in)
    if (r >= 0) r = sd_bus_message_append(m, "s", a.c_str());
  if (r >= 0) r = sd_bus_call(bus, m, 0, &error, &reply);
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
    std::cout << done << "\n";
  }
  sd_bus_error_free(&error);
  sd_bus_message_unref(m);
  sd_bus_message_unref(reply);
  sd_bus_flush_close_unref(bus);
  return rc;
}

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
  return call(method, {which}, what, std::string(what) + " " + which + ": requested");
}

}  // namespace

int standby(const std::vector<std::string>& args) {
  return call_manager("Standby", args, "standby");
}

int takeover(const std::vector<std::string>& args) {
  return call_manager("Takeover", args, "takeover");
}

int move(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "Usage: hbctl move GROUP NODE\n"
              << "  hands GROUP (its haresources key, e.g. the cluster IP) over to NODE; clears a\n"
              << "  failed-start mark of GROUP on NODE. See `hbctl status` for the groups.\n";
    return exit_ok;
  }
  if (args.size() != 2) {
    std::cerr << "hbctl move: needs GROUP and NODE (hbctl move --help)\n";
    return exit_usage;
  }
  return call("MoveGroup", args, "move",
              "move " + args[0] + " to " + args[1] + ": requested (hbctl status shows it)");
}

int fence_confirm(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "Usage: hbctl fence-confirm NODE\n"
              << "  says that NODE is down (you powered it off yourself): its resource groups may\n"
              << "  then start elsewhere, as after a fence. Only when you are sure: if NODE still\n"
              << "  runs them, two nodes will mount the shared disk.\n";
    return exit_ok;
  }
  if (args.size() != 1) {
    std::cerr << "hbctl fence-confirm: needs NODE (hbctl fence-confirm --help)\n";
    return exit_usage;
  }
  return call("ConfirmFenced", args, "fence-confirm",
              "fence-confirm " + args[0] + ": done (the journal and hbctl status show the result)");
}

}  // namespace hb::hbctl
