// What this node knows of each peer: whether it counts as live, its appearances, what it said it
// holds, promised and failed, and whether it answered, is leaving or cannot take over.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/failover/message.hpp"
#include "core/failover/options.hpp"

namespace hb::failover {

enum class PeerStatus { unknown, up, dead, gone };

struct Peer {
  std::string name;
  PeerStatus status = PeerStatus::unknown;
  bool answered = false;  // told us what it holds since its current incarnation
  bool leaving = false;   // announced info=shutdown
  bool stable = false;
  unsigned epoch = 0;  // bumped on each (re)appearance: failback happens once per epoch
  // Set when we fenced it while it was up, until it answers again: a death before that answer
  // is our fence's doing (its reset outlasted deadtime), one after it a new death.
  std::optional<unsigned> fenced_epoch;
  std::set<std::string> held, incoming, failed;
  std::string unable;  // its hb_unable codes: why it cannot take over ("" = it can)
  bool asked = false;  // we sent it hb_ask=1 and wait for its t=resource
  TimePoint asked_at{};
  // Engine::news_ when it last told us what it holds, and when we last asked it to (fencing:
  // a start nobody handed us waits for a fresh word of every live peer).
  unsigned heard_seq = 0, asked_seq = 0;
  // The last of our asks it answered (hb_answer): a peer that sends its run (hb_run) repeats the
  // ask's number, and then only such an answer counts as its fresh word.
  unsigned answered_seq = 0;
  // Our last ask is unanswered: it has not told us what it holds since it (re)appeared, or,
  // repeating our asks' numbers, has not answered the last one.
  bool awaits_answer() const {
    return asked && (!answered || (!run.empty() && answered_seq < asked_seq));
  }
  bool speaks_hb = false;            // its messages carry hb_held: it answers hb_ask
  std::string run;                   // its run (field::run) as last heard; "" when it sends none
  std::set<std::string> ended_runs;  // its earlier runs: what they said no longer counts

  // Dead or gone: it holds nothing, whatever it said last.
  bool present() const { return status != PeerStatus::dead && status != PeerStatus::gone; }
  // Up, answered and not leaving: it can be handed a group.
  bool active() const { return status == PeerStatus::up && answered && !leaving; }
  // What it holds, promised and failed is to be told again.
  void forget_state();
  // It is up again (first contact, a return, a new incarnation): nothing it said counts.
  void appear();
  // Takes what a t=starting or t=resource says it holds; from heartbeat, which tells only the
  // class (rsc_hold), every group of that class.
  void learn(const Message& m, const std::vector<Group>& groups);
};

class Peers {
 public:
  Peers(const Options& options, TimePoint start);  // every node of options.nodes but me

  // The peer named `node` in any case, as heartbeat matches names; nullptr for me or strangers.
  Peer* find(std::string_view node);
  const Peer& at(const std::string& name) const { return peers_.at(name); }
  const Peer* get(const std::string& name) const;  // exactly as spelled in ha.cf
  auto begin() { return peers_.begin(); }
  auto end() { return peers_.end(); }
  auto begin() const { return peers_.begin(); }
  auto end() const { return peers_.end(); }

  // Whether `node` counts as live (me always). A peer never heard from counts as live until
  // initdead: it may be starting right now.
  bool live(const std::string& node, TimePoint now) const;
  bool all_answered(TimePoint now) const;    // every live peer told us what it holds
  bool holds(const std::string& key) const;  // a peer not dead or gone runs it
  // The first such peer, for the group's view; nullptr when none.
  const Peer* holder(const std::string& key) const;
  bool promised(const std::string& key, TimePoint now) const;  // a live peer is to take it

  // Peers never heard from get initdead again from `now`.
  void restart_clock(TimePoint now) { start_ = now; }
  // Whether hb-membershipd's news reaches us: without it, a peer never heard from is never
  // written off (nobody would say it is dead).
  void set_membership(bool present, TimePoint now);
  // ha.cf's deadtime changed by a reload: the next asks are paced by it.
  void set_deadtime(Millis deadtime) { deadtime_ = deadtime; }

  // We asked `p` what it holds (hb_ask=1): unanswered, it is asked again every ask_interval().
  void asked(Peer& p, TimePoint now);
  bool ask_due(const Peer& p, TimePoint now) const;

  std::map<std::string, std::string> unable() const;  // live peers that cannot take over
  std::vector<std::string> live_peers() const;        // up and not leaving
  // initdead running out, or a peer to ask again.
  std::optional<TimePoint> next_deadline(TimePoint now, bool started) const;

 private:
  Millis ask_interval() const;
  bool before_initdead(TimePoint now) const { return now < start_ + initdead_; }

  std::string me_;
  Millis initdead_, deadtime_;
  TimePoint start_;
  bool membership_;
  bool wait_for_all_;  // fencing configured: a peer never heard is never written off
  std::map<std::string, Peer> peers_;
};

}  // namespace hb::failover
