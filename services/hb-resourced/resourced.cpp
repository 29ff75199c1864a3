// hb-resourced's work (see resourced.hpp): feeding the failover engine, carrying out its actions.
#include "resourced.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/failover/from_config.hpp"
#include "core/failover/placement.hpp"
#include "engine_journal.hpp"
#include "sys/dbus/error.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"

namespace hb::resourced {
namespace link1 = hb::dbus::names::link1;
namespace membership1 = hb::dbus::names::membership1;
using failover::Clock;
using failover::same_node;  // heartbeat's rule, without the locale

Resourced::Resourced(boost::asio::io_context& io, dbus::Bus& bus, const config::Config& config,
                     State& state, std::function<void(const std::string&)> set_status)
    : io_(io),
      bus_(bus),
      config_(config),
      state_(state),
      set_status_(std::move(set_status)),
      runner_(bus, config, state,
              {[this](const std::string& key, failover::Result r) {
                 feed(engine_->on_result(key, r, now()));
               },
               [this](const std::string& key) {
                 if (!engine_) return false;
                 auto view = engine_->view(key);
                 return view.state == failover::GroupState::running &&
                        same_node(view.owner, config_.local_node);
               },
               [this](const std::string& key, const std::string& why) { move_away(key, why); }}),
      membership1_(bus, membership1::bus, "hb-membershipd"),
      link1_(bus, link1::bus, "hb-linkd"),
      timer_(io),
      exit_timer_(io) {}

Group* Resourced::group(const std::string& key) {
  for (Group& g : state_.groups)
    if (g.key == key) return &g;
  return nullptr;
}

void Resourced::begin() {
  subscribe_cluster();
  runner_.begin([this] { start_engine(); });
}

// --- setup: the engine, once the units are known ------------------------------------------

void Resourced::start_engine() {
  // membership stays false until hb-membershipd's nodes are read (membership_snapshot).
  failover::Options o = failover::options_from(config_);
  // A group whose every unit is active is running here already: adopt it.
  for (const std::string& key : runner_.all_active()) {
    o.adopted.push_back(key);
    log::notice(log::msgid::group_adopted, "adopting group " + key + ": all its units are active",
                {{"HB_GROUP", key}});
  }
  // A deadtime too short for the hand-over rules is a config warning (timing_advice.hpp).
  engine_.emplace(o, now());
  feed(engine_->start(now()));
  // Only hb-linkd's health decides whether this node may keep its groups: while it sends the
  // heartbeats, no peer takes them. Without hb-membershipd the node keeps what it runs and acts
  // on membership again once it is back.
  link_watch_.emplace(io_, bus_, engine_->daemon_grace(), owners_[link1::bus],
                      [this](bool ok, failover::TimePoint since) {
                        feed(engine_->set_daemons_ok(ok, now(), since));
                      });
  auto queued = std::move(before_engine_);
  before_engine_.clear();
  for (auto& f : queued) f();
  refresh_warnings();
  if (exit_) stop(std::exchange(exit_, nullptr));
}

// --- the cluster: membership1 and link1 -----------------------------------------------------

void Resourced::subscribe_cluster() {
  // Only from the current owners of membership1 and link1 (sys/dbus/follower.hpp): a local user
  // sending us a forged NodeChanged must not make this node take over a running group.
  membership1_.on_signal(membership1::root, membership1::manager, "NodeChanged",
                         [this](dbus::Message& m) {
                           std::string node = m.read<std::string>();
                           m.read<std::string>();
                           std::string now_state = m.read<std::string>();
                           std::uint64_t inc = m.read<std::uint64_t>();
                           on_node_changed(node, now_state, inc);
                         });
  membership1_.on_owner([this](const std::string& owner) { on_owner(membership1::bus, owner); });
  membership1_.snapshot_on_owner(membership1::root, [this](dbus::Message& r) {
    if (!engine_) return before_engine_.push_back([this, r]() mutable { on_membership(r); });
    on_membership(r);
  });
  link1_.on_signal(link1::root, link1::manager, "MessageReceived",
                   [this](dbus::Message& m) { on_message(m); });
  link1_.on_owner([this](const std::string& owner) { on_owner(link1::bus, owner); });
  membership1_.start();
  link1_.start();
}

void Resourced::on_owner(const std::string& name, const std::string& owner) {
  auto apply = [this, name, owner] {
    owners_[name] = owner;
    if (name == link1::bus && link_watch_) link_watch_->owner(owner);
    if (name == membership1::bus) membership_read_failed_ = false;  // a new owner, a new read
    if (name == membership1::bus && membership_known_) {
      // Gone, or replaced: counted on again once the new owner's nodes are read.
      membership_known_ = false;
      feed(engine_->set_membership(false, now()));
    }
    refresh_warnings();
  };
  if (!engine_) {
    if (name == link1::bus) owners_[name] = owner;  // the watch starts from the latest owner
    return before_engine_.push_back(apply);
  }
  apply();
}

// hb-membershipd's nodes (GetManagedObjects at each new owner): every Node's state as of now.
void Resourced::on_membership(dbus::Message& r) {
  if (const sd_bus_error* e = r.error()) {
    // Still unable to take over; the next appearance of hb-membershipd reads it again.
    log::warning(
        log::msgid::membership_unreadable,
        std::string("cannot read hb-membershipd's nodes: ") + (e->message ? e->message : e->name));
    membership_read_failed_ = true;
    refresh_warnings();
    return;
  }
  membership_read_failed_ = false;
  read_membership(r);
  // Node deaths reach us from now on: peers never heard from may be written off at initdead.
  membership_known_ = !membership1_.owner().empty();
  if (membership_known_) feed(engine_->set_membership(true, now()));
  refresh_warnings();
}

void Resourced::read_membership(dbus::Message& r) {
  sd_bus_message* m = r.get();
  if (sd_bus_message_enter_container(m, 'a', "{oa{sa{sv}}}") <= 0) return;
  while (sd_bus_message_enter_container(m, 'e', "oa{sa{sv}}") > 0) {
    const char* path = nullptr;
    sd_bus_message_read(m, "o", &path);
    sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
    while (sd_bus_message_enter_container(m, 'e', "sa{sv}") > 0) {
      const char* iface = nullptr;
      sd_bus_message_read(m, "s", &iface);
      std::string name, type, st;
      std::uint64_t inc = 0;
      bool node = std::strcmp(iface, membership1::node) == 0;
      sd_bus_message_enter_container(m, 'a', "{sv}");
      while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
        const char* prop = nullptr;
        sd_bus_message_read(m, "s", &prop);
        const char* v = nullptr;
        if (node && std::strcmp(prop, "Name") == 0 && sd_bus_message_read(m, "v", "s", &v) > 0)
          name = v;
        else if (node && std::strcmp(prop, "Type") == 0 && sd_bus_message_read(m, "v", "s", &v) > 0)
          type = v;
        else if (node && std::strcmp(prop, "State") == 0 &&
                 sd_bus_message_read(m, "v", "s", &v) > 0)
          st = v;
        else if (node && std::strcmp(prop, "Incarnation") == 0 &&
                 sd_bus_message_read(m, "v", "t", &inc) > 0) {
        } else
          sd_bus_message_skip(m, "v");
        sd_bus_message_exit_container(m);
      }
      sd_bus_message_exit_container(m);
      sd_bus_message_exit_container(m);
      if (node && type != "ping" && !name.empty() && (st == "up" || st == "dead"))
        on_node_changed(name, st, inc);
    }
    sd_bus_message_exit_container(m);
    sd_bus_message_exit_container(m);
  }
}

