// heartbeat's ipfail decision (HB30 contrib/ipfail), pure: which node should hold the resources
// when the two nodes reach different numbers of ping nodes. Time is passed in; the daemon feeds
// events and carries out the returned actions (link1 messages, resource1 Standby, journal lines).
//
// The rules, as heartbeat's ipfail:
//  * each side tells the other how many ping nodes (or ping groups) it reaches:
//    t=num_ping_nodes num_ping=N;
//  * the side that reaches fewer than its (up) peer gives all its resources up (standby all);
//  * the side that reaches more answers the peer's count with t=you_are_dead;
//  * equal counts move nothing: t=abort_giveup, and any pending give-up is cancelled;
//  * when counts become equal again after they differed and auto_failback is on, each side gives
//    back its foreign groups (standby foreign; a no-op on the side that holds none), so the
//    group returns to its preferred node as auto_failback would.
//
// No flapping: a new local count counts only once it held for `settle` (heartbeat waits
// 2 × keepalive before giving up, delay_giveup); the give-up itself waits `settle` more, so the
// peer's own loss, if it has one, arrives first and turns the give-up into a tie.
//
// Counts compare only over the same ping nodes. `hbctl reload` reaches the two nodes one after
// the other, so for a while one may count over 1 ping node and the other over 2: comparing
// those would make the node with the shorter list give its groups away because of a reload, not
// because it lost its network. So each count message also carries the sender's ping set
// (field_ping_set, ping_set.hpp); while the peer's set differs from ours every decision is held
// (a pending give-up is cancelled, none is scheduled), and after our own set changed our count
// starts over: nothing is compared until a count of the new set has settled. A peer that sends
// no set (heartbeat's ipfail) is compared as before.
//
// A peer running heartbeat 3.0.6's ipfail (contrib/ipfail/ipfail.c) differs in three ways, and
// the engine meets each (docs/handover.md, "ipfail between hb and heartbeat"):
//  * it sends its count only when it signs on (a t=apiclistat join that hb's ipfaild never
//    sends), when a ping node comes up or any link goes dead, and it never answers a count with
//    its own: it compares ours with its own and answers you_are_dead or abort_giveup, or gives up
//    itself. So its sign-on is answered with our count (peer_ipfail_joined), as its own ipfail
//    would, or the count we sent before it listened is never compared;
//  * its count is its ping nodes' state now, unsettled, sent the moment a ping node's link goes
//    dead;
//  * told you_are_dead, it gives everything up 2 × keepalive later without looking at the counts
//    again, unless an abort_giveup comes first. Our own count needs `settle` (the same time) to
//    say we lost too, so answering its count with you_are_dead while our own measurement is
//    already falling to its count or below would hand the group to a node that lost as much:
//    that answer is withheld until our count settles (the settled count goes to it and it
//    decides) or the measurement returns to what we said (then it is sent).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hb::ipfail {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Millis = std::chrono::milliseconds;

// heartbeat's message types and field, on the wire between the two ipfails.
inline constexpr const char* msg_num_ping_nodes = "num_ping_nodes";
inline constexpr const char* msg_you_are_dead = "you_are_dead";
inline constexpr const char* msg_abort_giveup = "abort_giveup";
// The cluster messages ipfaild sends: all that hb-linkd lets the hacluster user send (the
// hand-over messages, t=shutdone and hb_takeover among them, are hb-resourced's, which runs as
// root).
inline bool is_ipfail_message(std::string_view type) {
  return type == msg_num_ping_nodes || type == msg_you_are_dead || type == msg_abort_giveup;
}
inline constexpr const char* field_num_ping = "num_ping";
// hb's addition to num_ping_nodes: "1" when the sender does not know our count (its ipfaild just
// (re)started), asking for ours in return. heartbeat's ipfail ignores unknown fields.
inline constexpr const char* field_ask_count = "ask_count";
// hb's addition to num_ping_nodes: which ping nodes the count is over (ping_set.hpp), so the two
// sides compare counts only over the same set. heartbeat's ipfail ignores it and sends none.
inline constexpr const char* field_ping_set = "hb_ping_set";
// heartbeat's announcement of an API client signing on, sent by the peer's heartbeat to every node
// when its ipfail starts: t=apiclistat st=join from_id=ipfail (to_id=ipfail, info=signon).
// heartbeat's ipfail answers another ipfail's join with its count; so does ipfaild.
inline constexpr const char* msg_client_status = "apiclistat";
inline constexpr const char* field_client_status = "st";
inline constexpr const char* field_client_id = "from_id";
inline constexpr const char* client_status_join = "join";
inline constexpr const char* client_id_ipfail = "ipfail";
inline bool is_ipfail_join(std::string_view type, std::string_view status,
                           std::string_view client) {
  return type == msg_client_status && status == client_status_join && client == client_id_ipfail;
}

