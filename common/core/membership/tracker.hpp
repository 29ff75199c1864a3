// Node membership for hb-membershipd: who is alive, folded from hb-linkd's link transitions.
// Pure: no clock reads, no I/O; every input carries its (steady_clock) time.
//
// Contract with hb::liveness (core/liveness/tracker.hpp):
//  * hb-linkd owns ALL timers (warntime, deadtime, the peer's `dt`, deadping, initdead before
//    first contact) and reports link transitions. This tracker owns NO timer and therefore has no
//    next_deadline(): a node dies exactly when its last link is reported dead, so detection time
//    is linkd's timer plus bus latency, and the two daemons can never disagree.
//  * Build both trackers from the same peer list (liveness::peers_from_config) so this side knows
//    every link of a node before any is reported; links it has not heard about count as `init`.
//  * hb-linkd reports a peer's generation (on_generation) BEFORE the link transition caused by
//    the same packet, so a restart after a silence is one event (dead -> up, "restarted"), not
//    two.
//
// Node states (strings via to_string, for D-Bus and the journal):
//   init  listed in ha.cf, nothing heard from it yet, and its links not yet declared dead
//         (i.e. still inside initdead).
//   up    at least one link is up or late.
//   dead  every link is dead, or the node announced a clean shutdown. `ever_heard` and the
//         reason tell "never heard" (init -> dead, reason never_heard: the node is listed but
//         never spoke during initdead) apart from "was up and died" (links_dead / shutdown).
//         The resource layer needs only up vs not up; the distinction is for people.
// The local node is always `up`, incarnation 1, and ignores every input.
//
// Incarnation: how many times this node has come up as far as we know; 0 until it first does.
// It increments on every transition INTO up (init -> up, dead -> up) and on a restart seen while
// up (a new generation within deadtime): that is reported as up -> up with reason `restarted`.
// Whenever the incarnation changes, everything the previous incarnation held (resources, locks)
// is gone: the resource layer treats it as "the peer lost its resources".
//
// Clean shutdown (heartbeat's t=shutdone / st=dead): the node goes dead at once. Its links may
// still be up for a while (late packets); they do NOT bring it back. It returns only with a new
// generation (it restarted), or after all its links died and one came back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/liveness/tracker.hpp"

namespace hb::membership {

using liveness::LinkState;
using liveness::PeerKind;
using liveness::TimePoint;

enum class NodeState { init, up, dead };
std::string_view to_string(NodeState state);

// Why a node changed. Strings via to_string ("first-contact", ...), e.g. for a MESSAGE_ID choice.
enum class Reason {
  none,           // initial state of a listed node
  local,          // the local node (always up)
  first_contact,  // init -> up: first link up
  returned,       // dead -> up, same generation: a partition healed / links came back
  restarted,      // new generation: dead -> up, or up -> up (restart within deadtime)
  links_dead,     // up -> dead: the last link was declared dead
  never_heard,    // init -> dead: initdead passed without a single packet
  shutdown,       // init/up -> dead: the node announced a clean shutdown
};
std::string_view to_string(Reason reason);

struct Event {
  std::string node;
  NodeState from = NodeState::init;
  NodeState to = NodeState::init;
  std::uint64_t incarnation = 0;  // after the transition
  Reason reason = Reason::none;
  std::string medium;  // the link whose transition caused this, if one did
  TimePoint at;
};

struct Node {
  std::string name;
  PeerKind kind = PeerKind::node;
  bool local = false;
  NodeState state = NodeState::init;
  Reason reason = Reason::none;  // of the last transition
  std::uint64_t incarnation = 0;
  std::uint64_t generation = 0;  // last generation reported for it; 0 = none yet
  bool ever_heard = false;
  TimePoint since;                                       // when it entered `state`
  std::vector<std::pair<std::string, LinkState>> links;  // medium -> last reported state
};

class Tracker {
 public:
  // `peers` as given to the liveness tracker (may or may not include the local node: it is
  // always listed first, as up). Handles any number of nodes; heartbeat clusters are 2 to 32.
  Tracker(std::string_view local_node, std::span<const liveness::Peer> peers, TimePoint start);

  // A link of `node` is now in `to` (from hb-linkd). Returns the node's transition, if any.
  std::optional<Event> on_link(std::string_view node, std::string_view medium, LinkState to,
                               TimePoint now);
  std::optional<Event> on_link(const liveness::Transition& t, TimePoint now) {
    return on_link(t.peer, t.medium, t.to, now);
  }

  // A link of `node` is gone (its medium removed by a reload): not a failure. The node changes
  // only when what remains says so: dead when every remaining link is dead (it was up on the
  // removed one alone), never while another link is alive.
  std::optional<Event> on_link_removed(std::string_view node, std::string_view medium,
                                       TimePoint now);

  // The node's heartbeat generation (`hg`), as accepted by hb-linkd's replay check. A larger one
  // than before means it restarted. 0 and older/equal values change nothing.
  std::optional<Event> on_generation(std::string_view node, std::uint64_t generation,
                                     TimePoint now);

  // hb-linkd says the node restarted (it had heard an older run: its PeerRestarted signal). A
  // restart even when this tracker never learned the older generation: hb-membershipd may have
  // read hb-linkd's peers before the node was first heard, and the first generation is not
  // signalled. Without this, a node that announced shutdown and came back at once stayed dead
  // here while it served, and its later power loss changed nothing: no takeover.
  std::optional<Event> on_restart(std::string_view node, std::uint64_t generation, TimePoint now);

  // The node announced a clean shutdown: dead at once, no waiting for deadtime.
  std::optional<Event> on_shutdown(std::string_view node, TimePoint now);

  const std::vector<Node>& nodes() const { return nodes_; }
  const Node* find(std::string_view node) const;
  std::size_t count(NodeState state) const;
  // No node is `init` any more: each was heard or declared dead (heartbeat's "comm up", after
  // which a node started alone may take its resources). Same answer as liveness::comm_up().
  bool comm_up() const;

 private:
  struct Extra {
    std::uint64_t generation_at_down = 0;
    bool shutdown_hold = false;  // dead by announcement, links may still be up
  };

  Node* find_mut(std::string_view node, Extra** extra);
  std::optional<Event> generation_changed(std::string_view node, std::uint64_t generation,
                                          TimePoint now, bool known_restart);
  Event transition(Node& n, NodeState to, Reason reason, std::string_view medium, TimePoint now);

  std::vector<Node> nodes_;
  std::vector<Extra> extra_;  // parallel to nodes_
};

}  // namespace hb::membership
