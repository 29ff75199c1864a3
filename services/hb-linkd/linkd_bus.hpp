// hb-linkd's D-Bus face (dbus/io.github.hbcluster.link1.xml): the Manager at
// /io/github/hbcluster/link1, one Link object per (peer node, medium) and one Peer object per
// peer node. hb-linkd signals link transitions and delivered cluster messages, never a bus
// message per packet. Tests register these vtables on a socketpair without the daemon.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/warnings/warnings.hpp"
#include "sys/dbus/bus.hpp"

namespace hb::linkd {

struct Link {
  std::string node;
  std::string medium;          // heartbeat's link name: the interface (eth0) or device (/dev/ttyS0)
  std::string state = "init";  // init | up | late | dead
  std::uint64_t last_heard_usec = 0;  // CLOCK_MONOTONIC; 0 = never
  std::uint64_t packets_received = 0;
  std::uint64_t packets_sent = 0;
  // reason (auth, replay, malformed, oversized, unknown-node, stale) -> count
  std::map<std::string, std::uint64_t> rejected;
  std::string path;
};

struct Peer {
  std::string name;
  std::uint64_t generation = 0;  // heartbeat's per-boot generation the peer announced
  std::uint64_t last_seq = 0;
  std::string path;
};

struct State {
  std::string local_node;
  std::uint64_t generation = 0;  // this node's generation
  // A list: each Link's bus object points at it, and a reload adds and removes links.
  std::list<Link> links;
  std::vector<Peer> peers;
  // What puts the cluster at risk as seen from here (the Manager's Warnings property):
  // weak-auth-crc-udp, crc-beside-strong-keys, generation-not-durable, and the watchdog's
  // watchdog-held-by-pid1, watchdog-held-elsewhere, watchdog-unavailable, watchdog-starving.
  hb::Warnings warnings;
  // The watchdog of ha.cf's `watchdog` line (the Manager's Watchdog property): off, waiting,
  // armed, starving, disarmed, held-by-pid1, held-elsewhere, unavailable.
  std::string watchdog = "off";
  // What is in force (the Manager's Configuration property), so a reload can be seen applied:
  // keepalive, deadtime, warntime, initdead ("100 ms", "2 s"), auth (the signing key's
  // index), keys (every index accepted) and digest (the cluster-wide configuration digest).
  std::map<std::string, std::string> configuration;
};

// One Link per peer node and medium of ha.cf, one Peer per peer node; generation 0 until the
// link layer reads its generation file.
State initial_state(const config::Config& config);

// What SendMessage does once the call is checked: sends and returns the seq.
using SendHandler =
    std::function<std::uint64_t(const std::string& destination, const std::string& type,
                                const std::map<std::string, std::string>& fields)>;

// What ForgetGeneration does once the call is checked (the node is a peer).
using ForgetHandler = std::function<void(const std::string& node)>;

// What Reload (apply true) and CheckReload do once the caller is checked: reads the files again
// and applies them (or only checks), returning the settings it changes; throws dbus::Error when
// it refuses (nothing applied then).
// `keys_fd`: authkeys as root's hbctl opened it (the call's 'h' argument), valid for the call.
using ReloadHandler = std::function<std::vector<std::string>(bool apply, int keys_fd)>;

// What HeartbeatBeacon hands out: a new read-only descriptor of the heartbeat beacon (the
// caller's to close) and the keepalive in force; throws dbus::Error or std::system_error when
// there is none.
struct Beacon {
  int fd = -1;
  std::uint64_t keepalive_usec = 0;
};
using BeaconHandler = std::function<Beacon()>;

// Field names SendMessage refuses: the ones the link layer itself writes.
bool reserved_field(const std::string& name);

class BusObjects {
 public:
  // Without a send handler SendMessage answers NotSupported (the interface tests).
  BusObjects(dbus::Bus& bus, State& state, SendHandler send = {}, ForgetHandler forget = {},
             ReloadHandler reload = {}, BeaconHandler beacon = {});

  // Manager.SendMessage: internal (hb-resourced's hand-over, hb-membershipd's announcements).
  dbus::Message send_message(dbus::Message& call);
  // Manager.ForgetGeneration: root only (hbctl forget-generation).
  dbus::Message forget_generation(dbus::Message& call);
  // Manager.CheckReload and Manager.Reload: root only (hbctl reload).
  dbus::Message check_reload(dbus::Message& call);
  dbus::Message reload(dbus::Message& call);
  // Manager.HeartbeatBeacon: root only (hb-resourced's hang check).
  dbus::Message heartbeat_beacon(dbus::Message& call);

  void message_received(const std::string& source, const std::string& type,
                        const std::map<std::string, std::string>& fields, std::uint64_t seq);
  void link_changed(const Link& link, const std::string& old_state);
  void peer_restarted(const Peer& peer);
  // First contact: the Generation property changes without a restart.
  void peer_generation_changed(const Peer& peer);
  // After a change of state.warnings.
  void warnings_changed();
  // After a change of state.watchdog.
  void watchdog_changed();
  // After a change of state.configuration (a reload).
  void configuration_changed();
  // A reload added `link` to state.links: its object is published (InterfacesAdded).
  void link_added(Link& link);
  // A reload is about to erase `link` from state.links: its object goes (InterfacesRemoved)
  // before the memory it points at.
  void link_removed(const Link& link);

  // The Manager's properties (its userdata is this object, for SendMessage).
  std::string local_node() const { return state_.local_node; }
  std::uint64_t generation() const { return state_.generation; }
  std::string watchdog() const { return state_.watchdog; }
  std::map<std::string, std::string> configuration() const { return state_.configuration; }
  std::vector<std::pair<std::string, std::string>> warning_pairs() const {
    return state_.warnings.pairs();
  }

 private:
  dbus::Bus& bus_;
  State& state_;
  SendHandler send_;
  ForgetHandler forget_;
  dbus::Message answer_reload(dbus::Message& call, bool apply);
  ReloadHandler reload_;
  BeaconHandler beacon_;
  std::vector<dbus::Slot> slots_;
  std::map<std::string, dbus::Slot> link_slots_;  // by object path
};

}  // namespace hb::linkd