struct Settings {
  Millis settle{4000};  // 2 × keepalive
  bool auto_failback = true;
  // This node's ping set (ping_set_digest()); empty: not known, compared with nothing.
  std::string ping_set;
};

struct Action {
  enum class Kind {
    send_count,         // t=num_ping_nodes num_ping=<count> to the peer
    send_you_are_dead,  // t=you_are_dead to the peer
    send_abort_giveup,  // t=abort_giveup to the peer
    standby,            // ask hb-resourced: Standby(<scope>)  (all | foreign)
    note,               // a decision that does nothing (logged)
  };
  Kind kind = Kind::note;
  std::uint32_t count = 0;  // send_count
  bool ask = false;         // send_count: we do not know the peer's count (field_ask_count)
  std::string ping_set;     // send_count: what the count is over (field_ping_set; empty: none)
  std::string scope;        // standby
  std::string reason;       // why; every action is logged with it
};
using Actions = std::vector<Action>;

class Engine {
 public:
  explicit Engine(Settings settings) : s_(settings) {}
  // A reload changed keepalive: counts settle, and give-ups wait, by the new settle from now on.
  void set_settle(Millis settle) { s_.settle = settle; }
  // A reload changed which ping nodes this node probes: the count so far was over the old set,
  // so it is forgotten (a new one settles as at start) and any pending give-up is cancelled.
  Actions ping_set_changed(std::string ping_set, TimePoint now);

  // The number of ping nodes reached now (every ping node probed at least once).
  Actions local_count(std::uint32_t reachable, TimePoint now);
  // The peer's ipfail messages.
  // `asks`: the message asked for our count (field_ask_count); `ping_set`: what its count is
  // over (field_ping_set), empty when the peer does not say (heartbeat's ipfail).
  Actions peer_count(std::uint32_t reachable, TimePoint now, bool asks = false,
                     const std::string& ping_set = "");
  Actions peer_you_are_dead(TimePoint now);
  Actions peer_abort_giveup(TimePoint now);
  // heartbeat's ipfail signed on on the peer (is_ipfail_join): it learns our count.
  Actions peer_ipfail_joined(TimePoint now);
  // The peer node's membership state.
  Actions peer_up(TimePoint now);
  Actions peer_down(TimePoint now);
  // hb-resourced refused or did not answer the Standby call: try again if still wanted.
  Actions standby_failed(const std::string& why, TimePoint now);
  // Timers: call at next_deadline() (or any time; early calls do nothing).
  Actions tick(TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  // The settled local count (what the peer was told); empty until the first one settled.
  std::optional<std::uint32_t> local() const { return committed_; }
  std::optional<std::uint32_t> peer() const { return peer_count_; }
  bool peer_is_up() const { return peer_up_; }
  // The give-up waiting for its time, if any: "all" or "foreign".
  std::optional<std::string> pending_giveup() const;
  // The two nodes count over different ping sets (a reload under way): no decision is made.
  bool held() const;

 private:
  enum class Trigger { local, peer_count };
  struct Giveup {
    std::string scope;
    TimePoint due;
  };
  void evaluate(Actions& out, Trigger trigger, TimePoint now);
  void schedule(Actions& out, const std::string& scope, TimePoint now, const std::string& why);
  void cancel(Actions& out, const std::string& why);
  void send_count(Actions& out, const std::string& why);
  bool giveup_still_wanted(const Giveup& g) const;
  std::string counts() const;
  // Holds decisions while the sets differ: cancels a pending give-up, logs once. True if held.
  bool hold(Actions& out);
  // Whether a you_are_dead answering the peer's count `theirs` waits for our own count to settle.
  bool answer_later(std::uint32_t theirs) const;

  Settings s_;
  std::optional<std::uint32_t> measured_;  // latest measurement, maybe not settled yet
  TimePoint measured_since_{};
  std::optional<std::uint32_t> committed_;
  bool peer_up_ = false;
  std::optional<std::uint32_t> peer_count_;
  bool asked_ = false;      // we sent our count asking for theirs; their answer is not answered
  bool told_dead_ = false;  // the peer said you_are_dead and no count of its says otherwise
  std::optional<Giveup> giveup_;
  bool gave_up_all_ = false;  // standby all sent; not again until the counts change relation
  bool differed_ = false;     // counts differed since they were last equal (failback pending)
  std::string peer_set_;      // the peer's ping set as its last count said; empty: not said
  bool held_logged_ = false;  // "decisions held" said since the sets last agreed
  // A you_are_dead owed to heartbeat's ipfail, withheld while our own count was falling.
  bool owe_you_are_dead_ = false;
};

}  // namespace hb::ipfail
