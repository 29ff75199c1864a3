// hb-membershipd's D-Bus face (dbus/io.github.hbcluster.membership1.xml): the Manager at
// /io/github/hbcluster/membership1 and one Node object per node. The vtables live in
// membershipd_bus.cpp; tests register them on a socketpair without running the daemon.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/warnings/warnings.hpp"
#include "sys/config/reload.hpp"
#include "sys/dbus/bus.hpp"
#include "sys/dbus/object_list.hpp"

namespace hb::membershipd {

struct Node {
  std::string name;
  std::string type;   // normal | ping
  std::string state;  // init | up | dead (membership's verdict)
  std::uint64_t incarnation = 0;
  // Why the state last changed (membership::Reason as a string: first-contact, returned,
  // restarted, links-dead, never-heard, shutdown; none before any change, local for this node).
  std::string reason = "none";
  // CLOCK_MONOTONIC; 0 = never. hb-linkd signals no packet, so this is the freshest time known
  // from its snapshots (Link.LastHeardUSec) and link-up transitions: a lower bound.
  std::uint64_t last_heard_usec = 0;
  std::map<std::string, std::string> links;  // medium -> link state
  std::string path;
};

struct State {
  std::string local_node;
  std::vector<Node> nodes;
  // What puts the cluster at risk as seen from here (the Manager's Warnings property).
  hb::Warnings warnings;
  std::vector<std::string> node_names() const;
  std::vector<std::pair<std::string, std::string>> warning_pairs() const {
    return warnings.pairs();
  }
};

// The nodes of ha.cf (type normal) and its ping nodes and ping groups (type ping), all "init".
State initial_state(const config::Config& config);

// CheckReload (apply false) and Reload (apply true), once the caller is checked: the settings
// hb-membershipd applies (or would), or a dbus::Error naming what is refused
// (sys/config/reload.hpp).
using ReloadHandler = sys::ReloadHandler;

class BusObjects {
 public:
  // Registers the Manager and every node's object; `state` must outlive this.
  BusObjects(dbus::Bus& bus, State& state, ReloadHandler reload = {});

  std::string local_node() const { return state_.local_node; }
  std::vector<std::string> node_names() const { return state_.node_names(); }
  std::vector<std::pair<std::string, std::string>> warning_pairs() const {
    return state_.warning_pairs();
  }
  // Manager.CheckReload and Manager.Reload: root only (hbctl reload).
  dbus::Message check_reload(dbus::Message& call);
  dbus::Message reload(dbus::Message& call);

  // NodeChanged(s node, s old_state, s new_state, t incarnation) + the Node's PropertiesChanged.
  void node_changed(const Node& node, const std::string& old_state);
  // A link moved but the node did not: the Node's PropertiesChanged for Links only.
  void links_changed(const Node& node);
  // The Manager's PropertiesChanged for Warnings.
  void warnings_changed();
  // A reload changed the ping nodes: `next` becomes state.nodes. A node no longer listed loses
  // its object (InterfacesRemoved), a new one gets one (InterfacesAdded), and the Manager's
  // Nodes says the new list (PropertiesChanged); kept nodes stay as they are, without a signal.
  void set_nodes(std::vector<Node> next);

 private:
  dbus::Bus& bus_;
  State& state_;
  ReloadHandler reload_;
  std::vector<dbus::Slot> slots_;
  dbus::ObjectList<Node> node_objects_;  // one per state_.nodes, which they point into
};

}  // namespace hb::membershipd
