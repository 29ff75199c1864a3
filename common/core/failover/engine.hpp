// Which node runs each resource group, and the hand-over protocol between the hb-resourced of
// each node: a pure state machine (no I/O, no clock reads). The daemon feeds it membership
// changes, received messages, results of its own start/stop jobs, admin commands and time, and
// executes the actions it returns, in order. It arms one timer at next_deadline() and calls
// advance() when it fires.
//
// Rules (docs/handover.md has the messages and sequence diagrams):
//  * A node starts a group only when every live peer has told it what it holds (t=starting or
//    t=resource since that peer's current incarnation), no live peer holds the group, and no
//    hand-over of it to another live node is under way. A peer that restarted holds nothing.
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
#include <variant>
#include <vector>

#include "core/failover/message.hpp"
#include "core/failover/options.hpp"

namespace hb::failover {

// --- inputs -------------------------------------------------------------------------------

enum class NodeChange {
  up,             // heard (first contact, or back after being declared dead: partition heal)
  dead,           // declared dead (deadtime, or initdead before first contact)
  restarted,      // came back with a new incarnation: it holds nothing
  clean_shutdown  // announced its shutdown: it holds nothing
};
std::string_view to_string(NodeChange change);

enum class Result { started, start_failed, stopped, stop_failed };
std::string_view to_string(Result result);

// Which groups a standby/takeover is about, as heartbeat's hb_standby/hb_takeover argument.
// local = groups preferring the node that issues the command; foreign = the others;
// failback = foreign.
enum class Scope { all, local, foreign, failback };
std::string_view to_string(Scope scope);
std::optional<Scope> parse_scope(std::string_view text);

// --- outputs ------------------------------------------------------------------------------

enum class GroupState { stopped, starting, running, stopping, failed };
std::string_view to_string(GroupState state);

struct StartGroup {
  std::string key;
  bool operator==(const StartGroup&) const = default;
};
struct StopGroup {
  std::string key;
  bool operator==(const StopGroup&) const = default;
};
struct Send {
  Message message;
  bool operator==(const Send&) const = default;
};

enum class LogKind {
  acquire,          // starting a group here (fields: HB_GROUP, HB_REASON)
  acquired,         // a group runs here (HB_GROUP, HB_DURATION_MS)
  release,          // stopping a group here (HB_GROUP, HB_REASON)
  released,         // a group stopped here (HB_GROUP, HB_DURATION_MS)
  start_failed,     // (HB_GROUP)
  stop_failed,      // (HB_GROUP): the group may still be active; nobody else takes it
  initial_done,     // "Initial resource acquisition complete"
  standby_request,  // a hand-over offered or asked for (HB_NODE, HB_GROUPS)
  standby_done,     // "Standby resource acquisition done"
  standby_cancelled,
  refused,  // a command or request not carried out (HB_REASON)
  peer_dead,
  peer_returned,  // "Cluster node X returning after partition"
  split_brain,    // two holders found (HB_GROUP, HB_NODE)
  shutdown_begin,
  shutdown_complete,
  daemons_lost,  // own hb-linkd/hb-membershipd gone past the grace: releasing
  daemons_back,
  waiting,  // a live peer has not said what it holds yet
};
std::string_view to_string(LogKind kind);

struct LogEvent {
  LogKind kind = LogKind::acquire;
  std::string text;
  std::map<std::string, std::string> fields;  // journal fields (HB_GROUP, HB_NODE, ...)
};

// How a group looks from this node: its state and owner ("" = none). Emitted on change.
struct GroupView {
  std::string key;
  GroupState state = GroupState::stopped;
  std::string owner;
  bool operator==(const GroupView&) const = default;
};

// Tell the network again that this node has the group's addresses (gratuitous ARP): after a
// healed split brain, when the other holder has let go, clients and switches may still send to
// its MAC address, which the other holder's own announcements taught them.
struct Announce {
  std::string key;
  bool operator==(const Announce&) const = default;
};

using Action = std::variant<StartGroup, StopGroup, Send, LogEvent, GroupView, Announce>;
using Actions = std::vector<Action>;

// --- the machine ---------------------------------------------------------------------------

class Engine {
 public:
  Engine(Options options, TimePoint start);

  // First call: announces this node (t=starting) and adopts Options::adopted.
  Actions start(TimePoint now);

  Actions on_node(const std::string& node, NodeChange change, TimePoint now);
  Actions on_message(const std::string& from, const Message& message, TimePoint now);
  Actions on_result(const std::string& key, Result result, TimePoint now);

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

