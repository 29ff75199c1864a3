#include "link_follower.hpp"

#include <cstdlib>
#include <cstring>

#include "sys/dbus/error.hpp"
#include "sys/dbus/names.hpp"
#include "sys/log.hpp"

namespace hb::membershipd {
namespace link1 = hb::dbus::names::link1;
using hb::dbus::check;

namespace {

// A bound on how long a snapshot may take: hb-linkd answers from memory, so anything longer
// means it is wedged; the next owner change or restart of hb-membershipd tries again.
constexpr std::uint64_t snapshot_timeout_usec = 5'000'000;
constexpr const char* object_manager = "org.freedesktop.DBus.ObjectManager";

int enter(sd_bus_message* m, char type, const char* contents) {
  return check(sd_bus_message_enter_container(m, type, contents), "enter container");
}
void leave(sd_bus_message* m) {
  check(sd_bus_message_exit_container(m), "exit container");
}

// Reads a variant's value if it has the expected type; skips it otherwise.
void read_variant_string(sd_bus_message* m, std::string& out) {
  const char* contents = nullptr;
  check(sd_bus_message_peek_type(m, nullptr, &contents), "peek variant");
  if (contents != nullptr && std::strcmp(contents, "s") == 0) {
    const char* s = nullptr;
    check(sd_bus_message_read(m, "v", "s", &s), "read variant s");
    out = s;
  } else {
    check(sd_bus_message_skip(m, "v"), "skip variant");
  }
}

void read_variant_u64(sd_bus_message* m, std::uint64_t& out) {
  const char* contents = nullptr;
  check(sd_bus_message_peek_type(m, nullptr, &contents), "peek variant");
  if (contents != nullptr && std::strcmp(contents, "t") == 0) {
    check(sd_bus_message_read(m, "v", "t", &out), "read variant t");
  } else {
    check(sd_bus_message_skip(m, "v"), "skip variant");
  }
}

// One object's a{sa{sv}} (of GetManagedObjects or InterfacesAdded): its Link or Peer, if any,
// added to `snap`.
void read_object(sd_bus_message* m, LinkSnapshot& snap) {
  enter(m, 'a', "{sa{sv}}");
  while (enter(m, 'e', "sa{sv}") > 0) {
    const char* iface = nullptr;
    check(sd_bus_message_read(m, "s", &iface), "read interface");
    const bool is_link = std::strcmp(iface, link1::link) == 0;
    const bool is_peer = std::strcmp(iface, link1::peer) == 0;
    if (!is_link && !is_peer) {
      check(sd_bus_message_skip(m, "a{sv}"), "skip properties");
      leave(m);
      continue;
    }
    LinkSnapshot::Link link;
    LinkSnapshot::Peer peer;
    enter(m, 'a', "{sv}");
    while (enter(m, 'e', "sv") > 0) {
      const char* prop = nullptr;
      check(sd_bus_message_read(m, "s", &prop), "read property name");
      const std::string p = prop;
      if (is_link && p == "Node") {
        read_variant_string(m, link.node);
      } else if (is_link && p == "Medium") {
        read_variant_string(m, link.medium);
      } else if (is_link && p == "State") {
        read_variant_string(m, link.state);
      } else if (is_link && p == "LastHeardUSec") {
        read_variant_u64(m, link.last_heard_usec);
      } else if (is_peer && p == "Name") {
        read_variant_string(m, peer.name);
      } else if (is_peer && p == "Generation") {
        read_variant_u64(m, peer.generation);
      } else {
        check(sd_bus_message_skip(m, "v"), "skip variant");
      }
      leave(m);
    }
    leave(m);
    if (is_link && !link.node.empty() && !link.medium.empty()) snap.links.push_back(link);
    if (is_peer && !peer.name.empty()) snap.peers.push_back(peer);
    leave(m);
  }
  leave(m);
}

}  // namespace

LinkSnapshot parse_link_snapshot(dbus::Message& reply) {
  sd_bus_message* m = reply.get();
  LinkSnapshot snap;
  enter(m, 'a', "{oa{sa{sv}}}");
  while (enter(m, 'e', "oa{sa{sv}}") > 0) {
    const char* path = nullptr;
    check(sd_bus_message_read(m, "o", &path), "read object path");
    read_object(m, snap);
    leave(m);
  }
  leave(m);
  return snap;
}

std::optional<std::pair<std::string, std::string>> removed_link(dbus::Message& signal) {
  sd_bus_message* m = signal.get();
  const char* path = nullptr;
  check(sd_bus_message_read(m, "o", &path), "read object path");
  bool is_link = false;
  enter(m, 'a', "s");
  const char* iface = nullptr;
  while (check(sd_bus_message_read(m, "s", &iface), "read interface") > 0)
    is_link = is_link || std::strcmp(iface, link1::link) == 0;
  leave(m);
  if (!is_link) return std::nullopt;
  // link1's Link paths encode "node/medium"; node names hold no '/', devices do.
  char* decoded = nullptr;
  if (sd_bus_path_decode(path, link1::link_prefix, &decoded) <= 0 || decoded == nullptr)
    return std::nullopt;
  const std::string both = decoded;
  std::free(decoded);
  const auto slash = both.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == both.size()) return std::nullopt;
  return std::pair{both.substr(0, slash), both.substr(slash + 1)};
}

