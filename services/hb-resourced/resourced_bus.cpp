// hb-resourced's D-Bus face: the Manager and one Group object per group (see resourced_bus.hpp).
#include "resourced_bus.hpp"

#include "sys/config/reload.hpp"
#include "sys/dbus/caller.hpp"
#include "sys/dbus/names.hpp"
#include "sys/dbus/vtable.hpp"

namespace hb::resourced {
namespace names = hb::dbus::names::resource1;
using hb::dbus::method;
using hb::dbus::property;

namespace {

// Admin methods stay privileged (no SD_BUS_VTABLE_UNPRIVILEGED): besides the policy, sd-bus
// itself refuses callers without CAP_SYS_ADMIN while hb-resourced runs as root. Standby,
// Takeover and MoveGroup are the exceptions, checked by the methods themselves: ipfaild
// (hacluster) asks for Standby, and hb-statusd's admin endpoints call all three where the admin
// installed the policy drop-in that lets its user send them (the policy is the gate).
const sd_bus_vtable manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD_WITH_ARGS("Standby", SD_BUS_ARGS("s", which), SD_BUS_NO_RESULT,
                            method<&BusObjects::standby>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Takeover", SD_BUS_ARGS("s", which), SD_BUS_NO_RESULT,
                            method<&BusObjects::takeover>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("MoveGroup", SD_BUS_ARGS("s", group, "s", node), SD_BUS_NO_RESULT,
                            method<&BusObjects::move_group>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("ConfirmFenced", SD_BUS_ARGS("s", node), SD_BUS_NO_RESULT,
                            method<&BusObjects::confirm_fenced>, 0),
    // Root only, checked in the method like Standby's callers.
    SD_BUS_METHOD_WITH_ARGS("CheckReload", SD_BUS_NO_ARGS, SD_BUS_RESULT("as", applied),
                            method<&BusObjects::check_reload>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_RESULT("as", applied),
                            method<&BusObjects::reload>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_PROPERTY("Warnings", "a(ss)", property<&BusObjects::warning_pairs>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("PendingReload", "as", property<&BusObjects::pending_reload>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("PeerProtocols", "a{ss}", property<&BusObjects::peer_protocols>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_SIGNAL_WITH_ARGS("GroupChanged", SD_BUS_ARGS("s", group, "s", owner, "s", state), 0),
    SD_BUS_VTABLE_END};

const sd_bus_vtable group_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Key", "s", property<&Group::key>, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("PreferredNode", "s", property<&Group::preferred_node>, 0,
                    SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Owner", "s", property<&Group::owner>, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("State", "s", property<&Group::state>, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Resources", "a(sss)", property<&Group::resources>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Takeovers", "u", property<&Group::takeovers>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("LastTakeoverUSec", "t", property<&Group::last_takeover_usec>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_VTABLE_END};

// hb_standby/hb_takeover's arguments.
void check_which(const std::string& which) {
  if (which != "all" && which != "local" && which != "foreign" && which != "failback")
    throw dbus::Error(SD_BUS_ERROR_INVALID_ARGS,
                      "'" + which + "' is not one of all, local, foreign, failback");
}

}  // namespace

State initial_state(const config::Config& config) {
  State s;
  for (const auto& g : config.groups) {
    if (g.resources.empty()) continue;
    Group out;
    out.key = g.key();
    out.preferred_node = g.preferred_node;
    for (const auto& r : g.resources) out.resources.emplace_back(r.token, "", "inactive");
    out.path = dbus::object_path(names::group_prefix, out.key);
    s.groups.push_back(std::move(out));
  }
  return s;
}

BusObjects::BusObjects(dbus::Bus& bus, State& state, Commands* commands)
    : bus_(bus), state_(state), commands_(commands) {
  slots_.push_back(bus.add_object_vtable(names::root, names::manager, manager_vtable, this));
  for (Group& g : state.groups)
    slots_.push_back(bus.add_object_vtable(g.path, names::group, group_vtable, &g));
}

const Group* BusObjects::find(const std::string& key) const {
  for (const Group& g : state_.groups)
    if (g.key == key) return &g;
  return nullptr;
}

std::vector<std::string> Commands::reload(bool) {
  dbus::throw_not_supported("Reload");
}

sys::ReloadHandler BusObjects::reload_handler() {
  if (!commands_) return {};
  return [this](bool apply) { return commands_->reload(apply); };
}

dbus::Message BusObjects::check_reload(dbus::Message& call) {
  return sys::reload_reply(call, false, reload_handler());
}

dbus::Message BusObjects::reload(dbus::Message& call) {
  return sys::reload_reply(call, true, reload_handler());
}

dbus::Message BusObjects::standby(dbus::Message& call) {
  dbus::require_root_or(call, {dbus::names::daemon_user, dbus::names::status_user});
  auto which = call.read<std::string>();
  check_which(which);
  if (!commands_) dbus::throw_not_supported("Standby");
  commands_->standby(which);
  return call.new_reply();
}

dbus::Message BusObjects::takeover(dbus::Message& call) {
  dbus::require_root_or(call, {dbus::names::status_user});
  auto which = call.read<std::string>();
  check_which(which);
  if (!commands_) dbus::throw_not_supported("Takeover");
  commands_->takeover(which);
  return call.new_reply();
}

dbus::Message BusObjects::move_group(dbus::Message& call) {
  dbus::require_root_or(call, {dbus::names::status_user});
  auto group = call.read<std::string>();
  auto node = call.read<std::string>();
  if (!find(group))
    throw dbus::Error(dbus::names::error_no_such_group, "no resource group '" + group + "'");
  if (!commands_) dbus::throw_not_supported("MoveGroup");
  commands_->move(group, node);
  return call.new_reply();
}

dbus::Message BusObjects::confirm_fenced(dbus::Message& call) {
  auto node = call.read<std::string>();
  if (!commands_) dbus::throw_not_supported("ConfirmFenced");
  commands_->confirm_fenced(node);
  return call.new_reply();
}

void BusObjects::group_changed(const Group& group) {
  auto m = bus_.new_signal(names::root, names::manager, "GroupChanged");
  m.append_all(group.key, group.owner, group.state);
  bus_.send(m);
  bus_.emit_properties_changed(group.path, names::group,
                               {"Owner", "State", "Resources", "Takeovers", "LastTakeoverUSec"});
}

void BusObjects::resources_changed(const Group& group) {
  bus_.emit_properties_changed(group.path, names::group, {"Resources"});
}

void BusObjects::warnings_changed() {
  bus_.emit_properties_changed(names::root, names::manager, {"Warnings"});
}

void BusObjects::pending_reload_changed() {
  bus_.emit_properties_changed(names::root, names::manager, {"PendingReload"});
}

void BusObjects::peer_protocols_changed() {
  bus_.emit_properties_changed(names::root, names::manager, {"PeerProtocols"});
}

}  // namespace hb::resourced
