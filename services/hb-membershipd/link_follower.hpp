// hb-membershipd's view of hb-linkd (dbus/io.github.hbcluster.link1.xml), all asynchronous:
//
//  * subscribes to link1's LinkChanged, PeerRestarted and MessageReceived, and to
//    NameOwnerChanged for io.github.hbcluster.link1;
//  * on start and whenever link1 gets a (new) owner, snapshots its Link and Peer objects with one
//    GetManagedObjects, so hb-membershipd can start or restart at any time and converge;
//  * accepts signals only from the current owner of io.github.hbcluster.link1: any bus client
//    may emit a signal with link1's path and interface, and a forged LinkChanged must not kill
//    a node.
//
// The D-Bus daemon delivers link1's signals and its reply to GetManagedObjects in the order
// link1 sent them, and the match is in place before the call goes out, so applying both as they
// arrive never goes back in time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sys/dbus/bus.hpp"

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
  };

  LinkFollower(dbus::Bus& bus, Handlers handlers);

  // True once the first snapshot was answered, failed, or found no hb-linkd.
  bool first_attempt_done() const { return first_attempt_done_; }
  const std::string& owner() const { return owner_; }

 private:
  void on_signal(dbus::Message& m);
  void on_owner_changed(dbus::Message& m);
  void owner_is(const std::string& owner);
  void request_snapshot();

  dbus::Bus& bus_;
  Handlers handlers_;
  std::string owner_;  // unique name of link1's owner; empty while absent
  std::uint64_t snapshot_round_ = 0;
  bool first_attempt_done_ = false;
  std::vector<dbus::Slot> matches_;
  dbus::Slot owner_call_;
  dbus::Slot snapshot_call_;
};

}  // namespace hb::membershipd
