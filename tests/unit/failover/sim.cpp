// The simulated cluster of sim.hpp: its network, membership, executor and fence device.
#include "sim.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace hb::failover::sim {

Cluster::Cluster(Config config)
    : cfg_(std::move(config)),
      t0_(TimePoint{} + std::chrono::hours(1)),
      now_(t0_),
      rng_(cfg_.seed) {
  for (const auto& n : cfg_.nodes) nodes_[n].name = n;
}

Options Cluster::options_for(const std::string& node) const {
  Options o;
  o.me = node;
  o.nodes = cfg_.nodes;
  o.groups = cfg_.groups;
  o.auto_failback = cfg_.mode;
  o.timing = cfg_.timing;
  o.membership = !nodes_.at(node).no_membership;
  o.fencing = cfg_.fencing;
  o.run = node + "." + std::to_string(nodes_.at(node).incarnation);
  return o;
}

void Cluster::schedule(TimePoint at, std::function<void()> fn) {
  queue_.push(Event{std::max(at, now_), seq_++, std::move(fn)});
}

Engine& Cluster::engine(const std::string& node) {
  return *nodes_.at(node).engine;
}
bool Cluster::alive(const std::string& node) const {
  return nodes_.at(node).alive;
}
bool Cluster::shut_down(const std::string& node) const {
  return nodes_.at(node).shut;
}

// --- node lifecycle -------------------------------------------------------------------------

void Cluster::boot(const std::string& name) {
  Node& n = nodes_.at(name);
  n.alive = true;
  n.shut = false;
  n.crashed = false;
  n.mute = false;
  ++n.incarnation;
  ++n.power_gen;
  n.exec.clear();
  // Its hb-membershipd starts afresh too: it knows no peer yet.
  n.seen.clear();
  n.missed_dead.clear();
  n.engine = std::make_unique<Engine>(options_for(name), now_);
  apply(n, n.engine->start(now_));
  if (!n.alive) return;
  for (auto& [other, o] : nodes_) {
    if (other == name || !o.alive) continue;
    schedule(now_ + cfg_.link_delay + cfg_.membership_lag,
             [this, a = name, b = other] { membership_contact(a, b); });
  }
  // hb-membershipd's initdead verdict: a peer not heard by then is declared dead.
  schedule(now_ + cfg_.timing.initdead, [this, name, inc = n.incarnation] {
    Node& x = nodes_.at(name);
    if (!x.alive || x.incarnation != inc || x.mute) return;
    for (const auto& [other, o] : nodes_) {
      if (other == name || x.seen.count(other)) continue;
      if (x.no_membership) {
        x.missed_dead[other] = o.incarnation;
        continue;
      }
      x.seen[other] = std::nullopt;
      apply(x, x.engine->on_node(other, NodeChange::dead, now_));
      if (!x.alive) return;
    }
  });
}

void Cluster::membership_contact(const std::string& a, const std::string& b) {
  Node& na = nodes_.at(a);
  Node& nb = nodes_.at(b);
  if (!na.alive || !nb.alive || !connected(a, b) || na.mute || nb.mute) return;
  auto see = [this](Node& x, Node& y) {
    if (x.no_membership) return;
    auto it = x.seen.find(y.name);
    if (it != x.seen.end() && it->second == y.incarnation) return;
    const bool returning = it != x.seen.end() && !it->second;  // was declared dead
    NodeChange c = (it != x.seen.end() && it->second) ? NodeChange::restarted : NodeChange::up;
    if (returning && cfg_.return_as_restart) c = NodeChange::restarted;
    x.seen[y.name] = y.incarnation;
    apply(x, x.engine->on_node(y.name, c, now_));
  };
  see(na, nb);
  see(nb, na);
}

bool Cluster::connected(const std::string& a, const std::string& b) const {
  auto side = [this](const std::string& n) {
    auto it = side_.find(n);
    return it == side_.end() ? 0 : it->second;
  };
  return side(a) == side(b);
}

void Cluster::went_quiet(const std::string& name, const std::string& observer) {
  nodes_.at(name).quiet_to[observer] = now_;
}

void Cluster::silence(const std::string& name) {
  Node& x = nodes_.at(name);
  if (!x.alive || x.mute) return;  // already silent
  for (const auto& [other, o] : nodes_)
    if (other != name && connected(name, other)) went_quiet(name, other);
}

