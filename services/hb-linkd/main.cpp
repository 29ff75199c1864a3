// hb-linkd: sends keepalives on every ha.cf medium, runs the per-link timers (late after
// warntime, dead after deadtime) and the generation/replay checks, and signals link transitions.
// This skeleton publishes the configured links as "init".
#include "linkd_bus.hpp"
#include "sys/daemon.hpp"
#include "sys/dbus/names.hpp"

namespace {
struct Objects {
  hb::linkd::State state;
  std::unique_ptr<hb::linkd::BusObjects> bus;
};
}  // namespace

int main(int argc, char** argv) {
  hb::sys::DaemonSpec spec{"hb-linkd", "hb cluster links: heartbeats on every configured medium",
                           hb::dbus::names::link1::bus, hb::dbus::names::link1::root,
                           /*read_authkeys=*/true};
  return hb::sys::run_daemon(spec, argc, argv, [](hb::sys::DaemonContext& ctx) {
    auto o = std::make_shared<Objects>();
    o->state = hb::linkd::initial_state(ctx.config);
    o->bus = std::make_unique<hb::linkd::BusObjects>(ctx.bus, o->state);
    return hb::sys::DaemonParts{o, std::to_string(o->state.links.size()) + " links to " +
                                       std::to_string(o->state.peers.size()) +
                                       " peers configured, not yet started"};
  });
}
