// hb-resourced: places resource groups (auto_failback, standby, takeover), starts and stops
// them through systemd, and owns the hand-over messages between nodes. This skeleton publishes
// haresources' groups as stopped.
#include "resourced_bus.hpp"
#include "sys/daemon.hpp"
#include "sys/dbus/names.hpp"

namespace {
struct Objects {
  hb::resourced::State state;
  std::unique_ptr<hb::resourced::BusObjects> bus;
};
}  // namespace

int main(int argc, char** argv) {
  hb::sys::DaemonSpec spec{"hb-resourced", "hb resource groups: where each group runs",
                           hb::dbus::names::resource1::bus, hb::dbus::names::resource1::root};
  return hb::sys::run_daemon(spec, argc, argv, [](hb::sys::DaemonContext& ctx) {
    auto o = std::make_shared<Objects>();
    o->state = hb::resourced::initial_state(ctx.config);
    o->bus = std::make_unique<hb::resourced::BusObjects>(ctx.bus, o->state);
    return hb::sys::DaemonParts{
        o, std::to_string(o->state.groups.size()) + " resource groups configured, all stopped"};
  });
}