void Cluster::schedule_dead(const std::string& name, unsigned inc) {
  for (auto& [other, o] : nodes_) {
    if (other == name || !o.alive) continue;
    schedule(now_ + cfg_.timing.deadtime, [this, other = other, name, inc] {
      Node& y = nodes_.at(other);
      Node& x = nodes_.at(name);
      // y's own hb-linkd gone or hung: no link news reaches its membership, which declares
      // nobody dead meanwhile (y lets go of its groups on its own, after the grace).
      if (!y.alive || y.mute) return;
      bool heard = x.alive && !x.mute && connected(name, other) && x.incarnation == inc;
      if (heard) return;
      // Heard again meanwhile and quiet once more: the deadline runs from the last silence
      // (that silence scheduled its own check).
      if (now_ < x.quiet_to[other] + cfg_.timing.deadtime) return;
      // Without hb-membershipd nobody tells y; its hb-linkd knows, and a returning
      // hb-membershipd reads it from there.
      if (y.no_membership) {
        y.missed_dead[name] = inc;
        ++deaths_[{name, other}];
        return;
      }
      auto it = y.seen.find(name);
      if (it == y.seen.end() || it->second != inc) return;
      y.seen[name] = std::nullopt;
      ++deaths_[{name, other}];
      apply(y, y.engine->on_node(name, NodeChange::dead, now_));
    });
  }
}

void Cluster::crash(const std::string& name) {
  Node& n = nodes_.at(name);
  silence(name);
  n.alive = false;
  n.crashed = true;
  n.exec.clear();
  ++n.timer_gen;
  n.engine.reset();
  schedule_dead(name, n.incarnation);
}

void Cluster::stop(const std::string& name) {
  Node& n = nodes_.at(name);
  apply(n, n.engine->shutdown(now_));
}

void Cluster::partition(bool on) {
  std::map<std::string, int> sides;
  int i = 0;
  for (const auto& [name, n] : nodes_) sides[name] = on ? ++i : 0;
  set_sides(std::move(sides));
}

void Cluster::partition(const std::vector<std::set<std::string>>& sides) {
  std::map<std::string, int> of;
  int i = 0;
  for (const auto& [name, n] : nodes_) of[name] = --i;  // alone unless named
  for (std::size_t s = 0; s < sides.size(); ++s)
    for (const auto& name : sides[s]) of.at(name) = static_cast<int>(s) + 1;
  set_sides(std::move(of));
}

void Cluster::heal() {
  partition(false);
}

// Pairs cut apart fall silent to each other (deadtime runs from now); pairs joined meet.
void Cluster::set_sides(std::map<std::string, int> sides) {
  const auto before = side_;
  auto was_connected = [&](const std::string& a, const std::string& b) {
    auto side = [&](const std::string& n) {
      auto it = before.find(n);
      return it == before.end() ? 0 : it->second;
    };
    return side(a) == side(b);
  };
  side_ = std::move(sides);
  for (auto& [name, n] : nodes_) {
    if (!n.alive) continue;
    bool cut = false;
    for (auto& [other, o] : nodes_) {
      if (other == name) continue;
      const bool was = was_connected(name, other), is = connected(name, other);
      if (was && !is && !n.mute) {
        went_quiet(name, other);
        cut = true;
      }
      if (!was && is) resend_held(name, other);
      if (!was && is && other > name && o.alive)
        schedule(now_ + cfg_.link_delay + cfg_.membership_lag,
                 [this, a = name, b = other] { membership_contact(a, b); });
    }
    if (cut) schedule_dead(name, n.incarnation);
  }
}

