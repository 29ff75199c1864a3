// hb-resourced: places resource groups (auto_failback, standby, takeover), starts and stops
// them through systemd, and owns the hand-over messages between nodes (resourced.hpp).
#include "resourced.hpp"
#include "resourced_bus.hpp"
#include "sys/daemon.hpp"
#include "sys/dbus/names.hpp"

namespace {
struct Objects {
  hb::resourced::State state;
  std::unique_ptr<hb::resourced::Resourced> daemon;
  std::unique_ptr<hb::resourced::BusObjects> bus;
};
}  // namespace

int main(int argc, char** argv) {
  hb::sys::DaemonSpec spec{"hb-resourced", "hb resource groups: where each group runs",
                           hb::dbus::names::resource1::bus, hb::dbus::names::resource1::root};
  return hb::sys::run_daemon(spec, argc, argv, [](hb::sys::DaemonContext& ctx) {
    auto o = std::make_shared<Objects>();
    o->state = hb::resourced::initial_state(ctx.config);
    o->daemon = std::make_unique<hb::resourced::Resourced>(ctx.io, ctx.bus, ctx.config, o->state,
                                                           ctx.set_status);
    o->bus = std::make_unique<hb::resourced::BusObjects>(ctx.bus, o->state, o->daemon.get());
    o->daemon->set_bus_objects(o->bus.get());
    o->daemon->set_load_again(ctx.load_again);
    o->daemon->begin();
    hb::sys::DaemonParts parts;
    parts.objects = o;
    parts.status = std::to_string(o->state.groups.size()) + " resource groups configured";
    parts.stop = [d = o->daemon.get()](std::function<void()> exit) { d->stop(std::move(exit)); };
    return parts;
  });
}
