#include "linkd_bus.hpp"

#include <unistd.h>

#include "core/ipfail/engine.hpp"
#include "core/proto/classic.hpp"
#include "core/proto/message.hpp"
#include "sys/dbus/caller.hpp"
#include "sys/dbus/names.hpp"
#include "sys/dbus/vtable.hpp"

namespace hb::linkd {
namespace names = hb::dbus::names::link1;
using hb::dbus::method;
using hb::dbus::property;

namespace {

const sd_bus_vtable manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("LocalNode", "s", property<&BusObjects::local_node>, 0,
                    SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Generation", "t", property<&BusObjects::generation>, 0,
                    SD_BUS_VTABLE_PROPERTY_CONST),
    // Unprivileged for sd-bus' own check, which would demand CAP_SYS_ADMIN from hb-membershipd
    // (hacluster); the policy and require_root_or_daemon_user() admit only root and hacluster.
    SD_BUS_PROPERTY("Warnings", "a(ss)", property<&BusObjects::warning_pairs>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Watchdog", "s", property<&BusObjects::watchdog>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("Configuration", "a{ss}", property<&BusObjects::configuration>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    // Root only, as the policy says: checked in the method (require_root), since hb-linkd is not
    // root and sd-bus' own check would let its own user through.
    SD_BUS_METHOD_WITH_ARGS("ForgetGeneration", SD_BUS_ARGS("s", node), SD_BUS_NO_RESULT,
                            method<&BusObjects::forget_generation>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("CheckReload", SD_BUS_ARGS("h", authkeys), SD_BUS_RESULT("as", applied),
                            method<&BusObjects::check_reload>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_ARGS("h", authkeys), SD_BUS_RESULT("as", applied),
                            method<&BusObjects::reload>, SD_BUS_VTABLE_UNPRIVILEGED),
    // Root only (hb-resourced), checked in the method like ForgetGeneration.
    SD_BUS_METHOD_WITH_ARGS("HeartbeatBeacon", SD_BUS_NO_ARGS,
                            SD_BUS_RESULT("h", beacon, "t", keepalive_usec),
                            method<&BusObjects::heartbeat_beacon>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD_WITH_ARGS(
        "SendMessage", SD_BUS_ARGS("s", destination, "s", type, "a{ss}", fields),
        SD_BUS_RESULT("t", seq), method<&BusObjects::send_message>, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL_WITH_ARGS("MessageReceived",
                            SD_BUS_ARGS("s", source, "s", type, "a{ss}", fields, "t", seq), 0),
    SD_BUS_SIGNAL_WITH_ARGS("LinkChanged",
                            SD_BUS_ARGS("s", node, "s", medium, "s", old_state, "s", new_state), 0),
    SD_BUS_SIGNAL_WITH_ARGS("PeerRestarted", SD_BUS_ARGS("s", node, "t", generation), 0),
    SD_BUS_VTABLE_END};

const sd_bus_vtable link_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Node", "s", property<&Link::node>, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Medium", "s", property<&Link::medium>, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("State", "s", property<&Link::state>, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    // Per-packet counters: readable on demand, never signalled.
    SD_BUS_PROPERTY("LastHeardUSec", "t", property<&Link::last_heard_usec>, 0, 0),
    SD_BUS_PROPERTY("PacketsReceived", "t", property<&Link::packets_received>, 0, 0),
    SD_BUS_PROPERTY("PacketsSent", "t", property<&Link::packets_sent>, 0, 0),
    SD_BUS_PROPERTY("Rejected", "a{st}", property<&Link::rejected>, 0, 0), SD_BUS_VTABLE_END};

const sd_bus_vtable peer_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Name", "s", property<&Peer::name>, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("Generation", "t", property<&Peer::generation>, 0,
                    SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
    SD_BUS_PROPERTY("LastSeq", "t", property<&Peer::last_seq>, 0, 0), SD_BUS_VTABLE_END};

}  // namespace

State initial_state(const config::Config& config) {
  State s;
  s.local_node = config.local_node;
  for (const auto& node : config.ha_cf.nodes) {
    if (node == config.local_node) continue;
    Peer p;
    p.name = node;
    p.path = dbus::object_path(names::peer_prefix, node);
    s.peers.push_back(std::move(p));
    for (const auto& m : config.ha_cf.media) {
      Link l;
      l.node = node;
      l.medium = m.interface;
      l.path = dbus::object_path(names::link_prefix, node + "/" + m.interface);
      bool seen = false;
      for (const Link& other : s.links) seen = seen || other.path == l.path;
      if (!seen) s.links.push_back(std::move(l));  // e.g. two ucast lines on one interface
    }
  }
  return s;
}

bool reserved_field(const std::string& name) {
  static const char* const reserved[] = {"t",  "src", "srcuuid", "seq",      "hg",   "ts",
                                         "ld", "ttl", "dest",    "destuuid", "auth", "dt"};
  for (const char* r : reserved)
    if (name == r) return true;
  return false;
}

BusObjects::BusObjects(dbus::Bus& bus, State& state, SendHandler send, ForgetHandler forget,
                       ReloadHandler reload, BeaconHandler beacon)
    : bus_(bus),
      state_(state),
      send_(std::move(send)),
      forget_(std::move(forget)),
      reload_(std::move(reload)),
      beacon_(std::move(beacon)) {
  slots_.push_back(bus.add_object_vtable(names::root, names::manager, manager_vtable, this));
  for (Link& l : state.links)
    link_slots_[l.path] = bus.add_object_vtable(l.path, names::link, link_vtable, &l);
  for (Peer& p : state.peers)
    slots_.push_back(bus.add_object_vtable(p.path, names::peer, peer_vtable, &p));
}

dbus::Message BusObjects::send_message(dbus::Message& call) {
  dbus::require_root_or_daemon_user(call);
  auto destination = call.read<std::string>();
  auto type = call.read<std::string>();
  // hacluster (ipfaild, and whatever else runs as that user: respawned programs) may send only
  // ipfail's messages, never a hand-over, t=shutdone or hb_takeover (hb-resourced's, as root).
  if (dbus::sender_uid(call) != 0 && !ipfail::is_ipfail_message(type))
    throw dbus::Error(SD_BUS_ERROR_ACCESS_DENIED, "only root may send t=" + type + "; " +
                                                      dbus::names::daemon_user +
                                                      " may send ipfail's messages only");
  auto fields = call.read<std::map<std::string, std::string>>();
  if (type.empty()) throw dbus::Error(SD_BUS_ERROR_INVALID_ARGS, "message type is empty");
  if (!proto::valid_field_name(type) || type.find('\n') != std::string::npos)
    throw dbus::Error(SD_BUS_ERROR_INVALID_ARGS, "message type is not printable ASCII");
  if (type == proto::msgtype::status || proto::is_unsequenced_type(type))
    throw dbus::Error(SD_BUS_ERROR_INVALID_ARGS,
                      "message type \"" + type + "\" is the link layer's own");
  if (!destination.empty()) {
    bool known = false;
    for (const Peer& p : state_.peers) known = known || p.name == destination;
    if (!known)
      throw dbus::Error(SD_BUS_ERROR_INVALID_ARGS,
                        "destination \"" + destination + "\" is not another node of ha.cf");
  }
  for (const auto& [name, value] : fields) {
    if (!proto::valid_field_name(name))
      throw dbus::Error(SD_BUS_ERROR_INVALID_ARGS, "invalid field name \"" + name + "\"");
    if (reserved_field(name))
      throw dbus::Error(SD_BUS_ERROR_INVALID_ARGS,
                        "field \"" + name + "\" is set by the link layer");
    if (value.find('\x13') != std::string::npos)
      throw dbus::Error(SD_BUS_ERROR_INVALID_ARGS,
                        "field \"" + name + "\" holds byte 0x13, which heartbeat cannot carry");
  }
  if (!send_) dbus::throw_not_supported("SendMessage");
  std::uint64_t seq = send_(destination, type, fields);
  dbus::Message reply = call.new_reply();
  reply.append(seq);
  return reply;
}

void BusObjects::message_received(const std::string& source, const std::string& type,
                                  const std::map<std::string, std::string>& fields,
                                  std::uint64_t seq) {
  auto m = bus_.new_signal(names::root, names::manager, "MessageReceived");
  m.append_all(source, type, fields, seq);
  bus_.send(m);
}

void BusObjects::link_changed(const Link& link, const std::string& old_state) {
  auto m = bus_.new_signal(names::root, names::manager, "LinkChanged");
  m.append_all(link.node, link.medium, old_state, link.state);
  bus_.send(m);
  bus_.emit_properties_changed(link.path, names::link, {"State"});
}

void BusObjects::peer_restarted(const Peer& peer) {
  auto m = bus_.new_signal(names::root, names::manager, "PeerRestarted");
  m.append_all(peer.name, peer.generation);
  bus_.send(m);
  bus_.emit_properties_changed(peer.path, names::peer, {"Generation"});
}

}  // namespace hb::linkd

namespace hb::linkd {

void BusObjects::peer_generation_changed(const Peer& peer) {
  bus_.emit_properties_changed(peer.path, names::peer, {"Generation"});
}

void BusObjects::warnings_changed() {
  bus_.emit_properties_changed(names::root, names::manager, {"Warnings"});
}

void BusObjects::configuration_changed() {
  bus_.emit_properties_changed(names::root, names::manager, {"Configuration"});
}

void BusObjects::link_added(Link& link) {
  link_slots_[link.path] = bus_.add_object_vtable(link.path, names::link, link_vtable, &link);
  bus_.emit_object_added(link.path);
}

void BusObjects::link_removed(const Link& link) {
  auto it = link_slots_.find(link.path);
  if (it == link_slots_.end()) return;
  bus_.emit_object_removed(link.path);
  link_slots_.erase(it);
}

void BusObjects::watchdog_changed() {
  bus_.emit_properties_changed(names::root, names::manager, {"Watchdog"});
}

dbus::Message BusObjects::forget_generation(dbus::Message& call) {
  dbus::require_root(call);
  auto node = call.read<std::string>();
  bool known = false;
  for (const Peer& p : state_.peers) known = known || p.name == node;
  if (!known)
    throw dbus::Error(SD_BUS_ERROR_INVALID_ARGS,
                      "\"" + node.substr(0, 64) + "\" is not another node of ha.cf");
  if (!forget_) dbus::throw_not_supported("ForgetGeneration");
  forget_(node);
  return call.new_reply();
}

dbus::Message BusObjects::check_reload(dbus::Message& call) {
  return answer_reload(call, false);
}

dbus::Message BusObjects::reload(dbus::Message& call) {
  return answer_reload(call, true);
}

dbus::Message BusObjects::answer_reload(dbus::Message& call, bool apply) {
  dbus::require_root(call);
  if (!reload_) dbus::throw_not_supported("Reload");
  // The descriptor stays the message's: read during the call, never kept.
  int keys_fd = -1;
  dbus::check(sd_bus_message_read_basic(call.get(), 'h', &keys_fd), "read authkeys descriptor");
  auto reply = call.new_reply();
  reply.append(reload_(apply, keys_fd));
  return reply;
}

dbus::Message BusObjects::heartbeat_beacon(dbus::Message& call) {
  dbus::require_root(call);
  if (!beacon_) dbus::throw_not_supported("HeartbeatBeacon");
  auto reply = call.new_reply();
  const Beacon b = beacon_();
  // sd-bus sends a duplicate: ours is closed whatever happens.
  const int r = sd_bus_message_append_basic(reply.get(), 'h', &b.fd);
  ::close(b.fd);
  dbus::check(r, "append heartbeat beacon");
  reply.append(b.keepalive_usec);
  return reply;
}

}  // namespace hb::linkd
