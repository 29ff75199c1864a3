// The daemon's core: feeds what hb-linkd reports into the pure hb::membership::Tracker and makes
// every resulting change visible: the Node objects' properties (PropertiesChanged), the
// Manager's NodeChanged signal, the journal, and the STATUS= sentence.
//
// It owns no timer (hb-linkd runs warntime, deadtime and initdead); the only clock read is the
// monotonic time stamped on each input.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/membership/tracker.hpp"
#include "link_follower.hpp"
#include "membershipd_bus.hpp"

namespace hb::membershipd {

class Membership {
 public:
  // `state` and `bus` must outlive this object; `set_status` receives each new STATUS= line.
  Membership(const config::Config& config, State& state, BusObjects& bus,
             std::function<void(const std::string&)> set_status);

  void link_changed(const std::string& node, const std::string& medium,
                    const std::string& old_state, const std::string& new_state);
  // A reload of hb-linkd removed the medium: the link leaves the node's Links without counting
  // as dead (the node stays up while another link is).
  void link_removed(const std::string& node, const std::string& medium);
  void peer_restarted(const std::string& node, std::uint64_t generation);
  void shutdown(const std::string& node);
  void snapshot(const LinkSnapshot& snapshot);
  // hb-linkd is not on the bus: states are kept (a missing link layer is not a dead cluster).
  void linkd_absent();

  // Ping nodes are ipfaild's (ping_follower.hpp): a ping address's state as it says it (init, up,
  // dead) is mirrored onto the ping Node of that address and of each ping_group holding it (up
  // while any member is up). Without ipfaild every ping Node is `unknown`: nobody watches it.
  void ping_node(const std::string& address, const std::string& state);
  void ping_nodes_unwatched();
  // A reload changed ha.cf's ping or ping_group lines: the ping Nodes become `next`'s (ha.cf
  // order, after the cluster nodes). A kept one stays as it is; a new one reads as ipfaild last
  // said of its address(es), else `init` while ipfaild watches, `unknown` while it does not; a
  // removed one goes. Cluster nodes are not touched.
  void set_ping_nodes(const config::Config& next);

  // "2/2 nodes up", plus ping nodes and a note while hb-linkd is absent.
  std::string status() const;

 private:
  Node* find(const std::string& name);
  void set_link(Node& node, const std::string& medium, const std::string& new_state,
                const std::string& old_state, bool& links_changed);
  void apply(const std::optional<membership::Event>& event);
  void publish_links(Node& node);
  void update_status();
  void set_ping_state(Node& node, const std::string& state);
  // The state ipfaild's last word gives a ping Node (a ping_group: up while any member is up,
  // dead when all are); empty when ipfaild said nothing of its address(es).
  std::string mirrored_state(const Node& node) const;

  State& state_;
  BusObjects& bus_;
  std::function<void(const std::string&)> set_status_;
  membership::Tracker tracker_;
  // ping_group name -> its addresses, and each ping address's state as ipfaild last said.
  std::map<std::string, std::vector<std::string>> ping_groups_;
  std::map<std::string, std::string> ping_states_;
  bool ipfail_watching_ = false;  // ipfaild said something since it was last absent
  bool linkd_present_ = true;
  bool absent_logged_ = false;
  std::string last_status_;
};

}  // namespace hb::membershipd
