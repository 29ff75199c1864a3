// hb-resourced's view of the cluster from hb-membershipd and hb-linkd (see cluster_feed.hpp).
#include "cluster_feed.hpp"

#include <cstdlib>
#include <cstring>

#include "core/failover/placement.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"

namespace hb::resourced {
namespace link1 = hb::dbus::names::link1;
namespace membership1 = hb::dbus::names::membership1;
using failover::NodeChange;
using failover::same_node;

namespace {

constexpr std::uint64_t send_timeout_usec = 2'000'000;

std::string error_text(const sd_bus_error* e) {
  return e->message ? e->message : e->name;
}

}  // namespace

ClusterFeed::ClusterFeed(dbus::Bus& bus, const config::Config& config, Events events)
    : bus_(bus),
      config_(config),
      events_(std::move(events)),
      membership1_(bus, membership1::bus, "hb-membershipd"),
      link1_(bus, link1::bus, "hb-linkd") {}

void ClusterFeed::start() {
  membership1_.on_signal(membership1::root, membership1::manager, "NodeChanged",
                         [this](dbus::Message& m) { on_node_changed(m); });
  membership1_.on_signal(
      std::string(membership1::node_prefix) + "/", "org.freedesktop.DBus.Properties",
      "PropertiesChanged", [this](dbus::Message& m) { on_reason(m); }, membership1::node);
  membership1_.on_owner([this](const std::string& owner) { on_membership_owner(owner); });
  membership1_.snapshot_on_owner(membership1::root, [this](dbus::Message& r) { on_snapshot(r); });
  link1_.on_signal(link1::root, link1::manager, "MessageReceived",
                   [this](dbus::Message& m) { on_message(m); });
  link1_.on_owner([this](const std::string& owner) {
    deliver([this, owner] { events_.source(Source::link, owner); });
  });
  membership1_.start();
  link1_.start();
}

void ClusterFeed::open() {
  open_ = true;
  auto held = std::move(held_);
  held_.clear();
  for (auto& event : held) event();
}

void ClusterFeed::deliver(std::function<void()> event) {
  if (!open_) return held_.push_back(std::move(event));
  event();
}

bool ClusterFeed::node_up(const std::string& node) const {
  for (const auto& [name, known] : known_)
    if (same_node(name, node)) return known == Known::up;
  return false;
}

bool ClusterFeed::membership_missing() const {
  return membership1_.resolved() && (membership1_.owner().empty() || membership_read_failed_);
}

bool ClusterFeed::link_missing() const {
  return link1_.resolved() && link1_.owner().empty();
}

bool ClusterFeed::is_peer(const std::string& node) const {
  if (same_node(node, config_.local_node)) return false;
  for (const auto& n : config_.ha_cf.nodes)
    if (same_node(n, node)) return true;
  return false;  // a ping node, or not in ha.cf
}

// --- hb-membershipd -----------------------------------------------------------------------------

void ClusterFeed::on_membership_owner(const std::string& owner) {
  // A new owner (or none) is a new tracker: nothing said by the old one is pending, and its
  // nodes count again only once the new one's are read.
  reason_.clear();
  membership_read_failed_ = false;
  deliver([this, owner] {
    events_.membership(false);
    events_.source(Source::membership, owner);
  });
}

// The nodes as hb-membershipd has them now (GetManagedObjects at each new owner).
void ClusterFeed::on_snapshot(dbus::Message& reply) {
  if (const sd_bus_error* e = reply.error()) {
    // Still unable to take over; the next appearance of hb-membershipd reads it again.
    log::warning(log::msgid::membership_unreadable,
                 "cannot read hb-membershipd's nodes: " + error_text(e));
    membership_read_failed_ = true;
    return deliver([this] { events_.membership(false); });
  }
  membership_read_failed_ = false;
  read_nodes(reply);
  // Node deaths reach us from now on: peers never heard from may be written off at initdead.
  const bool known = !membership1_.owner().empty();
  deliver([this, known] { events_.membership(known); });
}

void ClusterFeed::read_nodes(dbus::Message& reply) {
  sd_bus_message* m = reply.get();
  if (sd_bus_message_enter_container(m, 'a', "{oa{sa{sv}}}") <= 0) return;
  while (sd_bus_message_enter_container(m, 'e', "oa{sa{sv}}") > 0) {
    const char* path = nullptr;
    sd_bus_message_read(m, "o", &path);
    sd_bus_message_enter_container(m, 'a', "{sa{sv}}");
    while (sd_bus_message_enter_container(m, 'e', "sa{sv}") > 0) {
      const char* iface = nullptr;
      sd_bus_message_read(m, "s", &iface);
      std::string name, type, state, reason;
      const bool node = iface != nullptr && std::strcmp(iface, membership1::node) == 0;
      sd_bus_message_enter_container(m, 'a', "{sv}");
      while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
        const char* prop = nullptr;
        sd_bus_message_read(m, "s", &prop);
        std::string* into = nullptr;
        if (node && prop != nullptr) {
          if (std::strcmp(prop, "Name") == 0) into = &name;
          if (std::strcmp(prop, "Type") == 0) into = &type;
          if (std::strcmp(prop, "State") == 0) into = &state;
          if (std::strcmp(prop, "Reason") == 0) into = &reason;
        }
        const char* v = nullptr;
        if (into != nullptr && sd_bus_message_read(m, "v", "s", &v) > 0)
          *into = v;
        else
          sd_bus_message_skip(m, "v");
        sd_bus_message_exit_container(m);
      }
      sd_bus_message_exit_container(m);
      sd_bus_message_exit_container(m);
      if (node && type != "ping" && !name.empty()) on_node(name, state, reason, false);
    }
    sd_bus_message_exit_container(m);
    sd_bus_message_exit_container(m);
  }
}