void Resourced::on_node_changed(const std::string& node, const std::string& new_state,
                                std::uint64_t incarnation) {
  if (same_node(node, config_.local_node)) return;
  bool member = false;
  for (const auto& n : config_.ha_cf.nodes) member = member || same_node(n, node);
  if (!member) return;  // ping nodes
  auto apply = [this, node, new_state, incarnation] {
    std::string before = node_state_[node];
    std::uint64_t known = incarnation_[node];
    if (new_state == "up") {
      // hb-membershipd counts an incarnation per appearance; one after "dead" is a return (it
      // may still hold its groups: a healed partition, a hung hb-linkd that runs again), not
      // known to be a restart. A restart shows as a new incarnation while it was up.
      bool restarted = before == "up" && known != 0 && incarnation != 0 && incarnation != known;
      if (before == "up" && !restarted) return;  // the snapshot repeating a signal
      node_state_[node] = "up";
      incarnation_[node] = incarnation;
      feed(engine_->on_node(
          node, restarted ? failover::NodeChange::restarted : failover::NodeChange::up, now()));
    } else if (new_state == "dead") {
      if (before == "dead") return;
      node_state_[node] = "dead";
      feed(engine_->on_node(node, failover::NodeChange::dead, now()));
    }
  };
  if (!engine_) return before_engine_.push_back(apply);
  apply();
}

