// hb-linkd: sends keepalives on every ha.cf medium, runs the per-link timers (late after
// warntime, dead after deadtime) and the generation/replay checks, carries the cluster's
// reliable messages, and signals link transitions on D-Bus.
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "generation_file.hpp"
#include "hb_build_config.hpp"
#include "linkd.hpp"
#include "prepare_start.hpp"
#include "sys/daemon.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"
#include "sys/realtime.hpp"

namespace {

// As hb-membershipd's: the units' LimitRTPRIO=; below the kernel's threaded IRQs (50).
constexpr int rt_priority = 10;

}  // namespace

int main(int argc, char** argv) {
  // The unit's root step: hb-linkd --prepare-start [--config-dir DIR] (prepare_start.hpp).
  if (argc >= 2 && std::strcmp(argv[1], "--prepare-start") == 0) {
    std::string config_dir = HB_HA_D;
    if (argc == 4 && std::strcmp(argv[2], "--config-dir") == 0) {
      config_dir = argv[3];
    } else if (argc != 2) {
      std::fprintf(stderr, "usage: hb-linkd --prepare-start [--config-dir DIR]\n");
      return 64;
    }
    hb::log::init("hb-linkd");
    return hb::linkd::prepare_start(config_dir, HB_STATEDIR);
  }
  hb::sys::DaemonSpec spec{"hb-linkd", "hb cluster links: heartbeats on every configured medium",
                           hb::dbus::names::link1::bus, hb::dbus::names::link1::root,
                           /*read_authkeys=*/true};
  return hb::sys::run_daemon(spec, argc, argv, [](hb::sys::DaemonContext& ctx) {
    if (ctx.config.ha_cf.realtime)
      hb::sys::go_realtime(rt_priority, "a loaded machine may delay heartbeats");
    hb::linkd::LinkdOptions options;
    options.state_dir = hb::linkd::state_directory();
    options.load_again = ctx.load_again;
    options.load_again_with_keys = ctx.load_again_with_keys;
    auto linkd =
        std::make_shared<hb::linkd::Linkd>(ctx.io, ctx.bus, ctx.config, options, ctx.set_status);
    hb::sys::DaemonParts parts;
    parts.objects = linkd;
    parts.status = linkd->status();
    parts.healthy = [l = linkd.get()] { return l->healthy(); };
    // A clean stop disarms ha.cf's watchdog device before the process exits.
    parts.stop = [l = linkd.get()](std::function<void()> exit) {
      l->stop();
      exit();
    };
    return parts;
  });
}
