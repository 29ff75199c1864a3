// The life cycle all five daemons share, so each main.cpp only says what is its own:
//
//   flags (--config-dir DIR, --node NAME, --help) → load /etc/ha.d → on errors: every
//   diagnostic logged, STATUS=, ERRNO=, exit 78 (EX_CONFIG; the unit's
//   RestartPreventExitStatus=78 stops a restart loop) → connect to the system bus (or
//   DBUS_SYSTEM_BUS_ADDRESS) → LogControl1 + ObjectManager at the root path → the daemon's own
//   setup → request the bus name LAST → READY=1 with the status sentence → run → SIGTERM or
//   SIGINT: STOPPING=1, exit 0.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/config/config.hpp"
#include "sys/config/load.hpp"
#include "sys/dbus/bus.hpp"

namespace hb::sys {

inline constexpr int exit_config = 78;  // EX_CONFIG, systemd.exec(5)

// Thrown by a daemon's setup for a setting it cannot honour as configured (hb-statusd's admin
// mode without its token, a TLS key that does not load): exits 78 like a bad /etc/ha.d, so the
// unit does not restart it in a loop.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct DaemonSpec {
  std::string name;       // "hb-linkd": SYSLOG_IDENTIFIER and the usage text
  std::string summary;    // one line for --help
  std::string bus_name;   // "io.github.hbcluster.link1"
  std::string root_path;  // ObjectManager root; empty for none (hb-statusd)
  bool read_authkeys = false;
};

struct DaemonContext {
  boost::asio::io_context& io;
  dbus::Bus& bus;
  const config::Config& config;
  // Replaces the STATUS= sentence (`systemctl status`).
  std::function<void(const std::string&)> set_status;
  // Reads the configuration again as at start (the same directory, node and authkeys source),
  // for a daemon's Reload method; the diagnostics are the caller's to report.
  std::function<config::LoadResult()> load_again;
  // The same with authkeys read from `authkeys_fd` (handed over by hbctl reload, see
  // config::LoadOptions::authkeys_fd), for hb-linkd, which cannot open the file itself.
  std::function<config::LoadResult(int authkeys_fd)> load_again_with_keys;
};

// What setup returns: the daemon's objects (kept alive until exit) and its first STATUS=.
struct DaemonParts {
  std::shared_ptr<void> objects;
  std::string status;
  // Gates the watchdog pings (empty: always healthy), e.g. hb-linkd's keepalives on time.
  std::function<bool()> healthy = {};
  // Optional: on SIGTERM/SIGINT, called instead of exiting at once; the daemon calls `exit`
  // when its own shutdown is done (hb-resourced: groups released, t=shutdone sent). A second
  // signal exits at once.
  std::function<void(std::function<void()> exit)> stop{};
};

using DaemonSetup = std::function<DaemonParts(DaemonContext&)>;

// Runs the daemon; returns the process exit code.
int run_daemon(const DaemonSpec& spec, int argc, char** argv, const DaemonSetup& setup);

}  // namespace hb::sys