void Resourced::on_message(dbus::Message& m) {
  std::string source = m.read<std::string>();
  std::string type = m.read<std::string>();
  auto fields = m.read<std::map<std::string, std::string>>();
  if (same_node(source, config_.local_node)) return;
  failover::Message msg;
  msg.type = type;
  if (auto d = fields.find("dest"); d != fields.end()) {
    msg.dest = d->second;
    fields.erase(d);
  }
  // The transport's own fields are not part of the hand-over message.
  for (const char* f : {"src", "seq", "hg", "ts", "ld", "ttl", "auth", "srcuuid", "t"})
    fields.erase(f);
  msg.fields = std::move(fields);
  auto apply = [this, source, msg] {
    if (msg.type == "shutdone" && node_state_[source] != "dead") node_state_[source] = "gone";
    feed(engine_->on_message(source, msg, now()));
  };
  if (!engine_) return before_engine_.push_back(apply);
  apply();
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
}

void Resourced::execute(const failover::Action& a) {
  if (auto* s = std::get_if<failover::StartGroup>(&a)) return runner_.start(s->key);
  if (auto* s = std::get_if<failover::StopGroup>(&a)) return runner_.stop(s->key);
  if (auto* s = std::get_if<failover::Send>(&a)) return send(s->message);
  if (auto* an = std::get_if<failover::Announce>(&a)) return runner_.announce(an->key);
  if (auto* l = std::get_if<failover::LogEvent>(&a)) return journal(*l);
  if (auto* v = std::get_if<failover::GroupView>(&a)) {
    Group* g = group(v->key);
    if (!g) return;
    g->owner = v->owner;
    g->state = std::string(failover::to_string(v->state));
    if (objects_) objects_->group_changed(*g);
    update_status();
  }
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
  own("no-membership",
      membership1_.resolved() && (membership1_.owner().empty() || membership_read_failed_),
      "hb-membershipd is not running: this node would not learn of a peer's death, so it cannot "
      "take over");
  own("no-link", link1_.resolved() && link1_.owner().empty(),
      "hb-linkd is not running: no heartbeats leave this node and no messages reach it, so it "
      "cannot take over (and it lets go of its groups after deadtime/2)");
  changed |= w.assign("no-resource-groups",
                      state_.groups.empty()
                          ? std::optional<std::string>(
                                "haresources is missing or lists no resource group: this node "
                                "runs nothing for the cluster")
                          : std::nullopt);

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

void Resourced::send(const failover::Message& m) {
  auto call = bus_.new_method_call(link1::bus, link1::root, link1::manager, "SendMessage");
  call.append_all(m.dest, m.type, m.fields);
  ++pending_sends_;
  dbus::Slot s = bus_.call_async(
      call,
      [this, type = m.type](dbus::Message& r) {
        --pending_sends_;
        if (const sd_bus_error* e = r.error())
          log::warning(log::msgid::message_send_failed,
                       "could not send t=" + type +
                           " through hb-linkd: " + (e->message ? e->message : e->name));
        check_shutdown();
      },
      2'000'000);
  sd_bus_slot_set_floating(s.get(), 1);
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
  const std::string n = failover::restart_target(
      config_.ha_cf.nodes, preferred, config_.local_node,
      [this](const std::string& node) { return node_state_[node] == "up"; });
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
  if (pending_sends_ == 0) {
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
