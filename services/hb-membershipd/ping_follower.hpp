// hb-membershipd's view of ipfaild (dbus/io.github.hbcluster.ipfail1.xml), the one owner of
// ping-node reachability: its PingNode states, read with one GetManagedObjects whenever ipfail1
// gets an owner and kept current by PingNodeChanged, only from ipfail1's current owner
// (sys/dbus/follower.hpp). hb-membershipd mirrors them onto its ping Node objects so every reader
// of membership1 sees the ping nodes as ipfaild does; it never pings anything itself.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "sys/dbus/bus.hpp"
#include "sys/dbus/follower.hpp"

namespace hb::membershipd {

class PingFollower {
 public:
  struct Handlers {
    // A ping address's state as ipfaild says it: init, up or dead.
    std::function<void(const std::string& address, const std::string& state)> ping_node;
    // ipfaild is not on the bus (not configured, or stopped): nobody watches the ping nodes.
    std::function<void()> absent;
  };

  PingFollower(dbus::Bus& bus, Handlers handlers);

 private:
  void on_snapshot(dbus::Message& reply);

  Handlers handlers_;
  dbus::Follower ipfail1_;
};

// The PingNode objects of an ipfail1 GetManagedObjects reply: address -> state. Malformed
// entries are skipped; throws std::system_error on a malformed message.
std::map<std::string, std::string> parse_ping_snapshot(dbus::Message& reply);

}  // namespace hb::membershipd
