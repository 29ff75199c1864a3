// A test double of hb-linkd's bus face (dbus/io.github.hbcluster.link1.xml): owns
// io.github.hbcluster.link1 on the private bus, serves Link and Peer objects under an
// ObjectManager at /io/github/hbcluster/link1 (with a Manager there: LocalNode, Generation, no
// Warnings), and emits LinkChanged, PeerRestarted and MessageReceived when the test says so;
// SendMessage calls are recorded, for the test to read. It stands in for the transport only;
// the daemon under test is the real binary.
#pragma once

#include <deque>

#include "harness.hpp"

namespace hb::test {

class FakeLink1 {
 public:
  static constexpr const char* bus_name = "io.github.hbcluster.link1";
  static constexpr const char* root = "/io/github/hbcluster/link1";
  static constexpr const char* manager = "io.github.hbcluster.link1.Manager";

  FakeLink1(const std::string& address, const std::vector<std::string>& nodes,
            const std::vector<std::string>& media)
      : conn_(address) {
    add_slot(sd_bus_add_object_manager(conn_.get(), nullptr, root));
    Conn::check(sd_bus_add_object_vtable(conn_.get(), nullptr, root, manager, manager_vtable, this),
                "manager vtable");
    for (const auto& n : nodes) {
      for (const auto& m : media) publish_link(n, m, "init");
      peers_.push_back(Peer{n, 0, {}});
      Peer& p = peers_.back();
      p.path = encode("/io/github/hbcluster/link1/peer", n);
      Conn::check(sd_bus_add_object_vtable(conn_.get(), nullptr, p.path.c_str(),
                                           "io.github.hbcluster.link1.Peer", peer_vtable, &p),
                  "peer vtable");
    }
  }

  Conn& conn() { return conn_; }

  void own() { Conn::check(sd_bus_request_name(conn_.get(), bus_name, 0), "request link1"); }
  // As if hb-linkd stopped: the name has no owner.
  void disown() { Conn::check(sd_bus_release_name(conn_.get(), bus_name), "release link1"); }

  // The link's state changes; `emit` false changes it silently (as while nobody listened).
  void set_link(const std::string& node, const std::string& medium, const std::string& state,
                bool emit = true) {
    Link& l = find(node, medium);
    const std::string old = l.state;
    l.state = state;
    if (state == "up") l.last_heard_usec = now_usec();
    if (emit)
      Conn::check(sd_bus_emit_signal(conn_.get(), root, manager, "LinkChanged", "ssss",
                                     node.c_str(), medium.c_str(), old.c_str(), state.c_str()),
                  "emit LinkChanged");
  }

  // A reload added a medium: its Link object appears (InterfacesAdded), in `state`.
  void add_link(const std::string& node, const std::string& medium, const std::string& state) {
    Link& l = publish_link(node, medium, state);
    Conn::check(sd_bus_emit_object_added(conn_.get(), l.path.c_str()), "emit object added");
  }

  // A reload removed a medium: its Link object goes (InterfacesRemoved), no LinkChanged.
  void remove_link(const std::string& node, const std::string& medium) {
    Link& l = find(node, medium);
    Conn::check(sd_bus_emit_object_removed(conn_.get(), l.path.c_str()), "emit object removed");
    sd_bus_slot_unref(l.slot);
    l.slot = nullptr;
    l.gone = true;  // kept in links_: the others' addresses are the vtables' userdata
  }

  void restart(const std::string& node, std::uint64_t generation, bool emit = true) {
    for (Peer& p : peers_)
      if (p.name == node) p.generation = generation;
    if (emit)
      Conn::check(sd_bus_emit_signal(conn_.get(), root, manager, "PeerRestarted", "st",
                                     node.c_str(), generation),
                  "emit PeerRestarted");
  }

  void message(const std::string& source, const std::string& type, std::uint64_t seq) {
    Conn::check(sd_bus_emit_signal(conn_.get(), root, manager, "MessageReceived", "ssa{ss}t",
                                   source.c_str(), type.c_str(), 1, "info", "test", seq),
                "emit MessageReceived");
  }

  // A cluster message with the given fields (the hand-over messages hb-resourced reads).
  void message_with(const std::string& source, const std::string& type,
                    const std::map<std::string, std::string>& fields, std::uint64_t seq) {
    sd_bus_message* m = nullptr;
    Conn::check(sd_bus_message_new_signal(conn_.get(), &m, root, manager, "MessageReceived"),
                "new MessageReceived");
    Conn::check(sd_bus_message_append(m, "ss", source.c_str(), type.c_str()), "append");
    Conn::check(sd_bus_message_open_container(m, 'a', "{ss}"), "open");
    for (const auto& [k, v] : fields)
      Conn::check(sd_bus_message_append(m, "{ss}", k.c_str(), v.c_str()), "append field");
    Conn::check(sd_bus_message_close_container(m), "close");
    Conn::check(sd_bus_message_append(m, "t", seq), "append seq");
    Conn::check(sd_bus_send(conn_.get(), m, nullptr), "send MessageReceived");
    sd_bus_message_unref(m);
  }

