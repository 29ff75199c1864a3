// hb-membershipd: decides node state (up, dead) from hb-linkd's link transitions, initdead and
// clean-shutdown announcements. This skeleton publishes the configured nodes as "init".
#include "membershipd_bus.hpp"
#include "sys/daemon.hpp"
#include "sys/dbus/names.hpp"

namespace {
struct Objects {
  hb::membershipd::State state;
  std::unique_ptr<hb::membershipd::BusObjects> bus;
};
}  // namespace

int main(int argc, char** argv) {
  hb::sys::DaemonSpec spec{"hb-membershipd", "hb cluster membership: decides which nodes are up",
                           hb::dbus::names::membership1::bus, hb::dbus::names::membership1::root};
  return hb::sys::run_daemon(spec, argc, argv, [](hb::sys::DaemonContext& ctx) {
    auto o = std::make_shared<Objects>();
    o->state = hb::membershipd::initial_state(ctx.config);
    o->bus = std::make_unique<hb::membershipd::BusObjects>(ctx.bus, o->state);
    return hb::sys::DaemonParts{
        o, std::to_string(o->state.nodes.size()) + " nodes configured, membership not yet known"};
  });
}
