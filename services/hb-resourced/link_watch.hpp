// Is this node's hb-linkd sending heartbeats? hb-resourced must let go of its groups before the
// peers' deadtime runs out when it is not (docs/handover.md, "Own hb-linkd gone"), whether
// hb-linkd crashed (its bus name is gone) or hangs (stopped, wedged: the name stays).
//
// A hang is seen by pinging hb-linkd (org.freedesktop.DBus.Peer.Ping, answered by its own event
// loop, the one that sends the heartbeats) every grace/5; one that has not answered for 3/5 of
// the grace is reported hung, with the time of its last answer, so the grace counts from there
// and the release still starts at most `grace` after the last heartbeat can have left. The
// generous threshold is for loaded machines, where the bus daemon (not real-time) may be slow
// to pass the answer on. Reports only changes.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "core/failover/engine.hpp"
#include "sys/dbus/bus.hpp"

namespace hb::resourced {

class LinkWatch {
 public:
  // ok=false: gone or hung, last known to work at `since`.
  using Changed = std::function<void(bool ok, failover::TimePoint since)>;

  // `owner`: the current unique owner of io.github.hbcluster.link1 ("" = none).
  LinkWatch(boost::asio::io_context& io, dbus::Bus& bus, std::chrono::milliseconds grace,
            const std::string& owner, Changed changed);

  // The unique owner of io.github.hbcluster.link1 ("" = none), from NameOwnerChanged.
  void owner(const std::string& unique_name);

  // A new grace (deadtime changed by a reload): pinged and judged by it from the next tick.
  void set_grace(std::chrono::milliseconds grace);

 private:
  void tick();
  void ping();
  void evaluate();

  dbus::Bus& bus_;
  std::chrono::milliseconds period_, hung_after_;
  Changed changed_;
  boost::asio::steady_timer timer_;
  std::string owner_;
  failover::TimePoint last_answer_{};
  bool outstanding_ = false;
  unsigned round_ = 0;  // replies of a ping to an earlier owner are ignored
  std::optional<bool> reported_;
};

}  // namespace hb::resourced
