#include "core/ipfail/engine.hpp"

#include <algorithm>

namespace hb::ipfail {

namespace {

Action make(Action::Kind kind, std::string reason) {
  Action a;
  a.kind = kind;
  a.reason = std::move(reason);
  return a;
}

std::string ms(Millis d) {
  return std::to_string(d.count()) + " ms";
}

}  // namespace

std::string Engine::counts() const {
  std::string s = "we reach " + (committed_ ? std::to_string(*committed_) : std::string("?"));
  s += ", the peer reaches " + (peer_count_ ? std::to_string(*peer_count_) : std::string("?"));
  return s;
}

std::optional<std::string> Engine::pending_giveup() const {
  if (!giveup_) return std::nullopt;
  return giveup_->scope;
}

bool Engine::held() const {
  return peer_up_ && !s_.ping_set.empty() && !peer_set_.empty() && s_.ping_set != peer_set_;
}

bool Engine::hold(Actions& out) {
  if (!held()) {
    if (held_logged_) {
      held_logged_ = false;
      out.push_back(make(Action::Kind::note,
                         "both nodes count over the same ping nodes again: deciding on counts"));
    }
    return false;
  }
  if (giveup_) cancel(out, "the peer counts over other ping nodes than we do (a reload under way)");
  if (!held_logged_) {
    held_logged_ = true;
    out.push_back(make(Action::Kind::note,
                       "decisions held: the peer counts over other ping nodes than we do (ping "
                       "set " +
                           peer_set_ + ", ours " + s_.ping_set +
                           "), as while a reload reaches one node before the other; nothing "
                           "moves until both count over the same set"));
  }
  return true;
}

Actions Engine::ping_set_changed(std::string ping_set, TimePoint now) {
  (void)now;
  Actions out;
  if (ping_set == s_.ping_set) return out;
  s_.ping_set = std::move(ping_set);
  // The count so far was over the old set: comparing it with anything now would judge the
  // reload, not the network. A new count settles as at start, then goes to the peer.
  measured_.reset();
  committed_.reset();
  if (giveup_) cancel(out, "the ping nodes were reloaded: the count starts over");
  out.push_back(
      make(Action::Kind::note, "ping nodes reloaded (ping set " + s_.ping_set +
                                   "): counting them again before comparing with the peer"));
  hold(out);
  return out;
}

Actions Engine::local_count(std::uint32_t reachable, TimePoint now) {
  Actions out;
  if (measured_ && *measured_ == reachable) return out;
  measured_ = reachable;
  measured_since_ = now;
  if (committed_ && *committed_ == reachable) {
    out.push_back(make(Action::Kind::note, "ping nodes reached back to " +
                                               std::to_string(reachable) + " within " +
                                               ms(s_.settle) + ": a flap, nothing changes"));
    // What we said stands again: heartbeat's ipfail gets the answer it was owed.
    if (owe_you_are_dead_) {
      owe_you_are_dead_ = false;
      if (peer_up_ && peer_count_ && *committed_ > *peer_count_ && !held())
        out.push_back(make(Action::Kind::send_you_are_dead,
                           "we reach more ping nodes than the peer after all (" + counts() + ")"));
    }
  }
  return out;
}

Actions Engine::peer_count(std::uint32_t reachable, TimePoint now, bool asks,
                           const std::string& ping_set) {
  Actions out;
  const bool was_unknown = !peer_count_;
  peer_count_ = reachable;
  peer_set_ = ping_set;
  told_dead_ = false;
  owe_you_are_dead_ = false;  // this count is answered (or withheld) anew
  // A peer we knew nothing about, or one that asks (its ipfail just restarted), learns our count
  // in return; our answer does not ask back, so once both know both counts, messages only flow
  // on changes. To heartbeat's ipfail a count above its own is a you_are_dead: withheld alike
  // while our own count is falling (evaluate() says so, and the settled count goes later).
  const bool withheld = committed_ && *committed_ > reachable && answer_later(reachable);
  if ((asks || (was_unknown && !asked_)) && committed_ && !withheld)
    send_count(out, "the peer's ipfail announced itself; telling it ours");
  evaluate(out, Trigger::peer_count, now);
  return out;
}

Actions Engine::peer_you_are_dead(TimePoint now) {
  Actions out;
  told_dead_ = true;
  if (!peer_up_) return out;
  // Said of counts over other ping nodes than ours, it is no reason to give anything up.
  if (hold(out)) return out;
  if (peer_count_ && committed_ && *committed_ >= *peer_count_) {
    out.push_back(make(Action::Kind::note,
                       "the peer says it reaches more ping nodes, but " + counts() + "; waiting"));
    return out;
  }
  if (!gave_up_all_ && (!giveup_ || giveup_->scope != "all"))
    schedule(out, "all", now, "the peer reaches more ping nodes (you_are_dead)");
  return out;
}

Actions Engine::peer_abort_giveup(TimePoint now) {
  (void)now;
  Actions out;
  told_dead_ = false;
  if (giveup_ && giveup_->scope == "all")
    cancel(out, "the peer reaches as many ping nodes (abort_giveup)");
  return out;
}

Actions Engine::peer_ipfail_joined(TimePoint now) {
  (void)now;
  Actions out;
  // What we told the peer before its ipfail listened reached nobody; heartbeat's ipfail asks
  // nothing itself, it waits for its peers to tell it their count when it signs on.
  if (peer_up_ && committed_)
    send_count(out, "the peer's ipfail (heartbeat's) signed on; telling it our count");
  return out;
}

Actions Engine::peer_up(TimePoint now) {
  Actions out;
  if (peer_up_) return out;
  peer_up_ = true;
  if (committed_) send_count(out, "the peer is up; telling it our count");
  evaluate(out, Trigger::local, now);
  return out;
}

Actions Engine::peer_down(TimePoint now) {
  (void)now;
  Actions out;
  if (!peer_up_) return out;
  peer_up_ = false;
  peer_count_.reset();
  asked_ = false;
  told_dead_ = false;
  gave_up_all_ = false;
  differed_ = false;
  peer_set_.clear();
  held_logged_ = false;
  owe_you_are_dead_ = false;
  if (giveup_) cancel(out, "the peer is down: there is nobody to give resources to");
  return out;
}

Actions Engine::standby_failed(const std::string& why, TimePoint now) {
  Actions out;
  // What was asked is recorded as done; undo that so evaluate() asks again after `settle`
  // (heartbeat's ipfail likewise waits for the resources to be stable and retries).
  if (gave_up_all_) {
    gave_up_all_ = false;
    if (peer_up_ && peer_count_ && committed_ && *committed_ < *peer_count_)
      schedule(out, "all", now, "the standby request failed (" + why + "); trying again");
  } else if (differed_ == false && peer_up_ && peer_count_ && committed_ &&
             *committed_ == *peer_count_ && s_.auto_failback) {
    differed_ = true;
    schedule(out, "foreign", now, "the failback request failed (" + why + "); trying again");
  }
  return out;
}

Actions Engine::tick(TimePoint now) {
  Actions out;
  if (measured_ && measured_ != committed_ && now >= measured_since_ + s_.settle) {
    committed_ = measured_;
    owe_you_are_dead_ = false;  // the settled count goes to the peer, which decides on it
    Action note = make(Action::Kind::note, "we now reach " + std::to_string(*committed_) +
                                               " ping nodes (held for " + ms(s_.settle) + ")");
    out.push_back(note);
    if (peer_up_) send_count(out, "our ping node count changed");
    evaluate(out, Trigger::local, now);
  }
  if (giveup_ && now >= giveup_->due) {
    Giveup g = *giveup_;
    giveup_.reset();
    if (!giveup_still_wanted(g)) {
      out.push_back(
          make(Action::Kind::note, "give-up (" + g.scope + ") no longer wanted: " + counts()));
    } else {
      Action a = make(Action::Kind::standby,
                      g.scope == "all" ? "the peer reaches more ping nodes than we do (" +
                                             counts() + "): giving all resources to it"
                                       : "ping node counts are equal again (" + counts() +
                                             "): giving foreign resources back (auto_failback on)");
      a.scope = g.scope;
      out.push_back(a);
      if (g.scope == "all") gave_up_all_ = true;
    }
  }
  return out;
}

std::optional<TimePoint> Engine::next_deadline() const {
  std::optional<TimePoint> d;
  if (measured_ && measured_ != committed_) d = measured_since_ + s_.settle;
  if (giveup_) d = d ? std::min(*d, giveup_->due) : giveup_->due;
  return d;
}

bool Engine::giveup_still_wanted(const Giveup& g) const {
  if (!peer_up_ || !committed_ || held()) return false;
  if (g.scope == "all") {
    if (peer_count_) return *committed_ < *peer_count_;
    return told_dead_;
  }
  return peer_count_ && *committed_ == *peer_count_;
}

void Engine::evaluate(Actions& out, Trigger trigger, TimePoint now) {
  if (hold(out)) return;
  if (!committed_ || !peer_count_ || !peer_up_) return;
  const std::uint32_t mine = *committed_;
  const std::uint32_t theirs = *peer_count_;
  if (mine < theirs) {
    differed_ = true;
    if (!gave_up_all_ && (!giveup_ || giveup_->scope != "all"))
      schedule(out, "all", now, "the peer reaches more ping nodes (" + counts() + ")");
    return;
  }
  gave_up_all_ = false;
  if (mine > theirs) {
    differed_ = true;
    if (giveup_) cancel(out, "we reach more ping nodes than the peer (" + counts() + ")");
    // The peer decides for itself from our count; answering its count makes sure it does even
    // if our own count message was lost or came before it knew us.
    if (trigger != Trigger::peer_count) return;
    if (answer_later(theirs)) {
      owe_you_are_dead_ = true;
      out.push_back(make(Action::Kind::note,
                         "the peer (heartbeat's ipfail) reaches fewer ping nodes (" + counts() +
                             "), but we are losing ping nodes too (" + std::to_string(*measured_) +
                             " reached now): answering once our count settles"));
      return;
    }
    out.push_back(make(Action::Kind::send_you_are_dead,
                       "we reach more ping nodes than the peer (" + counts() + ")"));
    return;
  }
  // Equal: a tie moves nothing.
  if (giveup_ && giveup_->scope == "all") cancel(out, "tie (" + counts() + "): nothing moves");
  if (trigger == Trigger::peer_count)
    out.push_back(make(Action::Kind::send_abort_giveup, "tie (" + counts() + "): nothing moves"));
  else if (!differed_)
    out.push_back(make(Action::Kind::note, "tie (" + counts() + "): nothing moves"));
  if (differed_) {
    differed_ = false;
    if (s_.auto_failback)
      schedule(out, "foreign", now, "ping node counts are equal again (" + counts() + ")");
  }
}

bool Engine::answer_later(std::uint32_t theirs) const {
  // hb's ipfaild rechecks the counts before it gives up (giveup_still_wanted): a you_are_dead
  // its later count contradicts moves nothing there. heartbeat's ipfail (it sends no ping set)
  // gives up 2 x keepalive after the you_are_dead whatever comes later but an abort_giveup.
  return peer_set_.empty() && measured_ && measured_ != committed_ && *measured_ <= theirs;
}

void Engine::schedule(Actions& out, const std::string& scope, TimePoint now,
                      const std::string& why) {
  giveup_ = Giveup{scope, now + s_.settle};
  out.push_back(make(Action::Kind::note,
                     why + "; standby " + scope + " in " + ms(s_.settle) + " unless that changes"));
}

void Engine::send_count(Actions& out, const std::string& why) {
  Action a = make(Action::Kind::send_count, why);
  a.count = *committed_;
  a.ping_set = s_.ping_set;
  a.ask = !peer_count_;
  if (a.ask) asked_ = true;  // its answer needs no answer
  out.push_back(a);
}

void Engine::cancel(Actions& out, const std::string& why) {
  out.push_back(
      make(Action::Kind::note, "pending standby " + giveup_->scope + " cancelled: " + why));
  giveup_.reset();
}

}  // namespace hb::ipfail
