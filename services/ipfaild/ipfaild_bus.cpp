#include "ipfaild_bus.hpp"

#include <algorithm>

#include "sys/config/reload.hpp"
#include "sys/dbus/caller.hpp"
#include "sys/dbus/error.hpp"
#include "sys/dbus/names.hpp"
#include "sys/dbus/vtable.hpp"

namespace hb::ipfaild {
namespace names = hb::dbus::names::ipfail1;
using hb::dbus::method;
using hb::dbus::property;

namespace {

const sd_bus_vtable manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("LocalCount", "u", property<&BusObjects::local_count>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("PeerCount", "u", property<&BusObjects::peer_count>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Warnings", "a(ss)", property<&BusObjects::warning_pairs>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    // Root only: ipfaild runs as hacluster, so sd-bus' own check would let its user through.
    SD_BUS_METHOD_WITH_ARGS("CheckReload", SD_BUS_NO_ARGS, SD_BUS_RESULT("as", applied),
                            method<&BusObjects::check_reload>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_RESULT("as", applied),
                            method<&BusObjects::reload>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL_WITH_ARGS("PingNodeChanged", SD_BUS_ARGS("s", address, "s", state), 0),
    SD_BUS_VTABLE_END};

const sd_bus_vtable ping_node_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Address", "s", property<&PingNode::address>, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("State", "s", property<&PingNode::state>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_VTABLE_END};

}  // namespace

State initial_state(const config::Config& config) {
  State s;
  auto add = [&s](const std::string& address) {
    for (const PingNode& p : s.ping_nodes)
      if (p.address == address) return;
    PingNode p;
    p.address = address;
    p.path = dbus::object_path(names::ping_node_prefix, address);
    s.ping_nodes.push_back(std::move(p));
  };
  for (const auto& a : config.ha_cf.ping_nodes) add(a);
  for (const auto& g : config.ha_cf.ping_groups)
    for (const auto& a : g.addresses) add(a);
  return s;
}

BusObjects::BusObjects(dbus::Bus& bus, State& state, ReloadHandler reload)
    : bus_(bus),
      state_(state),
      reload_(std::move(reload)),
      ping_objects_(bus, names::ping_node, ping_node_vtable) {
  slots_.push_back(bus.add_object_vtable(names::root, names::manager, manager_vtable, this));
  ping_objects_.attach(state_.ping_nodes);
}

void BusObjects::set_ping_nodes(std::vector<PingNode> next) {
  ping_objects_.replace(state_.ping_nodes, std::move(next));
}

void BusObjects::ping_node_changed(const PingNode& node) {
  auto m = bus_.new_signal(names::root, names::manager, "PingNodeChanged");
  m.append_all(node.address, node.state);
  bus_.send(m);
  bus_.emit_properties_changed(node.path, names::ping_node, {"State"});
  bus_.emit_properties_changed(names::root, names::manager, {"LocalCount", "PeerCount"});
}

dbus::Message BusObjects::check_reload(dbus::Message& call) {
  return sys::reload_reply(call, false, reload_);
}

dbus::Message BusObjects::reload(dbus::Message& call) {
  return sys::reload_reply(call, true, reload_);
}

void BusObjects::warnings_changed() {
  bus_.emit_properties_changed(names::root, names::manager, {"Warnings"});
}

}  // namespace hb::ipfaild
