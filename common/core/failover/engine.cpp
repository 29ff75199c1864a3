// Which node runs each resource group: the coordinator that feeds each input to the engine's
// parts and applies the rules (engine.hpp has them, docs/handover.md the messages).
#include "core/failover/engine.hpp"

#include <algorithm>
#include <utility>

#include "core/config/lexical.hpp"
#include "core/failover/placement.hpp"

namespace hb::failover {

namespace {

std::string str(std::string_view s) {
  return std::string(s);
}

long long ms_between(TimePoint a, TimePoint b) {
  return std::chrono::duration_cast<Millis>(b - a).count();
}

// ha.cf's spelling of this node and of each group's preferred node from here on, and the
// grace's default.
Options canonical(Options o) {
  for (const auto& n : o.nodes) {
    if (same_node(n, o.me)) o.me = n;
  }
  for (auto& g : o.groups) {
    if (std::string n = spelled(o.nodes, g.preferred); !n.empty()) g.preferred = n;
  }
  if (o.timing.daemon_grace.count() <= 0) o.timing.daemon_grace = o.timing.deadtime / 2;
  return o;
}

void log_return(Actions& out, const Peer& p) {
  log(out, LogKind::peer_returned, "Cluster node " + p.name + " returning after partition",
      {{"HB_NODE", p.name}});
}

}  // namespace

Engine::Engine(Options options, TimePoint start)
    : opt_(canonical(std::move(options))),
      now_(start),
      peers_(opt_, start),
      local_(opt_.groups),
      handovers_(opt_.me),
      fencing_(opt_.fencing) {}

void Engine::set_timing(Millis keepalive, Millis deadtime, Millis daemon_grace) {
  opt_.timing.keepalive = keepalive;
  opt_.timing.deadtime = deadtime;
  opt_.timing.daemon_grace = daemon_grace.count() > 0 ? daemon_grace : deadtime / 2;
  peers_.set_deadtime(deadtime);
}

Situation Engine::situation() const {
  return {opt_, peers_, local_, handovers_, now_, may_hold()};
}

// --- outputs --------------------------------------------------------------------------------

// Nothing can be sent while our own hb-linkd is gone; the fresh t=starting after it returns
// tells the peers everything they need.
void Engine::send(Actions& out, Message m) {
  if (isolated_) return;
  if (m.type == msg::starting || m.type == msg::resource) {
    if (!unable_.empty()) m.fields[str(field::unable)] = unable_;
    if (!opt_.run.empty()) m.fields[str(field::run)] = opt_.run;
  }
  out.emplace_back(Send{std::move(m)});
}

Message Engine::state_message(const std::string& dest, const std::string& info, bool ask) const {
  Holdings h = local_.holdings(opt_);
  h.incoming = handovers_.promised_here(local_);
  return resource_message(dest, h, stable(), shutting_ ? "shutdown" : info, ask);
}

// Unanswered, it is asked again (reconcile) every Peers' ask interval.
void Engine::ask(Actions& out, Peer& p) {
  peers_.asked(p, now_);
  p.asked_seq = ++news_;
  Message m = state_message(p.name, "", true);
  m.fields[str(field::ask_id)] = std::to_string(p.asked_seq);
  send(out, std::move(m));
}

void Engine::offer(Actions& out, const std::string& taker, std::set<std::string> keys, Scope scope,
                   bool force) {
  if (keys.empty()) return;
  Message m = ask_resources_message(taker, scope, "me", keys, taker, force);
  log(out, LogKind::standby_request,
      opt_.me + " wants to go standby [" + str(to_string(scope)) + "]: " + join_keys(keys) +
          " to " + taker,
      {{"HB_NODE", taker}, {"HB_GROUPS", join_keys(keys)}});
  handovers_.offer(taker, std::move(keys), scope, force, now_ + opt_.timing.standby_timeout);
  send(out, std::move(m));
}

// --- peers ----------------------------------------------------------------------------------

void Engine::forget_peer(Peer& p) {
  p.forget_state();
  policy_.forget(p.name);
  handovers_.forget(p.name);
}

void Engine::lost(Actions& out, Peer& p, PeerStatus status) {
  forget_peer(p);
  p.status = status;
  policy_.announce_if_released(p, local_, out);
}

void Engine::heard(Actions& out, Peer& p, const Message& m) {
  p.fenced_epoch.reset();  // alive after our fence: its next death is a new one
  p.heard_seq = ++news_;
  // Only an answer to an ask of ours so far (a garbled number counts as none).
  if (const auto n = config::parse_int(m.get(str(field::answer)));
      n && static_cast<unsigned>(*n) <= p.asked_seq)
    p.answered_seq = std::max(p.answered_seq, static_cast<unsigned>(*n));
  p.speaks_hb = holdings_of(m).has_value();
  p.learn(m, opt_.groups);
  handovers_.arrived(p);
  handovers_.giver_holds(p);
  // A healed partition: both run the group. The node later in its succession gives it up.
  policy_.check_split(opt_, p, local_, out);
  p.unable = m.get(str(field::unable));
  policy_.announce_if_released(p, local_, out);
  p.answered = true;
}

void Engine::appear(Actions& out, Peer& p) {
  if (fencing_.pending(p.name) && !fencing_.find(p.name)->running) {
    log(out, LogKind::peer_returned,
        "node " + p.name + " heard again before its fence began: not fencing it",
        {{"HB_NODE", p.name}});
  }
  fencing_.appeared(p.name);
  waited_for_.erase(p.name);
  p.appear();
}

// --- inputs ---------------------------------------------------------------------------------

Actions Engine::start(TimePoint now) {
  return step(now, [&](Actions& out) {
    if (started_) return false;
    started_ = true;
    send(out, starting_message(local_.adopt(opt_.adopted, now)));
    return true;
  });
}

Actions Engine::on_node(const std::string& node, NodeChange change, TimePoint now) {
  return step(now, [&](Actions& out) {
    Peer* p = peers_.find(node);
    if (!p) return false;
    switch (change) {
      case NodeChange::up:
        if (p->status == PeerStatus::up) break;
        if (p->status == PeerStatus::dead) log_return(out, *p);
        appear(out, *p);
        ask(out, *p);
        break;
      case NodeChange::restarted:
        // Only its hb-linkd may have restarted (a new generation) while its hb-resourced runs
        // on and holds its groups: it must say what it holds before anything here counts on
        // it. Its hand-overs with us stand: only its own t=starting (a new hb-resourced, which
        // knows of none) ends them. Membership's news may also come after the peer's messages
        // of this appearance, which must not be undone.
        appear(out, *p);
        ask(out, *p);
        break;
      case NodeChange::dead:
        if (p->status == PeerStatus::dead) break;
        if (fencing_.configured() && p->status == PeerStatus::unknown) {
          // Never heard since we started: it may be the survivor of a partition that fenced
          // us, and still hold the groups. Written off only once heard, or by an admin.
          if (waited_for_.insert(p->name).second)
            log(out, LogKind::wait_for_peer,
                "node " + p->name +
                    " not heard since start: taking nothing over until it is heard or "
                    "confirmed down (fencing is configured)",
                {{"HB_NODE", p->name}});
          return false;
        }
        log(out, LogKind::peer_dead, "node " + p->name + ": is dead", {{"HB_NODE", p->name}});
        if (fencing_.configured() && p->status == PeerStatus::up && p->fenced_epoch != p->epoch)
          fence_later(*p);
        lost(out, *p, PeerStatus::dead);
        break;
      case NodeChange::clean_shutdown:
        lost(out, *p, PeerStatus::gone);
        break;
    }
    return true;
  });
}

Actions Engine::on_message(const std::string& from, const Message& m, TimePoint now) {
  return step(now, [&](Actions& out) {
    Peer* p = peers_.find(from);
    if (!p || isolated_ || !started_) return false;
    if (!m.dest.empty() && !same_node(m.dest, opt_.me)) return false;
    // Its run (hb_run): a message of an earlier run, delayed, is not news; one of a new run we
    // did not hear start (its t=starting lost) ends what we had under way with it, as that
    // t=starting would have: a hand-over it offered died with the run that offered it.
    if (const std::string& run = m.get(str(field::run)); !run.empty() && run != p->run) {
      if (p->ended_runs.count(run)) return false;
      if (!p->run.empty()) {
        p->ended_runs.insert(p->run);
        if (m.type != msg::starting) {
          forget_peer(*p);
          ++p->epoch;
        }
      }
    }
    if (p->status != PeerStatus::up) {
      // A message is proof of life: membership may tell us a moment later.
      if (p->status == PeerStatus::dead && m.type != msg::starting) log_return(out, *p);
      forget_peer(*p);
      appear(out, *p);
    }
    if (m.type == msg::starting) {
      forget_peer(*p);  // a fresh incarnation holds only what it says it adopted
      ++p->epoch;
      heard(out, *p, m);
      send(out, state_message(p->name, ""));
    } else if (m.type == msg::resource) {
      heard(out, *p, m);
      p->stable = m.get(str(field::isstable)) == "1";
      if (m.get(str(field::info)) == "shutdown") p->leaving = true;
      // After t=shutdone nothing more goes out: the peers count this node gone. (hb-linkd hands
      // over only the messages meant for us, without their `dest`.)
      if (m.get(str(field::ask)) == "1" && !shutdone_sent_) {
        Message answer = state_message(p->name, "");
        if (const std::string& id = m.get(str(field::ask_id)); !id.empty())
          answer.fields[str(field::answer)] = id;
        send(out, std::move(answer));
      }
    } else if (m.type == msg::ask_resources) {
      auto handed_here = [&](const std::string& key) {
        const std::string* t = handovers_.transit(key);
        return t && *t == opt_.me;
      };
      std::set<std::string> before;
      for (const auto& g : opt_.groups)
        if (handed_here(g.key)) before.insert(g.key);
      auto reply = handovers_.on_ask_resources(*p, m, opt_, may_hold(), local_, peers_, now, out);
      if (reply) send(out, std::move(*reply));
      // With fencing, a group handed here starts once every live peer has told what it holds
      // since the done arrived, as a takeover does (reconcile): the done may have been held
      // back in a partition while another node, which had written this node off and forgotten
      // the hand-over, took the group. Its answer says so; one that has only claimed the group
      // hears our promise (hb_incoming) first and leaves the group to us.
      for (const auto& g : opt_.groups)
        if (!before.count(g.key) && handed_here(g.key)) local_.at(g.key).claim_seq = news_;
    } else if (m.type == msg::hb_takeover) {
      // A peer asks for the groups of a scope it prefers (legacy failback) or, forced, any.
      auto scope = scope_of(m);
      bool force = m.get(str(field::force)) == "1";
      std::set<std::string> keys;
      if (!shutting_) keys = Policy::requested(situation(), *p, scope, force);
      offer(out, p->name, std::move(keys), scope, force);
    } else if (m.type == msg::hb_move) {
      std::string target = spelled(opt_.nodes, m.get(str(field::target)));
      for (const auto& key : split_keys(m.get(str(field::groups)))) {
        if (!group(key)) continue;
        if (target == opt_.me) {
          local_.clear_failure(key);
        } else if (!target.empty() && local_.at(key).state == GroupState::running &&
                   !handovers_.busy(key) && !shutting_) {
          offer(out, target, {key}, Scope::all, true);
        }
      }
    } else if (m.type == msg::shutdone) {
      lost(out, *p, PeerStatus::gone);
    } else if (m.type == msg::hb_fenced) {
      Peer* target = peers_.find(m.get(str(field::node)));
      if (!target) return true;
      if (fencing_.fenced(target->name))
        log(out, LogKind::fenced, "node " + target->name + " fenced by " + p->name,
            {{"HB_NODE", target->name}});
      // Heard here while its power was being cut (a reset that booted it again): as on the
      // fencer, what it said may predate the cut, so it is asked afresh, and a death before it
      // answers is that fence's doing. The fencer does not fence that death again, and this
      // node must not wait for it to.
      if (target->status == PeerStatus::up) {
        forget_peer(*target);
        appear(out, *target);
        ask(out, *target);
        target->fenced_epoch = target->epoch;
      }
    }
    return true;
  });
}

Actions Engine::on_result(const std::string& key, Result result, TimePoint now) {
  return step(now, [&](Actions& out) {
    if (!local_.find(key) || !local_.apply(key, result, now, out)) return false;
    if (result == Result::stop_failed) {
      handovers_.stop_failed(key);
      // It may still run here: only the end of this node lets a peer take it safely.
      if (fencing_.configured())
        self_fence(out, "the stop of " + key + " failed",
                   {{"HB_GROUP", key}, {"HB_REASON", "stop failed"}});
    }
    if (result == Result::started || result == Result::start_failed) {
      // Tell the giver once every group it handed us is settled.
      if (auto done = handovers_.settled(key, local_)) {
        if (!done->keys.empty()) {
          log(out, LogKind::standby_done,
              "Standby resource acquisition done [" + str(to_string(done->scope)) + "].",
              {{"HB_NODE", done->peer}, {"HB_GROUPS", join_keys(done->keys)}});
          // Our t=resource goes first so that the giver sees us holding before "done".
          send(out, state_message("", ""));
          send(out, ask_resources_message("", done->scope, "done", done->keys, done->target));
        }
        handovers_.confirmed(key);
      }
    }
    // A giver whose groups are all stopped hands them over.
    for (const Done& d : handovers_.stopped(local_, peers_, now_)) {
      Message done = ask_resources_message("", d.scope, "done", d.keys, d.target);
      // The run we handed them to: the one that accepted, or a later one we heard start (its
      // hand-overs with us ended, it takes what it is handed as the node's).
      if (const Peer* taker = peers_.get(d.target); taker && !taker->run.empty())
        done.fields[str(field::target_run)] = taker->run;
      send(out, std::move(done));
    }
    return true;
  });
}

Actions Engine::shutdown(TimePoint now) {
  return step(now, [&](Actions& out) {
    if (shutting_) return false;
    shutting_ = true;
    log(out, LogKind::shutdown_begin, "shutting down: releasing every group");
    handovers_.abandon();
    local_.release_all("shutdown");
    send(out, state_message("", "shutdown"));
    reports_.retell();
    return true;
  });
}

Actions Engine::set_daemons_ok(bool ok, TimePoint now, std::optional<TimePoint> since) {
  Actions result = step(now, [&](Actions& out) {
    if (!ok) {
      const TimePoint from = std::min(now, since.value_or(now));
      if (!lost_since_ || from < *lost_since_) lost_since_ = from;
      return false;
    }
    lost_since_.reset();
    release_checked_ = false;
    if (!isolated_) return false;
    isolated_ = false;
    log(out, LogKind::daemons_back, "hb-linkd is back: starting afresh");
    for (auto& [name, p] : peers_) {
      forget_peer(p);
      p.status = PeerStatus::unknown;
    }
    peers_.restart_clock(now);  // peers get initdead again before we take anything
    reports_.restart();
    send(out, starting_message(held()));
    return false;
  });
  Actions more = advance(now);
  result.insert(result.end(), more.begin(), more.end());
  return result;
}

Actions Engine::set_membership(bool present, TimePoint now) {
  now_ = now;
  // Peers never heard from get initdead again from here: hb-membershipd may have just started
  // and not yet heard them either.
  peers_.set_membership(present, now);
  return advance(now);
}

Actions Engine::set_unable(std::string codes, TimePoint now) {
  return step(now, [&](Actions& out) {
    if (codes == unable_) return false;
    unable_ = std::move(codes);
    // Once t=shutdone went out the peers count this node gone: nothing more to tell.
    if (started_ && !shutdone_sent_) send(out, state_message("", ""));
    return false;
  });
}

std::map<std::string, std::string> Engine::peers_unable() const {
  return peers_.unable();
}

std::vector<std::string> Engine::live_peers() const {
  return peers_.live_peers();
}

std::map<std::string, std::string> Engine::peer_protocols() const {
  std::map<std::string, std::string> out;
  for (const auto& [name, p] : peers_)
    out[name] = !p.answered ? "" : p.speaks_hb ? "hb" : "heartbeat";
  return out;
}

Actions Engine::advance(TimePoint now) {
  return step(now, [&](Actions& out) {
    if (lost_since_ && !isolated_ && now >= *lost_since_ + opt_.timing.daemon_grace) {
      log(out, LogKind::daemons_lost,
          "hb-linkd gone or hung for " + std::to_string(ms_between(*lost_since_, now)) +
              " ms: releasing every group before the peers take over");
      isolated_ = true;
      handovers_.abandon();
      local_.release_all("own hb-linkd lost");
    }
    if (lost_since_ && !release_checked_ && now >= *release_deadline()) {
      release_checked_ = true;
      release_overdue(out);
    }
    handovers_.expire(now, out);
    return true;
  });
}

std::optional<TimePoint> Engine::next_deadline() const {
  std::optional<TimePoint> next = peers_.next_deadline(now_, started_);
  auto consider = [&](std::optional<TimePoint> t) {
    if (t && (!next || *t < *next)) next = t;
  };
  consider(handovers_.next_deadline());
  // Fences are begun only while this node may hold groups, and only by the fencer.
  if (may_hold())
    consider(fencing_.next_deadline([&](const std::string& n) { return fencer_for(n); }));
  if (lost_since_ && !isolated_) consider(*lost_since_ + opt_.timing.daemon_grace);
  if (!release_checked_ && !local_.held().empty()) consider(release_deadline());
  return next;
}

// --- the rules ------------------------------------------------------------------------------

void Engine::reconcile(Actions& out) {
  if (!started_) return;
  const bool answered = peers_.all_answered(now_);
  const Situation s = situation();

  // Unowned groups go to their designated node.
  if (may_hold() && answered) {
    for (const auto& g : opt_.groups) {
      Local& l = local_.at(g.key);
      const bool mine = Policy::designated(s, g) == opt_.me;
      // A start that waited (for a fence, for a peer's answer) while the peer it was to
      // replace came back: that peer is the designated node again, and will start it.
      if (l.designated && l.want && l.state == GroupState::stopped && !mine) {
        l.want = false;
        l.designated = false;
      }
      if (l.failed || l.unsafe || Policy::claimed(s, g.key)) continue;
      if (!mine) continue;
      if (!l.want || !l.designated) l.claim_seq = news_;
      l.claim(g.preferred == opt_.me ? "preferred node" : "takeover");
      l.designated = true;
    }
  }

  if (may_hold()) begin_fences(out);

  // Start and stop what the wants say.
  for (const auto& g : opt_.groups) {
    Local& l = local_.at(g.key);
    if (!l.want && !l.held()) handovers_.decline(g.key);
    if (l.state == GroupState::running && !l.want) {
      local_.begin_stop(g.key, now_, out);
    } else if (l.state == GroupState::stopped && l.want && !l.unsafe) {
      if (peers_.holds(g.key)) {
        l.want = false;  // somebody else got it first
        continue;
      }
      // A live peer says the group is promised to it (hb_incoming): it got a giver's done, or
      // accepted an offer, that this node forgot (it wrote the peer off meanwhile) or learnt of
      // late. That peer starts the group as soon as it may: starting it here too would put it
      // on two nodes. With fencing, this start waits for the peer's answer to an ask made after
      // the claim, and a done this node sent as the giver reaches the peer before that ask
      // (per-pair order): the answer tells the promise. A promise the peer gives up (it timed
      // out, or the peer declined the group) lets this node claim the group again.
      if (l.designated && peers_.promised(g.key, now_)) {
        l.want = false;
        l.designated = false;
        continue;
      }
      const std::string* t = handovers_.transit(g.key);
      bool to_other = t && *t != opt_.me && peers_.live(*t, now_);
      // A dead peer that may still run it (or anything) is fenced first.
      if (!answered || !may_hold() || to_other || fencing_.pending()) continue;
      const bool handed = t && *t == opt_.me;
      if ((l.designated || handed) && fencing_.configured() && !fresh_since(l.claim_seq, out))
        continue;
      if (g.preferred != opt_.me) policy_.acquiring(g, peers_);
      local_.begin_start(g.key, now_, out);
    }
  }

  // auto_failback on: give groups back to their preferred node, once per its appearance.
  if (opt_.auto_failback == AutoFailback::on && may_hold()) {
    for (auto& [node, keys] : policy_.give_back(s))
      offer(out, node, std::move(keys), Scope::failback, false);
  }

  // legacy: the returning preferred node asks for its groups (heartbeat's ip-request).
  if (opt_.auto_failback == AutoFailback::legacy && may_hold() && answered) {
    for (const auto& name : policy_.ask_back(s)) {
      log(out, LogKind::standby_request, "asking " + name + " for our groups back (legacy)",
          {{"HB_NODE", name}});
      send(out, takeover_message(name, Scope::local, false));
    }
  }

  // Clean stop completes when nothing runs here any more.
  if (shutting_ && !shutdone_sent_ && !handovers_.giving() && local_.stopped()) {
    send(out, state_message("", "shutdown"));
    send(out, shutdone_message());
    shutdone_sent_ = true;
    log(out, LogKind::shutdown_complete, "Heartbeat shutdown complete");
  }

  // Tell the others whenever what we hold, promise or failed changes.
  if (!isolated_ && !shutdone_sent_ && (reports_.announced() || answered)) {
    Message m = state_message("", "");
    if (reports_.changed(m)) send(out, std::move(m));
  }
  if (reports_.announced() && answered && !local_.starting()) reports_.initial_done(held(), out);

  for (auto& [name, p] : peers_) {
    const bool waiting = p.status == PeerStatus::up && !p.answered;
    // Asked and not answered: ask again (a message lost at the instant a partition heals must
    // not leave this node waiting for good; the answer is idempotent).
    if (p.status == PeerStatus::up && p.awaits_answer() && peers_.ask_due(p, now_)) ask(out, p);
    reports_.waiting(name, waiting, out);
  }

  reports_.views(views(), out);
}

bool Engine::fresh_since(unsigned seq, Actions& out) {
  bool fresh = true;
  for (auto& [name, p] : peers_) {
    if (p.status != PeerStatus::up || !p.speaks_hb) continue;
    if (p.run.empty() ? p.heard_seq > seq : p.answered_seq > seq) continue;
    fresh = false;
    // Not asked since `seq`, or since it reappeared (an ask to its earlier run goes unanswered).
    if (p.asked_seq <= seq || !p.asked) ask(out, p);
  }
  return fresh;
}

// --- queries --------------------------------------------------------------------------------

GroupView Engine::view(const std::string& key) const {
  const Local* l = local_.find(key);
  if (!l) return {key, GroupState::stopped, ""};
  if (l->unsafe) return {key, GroupState::failed, opt_.me};
  if (l->state != GroupState::stopped) return {key, l->state, opt_.me};
  if (const Peer* p = peers_.holder(key)) return {key, GroupState::running, p->name};
  if (const std::string* n = fencing_.holder(key)) return {key, GroupState::fencing, *n};
  const std::string* t = handovers_.transit(key);
  if (t && peers_.live(*t, now_)) return {key, GroupState::starting, *t};
  if (l->failed) return {key, GroupState::failed, ""};
  return {key, GroupState::stopped, ""};
}

std::vector<GroupView> Engine::views() const {
  std::vector<GroupView> out;
  for (const auto& g : opt_.groups) out.push_back(view(g.key));
  return out;
}

std::set<std::string> Engine::held() const {
  return local_.held();
}

bool Engine::stable() const {
  return !shutting_ && handovers_.idle() && !local_.settling();
}

}  // namespace hb::failover
