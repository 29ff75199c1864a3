// A test double of hb-membershipd's bus face (dbus/io.github.hbcluster.membership1.xml): owns
// io.github.hbcluster.membership1 on the private bus, serves one Node object per node under an
// ObjectManager and a Manager at the root (its Warnings settable, with PropertiesChanged), and
// when the test changes a node emits what hb-membershipd emits: the Node's PropertiesChanged
// (State, Incarnation, Reason) first, then NodeChanged. The daemon under test
// (hb-resourced, ipfaild) is the real binary.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "../membership/harness.hpp"

namespace hb::test {

class FakeMembership1 {
 public:
  static constexpr const char* bus_name = "io.github.hbcluster.membership1";
  static constexpr const char* root = "/io/github/hbcluster/membership1";
  static constexpr const char* manager = "io.github.hbcluster.membership1.Manager";
  static constexpr const char* node_iface = "io.github.hbcluster.membership1.Node";

  FakeMembership1(const std::string& address, const std::vector<std::string>& nodes)
      : conn_(address) {
    Conn::check(sd_bus_add_object_manager(conn_.get(), nullptr, root), "object manager");
    Conn::check(sd_bus_add_object_vtable(conn_.get(), nullptr, root, manager, manager_vtable, this),
                "manager vtable");
    for (const auto& n : nodes) {
      nodes_.push_back(Node{n, "up", "first-contact", 1, MembershipClient::node_path(n)});
      Node& x = nodes_.back();
      Conn::check(sd_bus_add_object_vtable(conn_.get(), nullptr, x.path.c_str(), node_iface,
                                           node_vtable, &x),
                  "node vtable");
    }
  }

  Conn& conn() { return conn_; }
  void own() { Conn::check(sd_bus_request_name(conn_.get(), bus_name, 0), "request membership1"); }

  // Replaces the Manager's Warnings (code, text) and says so with PropertiesChanged.
  void set_warnings(std::vector<std::pair<std::string, std::string>> warnings) {
    warnings_ = std::move(warnings);
    Conn::check(sd_bus_emit_properties_changed(conn_.get(), root, manager, "Warnings", nullptr),
                "emit PropertiesChanged");
  }

  // The node changes state, for `reason` (hb-membershipd's Reason values: first-contact,
  // returned, restarted, links-dead, never-heard, shutdown). Like hb-membershipd, a node that
  // comes up, or restarts, is a new incarnation.
  void set_state(const std::string& name, const std::string& state, const std::string& reason) {
    for (Node& n : nodes_) {
      if (n.name != name) continue;
      const std::string old = n.state;
      n.state = state;
      n.reason = reason;
      if (state == "up" && (old != "up" || reason == "restarted")) ++n.incarnation;
      Conn::check(sd_bus_emit_properties_changed(conn_.get(), n.path.c_str(), node_iface, "State",
                                                 "Incarnation", "Reason", nullptr),
                  "emit PropertiesChanged");
      Conn::check(sd_bus_emit_signal(conn_.get(), root, manager, "NodeChanged", "ssst",
                                     name.c_str(), old.c_str(), state.c_str(), n.incarnation),
                  "emit NodeChanged");
    }
  }
  // Dead as its links went silent (the reason a crash or power loss gives).
  void set_state(const std::string& name, const std::string& state) {
    set_state(name, state, state == "dead" ? "links-dead" : "returned");
  }
  // A new run of the node (a new generation) while it was up: up -> up, reason restarted.
  void restart(const std::string& name) { set_state(name, "up", "restarted"); }

 private:
  struct Node {
    std::string name, state, reason;
    std::uint64_t incarnation;
    std::string path;
  };
  static int node_prop(sd_bus*, const char*, const char*, const char* property,
                       sd_bus_message* reply, void* userdata, sd_bus_error*) {
    const Node& n = *static_cast<const Node*>(userdata);
    const std::string p = property;
    if (p == "Incarnation") return sd_bus_message_append(reply, "t", n.incarnation);
    const std::string v = p == "Name"     ? n.name
                          : p == "Type"   ? "normal"
                          : p == "Reason" ? n.reason
                                          : n.state;
    return sd_bus_message_append(reply, "s", v.c_str());
  }
  static int manager_prop(sd_bus*, const char*, const char*, const char* property,
                          sd_bus_message* reply, void* userdata, sd_bus_error*) {
    const auto& self = *static_cast<const FakeMembership1*>(userdata);
    const std::string p = property;
    if (p == "Warnings") {
      int r = sd_bus_message_open_container(reply, 'a', "(ss)");
      for (const auto& [code, text] : self.warnings_)
        if (r >= 0) r = sd_bus_message_append(reply, "(ss)", code.c_str(), text.c_str());
      return r < 0 ? r : sd_bus_message_close_container(reply);
    }
    if (p == "Nodes") {
      int r = sd_bus_message_open_container(reply, 'a', "s");
      for (const auto& n : self.nodes_)
        if (r >= 0) r = sd_bus_message_append(reply, "s", n.name.c_str());
      return r < 0 ? r : sd_bus_message_close_container(reply);
    }
    return sd_bus_message_append(reply, "s",
                                 self.nodes_.empty() ? "" : self.nodes_[0].name.c_str());
  }
  static inline const sd_bus_vtable manager_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("LocalNode", "s", manager_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("Nodes", "as", manager_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("Warnings", "a(ss)", manager_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_VTABLE_END};
  static inline const sd_bus_vtable node_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("Name", "s", node_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("Type", "s", node_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("State", "s", node_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_PROPERTY("Incarnation", "t", node_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_PROPERTY("Reason", "s", node_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_VTABLE_END};

  Conn conn_;
  std::deque<Node> nodes_;
  std::vector<std::pair<std::string, std::string>> warnings_;
};

}  // namespace hb::test
