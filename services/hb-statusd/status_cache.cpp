// hb-statusd's bus side: following the daemons, publishing snapshots (status_cache.hpp).
#include "status_cache.hpp"

#include <time.h>

#include <algorithm>
#include <chrono>

#include "core/status/etag.hpp"
#include "core/status/events.hpp"
#include "core/status/render_json.hpp"
#include "hb_build_config.hpp"
#include "sys/dbus/json_reader.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"

namespace hb::statusd {
namespace names = hb::dbus::names;
namespace {

constexpr const char* properties_iface = "org.freedesktop.DBus.Properties";
constexpr const char* object_manager_iface = "org.freedesktop.DBus.ObjectManager";
// The daemons answer from memory; a read that takes longer is given up and retried later.
constexpr std::uint64_t read_timeout_usec = 5'000'000;

bool runs_ipfail(const config::Config& c) {
  return std::any_of(c.ha_cf.respawns.begin(), c.ha_cf.respawns.end(), [](const auto& r) {
    if (r.argv.empty()) return false;
    const std::string& p = r.argv[0];
    return p == "ipfail" || (p.size() >= 7 && p.compare(p.size() - 7, 7, "/ipfail") == 0);
  });
}

std::string error_text(const sd_bus_error* e) {
  return e->message ? e->message : (e->name ? e->name : "error");
}

}  // namespace

status::Clocks now_clocks() {
  timespec mono{};
  ::clock_gettime(CLOCK_MONOTONIC, &mono);
  const auto wall = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return status::Clocks{wall.count(), static_cast<std::uint64_t>(mono.tv_sec) * 1'000'000 +
                                          static_cast<std::uint64_t>(mono.tv_nsec) / 1000};
}

std::uint64_t new_epoch() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

StatusCache::StatusCache(boost::asio::io_context& io, dbus::Bus& bus, const config::Config& config,
                         SnapshotStore& store, std::uint64_t epoch, EventHub* events,
                         std::function<void(const std::string&)> on_summary)
    : bus_(bus),
      config_(config),
      store_(store),
      on_summary_(std::move(on_summary)),
      refresh_timer_(io),
      epoch_(epoch),
      events_(events) {
  sources_.ipfail.expected = runs_ipfail(config);
  auto add = [&](status::Source& s, const char* root, const char* manager,
                 std::vector<const char*> signals) {
    auto f = std::make_unique<Followed>();
    f->source = &s;
    f->root = root;
    f->manager_interface = manager;
    followed_.push_back(std::move(f));
    follow(*followed_.back(), signals);
  };
  add(sources_.link, names::link1::root, names::link1::manager, {"LinkChanged", "PeerRestarted"});
  add(sources_.membership, names::membership1::root, names::membership1::manager, {"NodeChanged"});
  add(sources_.resource, names::resource1::root, names::resource1::manager, {"GroupChanged"});
  add(sources_.ipfail, names::ipfail1::root, names::ipfail1::manager, {"PingNodeChanged"});
  publish();  // every daemon down until its owner is known
  for (auto& f : followed_) f->follower->start();
  arm_refresh();
}

void StatusCache::follow(Followed& f, const std::vector<const char*>& signals) {
  f.follower = std::make_unique<dbus::Follower>(bus_, f.source->bus_name, f.source->daemon);
  auto changed = [this, &f](dbus::Message&) { read(f); };
  // A property that changed, an object that came or went, or a transition the daemon announced:
  // read its objects again (the reply is newer than the signal, so nothing goes back in time).
  const std::string below = f.root + "/";
  f.follower->on_signal(below, properties_iface, "PropertiesChanged", changed);
  f.follower->on_signal(below, object_manager_iface, "InterfacesAdded", changed);
  f.follower->on_signal(below, object_manager_iface, "InterfacesRemoved", changed);
  for (const char* s : signals) {
    f.follower->on_signal(f.root, f.manager_interface, s,
                          [this, &f, member = std::string(s)](dbus::Message& m) {
                            note_transition(f, member, m);
                            read(f);
                          });
  }
  f.follower->on_owner([this, &f](const std::string& owner) { on_owner(f, owner); });
}

void StatusCache::on_owner(Followed& f, const std::string& owner) {
  ++f.round;
  f.in_flight = false;
  f.again = false;
  f.objects_call = {};
  f.manager_call = {};
  status::Source& s = *f.source;
  s.up = !owner.empty();
  s.read = false;
  s.objects = nlohmann::json::object();
  s.manager = nlohmann::json::object();
  s.error.clear();
  // A new hb-resourced or ipfaild starts from what it reads, not from what the old one said.
  if (&s == &sources_.resource) group_said_.clear();
  if (&s == &sources_.ipfail) ping_said_.clear();
  if (s.up) {
    log::info("", s.daemon + " is on the bus; reading its objects");
    read(f);
  } else if (f.follower->resolved()) {
    log::info("", s.daemon + " is not on the bus");
  }
  publish();
}

void StatusCache::read(Followed& f) {
  const std::string& owner = f.follower->owner();
  if (owner.empty()) return;
  if (f.in_flight) {
    f.again = true;
    return;
  }
  f.in_flight = true;
  f.again = false;
  ++f.reads_started;
  f.replies = 0;
  f.error.clear();
  const std::uint64_t round = f.round;
  try {
    auto objects = bus_.new_method_call(owner, f.root, object_manager_iface, "GetManagedObjects");
    f.objects_call = bus_.call_async(
        objects, [this, &f, round](dbus::Message& r) { on_reply(f, round, true, r); },
        read_timeout_usec);
    auto all = bus_.new_method_call(owner, f.root, properties_iface, "GetAll");
    all.append(f.manager_interface);
    f.manager_call = bus_.call_async(
        all, [this, &f, round](dbus::Message& r) { on_reply(f, round, false, r); },
        read_timeout_usec);
  } catch (const std::exception& e) {
    f.in_flight = false;
    f.reads_done = f.reads_started;
    f.source->error = e.what();
    log::warning("", "cannot read " + f.source->daemon + ": " + e.what());
    publish();
  }
}

void StatusCache::on_reply(Followed& f, std::uint64_t round, bool objects, dbus::Message& reply) {
  if (round != f.round) return;  // an earlier owner's answer
  try {
    if (const sd_bus_error* e = reply.error()) {
      f.error = error_text(e);
    } else if (objects) {
      f.objects = dbus::read_managed_objects(reply);
    } else {
      f.manager = dbus::read_properties(reply);
    }
  } catch (const std::exception& e) {
    f.error = std::string("malformed reply: ") + e.what();
  }
  if (++f.replies < 2) return;
  f.in_flight = false;
  f.reads_done = f.reads_started;
  status::Source& s = *f.source;
  if (f.error.empty()) {
    s.objects = std::move(f.objects);
    s.manager = std::move(f.manager);
    s.read = true;
    s.read_at_usec = now_clocks().monotonic_usec;
    s.error.clear();
  } else {
    // What was read before stays; its age shows in /healthz and the metrics.
    if (s.error != f.error) log::warning("", "cannot read " + s.daemon + "'s objects: " + f.error);
    s.error = f.error;
  }
  f.objects = nlohmann::json();
  f.manager = nlohmann::json();
  publish();
  if (f.again) read(f);
}

void StatusCache::arm_refresh() {
  refresh_timer_.expires_after(config_.hb_conf.status.refresh_interval);
  refresh_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    for (auto& f : followed_) read(*f);
    arm_refresh();
  });
}

