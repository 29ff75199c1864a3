// Where groups should run: the node an unowned group goes to, the target of a standby, which of
// two holders keeps a group after a partition heals, and when a group goes back to its
// preferred node (auto_failback on: offered back; legacy: asked back).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/failover/events.hpp"
#include "core/failover/handovers.hpp"
#include "core/failover/local_groups.hpp"
#include "core/failover/options.hpp"
#include "core/failover/peers.hpp"

namespace hb::failover {

// What a decision looks at: the engine's parts, read-only, at one instant.
struct Situation {
  const Options& opt;
  const Peers& peers;
  const LocalGroups& local;
  const Handovers& handovers;
  TimePoint now;
  bool may_hold;  // neither shutting down nor cut off from the peers (own hb-linkd lost)
};

class Policy {
 public:
  // Someone runs the group, is about to, or it is being handed over: not up for grabs.
  static bool claimed(const Situation& s, const std::string& key);
  // The first node of the group's succession that is live, not leaving and has not failed it.
  static std::optional<std::string> designated(const Situation& s, const Group& g);
  // Runs here, safely, and is not being handed over: it can be given away.
  static bool givable(const Situation& s, const std::string& key);
  // standby: the groups of `scope` this node can give, by the first active peer of each one's
  // succession that has not failed it. A group nobody can take stays, and is logged.
  static std::map<std::string, std::set<std::string>> standby_plan(const Situation& s, Scope scope,
                                                                   Actions& out);
  // A peer's hb_takeover: the groups of `scope` (relative to it) this node can give it.
  static std::set<std::string> requested(const Situation& s, const Peer& p, Scope scope,
                                         bool force);

  // We start `g` here: a preferred node that is up now gets it back only after its next return.
  void acquiring(const Group& g, const Peers& peers);
  // auto_failback on: the groups to offer back to each preferred node, once per its appearance.
  std::map<std::string, std::set<std::string>> give_back(const Situation& s);
  // legacy: the peers to ask for our groups back (heartbeat's ip-request), once per appearance.
  std::vector<std::string> ask_back(const Situation& s);

  // `p` said it holds groups that run here too: the one later in a group's succession lets it
  // go (`local` loses its want), logged once per episode.
  void check_split(const Options& opt, const Peer& p, LocalGroups& local, Actions& out);
  // Groups we kept in a split that `p` has now let go of (or it died): announce them again.
  void announce_if_released(const Peer& p, const LocalGroups& local, Actions& out);

  void forget(const std::string& peer);  // it left or restarted

 private:
  std::map<std::string, std::pair<std::string, unsigned>>
      failback_offered_;                          // key -> (node, epoch)
  std::map<std::string, unsigned> legacy_asked_;  // holder -> its epoch when we asked
  // Split brains we won: key -> the other holder; announce once it has let go (or died).
  std::map<std::string, std::string> reannounce_;
  std::set<std::pair<std::string, std::string>> split_seen_;  // (key, other holder) logged
};

}  // namespace hb::failover
