// Which node runs each resource group, and the hand-over protocol between the hb-resourced of
// each node: a pure state machine (no I/O, no clock reads). The daemon feeds it membership
// changes, received messages, results of its own start/stop jobs, admin commands and time, and
// executes the actions it returns, in order. It arms one timer at next_deadline() and calls
// advance() when it fires.
//
// Rules (docs/handover.md has the messages and sequence diagrams):
//  * A node starts a group only when every live peer has told it what it holds (t=starting or
//    t=resource since that peer's current incarnation), no live peer holds the group, and no
//    hand-over of it to another live node is under way: a live peer that says the group is
//    promised to it (hb_incoming) is one, even when this node forgot that hand-over (it wrote
//    the peer off meanwhile). A peer that restarted holds nothing.
//  * A group nobody holds or is being handed goes to the first node of its succession
//    (placement.hpp) that is live, not shutting down and has not failed to start it. Before
//    initdead a peer never heard from counts as live, so the preferred node waits for it only
//    until it answers or initdead passes.
//  * Every change of ownership between live nodes is a hand-over (t=ask_resources me/other/done):
//    the holder stops the group first, then tells the taker, which starts it. Clean stop: the
//    holder stops everything, then sends t=shutdone; the others take over at once.
//  * auto_failback on: a holder gives a group back to its preferred node once per incarnation
//    of that node, when it is up and stable. legacy: the returning preferred node asks for its
//    groups (t=hb_takeover rsc_hold=local), as heartbeat's ip-request; standby/takeover commands
//    are refused, as in heartbeat. off: groups stay where they are.
//  * Two nodes found holding one group (a healed partition): the one later in the group's
//    succession stops it; the other keeps it running.
//  * A start that fails: the group is stopped again, marked failed here, and the next node
//    takes it. A stop that fails leaves the group held (failed, "unsafe"): nobody else may start
//    it while this node lives.
//  * Own hb-linkd gone or hung for `daemon_grace` (this node's heartbeats stopped, so the peers
//    will declare it dead after deadtime and take its groups): stop every group (no messages:
//    they cannot be sent), then behave as a fresh start once it is back.
//  * Fencing configured (fencing.hpp): a peer declared dead without a clean shutdown is fenced
//    before anything starts here (groups it may run show `fencing`); only one survivor fences
//    it (the first live node in ha.cf order), and tells the others (t=hb_fenced). A peer never
//    heard since this engine started is never written off. A group nobody handed this node
//    starts only once every live peer has told what it holds since the group became this
//    node's (it is asked: a peer cut off but not yet declared dead may have taken the group
//    since it last spoke). So does a group handed to this node, counted from the giver's done (a
//    done held back in a partition may arrive after another node took the group). A stop that
//    fails ends in a self-fence, so that the peers may take the group over; so does a release
//    after a lost hb-linkd that has not ended when the peers are about to declare this node dead
//    (without fencing, that is logged as a likely window with two holders).
//  * Without its own hb-membershipd (set_membership(false)) the node cannot learn that a peer
//    died, nor that a peer it never heard from is dead: such a peer is not written off when
//    initdead passes, so nothing is started on a guess. The node tells its peers it cannot take
//    over (set_unable: hb_unable on t=starting/t=resource) and shows what they tell it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/failover/events.hpp"
#include "core/failover/fencing.hpp"
#include "core/failover/handovers.hpp"
#include "core/failover/local_groups.hpp"
#include "core/failover/message.hpp"
#include "core/failover/options.hpp"
#include "core/failover/peers.hpp"
#include "core/failover/policy.hpp"
#include "core/failover/reports.hpp"

namespace hb::failover {

// The coordinator: each input goes to the parts it concerns (Peers: what the peers said;
// LocalGroups: what runs here; Handovers: exchanges under way; Policy: where groups should go;
// Reports: what was already told), then the rules (reconcile) turn their state into actions.
class Engine {
 public:
  Engine(Options options, TimePoint start);

  // First call: announces this node (t=starting) and adopts Options::adopted.
  Actions start(TimePoint now);

  Actions on_node(const std::string& node, NodeChange change, TimePoint now);
  Actions on_message(const std::string& from, const Message& message, TimePoint now);
  Actions on_result(const std::string& key, Result result, TimePoint now);
  // The end of a Fence action: `ok` = the node's power is cut; `detail` = what the fence
  // device said (logged on failure).
  Actions on_fence_result(const std::string& node, bool ok, const std::string& detail,
                          TimePoint now);
  // An admin says `node` is down (powered off by hand): as if it had been fenced. Also writes
  // off a peer never heard since start, which fencing otherwise waits for.
  Actions confirm_fenced(const std::string& node, TimePoint now);

  // Admin commands. Refusals come back as a LogEvent of kind `refused`.
  Actions standby(Scope scope, TimePoint now);
  Actions takeover(Scope scope, TimePoint now);
  Actions move(const std::string& key, const std::string& node, TimePoint now);

  // hb is stopping on this node: give everything away. shutdown_complete() turns true once
  // every group is stopped and t=shutdone was sent; then the daemon may exit.
  Actions shutdown(TimePoint now);
  bool shutdown_complete() const { return shutdone_sent_; }