  // A message the daemon under test sent (SendMessage): `dest` "" = every node.
  struct Sent {
    std::string dest, type;
    std::map<std::string, std::string> fields;
  };
  const std::vector<Sent>& sent() const { return sent_; }

  static std::uint64_t now_usec() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::steady_clock::now().time_since_epoch())
                                          .count());
  }

 private:
  struct Link {
    std::string node, medium, state;
    std::uint64_t last_heard_usec = 0;
    std::string path;
    sd_bus_slot* slot = nullptr;  // the vtable's registration (live until the bus closes)
    bool gone = false;
  };
  Link& publish_link(const std::string& node, const std::string& medium, const std::string& state) {
    links_.emplace_back();
    Link& l = links_.back();
    l.node = node;
    l.medium = medium;
    l.state = state;
    l.path = encode("/io/github/hbcluster/link1/link", node + "/" + medium);
    Conn::check(sd_bus_add_object_vtable(conn_.get(), &l.slot, l.path.c_str(),
                                         "io.github.hbcluster.link1.Link", link_vtable, &l),
                "link vtable");
    return l;
  }
  struct Peer {
    std::string name;
    std::uint64_t generation;
    std::string path;
  };

  static std::string encode(const char* prefix, const std::string& name) {
    char* p = nullptr;
    sd_bus_path_encode(prefix, name.c_str(), &p);
    std::string s = p;
    std::free(p);
    return s;
  }
  void add_slot(int r) { Conn::check(r, "object manager"); }
  Link& find(const std::string& node, const std::string& medium) {
    for (Link& l : links_)
      if (l.node == node && l.medium == medium && !l.gone) return l;
    throw std::runtime_error("no link " + node + ":" + medium);
  }

  static int link_prop(sd_bus*, const char*, const char*, const char* property,
                       sd_bus_message* reply, void* userdata, sd_bus_error*) {
    const Link& l = *static_cast<const Link*>(userdata);
    const std::string p = property;
    if (p == "LastHeardUSec") return sd_bus_message_append(reply, "t", l.last_heard_usec);
    const std::string& v = p == "Node" ? l.node : p == "Medium" ? l.medium : l.state;
    return sd_bus_message_append(reply, "s", v.c_str());
  }
  static int peer_prop(sd_bus*, const char*, const char*, const char* property,
                       sd_bus_message* reply, void* userdata, sd_bus_error*) {
    const Peer& p = *static_cast<const Peer*>(userdata);
    if (std::string(property) == "Generation")
      return sd_bus_message_append(reply, "t", p.generation);
    return sd_bus_message_append(reply, "s", p.name.c_str());
  }

  static int send_message(sd_bus_message* call, void* userdata, sd_bus_error*) {
    auto& self = *static_cast<FakeLink1*>(userdata);
    const char *dest = nullptr, *type = nullptr;
    int r = sd_bus_message_read(call, "ss", &dest, &type);
    if (r < 0) return r;
    Sent sent{dest, type, {}};
    if ((r = sd_bus_message_enter_container(call, 'a', "{ss}")) < 0) return r;
    const char *key = nullptr, *value = nullptr;
    while ((r = sd_bus_message_read(call, "{ss}", &key, &value)) > 0) sent.fields[key] = value;
    if (r < 0) return r;
    self.sent_.push_back(std::move(sent));
    return sd_bus_reply_method_return(call, "t", static_cast<std::uint64_t>(self.sent_.size()));
  }

  static int manager_prop(sd_bus*, const char*, const char*, const char* property,
                          sd_bus_message* reply, void*, sd_bus_error*) {
    const std::string p = property;
    if (p == "Generation") return sd_bus_message_append(reply, "t", std::uint64_t{1});
    if (p == "Warnings") return sd_bus_message_append(reply, "a(ss)", 0);
    if (p == "Configuration")
      return sd_bus_message_append(reply, "a{ss}", 7, "keepalive", "100 ms", "deadtime", "500 ms",
                                   "warntime", "300 ms", "initdead", "1 s", "auth", "2", "keys",
                                   "1 2", "digest", "0123abcd");
    return sd_bus_message_append(reply, "s", "");
  }
  static inline const sd_bus_vtable manager_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_METHOD("SendMessage", "ssa{ss}", "t", send_message, SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_PROPERTY("LocalNode", "s", manager_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("Generation", "t", manager_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("Warnings", "a(ss)", manager_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("Configuration", "a{ss}", manager_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_VTABLE_END};
  static inline const sd_bus_vtable link_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("Node", "s", link_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("Medium", "s", link_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("State", "s", link_prop, 0, 0),
      SD_BUS_PROPERTY("LastHeardUSec", "t", link_prop, 0, 0),
      SD_BUS_VTABLE_END};
  static inline const sd_bus_vtable peer_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("Name", "s", peer_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("Generation", "t", peer_prop, 0, 0), SD_BUS_VTABLE_END};

  Conn conn_;
  std::deque<Link> links_;  // stable addresses: the vtables' userdata
  std::deque<Peer> peers_;
  std::vector<Sent> sent_;
};

}  // namespace hb::test
