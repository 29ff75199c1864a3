// hbctl forget-generation NODE: makes hb-linkd forget the highest generation it persisted for
// a peer (link1.Manager.ForgetGeneration, root only), for a peer whose disk was replaced and
// whose generation started over; until then its packets are refused as old-generation
// (docs/wire-rules.md).
#include <systemd/sd-bus.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "commands.hpp"
#include "sys/dbus/names.hpp"

namespace hb::hbctl {

int forget_generation(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "Usage: hbctl forget-generation NODE\n"
                 "  Forget the generation this node's hb-linkd persisted for peer NODE, so that\n"
                 "  NODE is heard again after its generation started over (a replaced disk).\n"
                 "  Root only.\n";
    return exit_ok;
  }
  if (args.size() != 1 || args[0].empty() || args[0][0] == '-') {
    std::cerr << "Usage: hbctl forget-generation NODE\n";
    return exit_usage;
  }
  namespace names = hb::dbus::names::link1;
  sd_bus* bus = nullptr;
  if (int r = sd_bus_open_system(&bus); r < 0) {
    std::cerr << "hbctl: cannot connect to the system bus: " << std::strerror(-r) << "\n";
    return 69;  // EX_UNAVAILABLE
  }
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(bus, names::bus, names::root, names::manager, "ForgetGeneration",
                             &error, &reply, "s", args[0].c_str());
  int rc = exit_ok;
  if (r < 0) {
    std::cerr << "hbctl forget-generation: " << (error.message ? error.message : std::strerror(-r))
              << "\n";
    if (sd_bus_error_has_name(&error, SD_BUS_ERROR_ACCESS_DENIED) || r == -EPERM || r == -EACCES)
      rc = 4;  // insufficient privilege
    else if (sd_bus_error_has_name(&error, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
             sd_bus_error_has_name(&error, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
      rc = 69;  // hb-linkd is not running
    else if (sd_bus_error_has_name(&error, SD_BUS_ERROR_INVALID_ARGS))
      rc = exit_usage;
    else
      rc = exit_error;
  } else {
    std::cout << "forgot the generation of " << args[0] << "; its next status starts over\n";
  }
  sd_bus_error_free(&error);
  sd_bus_message_unref(reply);
  sd_bus_flush_close_unref(bus);
  return rc;
}

}  // namespace hb::hbctl