void StatusCache::publish() {
  const status::Clocks now = now_clocks();
  auto view = std::make_shared<View>();
  if (last_ && sources_.same_data(last_sources_)) {
    // Nothing users see changed: the same document, with the new read times for the ages.
    *view = *last_;
    for (std::size_t i = 0; i < view->snapshot.daemons.size(); ++i)
      view->snapshot.daemons[i].read_at_usec = sources_.all()[i]->read_at_usec;
  } else {
    if (last_) ++generation_;
    status::AssembleInput in{&config_, HB_VERSION, epoch_, generation_, now};
    view->snapshot = status::assemble(sources_, in, last_ ? &last_->snapshot : nullptr);
    view->cluster_body = status::cluster_json(view->snapshot)
                             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    view->cluster_etag = status::etag_of(view->cluster_body);
    last_sources_ = sources_;
    note_warnings(view->snapshot);
  }
  last_ = view;
  store_.publish(std::move(view));
  // Only now: a client that hears an event and asks for the cluster sees the change.
  flush_events();
  if (on_summary_) {
    std::string line = summary();
    if (line != last_summary_) on_summary_(last_summary_ = std::move(line));
  }
}

void StatusCache::note_transition(Followed& f, const std::string& member, dbus::Message& m) {
  if (!events_) return;
  const std::int64_t now = now_clocks().unix_ms;
  Pending p{&f, f.round, f.reads_started + 1, {}, {}};
  try {
    if (member == "NodeChanged") {
      const auto node = m.read<std::string>();
      const auto old_state = m.read<std::string>();
      const auto new_state = m.read<std::string>();
      const auto incarnation = m.read<std::uint64_t>();
      p.type = "node";
      p.data = status::node_event(node, old_state, new_state, incarnation, now);
    } else if (member == "LinkChanged") {
      const auto node = m.read<std::string>();
      const auto medium = m.read<std::string>();
      const auto old_state = m.read<std::string>();
      const auto new_state = m.read<std::string>();
      p.type = "link";
      p.data = status::link_event(node, medium, old_state, new_state, now);
    } else if (member == "GroupChanged") {
      const auto key = m.read<std::string>();
      const auto owner = m.read<std::string>();
      const auto state = m.read<std::string>();
      auto said = group_said_.find(key);
      std::pair<std::string, std::string> before;
      if (said != group_said_.end()) {
        before = said->second;
      } else if (const status::Group* g = last_ ? last_->snapshot.group(key) : nullptr) {
        before = {g->owner, g->state};
      }
      group_said_[key] = {owner, state};
      p.type = "group";
      p.data = status::group_event(key, before.first, owner, before.second, state, now);
    } else if (member == "PingNodeChanged") {
      const auto address = m.read<std::string>();
      const auto state = m.read<std::string>();
      std::string before;
      if (auto said = ping_said_.find(address); said != ping_said_.end()) {
        before = said->second;
      } else if (last_) {
        for (const auto& n : last_->snapshot.ping_nodes)
          if (n.address == address) before = n.state;
      }
      ping_said_[address] = state;
      p.type = "pingnode";
      p.data = status::pingnode_event(address, before, state, now);
    }
  } catch (const std::exception& e) {
    // A malformed signal says no transition; the read that follows still shows the state.
    log::warning("", f.source->daemon + " sent a malformed " + member + ": " + e.what());
    return;
  }
  if (!p.type.empty()) pending_.push_back(std::move(p));
}