// A Node's PropertiesChanged: hb-membershipd sends the Reason of a change just before its
// NodeChanged.
void ClusterFeed::on_reason(dbus::Message& changed) {
  char* decoded = nullptr;
  if (changed.path() == nullptr ||
      sd_bus_path_decode(changed.path(), membership1::node_prefix, &decoded) <= 0)
    return;
  const std::string node = decoded;
  std::free(decoded);
  sd_bus_message* m = changed.get();
  const char* iface = nullptr;
  if (sd_bus_message_read(m, "s", &iface) < 0 || sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
    return;
  while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
    const char* prop = nullptr;
    if (sd_bus_message_read(m, "s", &prop) < 0) return;
    const char* v = nullptr;
    if (prop != nullptr && std::strcmp(prop, "Reason") == 0) {
      if (sd_bus_message_read(m, "v", "s", &v) < 0) return;
      reason_[node] = v;
    } else if (sd_bus_message_skip(m, "v") < 0) {
      return;
    }
    sd_bus_message_exit_container(m);
  }
}

void ClusterFeed::on_node_changed(dbus::Message& signal) {
  const std::string node = signal.read<std::string>();
  signal.read<std::string>();  // the old state: ours is what we last handed on
  const std::string state = signal.read<std::string>();
  // Taken, so that a later change that comes without one is not read with this one's Reason.
  std::string reason;
  if (auto it = reason_.find(node); it != reason_.end()) {
    reason = std::move(it->second);
    reason_.erase(it);
  }
  on_node(node, state, reason, true);
}

// `fresh`: the Reason came with this very change (a signal), not with a snapshot, where it is
// the Reason of a change that may have been handed on already.
void ClusterFeed::on_node(const std::string& node, const std::string& state,
                          const std::string& reason, bool fresh) {
  if (!is_peer(node)) return;
  Known& known = known_[node];
  NodeNews news{node, NodeChange::up, reason};
  if (state == "up") {
    const bool restarted = reason == "restarted";
    // Up already: the snapshot repeating what a signal said, unless a new run of it.
    if (known == Known::up && !(restarted && fresh)) return;
    news.change = restarted ? NodeChange::restarted : NodeChange::up;
    known = Known::up;
  } else if (state == "dead") {
    const bool shutdown = reason == "shutdown";
    const bool told = known == Known::gone;  // its t=shutdone was handed on already
    if (known == Known::dead) return;
    known = Known::dead;
    if (told && shutdown) return;
    news.change = shutdown ? NodeChange::clean_shutdown : NodeChange::dead;
  } else {
    return;  // init: nothing known of it yet
  }
  deliver([this, news] { events_.node(news); });
}

// --- hb-linkd -----------------------------------------------------------------------------------

void ClusterFeed::on_message(dbus::Message& signal) {
  const std::string source = signal.read<std::string>();
  const std::string type = signal.read<std::string>();
  auto fields = signal.read<std::map<std::string, std::string>>();
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
  if (msg.type == "shutdone") {
    Known& known = known_[source];
    if (known != Known::dead) known = Known::gone;
  }
  deliver([this, source, msg] { events_.message(source, msg); });
}

void ClusterFeed::send(const failover::Message& m) {
  auto call = bus_.new_method_call(link1::bus, link1::root, link1::manager, "SendMessage");
  call.append_all(m.dest, m.type, m.fields);
  ++pending_sends_;
  dbus::Slot s = bus_.call_async(
      call,
      [this, type = m.type, dest = m.dest](dbus::Message& r) {
        --pending_sends_;
        if (const sd_bus_error* e = r.error()) {
          const std::string text =
              "could not send t=" + type + " through hb-linkd: " + error_text(e);
          if (dest.empty())
            log::warning(log::msgid::message_send_failed, text);
          else
            log::warning(log::msgid::message_send_failed, text, {{"HB_PEER", dest}});
        }
        if (events_.sent) events_.sent();
      },
      send_timeout_usec);
  sd_bus_slot_set_floating(s.get(), 1);
}

}  // namespace hb::resourced
