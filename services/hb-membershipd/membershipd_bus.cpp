#include "membershipd_bus.hpp"

#include <algorithm>

#include "sys/config/reload.hpp"
#include "sys/dbus/caller.hpp"
#include "sys/dbus/error.hpp"
#include "sys/dbus/names.hpp"
#include "sys/dbus/vtable.hpp"

namespace hb::membershipd {
namespace names = hb::dbus::names::membership1;
using hb::dbus::method;
using hb::dbus::property;

namespace {

const sd_bus_vtable manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("LocalNode", "s", property<&BusObjects::local_node>, 0,
                    SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Nodes", "as", property<&BusObjects::node_names>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Warnings", "a(ss)", property<&BusObjects::warning_pairs>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    // Root only: hb-membershipd is not root, so sd-bus' own check would let its user through.
    SD_BUS_METHOD_WITH_ARGS("CheckReload", SD_BUS_NO_ARGS, SD_BUS_RESULT("as", applied),
                            method<&BusObjects::check_reload>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_RESULT("as", applied),
                            method<&BusObjects::reload>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL_WITH_ARGS(
        "NodeChanged", SD_BUS_ARGS("s", node, "s", old_state, "s", new_state, "t", incarnation), 0),
    SD_BUS_VTABLE_END};

const sd_bus_vtable node_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Name", "s", property<&Node::name>, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Type", "s", property<&Node::type>, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("State", "s", property<&Node::state>, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Incarnation", "t", property<&Node::incarnation>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Reason", "s", property<&Node::reason>, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    // Changes with every heartbeat: readable, but never a signal per packet.
    SD_BUS_PROPERTY("LastHeardUSec", "t", property<&Node::last_heard_usec>, 0, 0),
    SD_BUS_PROPERTY("Links", "a{ss}", property<&Node::links>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_VTABLE_END};

}  // namespace

std::vector<std::string> State::node_names() const {
  std::vector<std::string> out;
  for (const Node& n : nodes) out.push_back(n.name);
  return out;
}

State initial_state(const config::Config& config) {
  State s;
  s.local_node = config.local_node;
  auto add = [&s](const std::string& name, const char* type) {
    Node n;
    n.name = name;
    n.type = type;
    // A ping node's state is ipfaild's, mirrored once it is heard from (membership.hpp).
    n.state = std::string(type) == "ping" ? "unknown" : "init";
    n.path = dbus::object_path(names::node_prefix, name);
    s.nodes.push_back(std::move(n));
  };
  for (const auto& n : config.ha_cf.nodes) add(n, "normal");
  for (const auto& p : config.ha_cf.ping_nodes) add(p, "ping");
  for (const auto& g : config.ha_cf.ping_groups) add(g.name, "ping");
  return s;
}

BusObjects::BusObjects(dbus::Bus& bus, State& state, ReloadHandler reload)
    : bus_(bus),
      state_(state),
      reload_(std::move(reload)),
      node_objects_(bus, names::node, node_vtable) {
  slots_.push_back(bus.add_object_vtable(names::root, names::manager, manager_vtable, this));
  node_objects_.attach(state_.nodes);
}

void BusObjects::set_nodes(std::vector<Node> next) {
  node_objects_.replace(state_.nodes, std::move(next));
  bus_.emit_properties_changed(names::root, names::manager, {"Nodes"});
}

dbus::Message BusObjects::check_reload(dbus::Message& call) {
  return sys::reload_reply(call, false, reload_);
}

dbus::Message BusObjects::reload(dbus::Message& call) {
  return sys::reload_reply(call, true, reload_);
}

void BusObjects::node_changed(const Node& node, const std::string& old_state) {
  // The properties first: whoever handles NodeChanged can read the Reason of this very change
  // from its cache (the signal's signature stays heartbeat-era simple).
  bus_.emit_properties_changed(node.path, names::node, {"State", "Incarnation", "Reason", "Links"});
  auto m = bus_.new_signal(names::root, names::manager, "NodeChanged");
  m.append_all(node.name, old_state, node.state, node.incarnation);
  bus_.send(m);
}

void BusObjects::links_changed(const Node& node) {
  bus_.emit_properties_changed(node.path, names::node, {"Links"});
}

void BusObjects::warnings_changed() {
  bus_.emit_properties_changed(names::root, names::manager, {"Warnings"});
}

}  // namespace hb::membershipd
