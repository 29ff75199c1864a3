// Hand-overs under way between this node and its peers (t=ask_resources me/other/done): offers
// made and received, groups handed to us and being started, and groups in transit to the node
// they were handed to until it says it holds them.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/failover/events.hpp"
#include "core/failover/local_groups.hpp"
#include "core/failover/message.hpp"
#include "core/failover/peers.hpp"

namespace hb::failover {

struct Handover {
  std::string peer;  // outgoing: the taker; incoming: the giver
  std::set<std::string> keys;
  Scope scope = Scope::all;
  bool force = false;
  bool releasing = false;  // outgoing: taker said info=other, stopping
  TimePoint deadline{};
};

// A finished exchange to tell the other side about (info=done): `keys` to `target`.
struct Done {
  std::string peer;
  Scope scope = Scope::all;
  std::set<std::string> keys;
  std::string target;
};

class Handovers {
 public:
  explicit Handovers(std::string me) : me_(std::move(me)) {}

  bool busy(const std::string& key) const;  // offered, or being offered to us
  // Nothing under way at all (the node is stable).
  bool idle() const { return outgoing_.empty() && incoming_.empty() && acquiring_.empty(); }
  bool giving() const { return !outgoing_.empty(); }
  // The node a group was handed to, until it says it holds it; nullptr when none.
  const std::string* transit(const std::string& key) const;
  // What we tell the peers we were promised: groups in transit to us and offers we accepted.
  std::set<std::string> promised_here(const LocalGroups& local) const;

  // A t=ask_resources from `p`: an offer to this node (info=me; the reply to send comes back),
  // the taker accepting our offer (other), or a hand-over completed (done). `can_take`: this
  // node neither shuts down nor is cut off.
  std::optional<Message> on_ask_resources(Peer& p, const Message& m, const Options& opt,
                                          bool can_take, LocalGroups& local, Peers& peers,
                                          TimePoint now, Actions& out);
  void offer(const std::string& taker, std::set<std::string> keys, Scope scope, bool force,
             TimePoint deadline);
  // Our offers that are stopped here now, to hand to their takers (in transit from now).
  std::vector<Done> stopped(const LocalGroups& local, const Peers& peers, TimePoint now);
  void stop_failed(const std::string& key);  // never handed: it may still run here
  // `key` started here, or failed to: the exchange to confirm once all its groups settled. It
  // stays under way (this node not stable) until confirmed(key).
  std::optional<Done> settled(const std::string& key, const LocalGroups& local);
  void confirmed(const std::string& key);
  // We will not take `key` after all: let the others fill it.
  void decline(const std::string& key);

  // --- everything ---------------------------------------------------------------------
  void forget(const std::string& peer);  // it left or restarted (offers being stopped stay)
  void arrived(const Peer& p);  // what it now holds or failed is no longer in transit to it
  // `giver` told what it holds (hb_held): an offer of it that we accepted is void when it holds
  // none of the offer's groups. It stops them all at once and sends its done when the last has
  // stopped, before it tells what it holds: so it holds one at least until its done has reached
  // us. Holding none without that done, it lost the offer (it wrote us off meanwhile) and sends
  // no done. (Or it lost the groups in a split brain before our acceptance reached it: a peer
  // holds them then, and the done it still sends starts nothing here.)
  void giver_holds(const Peer& giver);
  void abandon();  // shutdown, own hb-linkd lost: only stops under way remain
  void expire(TimePoint now, Actions& out);
  std::optional<TimePoint> next_deadline() const;

 private:
  // From heartbeat (two nodes, no hb_* fields): the groups and target an ask_resources `info`
  // from `p` is about: those of the open exchange with it, or for a new request the groups of
  // that class it holds.
  void infer(const Peer& p, const std::string& info, Scope scope, const Options& opt,
             std::set<std::string>& keys, std::string& target) const;
  // An offer from `giver`: the groups we take (nothing held, busy or failed here; `force`
  // clears a failure). It voids what is left of an earlier offer from the giver.
  std::set<std::string> receive(const std::string& giver, const std::set<std::string>& keys,
                                Scope scope, bool force, LocalGroups& local, TimePoint deadline);
  // The taker accepts `keys` of our offers: we stop them.
  void accepted(Peer& taker, const std::set<std::string>& keys, LocalGroups& local);
  // The giver stopped `keys` and hands them to `target`.
  void handed(Peer& giver, const std::set<std::string>& keys, const std::string& target,
              Scope scope, bool can_take, LocalGroups& local, Peers& peers, TimePoint now);

  std::string me_;
  std::vector<Handover> outgoing_, incoming_;
  std::vector<Handover> acquiring_;  // handed to us (giver's done received), being started
  std::map<std::string, std::string> transit_;  // key -> node it was handed to, until it says
};

}  // namespace hb::failover
