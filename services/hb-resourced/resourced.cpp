// hb-resourced's work (see resourced.hpp): feeding the failover engine, carrying out its actions.
#include "resourced.hpp"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <systemd/sd-id128.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <cstdlib>
#include <cstring>

#include "core/failover/from_config.hpp"
#include "core/failover/placement.hpp"
#include "core/fence/commands.hpp"
#include "engine_journal.hpp"
#include "hb_build_config.hpp"
#include "sys/dbus/error.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"

namespace hb::resourced {
using failover::same_node;  // heartbeat's rule, without the locale

Resourced::Resourced(boost::asio::io_context& io, dbus::Bus& bus, const config::Config& config,
                     State& state, std::function<void(const std::string&)> set_status)
    : io_(io),
      bus_(bus),
      config_(config),
      state_(state),
      set_status_(std::move(set_status)),
      runner_(io, bus, config, state,
              {[this](const std::string& key, failover::Result r) {
                 if (!engine_) return cleaned(key, r);
                 feed(engine_->on_result(key, r, now()));
               },
               [this](const std::string& key) {
                 if (!engine_) return false;
                 auto view = engine_->view(key);
                 return view.state == failover::GroupState::running &&
                        same_node(view.owner, config_.local_node);
               },
               [this](const std::string& key, const std::string& why) { move_away(key, why); }}),
      fence_(runner_.systemd(), config,
             FenceRunner::Settings{
                 HB_LIBEXECDIR "/hb-fence-device", "/usr/sbin/stonith",
                 std::chrono::duration_cast<std::chrono::seconds>(config.hb_conf.fencing.timeout)}),
      cluster_(bus, config, cluster_events()),
      takeovers_(config.local_node),
      timer_(io),
      exit_timer_(io) {}

Group* Resourced::group(const std::string& key) {
  for (Group& g : state_.groups)
    if (g.key == key) return &g;
  return nullptr;
}

void Resourced::begin() {
  cluster_.start();
  runner_.begin([this] { clean_partly_active(); });
}

// --- setup: what a crash or a hand left behind -------------------------------------------------

void Resourced::clean_partly_active() {
  for (const auto& [key, units] : runner_.partly_active()) {
    std::string list;
    for (const auto& u : units) list += (list.empty() ? "" : ", ") + u;
    log::warning(log::msgid::group_cleaned,
                 "group " + key + " is partly active here (" + list +
                     "): stopping it before the cluster decides where it runs, so that it never "
                     "runs on two nodes",
                 {{"HB_GROUP", key}});
    cleaning_.insert(key);
  }
  if (cleaning_.empty()) return start_engine();
  for (const auto& key : std::set<std::string>(cleaning_)) runner_.stop(key);
}

void Resourced::cleaned(const std::string& key, failover::Result result) {
  if (!cleaning_.erase(key)) return;
  if (result == failover::Result::stopped) {
    log::notice(log::msgid::group_cleaned, "group " + key + ": what was left of it is stopped",
                {{"HB_GROUP", key}});
  } else {
    const std::string why = "group " + key + ": what was left of it here could not be stopped";
    if (!failover::options_from(config_).fencing.configured) {
      // Claimed as held: a peer that does not run it will not start it beside what still runs
      // here, and one that does is settled by the rule for two holders. The stop-failed
      // Warning stays until a stop succeeds.
      log::error(log::msgid::group_stop_failed,
                 why + "; this node keeps it (no fencing configured): stop its units by hand",
                 {{"HB_GROUP", key}});
      uncleaned_.push_back(key);
    } else {
      log::error(log::msgid::group_stop_failed, why + "; fencing this node", {{"HB_GROUP", key}});
      fence_.self_fence(why);
    }
  }
  if (cleaning_.empty()) start_engine();
}

// --- setup: the engine, once the units are known ------------------------------------------

void Resourced::start_engine() {
  // membership stays false until hb-membershipd's nodes are read (the feed says so).
  // A reload before the units were known changed the timings already.
  failover::Options o = failover::options_from(reload_ ? reload_->running() : config_);
  // This run's id (failover::Options::run), new at each start of hb-resourced.
  sd_id128_t run{};
  char run_text[SD_ID128_STRING_MAX];
  if (sd_id128_randomize(&run) >= 0) o.run = std::string(sd_id128_to_string(run, run_text), 16);
  // A group whose every unit is active is running here already: adopt it.
  for (const std::string& key : runner_.all_active()) {
    o.adopted.push_back(key);
    log::notice(log::msgid::group_adopted, "adopting group " + key + ": all its units are active",
                {{"HB_GROUP", key}});
  }
  for (const std::string& key : uncleaned_) {
    o.adopted.push_back(key);
    log::warning(log::msgid::group_adopted,
                 "adopting group " + key + ": what is left of it here could not be stopped",
                 {{"HB_GROUP", key}});
  }
  // A deadtime too short for the hand-over rules is a config warning (timing_advice.hpp).
  if (!o.fencing.configured && !o.groups.empty())
    log::warning(log::msgid::shared_disk_unprotected,
                 "no fence device of ha.cf serves this node: if every link between the nodes "
                 "fails while both run, both may start the resource groups (and mount the shared "
                 "disk)",
                 {{"HB_NODE", config_.local_node}});
  engine_.emplace(o, now());
  feed(engine_->start(now()));
  // Only hb-linkd's health decides whether this node may keep its groups: while it sends the
  // heartbeats, no peer takes them. Without hb-membershipd the node keeps what it runs and acts
  // on membership again once it is back.
  link_watch_.emplace(io_, bus_, engine_->daemon_grace(), config_.ha_cf.keepalive,
                      cluster_.link_owner(), [this](bool ok, failover::TimePoint since) {
                        feed(engine_->set_daemons_ok(ok, now(), since));
                      });
  // systemd's StateDirectory= and RuntimeDirectory= (hb-resourced.service).
  const char* state = std::getenv("STATE_DIRECTORY");
  const char* runtime = std::getenv("RUNTIME_DIRECTORY");
  fencing_disks_.emplace(
      io_, fence::sbd_disks(config_.ha_cf.stonith_devices, config_.local_node), config_.local_node,
      state ? state : "/var/lib/hb", runtime ? runtime : "/run/hb-resourced",
      FencingDisk::Events{[this] { return holds_anything(); },
                          [this](const std::string& why) { fence_.self_fence(why); },
                          [this] { refresh_warnings(); },
                          {},  // too_few_read and first_read: FencingDisks' own
                          {}});
  cluster_.open();  // what the cluster said meanwhile, in order
  refresh_warnings();
  if (exit_) stop(std::exchange(exit_, nullptr));
}

std::vector<std::string> Resourced::reload(bool apply) {
  if (!reload_) dbus::throw_not_supported("Reload");
  auto plan = reload_->check();
  auto applied = plan.answer();
  if (!apply) return applied;
  // What waits is what the files say now: a change put back before it came in force is no
  // longer pending.
  if (plan.pending != state_.pending_reload) {
    if (plan.pending.empty())
      log::notice(log::msgid::reload_applied,
                  "reload: nothing is pending any more (the files match what is in force)");
    state_.pending_reload = plan.pending;
    if (objects_) objects_->pending_reload_changed();
  }
  if (!plan.changed) return applied;
  const bool pending = !plan.pending.empty();
  reload_->commit(std::move(plan));
  // After the reply is on its way.
  if (pending) boost::asio::post(io_, [this] { apply_pending_reload(); });
  const config::HaCf& cf = reload_->running().ha_cf;
  if (engine_) {
    engine_->set_timing(cf.keepalive, cf.deadtime);
    if (link_watch_) link_watch_->set_timing(engine_->daemon_grace(), cf.keepalive);
    feed(engine_->advance(now()));  // the deadlines move with the timings
  }
  return applied;
}

// --- the cluster: hb-membershipd and hb-linkd, through the feed --------------------------------

ClusterFeed::Events Resourced::cluster_events() {
  ClusterFeed::Events e;
  e.node = [this](const NodeNews& n) { feed(engine_->on_node(n.node, n.change, now())); };
  e.message = [this](const std::string& from, const failover::Message& m) {
    feed(engine_->on_message(from, m, now()));
  };
  e.source = [this](Source source, const std::string& owner) { on_source(source, owner); };
  e.membership = [this](bool known) { on_membership(known); };
  e.sent = [this] { check_shutdown(); };
  return e;
}

void Resourced::on_source(Source source, const std::string& owner) {
  if (source == Source::link && link_watch_) link_watch_->owner(owner);
  refresh_warnings();
}

void Resourced::on_membership(bool known) {
  if (known != membership_known_) {
    // false: hb-membershipd gone or replaced, counted on again once its new owner's nodes are
    // read; peers never heard from get initdead again from then.
    membership_known_ = known;
    feed(engine_->set_membership(known, now()));
  }
  refresh_warnings();
}

// --- actions ----------------------------------------------------------------------------------

void Resourced::feed(failover::Actions actions) {
  for (const auto& a : actions) execute(a);
  arm_timer();
  check_shutdown();
  // What the peers said and what this node holds may have changed (no-standby).
  if (!refreshing_) {
    refreshing_ = true;
    refresh_warnings();
    refreshing_ = false;
  }
  // A peer heard from, lost or restarted may speak another protocol now (a rolling upgrade).
  auto protocols = engine_ ? engine_->peer_protocols() : std::map<std::string, std::string>{};
  if (protocols != state_.peer_protocols) {
    state_.peer_protocols = std::move(protocols);
    if (objects_) objects_->peer_protocols_changed();
  }
}

void Resourced::execute(const failover::Action& a) {
  if (auto* s = std::get_if<failover::StartGroup>(&a)) return runner_.start(s->key);
  if (auto* s = std::get_if<failover::StopGroup>(&a)) return runner_.stop(s->key);
  if (auto* s = std::get_if<failover::Send>(&a)) return cluster_.send(s->message);
  if (auto* an = std::get_if<failover::Announce>(&a)) return runner_.announce(an->key);
  if (auto* l = std::get_if<failover::LogEvent>(&a)) return journal(*l);
  if (auto* f = std::get_if<failover::Fence>(&a)) {
    return fence_.fence(f->node, [this, node = f->node](bool ok, const std::string& detail) {
      feed(engine_->on_fence_result(node, ok, detail, now()));
    });
  }
  if (auto* f = std::get_if<failover::SelfFence>(&a)) return fence_.self_fence(f->reason);
  if (auto* v = std::get_if<failover::GroupView>(&a)) {
    Group* g = group(v->key);
    if (!g) return;
    g->owner = v->owner;
    g->state = std::string(failover::to_string(v->state));
    if (takeovers_.on_view(*v, now())) {
      const failover::TakeoverCount t = takeovers_.of(v->key);
      g->takeovers = t.count;
      g->last_takeover_usec = static_cast<std::uint64_t>(t.last.count());
    }
    if (objects_) objects_->group_changed(*g);
    update_status();
  }
  if (!state_.pending_reload.empty()) boost::asio::post(io_, [this] { apply_pending_reload(); });
}

// STATUS=: each group with its state and owner, then what keeps this node from taking over.
void Resourced::update_status() {
  std::string status;
  for (const Group& x : state_.groups)
    status += (status.empty() ? "" : ", ") + x.key + " " + x.state +
              (x.owner.empty() ? "" : " on " + x.owner);
  if (status.empty()) status = "no resource groups";
  if (!unable_.empty()) status += "; degraded: cannot take over (" + unable_ + ")";
  if (set_status_) set_status_(status);
}

// The Warnings property, hb_unable for the peers, and the journal when either changes.
void Resourced::refresh_warnings() {
  if (!engine_) return;
  Warnings& w = state_.warnings;
  bool changed = false;
  std::vector<std::string> codes;
  auto own = [&](const char* code, bool raised, const std::string& text) {
    if (raised) codes.push_back(code);
    changed |= w.assign(code, raised ? std::optional<std::string>(text) : std::nullopt);
  };
  // Said once known, not while the first lookups and hb-membershipd's nodes are on their way
  // (a few ms at every start): an alarm that flickers at each start is an alarm nobody reads.
  own("no-membership", cluster_.membership_missing(),
      "hb-membershipd is not running: this node would not learn of a peer's death, so it cannot "
      "take over");
  own("no-link", cluster_.link_missing(),
      "hb-linkd is not running: no heartbeats leave this node and no messages reach it, so it "
      "cannot take over (and it lets go of its groups after deadtime/2)");
  changed |= w.assign("no-resource-groups",
                      state_.groups.empty()
                          ? std::optional<std::string>(
                                "haresources is missing or lists no resource group: this node "
                                "runs nothing for the cluster")
                          : std::nullopt);
  // Fencing (docs/handover.md): without a fence device nothing stops two holders after a
  // partition; a dead peer not yet fenced keeps its groups from starting anywhere.
  changed |= w.assign(
      "no-fencing",
      !engine_->fencing().configured() && !state_.groups.empty()
          ? std::optional<std::string>(
                "no fence device of ha.cf serves this node: the shared disk is not protected "
                "(if every link fails while both nodes run, both may mount it)")
          : std::nullopt);
  std::string fencing;
  for (const auto& [node, u] : engine_->fencing().unclean()) {
    fencing += (fencing.empty() ? "" : "; ") + node + " is being fenced";
    if (u.attempts)
      fencing += " (" + std::to_string(u.attempts) + (u.attempts == 1 ? " attempt" : " attempts") +
                 " failed, last: " + u.last_error + ")";
  }
  if (!fencing.empty())
    fencing +=
        ": its groups start nowhere until it is fenced or confirmed down (hbctl "
        "fence-confirm NODE)";
  changed |=
      w.assign("fencing", fencing.empty() ? std::nullopt : std::optional<std::string>(fencing));
  // A stop that failed (docs/resources.md): the group is held here, since its product may still
  // use the shared data; with fencing the node has fenced itself already.
  std::string stop_failed;
  for (const auto& [key, units] : runner_.stop_failures())
    stop_failed += (stop_failed.empty() ? "" : "; ") + std::string("group ") + key +
                   ": the stop of " + units + " failed";
  if (!stop_failed.empty())
    stop_failed +=
        ": it may still run here, so no other node takes it over; stop it by hand (journalctl "
        "-u the unit says what failed), then restart hb-resourced";
  changed |= w.assign("stop-failed",
                      stop_failed.empty() ? std::nullopt : std::optional<std::string>(stop_failed));
  const std::string disk_trouble = fencing_disks_ ? fencing_disks_->trouble() : std::string();
  changed |=
      w.assign("fencing-disk",
               disk_trouble.empty() ? std::nullopt : std::optional<std::string>(disk_trouble));

  std::string unable;
  for (const auto& c : codes) unable += (unable.empty() ? "" : ",") + c;
  if (unable != unable_) {
    if (!unable.empty())
      log::error(log::msgid::cannot_take_over,
                 "this node cannot take over its peers' resource groups (" + unable + ")",
                 {{"HB_NODE", config_.local_node}, {"HB_REASON", unable}});
    else if (!unable_.empty())
      log::notice(log::msgid::can_take_over,
                  "this node can take over its peers' resource groups again",
                  {{"HB_NODE", config_.local_node}});
    unable_ = unable;
    update_status();
  }

  // The peers: those that said they cannot take over, and whether anyone can.
  auto peers = engine_->peers_unable();
  for (const auto& [node, why] : peers) {
    auto it = peers_unable_.find(node);
    if (it == peers_unable_.end() || it->second != why)
      log::warning(log::msgid::peer_cannot_take_over,
                   node + " cannot take over this node's resource groups (" + why + ")",
                   {{"HB_NODE", node}, {"HB_REASON", why}});
  }
  for (const auto& [node, why] : peers_unable_)
    if (!peers.count(node))
      log::notice(log::msgid::peer_can_take_over,
                  node + " no longer reports that it cannot take over", {{"HB_NODE", node}});
  peers_unable_ = peers;
  std::string peer_text;
  for (const auto& [node, why] : peers)
    peer_text += (peer_text.empty() ? "" : "; ") + node + " cannot take over (" + why + ")";
  changed |= w.assign("peer-cannot-take-over",
                      peer_text.empty() ? std::nullopt : std::optional<std::string>(peer_text));
  bool standby = false;
  for (const auto& n : engine_->live_peers()) standby = standby || !peers.count(n);
  changed |= w.assign("no-standby", !engine_->held().empty() && !standby
                                        ? std::optional<std::string>(
                                              "no live peer can take over the groups this node "
                                              "runs: the cluster has no working standby")
                                        : std::nullopt);

  if (changed && objects_) objects_->warnings_changed();
  if (unable_ != engine_unable_) {
    engine_unable_ = unable_;
    feed(engine_->set_unable(unable_, now()));
  }
}

void Resourced::apply_pending_reload() {
  if (state_.pending_reload.empty() || !engine_ || exit_ || holds_anything() || runner_.busy() ||
      applying_pending_)
    return;
  applying_pending_ = true;
  std::string list;
  for (const auto& p : state_.pending_reload) list += (list.empty() ? "" : ", ") + p;
  const bool nodes = std::count(state_.pending_reload.begin(), state_.pending_reload.end(), "node");
  log::notice(log::msgid::reload_applied,
              "reload: putting " + list + " in force: this node holds no group, " +
                  (nodes ? "hb-linkd, hb-membershipd and ipfaild are restarted and " : "") +
                  "hb-resourced starts again with the files");
  // The node list is every daemon's: the others start again too (systemd restarts them; a
  // daemon that is not running stays so). hb-linkd's restart is shorter than deadtime.
  if (!nodes) return execute_again(list);
  auto left = std::make_shared<int>(3);
  for (const char* unit : {"hb-linkd.service", "hb-membershipd.service", "ipfaild.service"})
    runner_.systemd().try_restart(unit, [this, left, list, unit](bool ok, const std::string& r) {
      if (!ok)
        log::warning(log::msgid::reload_refused,
                     "reload: restart of " + std::string(unit) + " did not succeed (" + r + ")");
      if (--*left == 0) execute_again(list);
    });
}

void Resourced::execute_again(const std::string& list) {
  // What we said goes out first; the bus name is given back (a synchronous call, so the bus
  // has done it before the new process asks for it), and no descriptor outlives the exec (the
  // bus connection's copy in the event loop is not close-on-exec).
  sd_bus_flush(bus_.get());
  sd_bus_release_name(bus_.get(), dbus::names::resource1::bus);
  if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    for (int fd = 3; fd < 1024; ++fd) fcntl(fd, F_SETFD, FD_CLOEXEC);
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n > 0) {
    path[n] = '\0';
    char* const argv[] = {program_invocation_name, nullptr};
    execv(path, argv);
  }
  // Still here: this process keeps running on what is in force, and says so.
  log::error(log::msgid::reload_refused, "reload: could not start hb-resourced again (" +
                                             std::string(std::strerror(errno)) + "): " + list +
                                             " stays pending until its restart");
  state_.pending_reload.clear();
  applying_pending_ = false;
  if (objects_) objects_->pending_reload_changed();
}