void Cluster::daemons_ok(const std::string& name, bool ok, bool new_generation) {
  Node& n = nodes_.at(name);
  if (!ok) {
    silence(name);
    n.mute = true;
    schedule_dead(name, n.incarnation);
  } else {
    n.mute = false;
    for (auto& [other, o] : nodes_) {
      if (other == name || !o.alive) continue;
      auto seen = o.seen.find(name);
      if (new_generation && seen != o.seen.end() && seen->second) {
        // Still up in the peer's view, with an older generation: the peer's membership reports
        // `restarted` at the next contact (any value other than the current one does).
        seen->second = n.incarnation + 1'000'000;
      } else if (new_generation) {
        o.seen[name] = std::nullopt;
      }
      // Our own membership restarts with hb-linkd and meets the peers afresh.
      if (new_generation) n.seen[other] = std::nullopt;
      schedule(now_ + cfg_.link_delay + cfg_.membership_lag,
               [this, a = name, b = other] { membership_contact(a, b); });
    }
  }
  if (ok) {
    // Its hb-linkd runs again: peers that went quiet meanwhile die in its view in due time.
    for (auto& [other, o] : nodes_)
      if (other != name && o.incarnation > 0 && (!o.alive || o.mute || !connected(name, other)))
        schedule_dead(other, o.incarnation);
  }
  apply(n, n.engine->set_daemons_ok(ok, now_));
}

void Cluster::membership(const std::string& name, bool present) {
  Node& n = nodes_.at(name);
  n.no_membership = !present;
  if (!n.alive || !n.engine) return;
  if (!present) return apply(n, n.engine->set_membership(false, now_));
  // hb-resourced reads hb-membershipd's nodes, then lets the engine count on its news. What
  // hb-membershipd says is what hb-linkd knows: a peer heard within deadtime is up (a silence
  // shorter than that ends in a death in due time), one whose death came while hb-membershipd
  // was missing is dead (if it has not come back since), one that never ran stays init until
  // hb-membershipd's own initdead, and the engine waits initdead from now for it too.
  for (auto& [other, o] : nodes_) {
    if (!n.alive) return;  // the last entry ended this node (a self-fence)
    if (other == name || o.incarnation == 0) continue;
    const bool quiet = !o.alive || o.mute || !connected(name, other) || n.mute;
    const bool heard = !quiet || now_ < o.quiet_to[name] + cfg_.timing.deadtime;
    auto it = n.seen.find(other);
    auto missed = n.missed_dead.find(other);
    if (heard && (it == n.seen.end() || it->second != o.incarnation)) {
      // A newer incarnation than the one it knew: a restart, as membership_contact says it.
      const bool restarted = it != n.seen.end() && it->second;
      n.seen[other] = o.incarnation;
      apply(n, n.engine->on_node(other, restarted ? NodeChange::restarted : NodeChange::up, now_));
    } else if (!heard && missed != n.missed_dead.end() && missed->second == o.incarnation) {
      n.seen[other] = std::nullopt;
      apply(n, n.engine->on_node(other, NodeChange::dead, now_));
    }
  }
  n.missed_dead.clear();
  if (n.alive) apply(n, n.engine->set_membership(true, now_));
}

void Cluster::unable(const std::string& name, const std::string& codes) {
  Node& n = nodes_.at(name);
  apply(n, n.engine->set_unable(codes, now_));
}

void Cluster::fail_start(const std::string& node, const std::string& key, bool fail) {
  auto& s = nodes_.at(node).fail_start;
  fail ? (void)s.insert(key) : (void)s.erase(key);
}

void Cluster::fail_stop(const std::string& node, const std::string& key, bool fail) {
  auto& s = nodes_.at(node).fail_stop;
  fail ? (void)s.insert(key) : (void)s.erase(key);
}

void Cluster::stop_takes(const std::string& node, const std::string& key, Millis d) {
  nodes_.at(node).stop_takes[key] = d;
}

void Cluster::fence_device(const std::string& node, bool works) {
  nodes_.at(node).fence_device_works = works;
}

void Cluster::power_cycle(const std::string& name) {
  Node& n = nodes_.at(name);
  ++n.power_cuts;
  if (n.alive) crash(name);
  n.exec.clear();
  n.fail_stop.clear();  // what kept a stop from ending (a busy mount) ends with the power
  const unsigned gen = ++n.power_gen;
  if (!cfg_.reboot) return;
  schedule(now_ + *cfg_.reboot, [this, name, gen] {
    if (nodes_.at(name).power_gen == gen) boot(name);
  });
}

void Cluster::standby(const std::string& node, Scope scope) {
  Node& n = nodes_.at(node);
  apply(n, n.engine->standby(scope, now_));
}

void Cluster::takeover(const std::string& node, Scope scope) {
  Node& n = nodes_.at(node);
  apply(n, n.engine->takeover(scope, now_));
}

