// The failover engine's fencing (engine.hpp's rules, fencing.hpp's bookkeeping): which dead
// peer to fence and when, who fences it, what its result or an admin's confirmation changes,
// and when this node, unable to let go in time, fences itself.
#include <algorithm>
#include <map>
#include <string>

#include "core/failover/engine.hpp"

namespace hb::failover {

void Engine::fence_later(Peer& p) {
  std::set<std::string> may_hold = p.held;
  may_hold.insert(p.incoming.begin(), p.incoming.end());
  for (const auto& g : opt_.groups) {
    const std::string* t = handovers_.transit(g.key);
    // What it never told us it may run too, unless it runs here.
    if ((t && *t == p.name) || (!p.answered && !local_.held(g.key))) may_hold.insert(g.key);
  }
  // The race: the node that served more fences first; as many (none) -> ha.cf's order.
  const std::size_t theirs = p.held.size(), mine = local_.held().size();
  auto rank = [&](const std::string& n) {
    return std::find(opt_.nodes.begin(), opt_.nodes.end(), n) - opt_.nodes.begin();
  };
  const bool wait = theirs > mine || (theirs == mine && rank(p.name) < rank(opt_.me));
  fencing_.lost(p.name, std::move(may_hold), wait, now_);
}

bool Engine::fencer_for(const std::string& target) const {
  for (const auto& n : opt_.nodes) {
    if (n == target) continue;
    if (n == opt_.me) return true;
    const Peer* p = peers_.get(n);
    if (p && p->status == PeerStatus::up && !p->leaving && p->unable.empty()) return false;
  }
  return false;
}

void Engine::begin_fences(Actions& out) {
  for (const auto& node :
       fencing_.take_due(now_, [&](const std::string& n) { return fencer_for(n); })) {
    const Unclean* u = fencing_.find(node);
    log(out, LogKind::fence,
        "fencing node " + node +
            (u && u->attempts ? " (attempt " + std::to_string(u->attempts + 1) + ")"
                              : std::string()),
        {{"HB_NODE", node}, {"HB_GROUPS", u ? join_keys(u->may_hold) : ""}});
    out.emplace_back(Fence{node});
  }
}

Actions Engine::on_fence_result(const std::string& node, bool ok, const std::string& detail,
                                TimePoint now) {
  return step(now, [&](Actions& out) {
    Peer* p = peers_.find(node);
    if (!p || !fencing_.pending(p->name)) return false;
    if (!ok) {
      // Heard again while the attempt ran (the partition healed): what it says now counts, as
      // for a peer heard before its fence began. Otherwise this node would wait for good for a
      // fence that the first live node, which hears it, never begins.
      if (!fencing_.failed(p->name, detail, now)) {
        log(out, LogKind::fence_failed,
            "fencing node " + p->name + " failed (" + detail +
                "); it was heard again meanwhile: not fencing it",
            {{"HB_NODE", p->name}, {"HB_REASON", detail}});
        return true;
      }
      log(out, LogKind::fence_failed,
          "fencing node " + p->name + " failed (" + detail + "): trying again in " +
              std::to_string(fencing_.retry().count()) + " ms; nothing of it starts here meanwhile",
          {{"HB_NODE", p->name}, {"HB_REASON", detail}});
      return true;
    }
    fencing_.fenced(p->name);
    log(out, LogKind::fenced, "node " + p->name + " fenced: its groups may start elsewhere",
        {{"HB_NODE", p->name}});
    // It was heard while its power was being cut (a partition that healed, or a reset that
    // already booted it again): what it said may predate the cut, so it is asked afresh, and
    // nothing starts here before it answers. Its death in this appearance is our fence's, and
    // is not fenced again.
    if (p->status == PeerStatus::up) {
      forget_peer(*p);
      appear(out, *p);
      ask(out, *p);
      p->fenced_epoch = p->epoch;
    }
    send(out, fenced_message(p->name));
    return true;
  });
}

Actions Engine::confirm_fenced(const std::string& node, TimePoint now) {
  return step(now, [&](Actions& out) {
    Peer* p = peers_.find(node);
    if (!p)
      return refuse(out, "fence confirmation: unknown node " + node,
                    {{"HB_NODE", node}, {"HB_REASON", "unknown"}});
    if (p->status == PeerStatus::up)
      return refuse(out, "fence confirmation refused: " + p->name + " is up",
                    {{"HB_NODE", p->name}, {"HB_REASON", "node up"}});
    fencing_.fenced(p->name);
    log(out, LogKind::fenced, "node " + p->name + " confirmed down by the administrator",
        {{"HB_NODE", p->name}});
    if (p->status == PeerStatus::unknown) lost(out, *p, PeerStatus::dead);
    send(out, fenced_message(p->name));
    return true;
  });
}

// --- a node that cannot let go -------------------------------------------------------------

void Engine::self_fence(Actions& out, const std::string& reason,
                        std::map<std::string, std::string> fields) {
  if (self_fenced_) return;
  self_fenced_ = true;
  log(out, LogKind::self_fence, reason + ": fencing this node so that a peer can take over",
      std::move(fields));
  out.emplace_back(SelfFence{reason});
}

// The peers declare this node dead deadtime after the last heartbeat they got from it, and that
// heartbeat may have left up to a keepalive before hb-linkd last worked (lost_since_). A tenth of
// deadtime is kept for the self-fence itself, so that this node is off before they count it
// dead. Never before the grace ends: the release only begins there.
std::optional<TimePoint> Engine::release_deadline() const {
  if (!lost_since_) return std::nullopt;
  const Timing& t = opt_.timing;
  return *lost_since_ + std::max(t.daemon_grace, t.deadtime - t.keepalive - t.deadtime / 10);
}

void Engine::release_overdue(Actions& out) {
  const std::set<std::string> left = local_.held();
  if (left.empty()) return;
  // Only a peer that is up (or may be: never heard yet) can declare this node dead and take over.
  const bool taker = std::any_of(peers_.begin(), peers_.end(), [](const auto& kv) {
    return kv.second.status == PeerStatus::up || kv.second.status == PeerStatus::unknown;
  });
  if (!taker) return;
  if (fencing_.configured()) {
    self_fence(out, "release could not finish before the peers' deadtime (hb-linkd hung)",
               {{"HB_GROUPS", join_keys(left)}, {"HB_REASON", "release overdue"}});
    return;
  }
  log(out, LogKind::two_holder_window,
      "hb-linkd lost and " + join_keys(left) +
          " not yet released when the peers declare this node dead: they may start it while "
          "it is still active here (no fencing configured)",
      {{"HB_GROUPS", join_keys(left)}});
}

}  // namespace hb::failover
