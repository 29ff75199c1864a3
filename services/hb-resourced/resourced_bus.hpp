// hb-resourced's D-Bus face (dbus/io.github.hbcluster.resource1.xml): the Manager at
// /io/github/hbcluster/resource1 (the admin's Standby/Takeover/MoveGroup, root only) and one
// Group object per haresources line. Tests register these vtables without the daemon.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "core/config/config.hpp"
#include "core/warnings/warnings.hpp"
#include "sys/config/reload.hpp"
#include "sys/dbus/bus.hpp"

namespace hb::resourced {

using ResourceRow = std::tuple<std::string, std::string, std::string>;  // token, unit, active_state

struct Group {
  std::string key;  // heartbeat's name for the group: its first resource token
  std::string preferred_node;
  std::string owner;              // the node running it; empty when nobody does
  std::string state = "stopped";  // stopped | starting | running | stopping | failed
  std::vector<ResourceRow> resources;
  // Takeovers of the group by this node since hb-resourced started, and the last one's duration
  // (core/failover/takeovers.hpp defines both).
  std::uint32_t takeovers = 0;
  std::uint64_t last_takeover_usec = 0;
  std::string path;
};

struct State {
  std::vector<Group> groups;
  // What puts the cluster at risk as seen from here (the Manager's Warnings property).
  hb::Warnings warnings;
  // Settings a reload accepted that are not in force yet (the Manager's PendingReload):
  // haresources and auto_failback, in force once this node holds no group.
  std::vector<std::string> pending_reload;
  // Each peer's hand-over protocol, "hb", "heartbeat" or "" (the Manager's PeerProtocols;
  // failover::Engine::peer_protocols).
  std::map<std::string, std::string> peer_protocols;
};

// haresources' groups, owned by nobody and stopped.
State initial_state(const config::Config& config);

// What the Manager's methods do, once their arguments are checked (the daemon implements it;
// without one the methods answer NotSupported).
class Commands {
 public:
  virtual ~Commands() = default;
  virtual void standby(const std::string& which) = 0;
  virtual void takeover(const std::string& which) = 0;
  virtual void move(const std::string& group, const std::string& node) = 0;
  // The admin says `node` is down: as if it had been fenced.
  virtual void confirm_fenced(const std::string& node) = 0;
  // CheckReload (apply false) and Reload: the settings hb-resourced applies (or would), or a
  // dbus::Error naming what is refused (sys/config/reload.hpp).
  virtual std::vector<std::string> reload(bool apply);
};

class BusObjects {
 public:
  BusObjects(dbus::Bus& bus, State& state, Commands* commands = nullptr);

  dbus::Message standby(dbus::Message& call);
  dbus::Message takeover(dbus::Message& call);
  dbus::Message move_group(dbus::Message& call);
  dbus::Message confirm_fenced(dbus::Message& call);
  // Root only (hbctl reload).
  dbus::Message check_reload(dbus::Message& call);
  dbus::Message reload(dbus::Message& call);

  // GroupChanged(s group, s owner, s state) + the Group's PropertiesChanged.
  void group_changed(const Group& group);
  // A resource unit's ActiveState changed: the Group's PropertiesChanged for Resources.
  void resources_changed(const Group& group);
  // The Manager's PropertiesChanged for Warnings.
  void warnings_changed();
  std::vector<std::pair<std::string, std::string>> warning_pairs() const {
    return state_.warnings.pairs();
  }
  // The Manager's PropertiesChanged for PendingReload.
  void pending_reload_changed();
  std::vector<std::string> pending_reload() const { return state_.pending_reload; }
  // The Manager's PropertiesChanged for PeerProtocols.
  void peer_protocols_changed();
  std::map<std::string, std::string> peer_protocols() const { return state_.peer_protocols; }

 private:
  const Group* find(const std::string& key) const;
  // Commands::reload, or none (NotSupported) without commands.
  sys::ReloadHandler reload_handler();
  dbus::Bus& bus_;
  State& state_;
  Commands* commands_;
  std::vector<dbus::Slot> slots_;
};

}  // namespace hb::resourced