void Cluster::move(const std::string& node, const std::string& key, const std::string& to) {
  Node& n = nodes_.at(node);
  apply(n, n.engine->move(key, to, now_));
}

// --- executing actions ----------------------------------------------------------------------

// HB_SIM_TRACE=1 in the environment prints every action as it is executed, and every message as
// it is received (to debug a seed).
void Cluster::trace(const std::string& node, const Actions& actions) const {
  static const bool on = std::getenv("HB_SIM_TRACE") != nullptr;
  if (!on) return;
  const long t = static_cast<long>(std::chrono::duration_cast<Millis>(now_ - t0_).count());
  for (const auto& a : actions) {
    std::string line;
    if (auto* s = std::get_if<StartGroup>(&a)) line = "START " + s->key;
    if (auto* s = std::get_if<StopGroup>(&a)) line = "STOP " + s->key;
    if (auto* s = std::get_if<Send>(&a)) {
      line = "SEND t=" + s->message.type + " dest=" + s->message.dest;
      for (const auto& [k, v] : s->message.fields) line += " " + k + "=" + v;
    }
    if (auto* l = std::get_if<LogEvent>(&a)) line = "LOG " + l->text;
    if (auto* an = std::get_if<Announce>(&a)) line = "ANNOUNCE " + an->key;
    if (auto* f = std::get_if<Fence>(&a)) line = "FENCE " + f->node;
    if (auto* f = std::get_if<SelfFence>(&a)) line = "SELF-FENCE " + f->reason;
    if (!line.empty()) std::fprintf(stderr, "%6ld %-6s %s\n", t, node.c_str(), line.c_str());
  }
}

void Cluster::apply(Node& n, Actions actions) {
  const std::string name = n.name;
  trace(name, actions);
  const unsigned inc = n.incarnation;
  for (auto& a : actions) {
    if (auto* s = std::get_if<StartGroup>(&a)) {
      n.exec[s->key] = Exec::starting;
      schedule(now_ + cfg_.start_delay, [this, name, inc, key = s->key] {
        Node& x = nodes_.at(name);
        if (!x.alive || x.incarnation != inc || x.exec[key] != Exec::starting) return;
        bool fail = x.fail_start.count(key) > 0;
        if (!fail) x.exec[key] = Exec::running;  // a failed start leaves parts active
        apply(x, x.engine->on_result(key, fail ? Result::start_failed : Result::started, now_));
      });
    } else if (auto* s = std::get_if<StopGroup>(&a)) {
      n.exec[s->key] = Exec::stopping;
      auto slow = n.stop_takes.find(s->key);
      const Millis takes = slow == n.stop_takes.end() ? cfg_.stop_delay : slow->second;
      schedule(now_ + takes, [this, name, inc, key = s->key] {
        Node& x = nodes_.at(name);
        if (!x.alive || x.incarnation != inc || x.exec[key] != Exec::stopping) return;
        bool fail = x.fail_stop.count(key) > 0;
        if (!fail) x.exec[key] = Exec::stopped;
        apply(x, x.engine->on_result(key, fail ? Result::stop_failed : Result::stopped, now_));
      });
    } else if (auto* s = std::get_if<Send>(&a)) {
      n.sent.push_back(s->message);
      deliver(name, s->message);
    } else if (auto* l = std::get_if<LogEvent>(&a)) {
      n.logs.push_back(*l);
    } else if (auto* an = std::get_if<Announce>(&a)) {
      auto on = active_on(an->key);
      on.erase(name);
      n.announced.push_back({an->key, now_, n.exec[an->key] == Exec::running, !on.empty()});
    } else if (auto* v = std::get_if<GroupView>(&a)) {
      n.views[v->key] = *v;
    } else if (auto* f = std::get_if<Fence>(&a)) {
      // The device cuts the power, then the fencer's hb-resourced hears the outcome. A fencer
      // that died meanwhile took its fence command with it: nothing happens.
      schedule(now_ + cfg_.fence_delay, [this, name, inc, target = f->node] {
        Node& x = nodes_.at(name);
        if (!x.alive || x.incarnation != inc) return;
        const bool works = nodes_.at(target).fence_device_works;
        if (works) power_cycle(target);
        apply(x, x.engine->on_fence_result(target, works, works ? "" : "device unreachable", now_));
      });
    } else if (std::get_if<SelfFence>(&a)) {
      // reboot --force --force: the node ends here; nothing after this action happens.
      ++n.self_fences;
      power_cycle(name);
      return;
    }
  }
  if (n.engine && n.engine->shutdown_complete() && !n.shut) {
    // hb exits; its hb-linkd announces the clean shutdown to the peers.
    n.shut = true;
    n.alive = false;
    ++n.timer_gen;
    for (auto& [other, o] : nodes_) {
      if (other == name || !o.alive) continue;
      // Membership learns of the shutdown from t=shutdone, the node's last message: it reaches
      // each peer after everything the node sent it before (hb-membershipd hears it from
      // hb-linkd after hb-resourced did), so it never overtakes a hand-over's t=ask_resources.
      // Like any packet of an old generation, it is dropped if the node has restarted since.
      TimePoint at = std::max(now_ + cfg_.link_delay, fifo_[{name, other}]);
      schedule(at, [this, other = other, name, inc = n.incarnation] {
        Node& y = nodes_.at(other);
        if (!y.alive || nodes_.at(name).incarnation != inc) return;
        if (!connected(name, other)) {
          // Lost in a partition: the peer's membership declares it dead in due time.
          went_quiet(name, other);
          schedule_dead(name, inc);
          return;
        }
        if (y.no_membership) return;
        y.seen[name] = std::nullopt;
        apply(y, y.engine->on_node(name, NodeChange::clean_shutdown, now_));
      });
    }
    return;
  }
  arm(n);
}

