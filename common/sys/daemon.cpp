#include "sys/daemon.hpp"

#include <getopt.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <optional>
#include <system_error>

#include "hb_build_config.hpp"
#include "sys/config/load.hpp"
#include "sys/credentials.hpp"
#include "sys/dbus/asio_driver.hpp"
#include "sys/dbus/log_control.hpp"
#include "sys/log.hpp"
#include "sys/notify.hpp"
#include "sys/signals.hpp"

namespace hb::sys {
namespace {

struct Options {
  std::string config_dir = HB_HA_D;
  std::string node;
};

void usage(const DaemonSpec& spec, FILE* to) {
  std::fprintf(to,
               "Usage: %s [--config-dir DIR] [--node NAME]\n"
               "%s\n\n"
               "  --config-dir DIR  heartbeat configuration directory (default %s)\n"
               "  --node NAME       this node's name as in ha.cf (default: uname -n)\n"
               "  --help            show this text\n",
               spec.name.c_str(), spec.summary.c_str(), HB_HA_D);
}

// Returns an exit code when the process should stop right away.
std::optional<int> parse(const DaemonSpec& spec, int argc, char** argv, Options& o) {
  static const option longopts[] = {{"config-dir", required_argument, nullptr, 'c'},
                                    {"node", required_argument, nullptr, 'n'},
                                    {"help", no_argument, nullptr, 'h'},
                                    {nullptr, 0, nullptr, 0}};
  optind = 1;
  for (int c; (c = getopt_long(argc, argv, "", longopts, nullptr)) != -1;) {
    switch (c) {
      case 'c':
        o.config_dir = optarg;
        break;
      case 'n':
        o.node = optarg;
        break;
      case 'h':
        usage(spec, stdout);
        return 0;
      default:
        usage(spec, stderr);
        return 64;  // EX_USAGE
    }
  }
  if (optind < argc) {
    std::fprintf(stderr, "%s: unexpected argument '%s'\n", spec.name.c_str(), argv[optind]);
    usage(spec, stderr);
    return 64;
  }
  return std::nullopt;
}

}  // namespace

int run_daemon(const DaemonSpec& spec, int argc, char** argv, const DaemonSetup& setup) {
  Options options;
  if (auto rc = parse(spec, argc, argv, options)) return *rc;
  log::init(spec.name);

  config::LoadOptions load_options;
  load_options.dir = options.config_dir;
  load_options.local_node = options.node;
  load_options.read_authkeys = spec.read_authkeys;
  if (spec.read_authkeys) load_options.authkeys_copy = credential_path("authkeys");
  config::LoadResult loaded = config::load(load_options);
  for (const auto& d : loaded.diagnostics)
    log::write(
        d.severity == config::Diagnostic::Severity::error ? log::Level::err : log::Level::warning,
        d.severity == config::Diagnostic::Severity::error ? log::msgid::config_error : "", d.str());
  if (!loaded.ok()) {
    log::error(log::msgid::config_error,
               "configuration in " + options.config_dir + " is invalid; not starting");
    notify::failed(EINVAL, "Invalid configuration in " + options.config_dir);
    return exit_config;
  }
  const config::Config& config = loaded.config;
  log::configure(config.ha_cf);

  int exit_code = 0;
  try {
    boost::asio::io_context io;
    dbus::Bus bus = dbus::Bus::open_system();
    dbus::AsioBusDriver driver(io, bus, [&](int r) {
      log::error(log::msgid::bus_lost,
                 "lost the D-Bus connection: " + std::system_category().message(-r));
      exit_code = 1;  // systemd restarts us (Restart=on-failure)
      io.stop();
    });
    dbus::LogControl log_control(bus);
    dbus::Slot object_manager;
    if (!spec.root_path.empty()) object_manager = bus.add_object_manager(spec.root_path);

    std::string status;
    DaemonContext ctx{io,
                      bus,
                      config,
                      [&status](const std::string& s) {
                        status = s;
                        notify::status(s);
                      },
                      [load_options] { return config::load(load_options); },
                      [load_options](int authkeys_fd) {
                        config::LoadOptions o = load_options;
                        o.read_authkeys = true;
                        o.authkeys_fd = authkeys_fd;
                        return config::load(o);
                      }};
    DaemonParts parts = setup(ctx);
    status = parts.status;

    // Last: once the name is ours, clients may call, so everything must be in place.
    dbus::Slot name_request = bus.request_name_async(spec.bus_name, [&](dbus::Message& reply) {
      std::string why;
      if (const sd_bus_error* e = reply.error()) {
        why = e->message ? e->message : e->name;
      } else {
        std::uint32_t r = reply.read<std::uint32_t>();
        if (r != 1 && r != 4)  // PRIMARY_OWNER, ALREADY_OWNER
          why = r == 3 ? "another process owns it" : "RequestName answered " + std::to_string(r);
      }
      if (!why.empty()) {
        log::error(log::msgid::bus_name_taken,
                   "cannot own the bus name " + spec.bus_name + ": " + why);
        notify::failed(EADDRINUSE, "Cannot own " + spec.bus_name);
        exit_code = 1;
        io.stop();
        return;
      }
      notify::ready(status);
      log::info(
          log::msgid::daemon_started,
          spec.name + " " + HB_VERSION + " started on node " + config.local_node + ": " + status,
          {{"HB_NODE", config.local_node}});
    });

    bool stop_requested = false;
    Signals signals(
        io,
        [&](int signo) {
          notify::stopping();
          log::info(log::msgid::daemon_stopping,
                    spec.name + " stopping on " + (signo == SIGINT ? "SIGINT" : "SIGTERM"));
          if (parts.stop && !stop_requested) {
            stop_requested = true;
            parts.stop([&io] { io.stop(); });
            return;
          }
          io.stop();
        },
        [&] {
          // A reload is `hbctl reload` (checked first, applied over D-Bus by every daemon or
          // refused by name); a signal could say neither, so the admin is pointed there.
          log::notice(log::msgid::reload_unsupported,
                      "SIGHUP: a signal does not reload the configuration; run \"hbctl reload\" "
                      "(or restart " +
                          spec.name + ") to apply changes");
        });
    notify::Watchdog watchdog(io, parts.healthy);

    io.run();
  } catch (const ConfigError& e) {
    log::error(log::msgid::config_error, spec.name + ": " + e.what() + "; not starting");
    notify::failed(EINVAL, e.what());
    return exit_config;
  } catch (const std::exception& e) {
    log::error(log::msgid::daemon_failed, spec.name + ": " + e.what());
    notify::failed(EIO, e.what());
    return 1;
  }
  return exit_code;
}

}  // namespace hb::sys