LinkFollower::LinkFollower(dbus::Bus& bus, Handlers handlers)
    : handlers_(std::move(handlers)), link1_(bus, link1::bus, "hb-linkd") {
  link1_.on_signal(link1::root, link1::manager, "LinkChanged", [this](dbus::Message& m) {
    std::string node = m.read<std::string>();
    std::string medium = m.read<std::string>();
    std::string old_state = m.read<std::string>();
    std::string new_state = m.read<std::string>();
    if (handlers_.link_changed) handlers_.link_changed(node, medium, old_state, new_state);
  });
  link1_.on_signal(link1::root, link1::manager, "PeerRestarted", [this](dbus::Message& m) {
    std::string node = m.read<std::string>();
    std::uint64_t generation = m.read<std::uint64_t>();
    if (handlers_.peer_restarted) handlers_.peer_restarted(node, generation);
  });
  link1_.on_signal(link1::root, link1::manager, "MessageReceived", [this](dbus::Message& m) {
    std::string source = m.read<std::string>();
    std::string type = m.read<std::string>();
    // heartbeat's clean-shutdown announcement, sent by the peer after it released its groups.
    if (type == "shutdone" && handlers_.shutdown) handlers_.shutdown(source);
  });
  // A reload of hb-linkd adds and removes links: followed as they come and go, a removed one
  // is not a dead one.
  link1_.on_signal(link1::root, object_manager, "InterfacesAdded", [this](dbus::Message& m) {
    const char* path = nullptr;
    check(sd_bus_message_read(m.get(), "o", &path), "read object path");
    LinkSnapshot added;
    read_object(m.get(), added);
    for (const auto& l : added.links)
      if (handlers_.link_changed) handlers_.link_changed(l.node, l.medium, "init", l.state);
  });
  link1_.on_signal(link1::root, object_manager, "InterfacesRemoved", [this](dbus::Message& m) {
    if (auto link = removed_link(m); link && handlers_.link_removed)
      handlers_.link_removed(link->first, link->second);
  });
  link1_.on_owner([this](const std::string& owner) { on_owner(owner); });
  link1_.snapshot_on_owner(
      link1::root, [this](dbus::Message& reply) { on_snapshot(reply); }, snapshot_timeout_usec);
  link1_.start();
}

void LinkFollower::on_owner(const std::string& owner) {
  if (!owner.empty()) return;  // the snapshot of the new owner follows
  first_attempt_done_ = true;
  if (handlers_.absent) handlers_.absent();
}

void LinkFollower::on_snapshot(dbus::Message& reply) {
  first_attempt_done_ = true;
  if (const sd_bus_error* e = reply.error()) {
    log::warning(log::msgid::linkd_absent, std::string("cannot read hb-linkd's links: ") +
                                               (e->message ? e->message : e->name) +
                                               "; node states stay as they are");
    return;
  }
  LinkSnapshot snap = parse_link_snapshot(reply);
  if (handlers_.snapshot) handlers_.snapshot(snap);
}

}  // namespace hb::membershipd