bool Resourced::holds_anything() const {
  for (const Group& g : state_.groups) {
    // A group's State is its owner's; the resource rows are this node's units.
    if (same_node(g.owner, config_.local_node) && g.state != "stopped" && g.state != "failed")
      return true;
    for (const auto& [token, unit, active] : g.resources)
      if (active == "active" || active == "activating" || active == "deactivating" ||
          active == "reloading")
        return true;
  }
  return false;
}

void Resourced::arm_timer() {
  if (!engine_) return;
  auto d = engine_->next_deadline();
  timer_.cancel();
  if (!d) return;
  timer_.expires_at(*d);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    feed(engine_->advance(now()));
  });
}

// --- unit watching ------------------------------------------------------------------------------

// A resource of a group running here failed for good: the next live node of the group's
// succession takes it over (a hand-over), so a dead Apache does not leave a dead site.
void Resourced::move_away(const std::string& key, const std::string& why) {
  std::string preferred;
  for (const auto& g : config_.groups)
    if (g.key() == key) preferred = g.preferred_node;
  const std::string n =
      failover::restart_target(config_.ha_cf.nodes, preferred, config_.local_node,
                               [this](const std::string& node) { return cluster_.node_up(node); });
  if (n.empty())
    return log::error(log::msgid::resource_gave_up,
                      "group " + key + ": " + why + "; no other live node to take it",
                      {{"HB_GROUP", key}});
  log::error(log::msgid::resource_gave_up, "group " + key + ": " + why + "; moving it to " + n,
             {{"HB_GROUP", key}, {"HB_NODE", n}});
  feed(engine_->move(key, n, now()));
}

