// What this node knows of each peer: whether it counts as live, its appearances, what it said it
// holds, promised and failed, and whether it answered, is leaving or cannot take over.
#include "core/failover/peers.hpp"

#include <algorithm>

#include "core/failover/placement.hpp"

namespace hb::failover {

void Peer::forget_state() {
  unable.clear();
  asked = false;
  held.clear();
  incoming.clear();
  failed.clear();
  answered = false;
  leaving = false;
  stable = false;
}

void Peer::appear() {
  forget_state();
  status = PeerStatus::up;
  ++epoch;
}

void Peer::learn(const Message& m, const std::vector<Group>& groups) {
  run = m.get(std::string(field::run));
  if (auto h = holdings_of(m)) {
    held = std::move(h->held);
    incoming = std::move(h->incoming);
    failed = std::move(h->failed);
    return;
  }
  const std::string& hold = m.get(std::string(field::rsc_hold));
  held.clear();
  for (const auto& g : groups) {
    bool own = g.preferred == name;
    if (hold == "all" || (hold == "local" && own) || (hold == "foreign" && !own))
      held.insert(g.key);
  }
}

Peers::Peers(const Options& options, TimePoint start)
    : me_(options.me),
      initdead_(options.timing.initdead),
      deadtime_(options.timing.deadtime),
      start_(start),
      membership_(options.membership),
      wait_for_all_(options.fencing.configured) {
  for (const auto& n : options.nodes) {
    if (!same_node(n, options.me)) peers_[n].name = n;
  }
}

Peer* Peers::find(std::string_view node) {
  for (auto& [name, p] : peers_) {
    if (same_node(name, node)) return &p;
  }
  return nullptr;
}

const Peer* Peers::get(const std::string& name) const {
  auto it = peers_.find(name);
  return it == peers_.end() ? nullptr : &it->second;
}

bool Peers::live(const std::string& node, TimePoint now) const {
  if (node == me_) return true;
  auto it = peers_.find(node);
  if (it == peers_.end()) return false;
  switch (it->second.status) {
    case PeerStatus::up:
      return true;
    case PeerStatus::unknown:
      // Without membership nobody would say it is dead: never write it off on a guess. With
      // fencing, a peer not heard since we started may hold the shared disk (a partition that
      // persists after we were fenced and booted again): wait for it, as corosync's
      // wait_for_all does.
      return !membership_ || wait_for_all_ || before_initdead(now);
    case PeerStatus::dead:
    case PeerStatus::gone:
      return false;
  }
  return false;
}

bool Peers::all_answered(TimePoint now) const {
  return std::all_of(peers_.begin(), peers_.end(),
                     [&](const auto& kv) { return !live(kv.first, now) || kv.second.answered; });
}

bool Peers::holds(const std::string& key) const {
  return holder(key) != nullptr;
}

const Peer* Peers::holder(const std::string& key) const {
  for (const auto& [name, p] : peers_) {
    if (p.present() && p.held.count(key)) return &p;
  }
  return nullptr;
}

bool Peers::promised(const std::string& key, TimePoint now) const {
  return std::any_of(peers_.begin(), peers_.end(), [&](const auto& kv) {
    return live(kv.first, now) && kv.second.incoming.count(key);
  });
}

void Peers::set_membership(bool present, TimePoint now) {
  // hb-membershipd may have just started and not yet heard the peers either.
  if (present && !membership_) start_ = now;
  membership_ = present;
}

Millis Peers::ask_interval() const {
  return std::clamp(deadtime_ / 4, Millis(100), Millis(2000));
}

void Peers::asked(Peer& p, TimePoint now) {
  p.asked = true;
  p.asked_at = now;
}

bool Peers::ask_due(const Peer& p, TimePoint now) const {
  return p.asked && now >= p.asked_at + ask_interval();
}

std::map<std::string, std::string> Peers::unable() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, p] : peers_)
    if (p.status == PeerStatus::up && !p.unable.empty()) out[name] = p.unable;
  return out;
}

std::vector<std::string> Peers::live_peers() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : peers_)
    if (p.status == PeerStatus::up && !p.leaving) out.push_back(name);
  return out;
}

std::optional<TimePoint> Peers::next_deadline(TimePoint now, bool started) const {
  std::optional<TimePoint> next;
  auto consider = [&](TimePoint t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& [name, p] : peers_) {
    if (p.status == PeerStatus::unknown && before_initdead(now)) consider(start_ + initdead_);
    if (started && p.status == PeerStatus::up && p.awaits_answer())
      consider(p.asked_at + ask_interval());
  }
  return next;
}

}  // namespace hb::failover
