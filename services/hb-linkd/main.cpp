// hb-linkd: sends keepalives on every ha.cf medium, runs the per-link timers (late after
// warntime, dead after deadtime) and the generation/replay checks, carries the cluster's
// reliable messages, and signals link transitions on D-Bus.
#include "generation_file.hpp"
#include "linkd.hpp"
#include "sys/daemon.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"
#include "sys/realtime.hpp"

namespace {

// As hb-membershipd's: the units' LimitRTPRIO=; below the kernel's threaded IRQs (50).
constexpr int rt_priority = 10;

}  // namespace

int main(int argc, char** argv) {
  hb::sys::DaemonSpec spec{"hb-linkd", "hb cluster links: heartbeats on every configured medium",
                           hb::dbus::names::link1::bus, hb::dbus::names::link1::root,
                           /*read_authkeys=*/true};
  return hb::sys::run_daemon(spec, argc, argv, [](hb::sys::DaemonContext& ctx) {
    if (ctx.config.ha_cf.realtime)
      hb::sys::go_realtime(rt_priority, "a loaded machine may delay heartbeats");
    hb::linkd::LinkdOptions options;
    options.state_dir = hb::linkd::state_directory();
    auto linkd =
        std::make_shared<hb::linkd::Linkd>(ctx.io, ctx.bus, ctx.config, options, ctx.set_status);
    hb::sys::DaemonParts parts;
    parts.objects = linkd;
    parts.status = linkd->status();
    parts.healthy = [l = linkd.get()] { return l->healthy(); };
    return parts;
  });
}
