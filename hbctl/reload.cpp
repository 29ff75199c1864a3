// hbctl reload: checks the files first (a bad one: every error as "file:line: message", exit 65,
// no daemon asked), then asks hb-linkd to apply them (link1.Manager.Reload, root only), which
// applies what reloads live or nothing, naming every refused setting and why. Exits 0 only when
// everything was applied (or nothing had changed).
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "commands.hpp"
#include "hb_build_config.hpp"
#include "sys/config/load.hpp"
#include "sys/dbus/names.hpp"

namespace hb::hbctl {
namespace {

constexpr int exit_privilege = 4;     // LSB: insufficient privilege
constexpr int exit_unavailable = 69;  // EX_UNAVAILABLE: the daemon is not on the bus

void usage(std::ostream& out) {
  out << "Usage: hbctl reload [--config-dir DIR] [--node NAME]\n\n"
         "Checks ha.cf, hb.conf, authkeys and haresources in DIR (default "
      << HB_HA_D
      << "), then has the running\n"
         "daemons apply them: what reloads live at once, nothing if any change cannot (each\n"
         "refused setting is named, with why). Root only.\n\n"
         "Exit status: 0 applied (or nothing changed), 1 refused, 4 not root, 64 usage error,\n"
         "65 invalid configuration (nothing applied), 69 hb-linkd is not running.\n";
}

}  // namespace

int reload(const std::vector<std::string>& args) {
  config::LoadOptions options;
  options.dir = HB_HA_D;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      usage(std::cout);
      return exit_ok;
    }
    if ((a == "--config-dir" || a == "--node") && i + 1 < args.size()) {
      (a == "--node" ? options.local_node : options.dir) = args[++i];
      continue;
    }
    std::cerr << "hbctl reload: unexpected argument \"" << a << "\"\n";
    usage(std::cerr);
    return exit_usage;
  }

  // The check, with the rules the daemons load with; authkeys only as root (mode 600).
  options.read_authkeys = ::geteuid() == 0;
  const config::LoadResult checked = config::load(options);
  for (const auto& d : checked.diagnostics) std::cerr << d.str() << "\n";
  if (!checked.ok()) {
    std::cerr << "hbctl reload: nothing applied: the configuration in " << options.dir
              << " has errors\n";
    return exit_bad_config;
  }

  namespace link1 = hb::dbus::names::link1;
  sd_bus* bus = nullptr;
  if (int r = sd_bus_open_system(&bus); r < 0) {
    std::cerr << "hbctl: cannot connect to the system bus: " << std::strerror(-r) << "\n";
    return exit_unavailable;
  }
  sd_bus_error error = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(bus, link1::bus, link1::root, link1::manager, "Reload", &error, &reply,
                             "");
  int rc = exit_ok;
  if (r < 0) {
    std::cerr << "hbctl reload: hb-linkd: " << (error.message ? error.message : std::strerror(-r))
              << "\n";
    if (sd_bus_error_has_name(&error, SD_BUS_ERROR_ACCESS_DENIED) || r == -EPERM || r == -EACCES)
      rc = exit_privilege;
    else if (sd_bus_error_has_name(&error, SD_BUS_ERROR_SERVICE_UNKNOWN) ||
             sd_bus_error_has_name(&error, SD_BUS_ERROR_NAME_HAS_NO_OWNER))
      rc = exit_unavailable;
    else if (sd_bus_error_has_name(&error, hb::dbus::names::error_invalid_configuration))
      rc = exit_bad_config;
    else
      rc = exit_error;
  } else {
    char** applied = nullptr;
    if (sd_bus_message_read_strv(reply, &applied) < 0) {
      std::cerr << "hbctl reload: hb-linkd answered something unexpected\n";
      rc = exit_error;
    } else {
      std::string names;
      for (char** a = applied; a != nullptr && *a != nullptr; ++a) {
        names += (names.empty() ? "" : ", ") + std::string(*a);
        std::free(*a);
      }
      std::free(applied);
      std::cout << "hb-linkd: " << (names.empty() ? "nothing changed" : "applied " + names) << "\n";
    }
  }
  sd_bus_error_free(&error);
  sd_bus_message_unref(reply);
  sd_bus_flush_close_unref(bus);
  return rc;
}

}  // namespace hb::hbctl
