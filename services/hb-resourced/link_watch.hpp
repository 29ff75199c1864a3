// Is this node's hb-linkd sending heartbeats? hb-resourced must let go of its groups before the
// peers' deadtime runs out when it is not (docs/handover.md, "Own hb-linkd gone or hung"),
// whether hb-linkd crashed (its bus name is gone) or hangs (stopped, wedged: the name stays).
//
// A hang is read from hb-linkd's heartbeat beacon (sys/heartbeat_beacon.hpp): asked for once per
// owner of io.github.hbcluster.link1 (link1.Manager.HeartbeatBeacon), then read from memory
// every grace/5. It says when the heartbeats last left, so neither a slow bus daemon nor this
// process being late (neither is real-time) can make a working hb-linkd look hung, and `since`
// is exact. An hb-linkd without the method (an older one during an upgrade) is pinged instead
// (org.freedesktop.DBus.Peer.Ping, answered by the event loop that sends the heartbeats), as
// before the beacon: hung after 3/5 of the grace without an answer, `since` its last answer.
// Either way the grace counts from `since`, so the release starts at most `grace` after the last
// heartbeat can have left. Reports only changes.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/failover/engine.hpp"
#include "sys/dbus/bus.hpp"
#include "sys/heartbeat_beacon.hpp"

namespace hb::resourced {

class LinkWatch {
 public:
  // ok=false: gone or hung, last known to work at `since`.
  using Changed = std::function<void(bool ok, failover::TimePoint since)>;

  // `owner`: the current unique owner of io.github.hbcluster.link1 ("" = none). `keepalive`:
  // ha.cf's, until hb-linkd says which is in force.
  LinkWatch(boost::asio::io_context& io, dbus::Bus& bus, std::chrono::milliseconds grace,
            std::chrono::milliseconds keepalive, const std::string& owner, Changed changed);

  // The unique owner of io.github.hbcluster.link1 ("" = none), from NameOwnerChanged.
  void owner(const std::string& unique_name);

  // New timings (a reload): judged by them from the next tick.
  void set_timing(std::chrono::milliseconds grace, std::chrono::milliseconds keepalive);

 private:
  // How the current owner is watched.
  enum class Mode {
    asking,   // HeartbeatBeacon asked for (again after a timeout); judged like a ping meanwhile
    beacon,   // reading the beacon
    pinging,  // the fallback: it has no beacon to give
  };

  void tick();
  void ask_beacon();
  void on_beacon(dbus::Message& reply);
  // Sends `call` to the owner, bounded like a ping; `answered` sees the reply (or the timeout's
  // error) unless the owner changed meanwhile, then the state is judged again.
  void ask(dbus::Message call, std::function<void(dbus::Message&)> answered);
  void ping();
  void evaluate();

  dbus::Bus& bus_;
  std::chrono::milliseconds grace_, keepalive_;
  Changed changed_;
  boost::asio::steady_timer timer_;
  std::string owner_;
  Mode mode_ = Mode::asking;
  std::optional<sys::BeaconReader> beacon_;
  failover::TimePoint owner_since_{};  // when this owner appeared: a floor for the beacon's time
  failover::TimePoint last_answer_{};  // asking and pinging: its last answer on the bus
  bool outstanding_ = false;
  unsigned round_ = 0;  // replies of a call to an earlier owner are ignored
  std::optional<bool> reported_;
};

}  // namespace hb::resourced
