// ipfaild: pings ha.cf's ping nodes and moves resources away when the peer reaches more of them
// (heartbeat's ipfail). This skeleton publishes the configured ping nodes, none reached yet.
#include "ipfaild_bus.hpp"
#include "sys/daemon.hpp"
#include "sys/dbus/names.hpp"

namespace {
struct Objects {
  hb::ipfaild::State state;
  std::unique_ptr<hb::ipfaild::BusObjects> bus;
};
}  // namespace

int main(int argc, char** argv) {
  hb::sys::DaemonSpec spec{"ipfaild", "hb ipfail: fails over when this node loses its ping nodes",
                           hb::dbus::names::ipfail1::bus, hb::dbus::names::ipfail1::root};
  return hb::sys::run_daemon(spec, argc, argv, [](hb::sys::DaemonContext& ctx) {
    auto o = std::make_shared<Objects>();
    o->state = hb::ipfaild::initial_state(ctx.config);
    o->bus = std::make_unique<hb::ipfaild::BusObjects>(ctx.bus, o->state);
    return hb::sys::DaemonParts{
        o, std::to_string(o->state.ping_nodes.size()) + " ping nodes configured, none checked yet"};
  });
}