void StatusCache::note_warnings(const status::Snapshot& s) {
  if (!events_) return;
  const std::int64_t now = now_clocks().unix_ms;
  for (const auto& d : s.daemons) {
    // Only what a daemon says: one that leaves the bus has not withdrawn its warnings, and one
    // that comes back saying the same changed nothing.
    if (!d.read) continue;
    auto& said = warnings_said_[d.name];
    if (auto e = status::warnings_event(d.name, said, d.warnings, now))
      pending_.push_back(Pending{nullptr, 0, 0, "warnings", std::move(*e)});
    said = d.warnings;
  }
}

void StatusCache::flush_events() {
  std::vector<std::pair<std::string, nlohmann::json>> ready;
  while (!pending_.empty()) {
    Pending& p = pending_.front();
    // Held until a read sent after the signal was answered (or the daemon went away).
    if (p.from && p.round == p.from->round && p.from->reads_done < p.needs_read) break;
    ready.emplace_back(std::move(p.type), std::move(p.data));
    pending_.pop_front();
  }
  if (events_ && !ready.empty()) events_->publish(ready);
}

std::string StatusCache::summary() const {
  std::string up, down;
  for (const status::Source* s : sources_.all()) {
    if (!s->expected && !s->up) continue;
    std::string& list = s->up ? up : down;
    list += (list.empty() ? "" : ", ") + s->daemon;
  }
  return "serving HTTP; following " + (up.empty() ? std::string("nobody yet") : up) +
         (down.empty() ? "" : "; not on the bus: " + down);
}

}  // namespace hb::statusd