void Cluster::arm(Node& n) {
  if (!n.engine || !n.alive) return;
  auto dl = n.engine->next_deadline();
  const unsigned gen = ++n.timer_gen;
  if (!dl) return;
  // A deadline that is already past and stays so after advance() would make hb-resourced's
  // timer fire again at once, for ever: the daemon would spin.
  if (*dl <= now_) {
    if (n.past_deadline != now_) n.past_wakes = 0;
    n.past_deadline = now_;
    if (++n.past_wakes > 100) {
      ADD_FAILURE() << n.name << " asks to be woken in the past again and again (it would spin)"
                    << " at t0+" << std::chrono::duration_cast<Millis>(now_ - t0_).count() << "ms";
      return;
    }
  }
  schedule(*dl, [this, name = n.name, gen] {
    Node& x = nodes_.at(name);
    if (x.timer_gen != gen || !x.alive) return;
    apply(x, x.engine->advance(now_));
  });
}

void Cluster::drop_next(const std::string& from, const std::string& type, int count) {
  drops_[{from, type}] += count;
}

void Cluster::deliver(const std::string& from, const Message& m) {
  Node& src = nodes_.at(from);
  if (src.mute) return;
  if (auto d = drops_.find({from, m.type}); d != drops_.end() && d->second > 0) {
    --d->second;
    return;
  }
  for (auto& [to, dst] : nodes_) {
    if (to == from || (!m.dest.empty() && m.dest != to)) continue;
    if (!dst.alive || dst.mute) continue;
    InFlight f{seq_++, from, to, m, src.incarnation, dst.incarnation, deaths_[{from, to}]};
    if (connected(from, to))
      send_over(std::move(f));
    else
      held_[{from, to}][f.seq] = std::move(f);
  }
}

void Cluster::send_over(InFlight f) {
  Millis delay = cfg_.link_delay;
  if (cfg_.jitter.count() > 0) delay += Millis(rng_() % cfg_.jitter.count());
  TimePoint at = now_ + delay;
  auto& last = fifo_[{f.from, f.to}];
  at = std::max(at, last);  // per-pair FIFO, as hb-linkd's reliable messages
  last = at;
  schedule(at, [this, f = std::move(f)] {
    Node& s = nodes_.at(f.from);
    Node& d = nodes_.at(f.to);
    if (s.crashed || s.incarnation != f.src_inc) return;
    if (!d.alive || d.mute || d.incarnation != f.dst_inc) return;
    // Declared dead meanwhile: the receiver's hb-linkd starts afresh with it.
    if (deaths_[{f.from, f.to}] != f.deaths) return;
    if (!connected(f.from, f.to)) {
      held_[{f.from, f.to}][f.seq] = f;
      return;
    }
    // Traced too: when a message arrives tells a delay from a loss.
    static const bool tracing = std::getenv("HB_SIM_TRACE") != nullptr;
    if (tracing)
      std::fprintf(stderr, "%6ld %-6s RECV from %s t=%s info=%s\n",
                   static_cast<long>(std::chrono::duration_cast<Millis>(now_ - t0_).count()),
                   f.to.c_str(), f.from.c_str(), f.message.type.c_str(),
                   f.message.get("info").c_str());
    apply(d, d.engine->on_message(f.from, f.message, now_));
  });
}

