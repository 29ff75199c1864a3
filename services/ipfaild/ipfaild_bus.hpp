// ipfaild's D-Bus face (dbus/io.github.hbcluster.ipfail1.xml): the Manager at
// /io/github/hbcluster/ipfail1 with how many ping nodes each side reaches, and one PingNode
// object per ha.cf ping address. Tests register these vtables without the daemon.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/warnings/warnings.hpp"
#include "sys/config/reload.hpp"
#include "sys/dbus/bus.hpp"
#include "sys/dbus/object_list.hpp"

namespace hb::ipfaild {

struct PingNode {
  std::string address;
  std::string state = "init";  // init (no answer yet) | up | dead
  std::string path;
};

struct State {
  std::uint32_t local_count = 0;  // ping nodes this node reaches
  std::uint32_t peer_count = 0;   // ping nodes the peer reported reaching
  // What puts the cluster at risk as ipfaild sees it (the Manager's Warnings property).
  hb::Warnings warnings;
  std::vector<std::pair<std::string, std::string>> warning_pairs() const {
    return warnings.pairs();
  }
  std::vector<PingNode> ping_nodes;
};

// Every `ping` address and every member of every `ping_group`, none reached yet.
State initial_state(const config::Config& config);

// CheckReload (apply false) and Reload (apply true), once the caller is checked: the settings
// ipfaild applies (or would), or a dbus::Error naming what is refused (sys/config/reload.hpp).
using ReloadHandler = sys::ReloadHandler;

class BusObjects {
 public:
  BusObjects(dbus::Bus& bus, State& state, ReloadHandler reload = {});

  std::uint32_t local_count() const { return state_.local_count; }
  std::uint32_t peer_count() const { return state_.peer_count; }
  std::vector<std::pair<std::string, std::string>> warning_pairs() const {
    return state_.warning_pairs();
  }
  // Manager.CheckReload and Manager.Reload: root only (hbctl reload).
  dbus::Message check_reload(dbus::Message& call);
  dbus::Message reload(dbus::Message& call);

  // PingNodeChanged(s address, s state) + PropertiesChanged on the node and the counts.
  void ping_node_changed(const PingNode& node);
  // The Manager's PropertiesChanged for Warnings.
  void warnings_changed();
  // A reload changed the ping nodes: `next` becomes state.ping_nodes. A node no longer there
  // loses its object (InterfacesRemoved), a new one gets one (InterfacesAdded); the others stay
  // as they are, without a signal.
  void set_ping_nodes(std::vector<PingNode> next);

 private:
  dbus::Bus& bus_;
  State& state_;
  ReloadHandler reload_;
  std::vector<dbus::Slot> slots_;
  dbus::ObjectList<PingNode> ping_objects_;  // one per state_.ping_nodes, which they point into
};

}  // namespace hb::ipfaild