  // Health of this node's hb-linkd (false = gone or hung: no heartbeats leave this node).
  // `since`: when it was last known to work, if earlier than now (a hang is noticed late); the
  // grace runs from there.
  Actions set_daemons_ok(bool ok, TimePoint now, std::optional<TimePoint> since = std::nullopt);
  Millis daemon_grace() const { return opt_.timing.daemon_grace; }
  // ha.cf's keepalive and deadtime changed by a reload (hbctl reload): every deadline from now
  // on uses them; a grace of 0 follows deadtime as at the start. The hand-over timeouts stay.
  void set_timing(Millis keepalive, Millis deadtime, Millis daemon_grace = Millis(0));

  // Whether hb-membershipd's view of the nodes reaches this engine (on_node). While it does
  // not, peers never heard from count as live after initdead too.
  Actions set_membership(bool present, TimePoint now);
  // Why this node cannot take groups over from its peers, as hb_unable's codes ("" = it can).
  // A change is told to every peer at once (t=resource).
  Actions set_unable(std::string codes, TimePoint now);
  // Live peers that said they cannot take over, with their hb_unable codes.
  std::map<std::string, std::string> peers_unable() const;
  // Live peers (up), whatever they said.
  std::vector<std::string> live_peers() const;
  // Each peer's hand-over protocol in its current incarnation: "hb" once a t=starting or
  // t=resource of it carried hb's fields, "heartbeat" once one came without them, "" before
  // either (and from its death on: it may come back as either).
  std::map<std::string, std::string> peer_protocols() const;

  Actions advance(TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  // Dead peers awaiting their fence, for Warnings and status.
  const Fencing& fencing() const { return fencing_; }

  // Queries, for D-Bus properties and tests.
  GroupView view(const std::string& key) const;
  std::vector<GroupView> views() const;
  std::set<std::string> held() const;  // groups starting, running or stopping here
  bool stable() const;

 private:
  // Every input: note the time, let `body` act, then apply the rules unless it returns false.
  template <class Body>
  Actions step(TimePoint now, Body&& body);
  Situation situation() const;
  bool may_hold() const { return !shutting_ && !isolated_; }
  const Group* group(const std::string& key) const { return find_group(opt_.groups, key); }
  // Standby and takeover: refused (and said why) under legacy, as heartbeat does, and while this
  // node's own groups are in flux.
  bool command_allowed(Actions& out, const std::string& what, const std::string& name);

  void send(Actions& out, Message m);
  // Our t=resource; `ask`: asking for the receiver's own in return (hb_ask=1).
  Message state_message(const std::string& dest, const std::string& info, bool ask = false) const;
  void ask(Actions& out, Peer& p);
  void offer(Actions& out, const std::string& taker, std::set<std::string> keys, Scope scope,
             bool force);
  void forget_peer(Peer& p);  // what it said, and every hand-over with it (it left or restarted)
  void lost(Actions& out, Peer& p, PeerStatus status);  // dead or gone
  void heard(Actions& out, Peer& p, const Message& m);  // its t=starting or t=resource
  void appear(Actions& out, Peer& p);                   // heard again: a fence not begun is off
  // `p` was declared dead without a clean shutdown: it is to be fenced before anything starts.
  void fence_later(Peer& p);
  // Whether this node fences `target` (the first live node in ha.cf order but the target).
  bool fencer_for(const std::string& target) const;
  void begin_fences(Actions& out);
  // Own hb-linkd lost: when the release must have ended, before the peers declare this node
  // dead (nullopt while hb-linkd works).
  std::optional<TimePoint> release_deadline() const;
  // The release deadline passed: what is still held here ends in a self-fence (fencing) or a
  // journal entry saying two nodes may hold it for a while.
  void release_overdue(Actions& out);
  // A self-fence, once: the node is going down, and one reason suffices.
  void self_fence(Actions& out, const std::string& reason,
                  std::map<std::string, std::string> fields);

  void reconcile(Actions& out);
  // Fencing: whether every live peer that speaks hb's fields has told us what it holds since
  // `seq` (Engine::news_); those that have not are asked (hb_ask=1). A peer cut off but not yet
  // declared dead may have taken a group since it last spoke: its old word is not enough.
  bool fresh_since(unsigned seq, Actions& out);

  Options opt_;
  TimePoint now_;
  bool started_ = false;
  Peers peers_;
  LocalGroups local_;
  Handovers handovers_;
  Policy policy_;
  Reports reports_;
  Fencing fencing_;
  std::set<std::string> waited_for_;  // peers logged as waited for (wait_for_peer)
  bool shutting_ = false;
  bool shutdone_sent_ = false;
  bool isolated_ = false;
  std::string unable_;
  std::optional<TimePoint> lost_since_;
  unsigned news_ = 0;             // counts what peers told us and what we asked them, in order
  bool release_checked_ = false;  // the release deadline of this loss of hb-linkd was acted on
  bool self_fenced_ = false;
};

// Every input: note the time, let `body` act, then apply the rules unless it returns false.
template <class Body>
Actions Engine::step(TimePoint now, Body&& body) {
  Actions out;
  now_ = now;
  if (body(out)) reconcile(out);
  return out;
}

}  // namespace hb::failover
