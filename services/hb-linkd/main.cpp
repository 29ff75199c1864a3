// hb-linkd: sends keepalives on every ha.cf medium, runs the per-link timers (late after
// warntime, dead after deadtime) and the generation/replay checks, carries the cluster's
// reliable messages, and signals link transitions on D-Bus.
#include <sched.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>

#include "generation_file.hpp"
#include "linkd.hpp"
#include "sys/daemon.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"

namespace {

// heartbeat's `realtime` (on by default): round-robin scheduling and locked memory, so a
// loaded or swapping machine still sends its heartbeats on time. The unit grants the limits
// (LimitRTPRIO=, LimitMEMLOCK=) instead of capabilities; failing here is logged, not fatal.
void go_realtime() {
  sched_param p{};
  p.sched_priority = 1;
  if (::sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &p) != 0)
    hb::log::warning("", std::string("realtime scheduling refused: ") + std::strerror(errno) +
                             " (LimitRTPRIO= in the unit?)");
  if (::mlockall(MCL_CURRENT | MCL_FUTURE) != 0)
    hb::log::warning("", std::string("cannot lock memory: ") + std::strerror(errno) +
                             " (LimitMEMLOCK= in the unit?)");
}

}  // namespace

int main(int argc, char** argv) {
  hb::sys::DaemonSpec spec{"hb-linkd", "hb cluster links: heartbeats on every configured medium",
                           hb::dbus::names::link1::bus, hb::dbus::names::link1::root,
                           /*read_authkeys=*/true};
  return hb::sys::run_daemon(spec, argc, argv, [](hb::sys::DaemonContext& ctx) {
    if (ctx.config.ha_cf.realtime) go_realtime();
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
