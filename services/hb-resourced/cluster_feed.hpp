// hb-resourced's view of the cluster: follows hb-membershipd (its nodes' states and the Reason
// of each change) and hb-linkd (cluster messages in, SendMessage out), and hands hb-resourced
// plain events: a peer up, dead, restarted or shut down, a hand-over message, a source that
// appeared or vanished, whether node deaths reach this node.
//
// Both are followed through hb::dbus::Follower (sys/dbus/follower.hpp): only their current
// owners are believed, so a local user's forged NodeChanged cannot make this node take over.
// At every new owner of hb-membershipd its nodes are read (GetManagedObjects); after that,
// NodeChanged reports each change, with the Node's Reason sent just before it (a
// PropertiesChanged). The Reason says what the change means to the groups:
//
//   up,   restarted            a new run of the peer (new generation): it is asked what it
//                              holds, even when it was up all along (a restart within deadtime)
//   up,   anything else        first contact, or back from a partition: it may still hold groups
//   dead, shutdown             it said goodbye (t=shutdone) after letting go of its groups
//   dead, anything else        links-dead, never-heard: its groups are taken over
//
// A Reason that is missing or unknown is a plain state change, never a guess.
//
// Events are held until open(): hb-resourced reads its units before it runs the engine, and
// the cluster's news of that time must reach the engine in order, not be lost.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/failover/engine.hpp"
#include "sys/dbus/follower.hpp"

namespace hb::resourced {

// The two daemons this node's cluster view comes from.
enum class Source { membership, link };

// What hb-membershipd says of a peer, as the engine takes it.
struct NodeNews {
  std::string node;
  failover::NodeChange change = failover::NodeChange::up;
  std::string reason;  // hb-membershipd's Reason, "" when it gave none
};

class ClusterFeed {
 public:
  struct Events {
    std::function<void(const NodeNews& news)> node;
    // A cluster message from a peer, without the transport's own fields.
    std::function<void(const std::string& from, const failover::Message& message)> message;
    // The source's bus name has a new owner, or none ("").
    std::function<void(Source source, const std::string& owner)> source;
    // Whether hb-membershipd's nodes are read since it (last) appeared, so that node deaths
    // reach this node. Said again when a read failed.
    std::function<void(bool known)> membership;
    // A message handed to hb-linkd was taken, or refused.
    std::function<void()> sent;
  };

  ClusterFeed(dbus::Bus& bus, const config::Config& config, Events events);
  ClusterFeed(const ClusterFeed&) = delete;
  ClusterFeed& operator=(const ClusterFeed&) = delete;

  // Follows both daemons; what they say is held until open().
  void start();
  // Hands over what was held, then each event as it comes.
  void open();

  // To the peers through hb-linkd (link1.Manager.SendMessage); `dest` "" = every node.
  void send(const failover::Message& message);
  // Messages handed to hb-linkd that it has not taken yet.
  bool sending() const { return pending_sends_ > 0; }

  // Whether membership last said `node` is up (not dead, and it has not said goodbye).
  bool node_up(const std::string& node) const;
  // hb-linkd's current unique name ("" = none, or not known yet).
  const std::string& link_owner() const { return link1_.owner(); }
  // Known to be missing: nobody owns the name, or (hb-membershipd) its nodes could not be read.
  // Not while the first lookups are on their way.
  bool membership_missing() const;
  bool link_missing() const;

 private:
  enum class Known { unknown, up, dead, gone };  // gone: it said goodbye (t=shutdone)

  void deliver(std::function<void()> event);
  void on_membership_owner(const std::string& owner);
  void on_snapshot(dbus::Message& reply);
  void read_nodes(dbus::Message& reply);
  void on_reason(dbus::Message& changed);
  void on_node_changed(dbus::Message& signal);
  void on_node(const std::string& node, const std::string& state, const std::string& reason,
               bool fresh);
  void on_message(dbus::Message& signal);
  bool is_peer(const std::string& node) const;

  dbus::Bus& bus_;
  const config::Config& config_;
  Events events_;
  dbus::Follower membership1_, link1_;
  bool open_ = false;
  std::vector<std::function<void()>> held_;
  std::map<std::string, Known> known_;
  // The Reason of each node's change under way: set by its PropertiesChanged, taken by the
  // NodeChanged that follows.
  std::map<std::string, std::string> reason_;
  bool membership_read_failed_ = false;  // its owner did not answer GetManagedObjects
  int pending_sends_ = 0;
};

}  // namespace hb::resourced