  Actions advance(TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  // Queries, for D-Bus properties and tests.
  GroupView view(const std::string& key) const;
  std::vector<GroupView> views() const;
  std::set<std::string> held() const;  // groups starting, running or stopping here
  bool stable() const;

 private:
  enum class PeerStatus { unknown, up, dead, gone };
  struct Peer {
    std::string name;
    PeerStatus status = PeerStatus::unknown;
    bool answered = false;  // told us what it holds since its current incarnation
    bool leaving = false;   // announced info=shutdown
    bool stable = false;
    unsigned epoch = 0;  // bumped on each (re)appearance: failback happens once per epoch
    std::set<std::string> held, incoming, failed;
    std::string unable;  // its hb_unable codes: why it cannot take over ("" = it can)
    bool asked = false;  // we sent it hb_ask=1 and wait for its t=resource
    TimePoint asked_at{};
  };
  struct Local {
    GroupState state = GroupState::stopped;
    bool want = false;     // should run here
    bool failed = false;   // a start failed here: not a candidate until cleared
    bool unsafe = false;   // a stop failed: may still be active
    bool cleanup = false;  // stopping after a failed start
    std::string reason;
    TimePoint since{};
  };
  struct Handover {
    std::string peer;  // outgoing: the taker; incoming: the giver
    std::set<std::string> keys;
    Scope scope = Scope::all;
    bool force = false;
    bool releasing = false;  // outgoing: taker said info=other, stopping
    TimePoint deadline{};
  };

  std::string canon(std::string_view node) const;
  const Group* group(const std::string& key) const;
  Peer* peer(const std::string& name);
  bool live(const std::string& node) const;
  bool failed_on(const std::string& node, const std::string& key) const;
  bool all_answered() const;
  bool in_scope(Scope scope, const std::string& relative_to, const std::string& key) const;
  bool busy(const std::string& key) const;
  bool held_here(const std::string& key) const;
  bool claimed(const std::string& key) const;
  bool peer_holds(const std::string& key) const;
  std::optional<std::string> designated(const std::string& key) const;
  std::optional<std::string> standby_target(const std::string& key) const;

  void send(Actions& out, Message m);
  Message state_message(const std::string& dest, const std::string& info) const;
  // Our t=resource to `dest`, asking for its own in return (hb_ask=1).
  Message state_request(const std::string& dest) const;
  // Sends it and notes when: unanswered, it is sent again every ask_interval().
  void ask(Actions& out, Peer& p);
  Millis ask_interval() const;
  void log(Actions& out, LogKind kind, std::string text,
           std::map<std::string, std::string> fields = {});
  void offer(Actions& out, const std::string& taker, std::set<std::string> keys, Scope scope,
             bool force);
  void forget_state(Peer& p);  // what it holds, promised, failed: to be told again
  void forget_peer(Peer& p);   // that, and every hand-over with it (it left or restarted)
  void peer_state(Actions& out, Peer& p, const Message& m);
  void announce_if_released(Actions& out, const Peer& p);
  void clear_failure(const std::string& key);

  void on_ask_resources(Actions& out, Peer& p, const Message& m);
  void reconcile(Actions& out);

  Options opt_;
  TimePoint start_;
  TimePoint now_;
  bool started_ = false;
  std::map<std::string, Peer> peers_;
  std::map<std::string, Local> local_;
  std::vector<Handover> outgoing_, incoming_;
  std::vector<Handover> acquiring_;  // handed to us (giver's done received), being started
  std::map<std::string, std::string> transit_;  // key -> node it was handed to, until it says
  std::map<std::string, std::pair<std::string, unsigned>> failback_offered_;
  std::map<std::string, unsigned> legacy_asked_;  // holder -> its epoch when we asked
  bool shutting_ = false;
  bool shutdone_sent_ = false;
  bool isolated_ = false;
  bool membership_ = true;
  std::string unable_;
  std::optional<TimePoint> lost_since_;
  bool initial_done_ = false;
  bool announced_ = false;
  std::string last_announce_;
  std::map<std::string, GroupView> last_views_;
  // Split brains we won: key -> the other holder; announce once it has let go (or died).
  std::map<std::string, std::string> reannounce_;
  std::set<std::pair<std::string, std::string>> split_seen_;  // (key, other holder) logged
  std::set<std::string> waiting_logged_;
};

}  // namespace hb::failover
