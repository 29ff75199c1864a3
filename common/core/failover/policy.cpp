// Where groups should run: the node an unowned group goes to, the target of a standby, which of
// two holders keeps a group after a partition heals, and when a group goes back to its
// preferred node (auto_failback on: offered back; legacy: asked back).
#include "core/failover/policy.hpp"

#include "core/failover/placement.hpp"

namespace hb::failover {

bool Policy::claimed(const Situation& s, const std::string& key) {
  if (s.local.held(key) || s.local.at(key).want || s.handovers.busy(key) || s.peers.holds(key))
    return true;
  if (s.peers.promised(key, s.now)) return true;
  const std::string* t = s.handovers.transit(key);
  return t && s.peers.live(*t, s.now);
}

std::optional<std::string> Policy::designated(const Situation& s, const Group& g) {
  for (const auto& n : succession(s.opt.nodes, g.preferred)) {
    if (n == s.opt.me) {
      if (!s.local.at(g.key).failed && s.may_hold) return n;
      continue;
    }
    const Peer& p = s.peers.at(n);
    if (s.peers.live(n, s.now) && !p.leaving && !p.failed.count(g.key)) return n;
  }
  return std::nullopt;
}

bool Policy::givable(const Situation& s, const std::string& key) {
  const Local& l = s.local.at(key);
  return l.state == GroupState::running && !l.unsafe && !s.handovers.busy(key);
}

std::map<std::string, std::set<std::string>> Policy::standby_plan(const Situation& s, Scope scope,
                                                                  Actions& out) {
  std::map<std::string, std::set<std::string>> by_target;
  for (const auto& g : s.opt.groups) {
    if (!givable(s, g.key) || !in_scope(g, scope, s.opt.me)) continue;
    std::optional<std::string> target;
    for (const auto& n : succession(s.opt.nodes, g.preferred)) {
      if (n == s.opt.me) continue;
      const Peer& p = s.peers.at(n);
      if (p.active() && !p.failed.count(g.key)) {
        target = n;
        break;
      }
    }
    if (!target) {
      log(out, LogKind::refused, "standby: no node can take " + g.key,
          {{"HB_GROUP", g.key}, {"HB_REASON", "no target"}});
      continue;
    }
    by_target[*target].insert(g.key);
  }
  return by_target;
}

std::set<std::string> Policy::requested(const Situation& s, const Peer& p, Scope scope,
                                        bool force) {
  std::set<std::string> keys;
  for (const auto& g : s.opt.groups) {
    if (givable(s, g.key) && in_scope(g, scope, p.name) && (force || !p.failed.count(g.key)))
      keys.insert(g.key);
  }
  return keys;
}

void Policy::acquiring(const Group& g, const Peers& peers) {
  // Failback is for a preferred node that comes back: one that is up while we acquire
  // (standby, move, failed start there) gets the group back only after its next return.
  const Peer* p = peers.get(g.preferred);
  if (p && p->status == PeerStatus::up) failback_offered_[g.key] = {p->name, p->epoch};
}

std::map<std::string, std::set<std::string>> Policy::give_back(const Situation& s) {
  std::map<std::string, std::set<std::string>> back;
  for (const auto& g : s.opt.groups) {
    const Local& l = s.local.at(g.key);
    if (g.preferred == s.opt.me || l.state != GroupState::running || !l.want ||
        s.handovers.busy(g.key))
      continue;
    const Peer* p = s.peers.get(g.preferred);
    if (!p || !p->stable || !p->active() || p->failed.count(g.key) || p->held.count(g.key))
      continue;
    auto offered = failback_offered_.find(g.key);
    if (offered != failback_offered_.end() && offered->second == std::make_pair(p->name, p->epoch))
      continue;
    failback_offered_[g.key] = {p->name, p->epoch};
    back[p->name].insert(g.key);
  }
  return back;
}

std::vector<std::string> Policy::ask_back(const Situation& s) {
  std::vector<std::string> ask;
  for (const auto& [name, p] : s.peers) {
    if (p.status != PeerStatus::up || !p.answered || !p.stable) continue;
    auto asked = legacy_asked_.find(name);
    if (asked != legacy_asked_.end() && asked->second == p.epoch) continue;
    bool holds_mine = false;
    for (const auto& g : s.opt.groups) {
      if (g.preferred == s.opt.me && p.held.count(g.key) && !s.local.at(g.key).failed)
        holds_mine = true;
    }
    if (!holds_mine) continue;
    legacy_asked_[name] = p.epoch;
    ask.push_back(name);
  }
  return ask;
}

void Policy::check_split(const Options& opt, const Peer& p, LocalGroups& local, Actions& out) {
  std::erase_if(split_seen_,
                [&](const auto& e) { return e.second == p.name && !p.held.count(e.first); });
  for (const auto& key : p.held) {
    const Group* g = find_group(opt.groups, key);
    if (!g) continue;
    Local& l = local.at(key);
    if (l.state != GroupState::starting && l.state != GroupState::running) continue;
    bool lose = rank(opt.nodes, g->preferred, opt.me) > rank(opt.nodes, g->preferred, p.name);
    if (lose && l.want) l.drop("split brain: " + p.name + " keeps it");
    if (!lose) reannounce_[key] = p.name;
    if (!split_seen_.insert({key, p.name}).second) continue;  // said once per episode
    log(out, LogKind::split_brain,
        "both " + opt.me + " and " + p.name + " hold " + key + "; " +
            (lose ? opt.me + " releases it" : p.name + " releases it"),
        {{"HB_GROUP", key}, {"HB_NODE", p.name}});
  }
}

void Policy::announce_if_released(const Peer& p, const LocalGroups& local, Actions& out) {
  for (auto it = reannounce_.begin(); it != reannounce_.end();) {
    if (it->second != p.name || (p.present() && p.held.count(it->first))) {
      ++it;
      continue;
    }
    if (local.at(it->first).state == GroupState::running) out.emplace_back(Announce{it->first});
    it = reannounce_.erase(it);
  }
}

void Policy::forget(const std::string& peer) {
  std::erase_if(split_seen_, [&](const auto& e) { return e.second == peer; });
  legacy_asked_.erase(peer);
}

}  // namespace hb::failover