// hb-linkd asks for what it missed (NS_rexmit) once the link is back: what was sent across the
// cut arrives then, in order. Not if the receiver's membership wrote the sender off meanwhile
// (or never knew it): hb-linkd meets it afresh, and fills no gap.
void Cluster::resend_held(const std::string& from, const std::string& to) {
  auto it = held_.find({from, to});
  if (it == held_.end()) return;
  auto held = std::move(it->second);
  held_.erase(it);
  const auto& seen = nodes_.at(to).seen;
  auto known = seen.find(from);
  for (auto& [seq, f] : held)
    if (known != seen.end() && known->second == f.src_inc) send_over(std::move(f));
}

// --- time -----------------------------------------------------------------------------------

bool Cluster::step(TimePoint limit) {
  if (queue_.empty() || queue_.top().at > limit) return false;
  Event e = queue_.top();
  queue_.pop();
  now_ = e.at;
  e.fn();
  check();
  return true;
}

void Cluster::run_for(Millis d) {
  TimePoint end = now_ + d;
  while (step(end)) {
  }
  now_ = end;
}

bool Cluster::run_until(const std::function<bool()>& pred, Millis limit) {
  TimePoint end = now_ + limit;
  if (pred()) return true;
  while (step(end)) {
    if (pred()) return true;
  }
  now_ = end;
  return pred();
}

void Cluster::check() {
  if (!check_invariant) return;
  for (const auto& g : cfg_.groups) {
    auto on = active_on(g.key);
    if (on.size() > 1 && violations++ < 5 && fail_on_violation) {
      std::string who;
      for (const auto& n : on) who += n + " ";
      ADD_FAILURE() << "group " << g.key << " active on two nodes: " << who << "at t0+"
                    << std::chrono::duration_cast<Millis>(now_ - t0_).count() << "ms";
    }
  }
}

// --- what users see -------------------------------------------------------------------------

std::set<std::string> Cluster::active_on(const std::string& key) const {
  std::set<std::string> out;
  for (const auto& [name, n] : nodes_) {
    if (!n.alive && !n.shut) continue;
    auto it = n.exec.find(key);
    if (it != n.exec.end() && it->second != Exec::stopped) out.insert(name);
  }
  return out;
}

std::string Cluster::holder(const std::string& key) const {
  auto on = active_on(key);
  if (on.size() != 1) return "";
  const Node& n = nodes_.at(*on.begin());
  return n.exec.at(key) == Exec::running ? *on.begin() : "";
}

bool Cluster::settled() const {
  for (const auto& g : cfg_.groups) {
    if (holder(g.key).empty()) return false;
  }
  return true;
}

GroupView Cluster::view_from(const std::string& node, const std::string& key) const {
  const Node& n = nodes_.at(node);
  auto it = n.views.find(key);
  return it == n.views.end() ? GroupView{key, GroupState::stopped, ""} : it->second;
}

std::vector<LogEvent> Cluster::logs(const std::string& node) const {
  return nodes_.at(node).logs;
}

bool Cluster::logged(const std::string& node, LogKind kind) const {
  const auto& l = nodes_.at(node).logs;
  return std::any_of(l.begin(), l.end(), [&](const LogEvent& e) { return e.kind == kind; });
}

std::vector<Cluster::Announced> Cluster::announced(const std::string& node) const {
  return nodes_.at(node).announced;
}

std::vector<Message> Cluster::sent(const std::string& node) const {
  return nodes_.at(node).sent;
}

int Cluster::power_cuts(const std::string& node) const {
  return nodes_.at(node).power_cuts;
}

int Cluster::self_fences(const std::string& node) const {
  return nodes_.at(node).self_fences;
}

}  // namespace hb::failover::sim
