// Hand-overs under way between this node and its peers (t=ask_resources me/other/done): offers
// made and received, groups handed to us and being started, and groups in transit to the node
// they were handed to until it says it holds them.
#include "core/failover/handovers.hpp"

#include <algorithm>

#include "core/failover/placement.hpp"

namespace hb::failover {

bool Handovers::busy(const std::string& key) const {
  auto has = [&](const Handover& h) { return h.keys.count(key) > 0; };
  return std::any_of(outgoing_.begin(), outgoing_.end(), has) ||
         std::any_of(incoming_.begin(), incoming_.end(), has);
}

const std::string* Handovers::transit(const std::string& key) const {
  auto t = transit_.find(key);
  return t == transit_.end() ? nullptr : &t->second;
}

std::set<std::string> Handovers::promised_here(const LocalGroups& local) const {
  std::set<std::string> out;
  for (const auto& [key, node] : transit_) {
    if (node == me_ && !local.held(key)) out.insert(key);
  }
  for (const auto& h : incoming_) out.insert(h.keys.begin(), h.keys.end());
  return out;
}

std::optional<Message> Handovers::on_ask_resources(Peer& p, const Message& m, const Options& opt,
                                                   bool can_take, LocalGroups& local, Peers& peers,
                                                   TimePoint now, Actions& out) {
  const std::string& info = m.get(std::string(field::info));
  auto scope = scope_of(m);
  std::set<std::string> keys;
  std::string target = spelled(opt.nodes, m.get(std::string(field::target)));
  // hb names the groups; heartbeat names only their class (rsc_hold), relative to the giver.
  const bool names_groups = m.fields.count(std::string(field::groups)) > 0;
  if (names_groups) {
    for (const auto& k : split_keys(m.get(std::string(field::groups)))) {
      if (find_group(opt.groups, k)) keys.insert(k);
    }
  } else {
    infer(p, info, scope, opt, keys, target);
  }
  const std::string scope_text(to_string(scope));

  if (info == "me") {
    if (target != me_) return std::nullopt;
    if (!can_take) {
      log(out, LogKind::refused,
          "standby message from " + p.name + " ignored: local resources in flux",
          {{"HB_NODE", p.name}, {"HB_REASON", "in flux"}});
      return std::nullopt;
    }
    // heartbeat's receiver ignores a new request while a standby with that node runs, and so
    // does its giver (its ipfail's give-up beside an admin's hb_standby): answering it would
    // make the giver take our answer for the running round's.
    const bool round_running = std::any_of(incoming_.begin(), incoming_.end(),
                                           [&](const Handover& h) { return h.peer == p.name; });
    if (!names_groups && round_running) {
      log(out, LogKind::refused,
          "standby message from " + p.name + " ignored: a standby with it is in progress",
          {{"HB_NODE", p.name}, {"HB_REASON", "standby in progress"}});
      return std::nullopt;
    }
    bool force = m.get(std::string(field::force)) == "1";
    auto take = receive(p.name, keys, scope, force, local, now + opt.timing.handover_timeout);
    if (take.empty() && !names_groups) {
      // heartbeat's receiver says "other" whatever the giver holds, and its giver waits for that
      // answer (10 s) before it accepts any other standby request, ipfail's included: answer
      // as heartbeat does, and owe it the taker's "done" (an empty hand-over).
      incoming_.push_back(
          Handover{p.name, {}, scope, force, false, now + opt.timing.handover_timeout});
      log(out, LogKind::standby_request,
          p.name + " wants to go standby [" + scope_text + "]: nothing of it to take here",
          {{"HB_NODE", p.name}, {"HB_GROUPS", ""}});
      return ask_resources_message("", scope, "other", {}, me_);
    }
    if (take.empty()) {
      log(out, LogKind::refused, "standby message from " + p.name + " ignored: nothing to take",
          {{"HB_NODE", p.name}, {"HB_REASON", "nothing to take"}});
      return std::nullopt;
    }
    log(out, LogKind::standby_request,
        p.name + " wants to go standby [" + scope_text + "]: " + join_keys(take),
        {{"HB_NODE", p.name}, {"HB_GROUPS", join_keys(take)}});
    return ask_resources_message("", scope, "other", take, me_);
  }
  if (info == "other") {
    accepted(p, keys, local);
  } else if (info == "done" && target == p.name) {
    // The taker runs them now.
    for (const auto& k : keys) p.incoming.erase(k);
    log(out, LogKind::standby_done,
        "Standby resource acquisition done [" + scope_text + "] on " + p.name,
        {{"HB_NODE", p.name}, {"HB_GROUPS", join_keys(keys)}});
  } else if (info == "done") {
    // The giver stopped them and hands them to `target`: to this node only if to this run.
    const std::string& run = m.get(std::string(field::target_run));
    const bool to_this_run = run.empty() || opt.run.empty() || run == opt.run;
    if (target == me_ && !to_this_run && !keys.empty())
      log(out, LogKind::refused,
          p.name + " handed " + join_keys(keys) +
              " to an earlier run of this node: not starting them here",
          {{"HB_NODE", p.name}, {"HB_GROUPS", join_keys(keys)}, {"HB_REASON", "earlier run"}});
    handed(p, keys, target, scope, can_take && to_this_run, local, peers, now);
    // A heartbeat giver waits for the taker's "done" even when nothing was handed over.
    if (target == me_ && keys.empty() && !names_groups)
      return ask_resources_message("", scope, "done", {}, me_);
  }
  return std::nullopt;
}

void Handovers::offer(const std::string& taker, std::set<std::string> keys, Scope scope, bool force,
                      TimePoint deadline) {
  outgoing_.push_back(Handover{taker, std::move(keys), scope, force, false, deadline});
}

void Handovers::accepted(Peer& taker, const std::set<std::string>& keys, LocalGroups& local) {
  // The taker promised to take these: nobody else may fill them meanwhile.
  taker.incoming.insert(keys.begin(), keys.end());
  for (auto& h : outgoing_) {
    if (h.peer != taker.name || h.releasing) continue;
    std::set<std::string> accepted;
    for (const auto& k : h.keys) {
      if (keys.count(k)) accepted.insert(k);
    }
    h.keys = accepted;
    h.releasing = true;
    for (const auto& k : h.keys) local.at(k).drop("standby to " + taker.name);
  }
  std::erase_if(outgoing_, [](const Handover& h) { return h.keys.empty(); });
}

std::vector<Done> Handovers::stopped(const LocalGroups& local, const Peers& peers, TimePoint now) {
  std::vector<Done> out;
  for (auto h = outgoing_.begin(); h != outgoing_.end();) {
    bool all_stopped =
        h->releasing && std::all_of(h->keys.begin(), h->keys.end(), [&](const std::string& k) {
          return local.at(k).state == GroupState::stopped;
        });
    if (!all_stopped) {
      ++h;
      continue;
    }
    if (!h->keys.empty() && peers.live(h->peer, now) &&
        peers.at(h->peer).status == PeerStatus::up) {
      for (const auto& k : h->keys) transit_[k] = h->peer;
      out.push_back(Done{h->peer, h->scope, h->keys, h->peer});
    }
    h = outgoing_.erase(h);
  }
  return out;
}

void Handovers::stop_failed(const std::string& key) {
  for (auto& h : outgoing_) h.keys.erase(key);
}

std::set<std::string> Handovers::receive(const std::string& giver,
                                         const std::set<std::string>& keys, Scope scope, bool force,
                                         LocalGroups& local, TimePoint deadline) {
  // A new offer from this giver voids what is left of an earlier exchange with it (one the
  // giver dropped, e.g. when it lost track of us for a moment).
  std::erase_if(incoming_, [&](Handover& h) {
    if (h.peer != giver) return false;
    for (const auto& k : keys) h.keys.erase(k);
    return h.keys.empty();
  });
  std::set<std::string> take;
  for (const auto& k : keys) {
    if (local.held(k) || busy(k)) continue;
    if (local.at(k).failed) {
      if (!force) continue;
      local.clear_failure(k);
    }
    take.insert(k);
  }
  if (!take.empty()) incoming_.push_back(Handover{giver, take, scope, force, false, deadline});
  return take;
}

void Handovers::handed(Peer& giver, const std::set<std::string>& keys, const std::string& target,
                       Scope scope, bool can_take, LocalGroups& local, Peers& peers,
                       TimePoint now) {
  for (const auto& k : keys) {
    giver.held.erase(k);
    if (target == me_) {
      // Even if our side of the hand-over was dropped meanwhile (timeout, the giver
      // reappearing): the giver has let go and everyone expects us to take it.
      if (!can_take || local.at(k).failed) continue;
      transit_[k] = me_;
      local.at(k).claim("standby from " + giver.name);
    } else if (Peer* t = peers.find(target);
               t && peers.live(target, now) && !t->held.count(k) && !t->failed.count(k)) {
      transit_[k] = target;
    }
  }
  if (target != me_) return;
  Handover h{giver.name, {}, scope, false, false, now};
  for (auto it = incoming_.begin(); it != incoming_.end();) {
    if (it->peer == giver.name) {
      h.scope = it->scope;
      it = incoming_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& k : keys) {
    if (transit_.count(k) && transit_[k] == me_) h.keys.insert(k);
  }
  if (!h.keys.empty()) acquiring_.push_back(h);
}

std::optional<Done> Handovers::settled(const std::string& key, const LocalGroups& local) {
  if (transit_.count(key) && transit_[key] == me_) transit_.erase(key);
  for (auto a = acquiring_.begin(); a != acquiring_.end(); ++a) {
    if (!a->keys.count(key)) continue;
    bool all = std::all_of(a->keys.begin(), a->keys.end(), [&](const std::string& k) {
      const Local& x = local.at(k);
      return x.state == GroupState::running || x.failed || !x.want;
    });
    if (!all) return std::nullopt;
    Done done{a->peer, a->scope, {}, me_};
    for (const auto& k : a->keys) {
      if (local.at(k).state == GroupState::running) done.keys.insert(k);
    }
    return done;
  }
  return std::nullopt;
}

void Handovers::confirmed(const std::string& key) {
  auto a = std::find_if(acquiring_.begin(), acquiring_.end(),
                        [&](const Handover& h) { return h.keys.count(key) > 0; });
  if (a != acquiring_.end()) acquiring_.erase(a);
}

void Handovers::decline(const std::string& key) {
  auto mine = transit_.find(key);
  if (mine == transit_.end() || mine->second != me_) return;
  transit_.erase(mine);
  std::erase_if(acquiring_, [&](Handover& h) {
    h.keys.erase(key);
    return h.keys.empty();
  });
}

void Handovers::infer(const Peer& p, const std::string& info, Scope scope, const Options& opt,
                      std::set<std::string>& keys, std::string& target) const {
  const Handover* in = nullptr;
  const Handover* out = nullptr;
  for (const auto& h : incoming_) {
    // heartbeat names neither groups nor a target in its "done": only its class tells which
    // round it ends. A done of another round must not start this round's groups before the
    // giver has released them (seen on the rig: /ha mounted on both nodes).
    if (h.peer == p.name && (info != "done" || heartbeat_hold(h.scope) == heartbeat_hold(scope)))
      in = &h;
  }
  for (const auto& h : outgoing_) {
    if (h.peer == p.name) out = &h;
  }
  if (info == "done" && in) {
    keys = in->keys;
    target = me_;
  } else if (out && (info == "other" || info == "done")) {
    keys = out->keys;
    target = p.name;
  } else {
    // heartbeat's offer names only a class (rsc_hold), relative to the giver, and heartbeat's
    // receiver takes that whole class: the offer is the giver's word that it lets go of every
    // group of it. What we last heard it hold may be stale (a heartbeat answers our t=starting
    // in the middle of its own takeover, with what it held before): answering an offer for
    // groups we then do not take would leave them nowhere. Taking them is still stop before
    // start: nothing starts here before the giver's info=done says it let go.
    const bool offer = info == "me";
    for (const auto& g : opt.groups) {
      if ((offer || p.held.count(g.key)) && in_scope(g, scope, p.name)) keys.insert(g.key);
    }
    if (opt.nodes.size() == 2) target = info == "me" ? me_ : p.name;
  }
}

void Handovers::forget(const std::string& peer) {
  std::erase_if(outgoing_, [&](const Handover& h) { return h.peer == peer && !h.releasing; });
  std::erase_if(incoming_, [&](const Handover& h) { return h.peer == peer; });
  std::erase_if(transit_, [&](const auto& kv) { return kv.second == peer; });
}

void Handovers::arrived(const Peer& p) {
  std::erase_if(transit_, [&](const auto& kv) {
    return kv.second == p.name && (p.held.count(kv.first) || p.failed.count(kv.first));
  });
}

void Handovers::giver_holds(const Peer& giver) {
  if (!giver.speaks_hb) return;  // heartbeat tells only the class it holds
  std::erase_if(incoming_, [&](const Handover& h) {
    return h.peer == giver.name && !h.keys.empty() &&
           std::none_of(h.keys.begin(), h.keys.end(),
                        [&](const std::string& k) { return giver.held.count(k) > 0; });
  });
}

void Handovers::abandon() {
  std::erase_if(outgoing_, [](const Handover& h) { return !h.releasing; });
  incoming_.clear();
}

void Handovers::expire(TimePoint now, Actions& out) {
  for (auto h = outgoing_.begin(); h != outgoing_.end();) {
    if (!h->releasing && now >= h->deadline) {
      log(out, LogKind::standby_cancelled,
          "No reply to standby request.  Standby request cancelled.", {{"HB_NODE", h->peer}});
      h = outgoing_.erase(h);
    } else {
      ++h;
    }
  }
  for (auto h = incoming_.begin(); h != incoming_.end();) {
    if (now >= h->deadline) {
      log(out, LogKind::standby_cancelled, "hand-over from " + h->peer + " timed out",
          {{"HB_NODE", h->peer}});
      h = incoming_.erase(h);
    } else {
      ++h;
    }
  }
}

std::optional<TimePoint> Handovers::next_deadline() const {
  std::optional<TimePoint> next;
  auto consider = [&](TimePoint t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& h : outgoing_) {
    if (!h.releasing) consider(h.deadline);
  }
  for (const auto& h : incoming_) consider(h.deadline);
  return next;
}

}  // namespace hb::failover
