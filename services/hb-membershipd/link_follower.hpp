// hb-membershipd's view of hb-linkd (dbus/io.github.hbcluster.link1.xml), all asynchronous,
// through the one follower of hb's daemons (sys/dbus/follower.hpp: a forged LinkChanged or
// NameOwnerChanged must not kill a node):
//
//  * link1's LinkChanged, PeerRestarted and MessageReceived, and the Link objects a reload adds
//    and removes (InterfacesAdded/Removed), only from link1's current owner;
//  * on start and whenever link1 gets a (new) owner, a snapshot of its Link and Peer objects
//    with one GetManagedObjects, so hb-membershipd can start or restart at any time and
//    converge; hb-linkd's absence is reported once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sys/dbus/bus.hpp"
#include "sys/dbus/follower.hpp"

namespace hb::membershipd {

struct LinkSnapshot {
  struct Link {
    std::string node;
    std::string medium;
    std::string state;
    std::uint64_t last_heard_usec = 0;
  };
  struct Peer {
    std::string name;
    std::uint64_t generation = 0;
  };
  std::vector<Link> links;
  std::vector<Peer> peers;
};

// Reads a GetManagedObjects reply (a{oa{sa{sv}}}), keeping link1's Link and Peer objects.
// Throws std::system_error on a malformed reply.
LinkSnapshot parse_link_snapshot(dbus::Message& reply);

// Reads an InterfacesRemoved signal (oas): the (node, medium) of a Link object that went, or
// nothing for any other object. Throws std::system_error on a malformed signal.
std::optional<std::pair<std::string, std::string>> removed_link(dbus::Message& signal);

class LinkFollower {
 public:
  struct Handlers {
    std::function<void(const std::string& node, const std::string& medium,
                       const std::string& old_state, const std::string& new_state)>
        link_changed;
    std::function<void(const std::string& node, std::uint64_t generation)> peer_restarted;
    // A peer announced a clean shutdown (MessageReceived type "shutdone").
    std::function<void(const std::string& node)> shutdown;
    std::function<void(const LinkSnapshot& snapshot)> snapshot;
    // hb-linkd is not on the bus (at start, or it left): nothing is known any more.
    std::function<void()> absent;
    // A Link object went (InterfacesRemoved: a reload removed its medium). A Link that appears
    // (InterfacesAdded) comes as link_changed from "init".
    std::function<void(const std::string& node, const std::string& medium)> link_removed;
  };

  LinkFollower(dbus::Bus& bus, Handlers handlers);

  // True once the first snapshot was answered, failed, or found no hb-linkd.
  bool first_attempt_done() const { return first_attempt_done_; }
  const std::string& owner() const { return link1_.owner(); }

 private:
  void on_owner(const std::string& owner);
  void on_snapshot(dbus::Message& reply);

  Handlers handlers_;
  dbus::Follower link1_;
  bool first_attempt_done_ = false;
};

}  // namespace hb::membershipd
