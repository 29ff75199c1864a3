// Which node runs each resource group: see engine.hpp for the rules, docs/handover.md for the
// messages.
#include "core/failover/engine.hpp"

#include <algorithm>
#include <utility>

#include "core/failover/placement.hpp"

namespace hb::failover {

namespace {

std::string str(std::string_view s) {
  return std::string(s);
}

long long ms_between(TimePoint a, TimePoint b) {
  return std::chrono::duration_cast<Millis>(b - a).count();
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Engine::Engine(Options options, TimePoint start)
    : opt_(std::move(options)), start_(start), now_(start), membership_(opt_.membership) {
  for (const auto& n : opt_.nodes) {
    if (same_node(n, opt_.me)) {
      opt_.me = n;  // ha.cf spelling from here on
      continue;
    }
    peers_[n].name = n;
  }
  for (auto& g : opt_.groups) {
    g.preferred = canon(g.preferred).empty() ? g.preferred : canon(g.preferred);
    local_[g.key];
  }
  if (opt_.timing.daemon_grace.count() <= 0) opt_.timing.daemon_grace = opt_.timing.deadtime / 2;
}

std::string Engine::canon(std::string_view node) const {
  for (const auto& n : opt_.nodes) {
    if (same_node(n, node)) return n;
  }
  return {};
}

const Group* Engine::group(const std::string& key) const {
  for (const auto& g : opt_.groups) {
    if (g.key == key) return &g;
  }
  return nullptr;
}

Engine::Peer* Engine::peer(const std::string& name) {
  auto it = peers_.find(name);
  return it == peers_.end() ? nullptr : &it->second;
}

// A peer never heard from counts as live until initdead: it may be starting right now.
bool Engine::live(const std::string& node) const {
  if (node == opt_.me) return true;
  auto it = peers_.find(node);
  if (it == peers_.end()) return false;
  switch (it->second.status) {
    case PeerStatus::up:
      return true;
    case PeerStatus::unknown:
      // Without membership nobody would say it is dead: never write it off on a guess.
      return !membership_ || now_ < start_ + opt_.timing.initdead;
    case PeerStatus::dead:
    case PeerStatus::gone:
      return false;
  }
  return false;
}

bool Engine::failed_on(const std::string& node, const std::string& key) const {
  if (node == opt_.me) return local_.at(key).failed;
  auto it = peers_.find(node);
  return it != peers_.end() && it->second.failed.count(key) > 0;
}

bool Engine::all_answered() const {
  for (const auto& [name, p] : peers_) {
    if (live(name) && !p.answered) return false;
  }
  return true;
}

bool Engine::in_scope(Scope scope, const std::string& relative_to, const std::string& key) const {
  const Group* g = group(key);
  if (!g) return false;
  switch (scope) {
    case Scope::all:
      return true;
    case Scope::local:
      return g->preferred == relative_to;
    case Scope::foreign:
    case Scope::failback:
      return g->preferred != relative_to;
  }
  return false;
}

bool Engine::busy(const std::string& key) const {
  for (const auto& h : outgoing_) {
    if (h.keys.count(key)) return true;
  }
  for (const auto& h : incoming_) {
    if (h.keys.count(key)) return true;
  }
  return false;
}

bool Engine::held_here(const std::string& key) const {
  const Local& l = local_.at(key);
  return l.unsafe || l.state == GroupState::starting || l.state == GroupState::running ||
         l.state == GroupState::stopping;
}

bool Engine::peer_holds(const std::string& key) const {
  for (const auto& [name, p] : peers_) {
    if (p.status != PeerStatus::dead && p.status != PeerStatus::gone && p.held.count(key))
      return true;
  }
  return false;
}

// Someone runs the group, is about to, or it is being handed over: not up for grabs.
bool Engine::claimed(const std::string& key) const {
  if (held_here(key) || local_.at(key).want || busy(key) || peer_holds(key)) return true;
  for (const auto& [name, p] : peers_) {
    if (live(name) && p.incoming.count(key)) return true;
  }
  auto t = transit_.find(key);
  return t != transit_.end() && live(t->second);
}

std::optional<std::string> Engine::designated(const std::string& key) const {
  const Group* g = group(key);
  if (!g) return std::nullopt;
  for (const auto& n : succession(opt_.nodes, g->preferred)) {
    if (n == opt_.me) {
      if (!local_.at(key).failed && !shutting_ && !isolated_) return n;
      continue;
    }
    const Peer& p = peers_.at(n);
    if (live(n) && !p.leaving && !p.failed.count(key)) return n;
  }
  return std::nullopt;
}

std::optional<std::string> Engine::standby_target(const std::string& key) const {
  const Group* g = group(key);
  if (!g) return std::nullopt;
  for (const auto& n : succession(opt_.nodes, g->preferred)) {
    if (n == opt_.me) continue;
    const Peer& p = peers_.at(n);
    if (p.status == PeerStatus::up && p.answered && !p.leaving && !p.failed.count(key)) return n;
  }
  return std::nullopt;
}

// --- outputs --------------------------------------------------------------------------------

// Nothing can be sent while our own hb-linkd is gone; the fresh t=starting after it returns
// tells the peers everything they need.
void Engine::send(Actions& out, Message m) {
  if (isolated_) return;
  if (!unable_.empty() && (m.type == msg::starting || m.type == msg::resource))
    m.fields[str(field::unable)] = unable_;
  out.emplace_back(Send{std::move(m)});
}

void Engine::log(Actions& out, LogKind kind, std::string text,
                 std::map<std::string, std::string> fields) {
  out.emplace_back(LogEvent{kind, std::move(text), std::move(fields)});
}

Message Engine::state_message(const std::string& dest, const std::string& info) const {
  std::set<std::string> held_keys, incoming_keys, failed_keys;
  bool local = false, foreign = false;
  for (const auto& g : opt_.groups) {
    if (held_here(g.key)) {
      held_keys.insert(g.key);
      (g.preferred == opt_.me ? local : foreign) = true;
    }
    if (local_.at(g.key).failed) failed_keys.insert(g.key);
    auto t = transit_.find(g.key);
    if (t != transit_.end() && t->second == opt_.me && !held_here(g.key))
      incoming_keys.insert(g.key);
  }
  for (const auto& h : incoming_) incoming_keys.insert(h.keys.begin(), h.keys.end());
  Message m;
  m.type = str(msg::resource);
  m.dest = dest;
  m.fields[str(field::rsc_hold)] = local && foreign ? "all"
                                   : local          ? "local"
                                   : foreign        ? "foreign"
                                                    : "none";
  m.fields[str(field::rtype)] = "full";
  m.fields[str(field::isstable)] = stable() ? "1" : "0";
  std::string i = shutting_ ? "shutdown" : info;
  if (!i.empty()) m.fields[str(field::info)] = i;
  m.fields[str(field::held)] = join_keys(held_keys);
  m.fields[str(field::incoming)] = join_keys(incoming_keys);
  m.fields[str(field::failed)] = join_keys(failed_keys);
  return m;
}

Millis Engine::ask_interval() const {
  return std::clamp(opt_.timing.deadtime / 4, Millis(100), Millis(2000));
}

void Engine::ask(Actions& out, Peer& p) {
  p.asked = true;
  p.asked_at = now_;
  send(out, state_request(p.name));
}

Message Engine::state_request(const std::string& dest) const {
  Message m = state_message(dest, "");
  m.fields[str(field::ask)] = "1";
  return m;
}

void Engine::offer(Actions& out, const std::string& taker, std::set<std::string> keys, Scope scope,
                   bool force) {
  if (keys.empty()) return;
  Message m;
  m.type = str(msg::ask_resources);
  m.dest = taker;
  m.fields[str(field::rsc_hold)] = str(to_string(scope));
  m.fields[str(field::info)] = "me";
  m.fields[str(field::groups)] = join_keys(keys);
  m.fields[str(field::target)] = taker;
  if (force) m.fields[str(field::force)] = "1";
  log(out, LogKind::standby_request,
      opt_.me + " wants to go standby [" + str(to_string(scope)) + "]: " + join_keys(keys) +
          " to " + taker,
      {{"HB_NODE", taker}, {"HB_GROUPS", join_keys(keys)}});
  outgoing_.push_back(
      Handover{taker, std::move(keys), scope, force, false, now_ + opt_.timing.standby_timeout});
  send(out, std::move(m));
}

// --- bookkeeping of peers ------------------------------------------------------------------

void Engine::forget_state(Peer& p) {
  p.unable.clear();
  p.asked = false;
  p.held.clear();
  p.incoming.clear();
  p.failed.clear();
  p.answered = false;
  p.leaving = false;
  p.stable = false;
}

void Engine::forget_peer(Peer& p) {
  forget_state(p);
  std::erase_if(split_seen_, [&](const auto& e) { return e.second == p.name; });
  std::erase_if(outgoing_, [&](const Handover& h) { return h.peer == p.name && !h.releasing; });
  std::erase_if(incoming_, [&](const Handover& h) { return h.peer == p.name; });
  std::erase_if(transit_, [&](const auto& kv) { return kv.second == p.name; });
  legacy_asked_.erase(p.name);
}

void Engine::clear_failure(const std::string& key) {
  auto it = local_.find(key);
  if (it != local_.end()) it->second.failed = false;
}

void Engine::peer_state(Actions& out, Peer& p, const Message& m) {
  if (m.fields.count(str(field::held))) {
    p.held = split_keys(m.get(str(field::held)));
    p.incoming = split_keys(m.get(str(field::incoming)));
    p.failed = split_keys(m.get(str(field::failed)));
  } else {
    // A heartbeat node: only the class of what it holds is known.
    const std::string& hold = m.get(str(field::rsc_hold));
    p.held.clear();
    for (const auto& g : opt_.groups) {
      bool own = g.preferred == p.name;
      if (hold == "all" || (hold == "local" && own) || (hold == "foreign" && !own))
        p.held.insert(g.key);
    }
  }
  std::erase_if(transit_, [&](const auto& kv) {
    return kv.second == p.name && (p.held.count(kv.first) || p.failed.count(kv.first));
  });
  // A healed partition: both run the group. The node later in its succession gives it up.
  std::erase_if(split_seen_,
                [&](const auto& e) { return e.second == p.name && !p.held.count(e.first); });
  for (const auto& key : p.held) {
    if (!group(key)) continue;
    Local& l = local_.at(key);
    if (l.state != GroupState::starting && l.state != GroupState::running) continue;
    const std::string& pref = group(key)->preferred;
    bool lose = rank(opt_.nodes, pref, opt_.me) > rank(opt_.nodes, pref, p.name);
    if (lose && l.want) {
      l.want = false;
      l.reason = "split brain: " + p.name + " keeps it";
    }
    if (!lose) reannounce_[key] = p.name;
    if (!split_seen_.insert({key, p.name}).second) continue;  // said once per episode
    log(out, LogKind::split_brain,
        "both " + opt_.me + " and " + p.name + " hold " + key + "; " +
            (lose ? opt_.me + " releases it" : p.name + " releases it"),
        {{"HB_GROUP", key}, {"HB_NODE", p.name}});
  }
}

void Engine::announce_if_released(Actions& out, const Peer& p) {
  const bool gone = p.status == PeerStatus::dead || p.status == PeerStatus::gone;
  for (auto it = reannounce_.begin(); it != reannounce_.end();) {
    if (it->second != p.name || (!gone && p.held.count(it->first))) {
      ++it;
      continue;
    }
    if (local_.at(it->first).state == GroupState::running) out.emplace_back(Announce{it->first});
    it = reannounce_.erase(it);
  }
}

// --- inputs -----------------------------------------------------------------------------------

Actions Engine::start(TimePoint now) {
  Actions out;
  now_ = now;
  if (started_) return out;
  started_ = true;
  std::set<std::string> adopted;
  for (const auto& key : opt_.adopted) {
    auto it = local_.find(key);
    if (it == local_.end()) continue;
    it->second.state = GroupState::running;
    it->second.want = true;
    it->second.since = now;
    adopted.insert(key);
  }
  Message m;
  m.type = str(msg::starting);
  m.fields[str(field::held)] = join_keys(adopted);
  send(out, std::move(m));
  reconcile(out);
  return out;
}

Actions Engine::on_node(const std::string& node, NodeChange change, TimePoint now) {
  Actions out;
  now_ = now;
  Peer* p = peer(canon(node));
  if (!p) return out;
  switch (change) {
    case NodeChange::up:
      if (p->status == PeerStatus::up) break;
      if (p->status == PeerStatus::dead) {
        log(out, LogKind::peer_returned, "Cluster node " + p->name + " returning after partition",
            {{"HB_NODE", p->name}});
      }
      forget_state(*p);
      p->status = PeerStatus::up;
      ++p->epoch;
      ask(out, *p);
      break;
    case NodeChange::restarted:
      // Only its hb-linkd may have restarted (a new generation) while its hb-resourced runs on
      // and holds its groups: it must say what it holds before anything here counts on it. Its
      // hand-overs with us stand: only its own t=starting (a new hb-resourced, which knows of
      // none) ends them. Membership's news may also come after the peer's messages of this
      // appearance, which must not be undone.
      forget_state(*p);
      p->status = PeerStatus::up;
      ++p->epoch;
      ask(out, *p);
      break;
    case NodeChange::dead:
      if (p->status == PeerStatus::dead) break;
      log(out, LogKind::peer_dead, "node " + p->name + ": is dead", {{"HB_NODE", p->name}});
      forget_peer(*p);
      p->status = PeerStatus::dead;
      announce_if_released(out, *p);
      break;
    case NodeChange::clean_shutdown:
      forget_peer(*p);
      p->status = PeerStatus::gone;
      announce_if_released(out, *p);
      break;
  }
  reconcile(out);
  return out;
}

Actions Engine::on_message(const std::string& from, const Message& m, TimePoint now) {
  Actions out;
  now_ = now;
  Peer* p = peer(canon(from));
  if (!p || isolated_ || !started_) return out;
  if (!m.dest.empty() && !same_node(m.dest, opt_.me)) return out;
  if (p->status != PeerStatus::up) {
    // A message is proof of life: membership may tell us a moment later.
    if (p->status == PeerStatus::dead && m.type != msg::starting) {
      log(out, LogKind::peer_returned, "Cluster node " + p->name + " returning after partition",
          {{"HB_NODE", p->name}});
    }
    forget_peer(*p);
    p->status = PeerStatus::up;
    ++p->epoch;
  }
  if (m.type == msg::starting) {
    forget_peer(*p);  // a fresh incarnation holds only what it says it adopted
    ++p->epoch;
    peer_state(out, *p, m);
    p->unable = m.get(str(field::unable));
    announce_if_released(out, *p);
    p->answered = true;
    send(out, state_message(p->name, ""));
  } else if (m.type == msg::resource) {
    peer_state(out, *p, m);
    p->unable = m.get(str(field::unable));
    announce_if_released(out, *p);
    p->answered = true;
    p->stable = m.get(str(field::isstable)) == "1";
    if (m.get(str(field::info)) == "shutdown") p->leaving = true;
    // After t=shutdone nothing more goes out: the peers count this node gone. (hb-linkd hands
    // over only the messages meant for us, without their `dest`.)
    if (m.get(str(field::ask)) == "1" && !shutdone_sent_) send(out, state_message(p->name, ""));
  } else if (m.type == msg::ask_resources) {
    on_ask_resources(out, *p, m);
  } else if (m.type == msg::hb_takeover) {
    auto scope = parse_scope(m.get(str(field::rsc_hold))).value_or(Scope::all);
    bool force = m.get(str(field::force)) == "1";
    std::set<std::string> keys;
    if (!shutting_) {
      for (const auto& g : opt_.groups) {
        const Local& l = local_.at(g.key);
        if (l.state == GroupState::running && !l.unsafe && !busy(g.key) &&
            in_scope(scope, p->name, g.key) && (force || !p->failed.count(g.key)))
          keys.insert(g.key);
      }
    }
    offer(out, p->name, std::move(keys), scope, force);
  } else if (m.type == msg::hb_move) {
    std::string target = canon(m.get(str(field::target)));
    for (const auto& key : split_keys(m.get(str(field::groups)))) {
      if (!group(key)) continue;
      if (target == opt_.me) {
        clear_failure(key);
      } else if (!target.empty() && local_.at(key).state == GroupState::running && !busy(key) &&
                 !shutting_) {
        offer(out, target, {key}, Scope::all, true);
      }
    }
  } else if (m.type == msg::shutdone) {
    forget_peer(*p);
    p->status = PeerStatus::gone;
    announce_if_released(out, *p);
  }
  reconcile(out);
  return out;
}

void Engine::on_ask_resources(Actions& out, Peer& p, const Message& m) {
  const std::string& info = m.get(str(field::info));
  auto scope = parse_scope(m.get(str(field::rsc_hold))).value_or(Scope::all);
  std::set<std::string> keys;
  std::string target = canon(m.get(str(field::target)));
  if (m.fields.count(str(field::groups))) {
    for (const auto& k : split_keys(m.get(str(field::groups)))) {
      if (group(k)) keys.insert(k);
    }
  } else {
    // From heartbeat (two nodes, no hb_* fields): the groups are those of the open exchange
    // with the sender, or for a new request the groups of that class the sender holds.
    const Handover* in = nullptr;
    const Handover* outh = nullptr;
    for (const auto& h : incoming_) {
      if (h.peer == p.name) in = &h;
    }
    for (const auto& h : outgoing_) {
      if (h.peer == p.name) outh = &h;
    }
    if (info == "done" && in) {
      keys = in->keys;
      target = opt_.me;
    } else if (outh && (info == "other" || info == "done")) {
      keys = outh->keys;
      target = p.name;
    } else {
      for (const auto& k : p.held) {
        if (in_scope(scope, p.name, k)) keys.insert(k);
      }
      if (opt_.nodes.size() == 2) target = info == "me" ? opt_.me : p.name;
    }
  }

  if (info == "me") {
    if (target != opt_.me) return;
    if (shutting_ || isolated_) {
      log(out, LogKind::refused,
          "standby message from " + p.name + " ignored: local resources in flux",
          {{"HB_NODE", p.name}, {"HB_REASON", "in flux"}});
      return;
    }
    bool force = m.get(str(field::force)) == "1";
    // A new offer from this giver voids what is left of an earlier exchange with it (one the
    // giver dropped, e.g. when it lost track of us for a moment).
    std::erase_if(incoming_, [&](Handover& h) {
      if (h.peer != p.name) return false;
      for (const auto& k : keys) h.keys.erase(k);
      return h.keys.empty();
    });
    std::set<std::string> take;
    for (const auto& k : keys) {
      if (held_here(k) || busy(k)) continue;
      if (local_.at(k).failed) {
        if (!force) continue;
        clear_failure(k);
      }
      take.insert(k);
    }
    if (take.empty()) {
      log(out, LogKind::refused, "standby message from " + p.name + " ignored: nothing to take",
          {{"HB_NODE", p.name}, {"HB_REASON", "nothing to take"}});
      return;
    }
    Message reply;
    reply.type = str(msg::ask_resources);
    reply.fields[str(field::rsc_hold)] = str(to_string(scope));
    reply.fields[str(field::info)] = "other";
    reply.fields[str(field::groups)] = join_keys(take);
    reply.fields[str(field::target)] = opt_.me;
    incoming_.push_back(
        Handover{p.name, take, scope, force, false, now_ + opt_.timing.handover_timeout});
    log(out, LogKind::standby_request,
        p.name + " wants to go standby [" + str(to_string(scope)) + "]: " + join_keys(take),
        {{"HB_NODE", p.name}, {"HB_GROUPS", join_keys(take)}});
    send(out, std::move(reply));
  } else if (info == "other") {
    // The sender promised to take these: nobody else may fill them meanwhile.
    p.incoming.insert(keys.begin(), keys.end());
    for (auto& h : outgoing_) {
      if (h.peer != p.name || h.releasing) continue;
      std::set<std::string> accepted;
      for (const auto& k : h.keys) {
        if (keys.count(k)) accepted.insert(k);
      }
      h.keys = accepted;
      h.releasing = true;
      for (const auto& k : h.keys) {
        local_.at(k).want = false;
        local_.at(k).reason = "standby to " + p.name;
      }
    }
    std::erase_if(outgoing_, [](const Handover& h) { return h.keys.empty(); });
  } else if (info == "done") {
    if (target == p.name) {
      // The taker runs them now.
      for (const auto& k : keys) p.incoming.erase(k);
      log(out, LogKind::standby_done,
          "Standby resource acquisition done [" + str(to_string(scope)) + "] on " + p.name,
          {{"HB_NODE", p.name}, {"HB_GROUPS", join_keys(keys)}});
      return;
    }
    // The giver stopped them and hands them to `target`.
    const bool can_take = !shutting_ && !isolated_;
    for (const auto& k : keys) {
      p.held.erase(k);
      if (target == opt_.me) {
        // Even if our side of the hand-over was dropped meanwhile (timeout, the giver
        // reappearing): the giver has let go and everyone expects us to take it.
        if (!can_take || local_.at(k).failed) continue;
        transit_[k] = opt_.me;
        local_.at(k).want = true;
        local_.at(k).reason = "standby from " + p.name;
      } else if (Peer* t = peer(target);
                 t && live(target) && !t->held.count(k) && !t->failed.count(k)) {
        transit_[k] = target;
      }
    }
    if (target != opt_.me) return;
    Handover h{p.name, {}, scope, false, false, now_};
    for (auto it = incoming_.begin(); it != incoming_.end();) {
      if (it->peer == p.name) {
        h.scope = it->scope;
        it = incoming_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& k : keys) {
      if (transit_.count(k) && transit_[k] == opt_.me) h.keys.insert(k);
    }
    if (!h.keys.empty()) acquiring_.push_back(h);
  }
}

Actions Engine::on_result(const std::string& key, Result result, TimePoint now) {
  Actions out;
  now_ = now;
  auto it = local_.find(key);
  if (it == local_.end()) return out;
  Local& l = it->second;
  std::map<std::string, std::string> f{
      {"HB_GROUP", key}, {"HB_DURATION_MS", std::to_string(ms_between(l.since, now))}};
  switch (result) {
    case Result::started:
      if (l.state != GroupState::starting) return out;
      l.state = GroupState::running;
      log(out, LogKind::acquired, "acquired " + key + " (" + l.reason + ")", f);
      break;
    case Result::start_failed:
      if (l.state != GroupState::starting) return out;
      l.state = GroupState::stopping;
      l.since = now;
      l.cleanup = true;
      l.failed = true;
      l.want = false;
      log(out, LogKind::start_failed, "start of " + key + " failed; stopping what started", f);
      out.emplace_back(StopGroup{key});
      break;
    case Result::stopped:
      if (l.state != GroupState::stopping) return out;
      l.state = GroupState::stopped;
      log(out, LogKind::released, (l.cleanup ? "cleaned up " : "released ") + key, f);
      l.cleanup = false;
      break;
    case Result::stop_failed:
      if (l.state != GroupState::stopping) return out;
      l.state = GroupState::failed;
      l.unsafe = true;
      l.cleanup = false;
      log(out, LogKind::stop_failed,
          "stop of " + key + " failed: it may still be active here; no other node takes it", f);
      for (auto& h : outgoing_) h.keys.erase(key);
      break;
  }
  if (result == Result::started || result == Result::start_failed) {
    if (transit_.count(key) && transit_[key] == opt_.me) transit_.erase(key);
    // Tell the giver once every group it handed us is settled.
    for (auto a = acquiring_.begin(); a != acquiring_.end(); ++a) {
      if (!a->keys.count(key)) continue;
      bool settled = std::all_of(a->keys.begin(), a->keys.end(), [&](const std::string& k) {
        const Local& x = local_.at(k);
        return x.state == GroupState::running || x.failed || !x.want;
      });
      if (!settled) break;
      std::set<std::string> got;
      for (const auto& k : a->keys) {
        if (local_.at(k).state == GroupState::running) got.insert(k);
      }
      Message m;
      m.type = str(msg::ask_resources);
      m.fields[str(field::rsc_hold)] = str(to_string(a->scope));
      m.fields[str(field::info)] = "done";
      m.fields[str(field::groups)] = join_keys(got);
      m.fields[str(field::target)] = opt_.me;
      if (!got.empty()) {
        log(out, LogKind::standby_done,
            "Standby resource acquisition done [" + str(to_string(a->scope)) + "].",
            {{"HB_NODE", a->peer}, {"HB_GROUPS", join_keys(got)}});
        // Our t=resource goes first so that the giver sees us holding before "done".
        send(out, state_message("", ""));
        send(out, std::move(m));
      }
      acquiring_.erase(a);
      break;
    }
  }
  // A giver whose groups are all stopped hands them over.
  for (auto h = outgoing_.begin(); h != outgoing_.end();) {
    bool stopped =
        h->releasing && std::all_of(h->keys.begin(), h->keys.end(), [&](const std::string& k) {
          return local_.at(k).state == GroupState::stopped;
        });
    if (!stopped) {
      ++h;
      continue;
    }
    if (!h->keys.empty() && live(h->peer) && peers_.at(h->peer).status == PeerStatus::up) {
      for (const auto& k : h->keys) transit_[k] = h->peer;
      Message m;
      m.type = str(msg::ask_resources);
      m.fields[str(field::rsc_hold)] = str(to_string(h->scope));
      m.fields[str(field::info)] = "done";
      m.fields[str(field::groups)] = join_keys(h->keys);
      m.fields[str(field::target)] = h->peer;
      send(out, std::move(m));
    }
    h = outgoing_.erase(h);
  }
  reconcile(out);
  return out;
}

Actions Engine::standby(Scope scope, TimePoint now) {
  Actions out;
  now_ = now;
  if (opt_.auto_failback == AutoFailback::legacy) {
    log(out, LogKind::refused, "Standby mode only implemented when auto_failback is on or off",
        {{"HB_REASON", "legacy"}});
    return out;
  }
  if (shutting_ || isolated_) {
    log(out, LogKind::refused, "standby refused: local resources in flux",
        {{"HB_REASON", "in flux"}});
    return out;
  }
  std::map<std::string, std::set<std::string>> by_target;
  for (const auto& g : opt_.groups) {
    const Local& l = local_.at(g.key);
    if (l.state != GroupState::running || l.unsafe || busy(g.key)) continue;
    if (!in_scope(scope, opt_.me, g.key)) continue;
    auto t = standby_target(g.key);
    if (!t) {
      log(out, LogKind::refused, "standby: no node can take " + g.key,
          {{"HB_GROUP", g.key}, {"HB_REASON", "no target"}});
      continue;
    }
    by_target[*t].insert(g.key);
  }
  for (auto& [t, keys] : by_target) offer(out, t, std::move(keys), scope, false);
  reconcile(out);
  return out;
}

Actions Engine::takeover(Scope scope, TimePoint now) {
  Actions out;
  now_ = now;
  if (opt_.auto_failback == AutoFailback::legacy) {
    log(out, LogKind::refused, "Takeover only implemented when auto_failback is on or off",
        {{"HB_REASON", "legacy"}});
    return out;
  }
  if (shutting_ || isolated_) {
    log(out, LogKind::refused, "takeover refused: local resources in flux",
        {{"HB_REASON", "in flux"}});
    return out;
  }
  for (const auto& g : opt_.groups) {
    if (in_scope(scope, opt_.me, g.key)) clear_failure(g.key);
  }
  Message m;
  m.type = str(msg::hb_takeover);
  m.fields[str(field::rsc_hold)] = str(to_string(scope));
  m.fields[str(field::force)] = "1";
  send(out, std::move(m));
  reconcile(out);
  return out;
}

Actions Engine::move(const std::string& key, const std::string& node, TimePoint now) {
  Actions out;
  now_ = now;
  std::string target = canon(node);
  if (!group(key) || target.empty()) {
    log(out, LogKind::refused, "move: unknown group or node",
        {{"HB_GROUP", key}, {"HB_NODE", node}, {"HB_REASON", "unknown"}});
    return out;
  }
  if (shutting_ || isolated_ || busy(key)) {
    log(out, LogKind::refused, "move of " + key + " refused: in flux",
        {{"HB_GROUP", key}, {"HB_REASON", "in flux"}});
    return out;
  }
  if (target != opt_.me) {
    const Peer& p = peers_.at(target);
    if (p.status != PeerStatus::up || !p.answered || p.leaving) {
      log(out, LogKind::refused, "move of " + key + " refused: " + target + " is not active",
          {{"HB_GROUP", key}, {"HB_NODE", target}, {"HB_REASON", "target down"}});
      return out;
    }
  } else {
    clear_failure(key);
  }
  if (local_.at(key).state == GroupState::running) {
    if (target != opt_.me) offer(out, target, {key}, Scope::all, true);
  } else {
    Message m;
    m.type = str(msg::hb_move);
    m.fields[str(field::groups)] = key;
    m.fields[str(field::target)] = target;
    send(out, std::move(m));
  }
  reconcile(out);
  return out;
}

Actions Engine::shutdown(TimePoint now) {
  Actions out;
  now_ = now;
  if (shutting_) return out;
  shutting_ = true;
  log(out, LogKind::shutdown_begin, "shutting down: releasing every group");
  std::erase_if(outgoing_, [](const Handover& h) { return !h.releasing; });
  incoming_.clear();
  for (auto& [key, l] : local_) {
    if (l.want) l.reason = "shutdown";
    l.want = false;
  }
  send(out, state_message("", "shutdown"));
  last_announce_.clear();
  reconcile(out);
  return out;
}

Actions Engine::set_daemons_ok(bool ok, TimePoint now, std::optional<TimePoint> since) {
  Actions out;
  now_ = now;
  if (!ok) {
    const TimePoint from = std::min(now, since.value_or(now));
    if (!lost_since_ || from < *lost_since_) lost_since_ = from;
  } else {
    lost_since_.reset();
    if (isolated_) {
      isolated_ = false;
      log(out, LogKind::daemons_back, "hb-linkd is back: starting afresh");
      for (auto& [name, p] : peers_) {
        forget_peer(p);
        p.status = PeerStatus::unknown;
      }
      start_ = now;  // peers get initdead again before we take anything
      announced_ = false;
      initial_done_ = false;
      last_announce_.clear();
      Message m;
      m.type = str(msg::starting);
      m.fields[str(field::held)] = join_keys(held());
      send(out, std::move(m));
    }
  }
  Actions more = advance(now);
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

Actions Engine::set_membership(bool present, TimePoint now) {
  now_ = now;
  // Peers never heard from get initdead again from here: hb-membershipd may have just started
  // and not yet heard them either.
  if (present && !membership_) start_ = now;
  membership_ = present;
  return advance(now);
}

Actions Engine::set_unable(std::string codes, TimePoint now) {
  Actions out;
  now_ = now;
  if (codes == unable_) return out;
  unable_ = std::move(codes);
  // Once t=shutdone went out the peers count this node gone: nothing more to tell.
  if (started_ && !shutdone_sent_) send(out, state_message("", ""));
  return out;
}

std::map<std::string, std::string> Engine::peers_unable() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, p] : peers_)
    if (p.status == PeerStatus::up && !p.unable.empty()) out[name] = p.unable;
  return out;
}

std::vector<std::string> Engine::live_peers() const {
  std::vector<std::string> out;
  for (const auto& [name, p] : peers_)
    if (p.status == PeerStatus::up && !p.leaving) out.push_back(name);
  return out;
}

Actions Engine::advance(TimePoint now) {
  Actions out;
  now_ = now;
  if (lost_since_ && !isolated_ && now >= *lost_since_ + opt_.timing.daemon_grace) {
    log(out, LogKind::daemons_lost,
        "hb-linkd gone or hung for " + std::to_string(ms_between(*lost_since_, now)) +
            " ms: releasing every group before the peers take over");
    isolated_ = true;
    std::erase_if(outgoing_, [](const Handover& h) { return !h.releasing; });
    incoming_.clear();
    for (auto& [key, l] : local_) {
      if (l.want) l.reason = "own hb-linkd lost";
      l.want = false;
    }
  }
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
  reconcile(out);
  return out;
}

std::optional<TimePoint> Engine::next_deadline() const {
  std::optional<TimePoint> next;
  auto consider = [&](TimePoint t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& [name, p] : peers_) {
    if (p.status == PeerStatus::unknown && now_ < start_ + opt_.timing.initdead)
      consider(start_ + opt_.timing.initdead);
    if (started_ && p.status == PeerStatus::up && !p.answered && p.asked)
      consider(p.asked_at + ask_interval());
  }
  for (const auto& h : outgoing_) {
    if (!h.releasing) consider(h.deadline);
  }
  for (const auto& h : incoming_) consider(h.deadline);
  if (lost_since_ && !isolated_) consider(*lost_since_ + opt_.timing.daemon_grace);
  return next;
}

// --- the rules ------------------------------------------------------------------------------

void Engine::reconcile(Actions& out) {
  if (!started_) return;
  const bool answered = all_answered();

  // Unowned groups go to their designated node.
  if (!isolated_ && !shutting_ && answered) {
    for (const auto& g : opt_.groups) {
      Local& l = local_.at(g.key);
      if (l.failed || l.unsafe || claimed(g.key)) continue;
      if (designated(g.key) != opt_.me) continue;
      l.want = true;
      l.reason = g.preferred == opt_.me ? "preferred node" : "takeover";
    }
  }

  // Start and stop what the wants say.
  for (const auto& g : opt_.groups) {
    Local& l = local_.at(g.key);
    auto mine = transit_.find(g.key);
    if (mine != transit_.end() && mine->second == opt_.me && !l.want && !held_here(g.key)) {
      transit_.erase(mine);  // we will not take it after all: let the others fill it
      std::erase_if(acquiring_, [&](Handover& h) {
        h.keys.erase(g.key);
        return h.keys.empty();
      });
    }
    if (l.state == GroupState::running && !l.want) {
      l.state = GroupState::stopping;
      l.since = now_;
      log(out, LogKind::release, "releasing " + g.key + " (" + l.reason + ")",
          {{"HB_GROUP", g.key}, {"HB_REASON", l.reason}});
      out.emplace_back(StopGroup{g.key});
    } else if (l.state == GroupState::stopped && l.want && !l.unsafe) {
      if (peer_holds(g.key)) {
        l.want = false;  // somebody else got it first
        continue;
      }
      auto t = transit_.find(g.key);
      bool to_other = t != transit_.end() && t->second != opt_.me && live(t->second);
      if (!answered || isolated_ || shutting_ || to_other) continue;
      l.state = GroupState::starting;
      l.since = now_;
      // Failback is for a preferred node that comes back: one that is up while we acquire
      // (standby, move, failed start there) gets the group back only after its next return.
      if (g.preferred != opt_.me) {
        auto p = peers_.find(g.preferred);
        if (p != peers_.end() && p->second.status == PeerStatus::up)
          failback_offered_[g.key] = {p->second.name, p->second.epoch};
      }
      log(out, LogKind::acquire, "acquiring " + g.key + " (" + l.reason + ")",
          {{"HB_GROUP", g.key}, {"HB_REASON", l.reason}});
      out.emplace_back(StartGroup{g.key});
    }
  }

  // auto_failback on: give groups back to their preferred node, once per its appearance.
  if (opt_.auto_failback == AutoFailback::on && !isolated_ && !shutting_) {
    std::map<std::string, std::set<std::string>> back;
    for (const auto& g : opt_.groups) {
      const Local& l = local_.at(g.key);
      if (g.preferred == opt_.me || l.state != GroupState::running || !l.want || busy(g.key))
        continue;
      auto it = peers_.find(g.preferred);
      if (it == peers_.end()) continue;
      const Peer& p = it->second;
      if (p.status != PeerStatus::up || !p.answered || !p.stable || p.leaving ||
          p.failed.count(g.key) || p.held.count(g.key))
        continue;
      auto offered = failback_offered_.find(g.key);
      if (offered != failback_offered_.end() && offered->second == std::make_pair(p.name, p.epoch))
        continue;
      failback_offered_[g.key] = {p.name, p.epoch};
      back[p.name].insert(g.key);
    }
    for (auto& [node, keys] : back) offer(out, node, std::move(keys), Scope::failback, false);
  }

  // legacy: the returning preferred node asks for its groups (heartbeat's ip-request).
  if (opt_.auto_failback == AutoFailback::legacy && !isolated_ && !shutting_ && answered) {
    for (auto& [name, p] : peers_) {
      if (p.status != PeerStatus::up || !p.answered || !p.stable) continue;
      auto asked = legacy_asked_.find(name);
      if (asked != legacy_asked_.end() && asked->second == p.epoch) continue;
      bool holds_mine = false;
      for (const auto& g : opt_.groups) {
        if (g.preferred == opt_.me && p.held.count(g.key) && !local_.at(g.key).failed)
          holds_mine = true;
      }
      if (!holds_mine) continue;
      legacy_asked_[name] = p.epoch;
      Message m;
      m.type = str(msg::hb_takeover);
      m.dest = name;
      m.fields[str(field::rsc_hold)] = "local";
      log(out, LogKind::standby_request, "asking " + name + " for our groups back (legacy)",
          {{"HB_NODE", name}});
      send(out, std::move(m));
    }
  }

  // Clean stop completes when nothing runs here any more.
  if (shutting_ && !shutdone_sent_) {
    bool idle = outgoing_.empty() && std::all_of(local_.begin(), local_.end(), [](const auto& kv) {
                  return kv.second.state == GroupState::stopped;
                });
    if (idle) {
      send(out, state_message("", "shutdown"));
      Message m;
      m.type = str(msg::shutdone);
      m.fields[str(field::st)] = "dead";
      m.fields[str(field::info)] = "shutdown";
      send(out, std::move(m));
      shutdone_sent_ = true;
      log(out, LogKind::shutdown_complete, "Heartbeat shutdown complete");
    }
  }

  // Tell the others whenever what we hold, promise or failed changes.
  if (!isolated_ && !shutdone_sent_ && (announced_ || answered)) {
    Message m = state_message("", "");
    std::string sig;
    for (const auto& [k, v] : m.fields) sig += k + "=" + v + "\n";
    if (sig != last_announce_) {
      last_announce_ = sig;
      announced_ = true;
      send(out, std::move(m));
    }
  }

  if (!initial_done_ && announced_ && answered &&
      std::none_of(local_.begin(), local_.end(),
                   [](const auto& kv) { return kv.second.state == GroupState::starting; })) {
    initial_done_ = true;
    log(out, LogKind::initial_done,
        "Initial resource acquisition complete (" + join_keys(held()) + ")");
  }

  for (auto& [name, p] : peers_) {
    if (p.status == PeerStatus::up && !p.answered) {
      // Asked and not answered: ask again (a message lost at the instant a partition heals must
      // not leave this node waiting for good; the answer is idempotent).
      if (p.asked && now_ >= p.asked_at + ask_interval()) ask(out, p);
      if (waiting_logged_.insert(name).second)
        log(out, LogKind::waiting, "waiting for " + name + " to say what it holds",
            {{"HB_NODE", name}});
    } else {
      waiting_logged_.erase(name);
    }
  }

  for (const auto& g : opt_.groups) {
    GroupView v = view(g.key);
    auto it = last_views_.find(g.key);
    if (it == last_views_.end() || !(it->second == v)) {
      last_views_[g.key] = v;
      out.emplace_back(v);
    }
  }
}

// --- queries --------------------------------------------------------------------------------

GroupView Engine::view(const std::string& key) const {
  GroupView v{key, GroupState::stopped, ""};
  auto it = local_.find(key);
  if (it == local_.end()) return v;
  const Local& l = it->second;
  if (l.unsafe) return {key, GroupState::failed, opt_.me};
  if (l.state != GroupState::stopped) return {key, l.state, opt_.me};
  for (const auto& [name, p] : peers_) {
    if (p.status != PeerStatus::dead && p.status != PeerStatus::gone && p.held.count(key))
      return {key, GroupState::running, name};
  }
  auto t = transit_.find(key);
  if (t != transit_.end() && live(t->second)) return {key, GroupState::starting, t->second};
  if (l.failed) return {key, GroupState::failed, ""};
  return v;
}

std::vector<GroupView> Engine::views() const {
  std::vector<GroupView> out;
  for (const auto& g : opt_.groups) out.push_back(view(g.key));
  return out;
}

std::set<std::string> Engine::held() const {
  std::set<std::string> out;
  for (const auto& g : opt_.groups) {
    if (held_here(g.key)) out.insert(g.key);
  }
  return out;
}

bool Engine::stable() const {
  return !shutting_ && outgoing_.empty() && incoming_.empty() && acquiring_.empty() &&
         std::none_of(local_.begin(), local_.end(), [](const auto& kv) {
           return kv.second.state == GroupState::starting ||
                  kv.second.state == GroupState::stopping;
         });
}

}  // namespace hb::failover