// --- commands and shutdown ----------------------------------------------------------------------

void Resourced::standby(const std::string& which) {
  if (!engine_) throw dbus::Error(dbus::names::error_busy, "hb-resourced is starting");
  feed(engine_->standby(*failover::parse_scope(which), now()));
}

void Resourced::takeover(const std::string& which) {
  if (!engine_) throw dbus::Error(dbus::names::error_busy, "hb-resourced is starting");
  feed(engine_->takeover(*failover::parse_scope(which), now()));
}

void Resourced::move(const std::string& key, const std::string& node) {
  if (!engine_) throw dbus::Error(dbus::names::error_busy, "hb-resourced is starting");
  bool known = false;
  for (const auto& n : config_.ha_cf.nodes) known = known || same_node(n, node);
  if (!known) throw dbus::Error(dbus::names::error_no_such_node, "no node '" + node + "'");
  if (!group(key))
    throw dbus::Error(dbus::names::error_no_such_group,
                      "no group '" + key + "' (a group is named by its first resource)");
  feed(engine_->move(key, node, now()));
}

void Resourced::confirm_fenced(const std::string& node) {
  if (!engine_) throw dbus::Error(dbus::names::error_busy, "hb-resourced is starting");
  bool known = false;
  for (const auto& n : config_.ha_cf.nodes) known = known || same_node(n, node);
  if (!known || same_node(node, config_.local_node))
    throw dbus::Error(dbus::names::error_no_such_node, "no peer '" + node + "'");
  feed(engine_->confirm_fenced(node, now()));
}

void Resourced::stop(std::function<void()> exit) {
  if (!engine_) {
    exit_ = std::move(exit);  // still setting up: the engine's shutdown runs once it exists
    return;
  }
  exit_ = std::move(exit);
  feed(engine_->shutdown(now()));
}

void Resourced::check_shutdown() {
  if (!exit_ || !engine_ || !engine_->shutdown_complete()) return;
  if (!cluster_.sending()) {
    auto e = std::exchange(exit_, nullptr);
    return e();
  }
  // t=shutdone is queued: give hb-linkd a moment to take it, no more.
  exit_timer_.expires_after(std::chrono::seconds(2));
  exit_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || !exit_) return;
    auto e = std::exchange(exit_, nullptr);
    e();
  });
}

}  // namespace hb::resourced
