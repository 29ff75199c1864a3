// A test double of hb-resourced's bus face (dbus/io.github.hbcluster.resource1.xml) for readers
// of it: owns io.github.hbcluster.resource1 on the private bus, serves a Manager (no Warnings)
// and one Group object per group under an ObjectManager, and emits GroupChanged when the test
// moves a group. It decides nothing.
#pragma once

#include <deque>
#include <string>
#include <tuple>
#include <vector>

#include "../membership/harness.hpp"

namespace hb::test {

class FakeResource1 {
 public:
  static constexpr const char* bus_name = "io.github.hbcluster.resource1";
  static constexpr const char* root = "/io/github/hbcluster/resource1";
  static constexpr const char* manager = "io.github.hbcluster.resource1.Manager";
  static constexpr const char* group_iface = "io.github.hbcluster.resource1.Group";

  struct Group {
    std::string key, preferred, owner, state;
    std::vector<std::tuple<std::string, std::string, std::string>> resources;  // token, unit, state
    std::string path = {};
  };

  FakeResource1(const std::string& address, std::vector<Group> groups)
      : conn_(std::make_unique<Conn>(address)) {
    Conn::check(sd_bus_add_object_manager(conn_->get(), nullptr, root), "object manager");
    Conn::check(
        sd_bus_add_object_vtable(conn_->get(), nullptr, root, manager, manager_vtable, nullptr),
        "manager vtable");
    for (auto& g : groups) {
      groups_.push_back(std::move(g));
      Group& x = groups_.back();
      char* p = nullptr;
      sd_bus_path_encode("/io/github/hbcluster/resource1/group", x.key.c_str(), &p);
      x.path = p;
      std::free(p);
      Conn::check(sd_bus_add_object_vtable(conn_->get(), nullptr, x.path.c_str(), group_iface,
                                           group_vtable, &x),
                  "group vtable");
    }
  }

  Conn& conn() { return *conn_; }
  void own() { Conn::check(sd_bus_request_name(conn_->get(), bus_name, 0), "request resource1"); }
  // Leaves the bus, as a stopped hb-resourced would.
  void vanish() { conn_.reset(); }

  void set_group(const std::string& key, const std::string& owner, const std::string& state) {
    for (Group& g : groups_) {
      if (g.key != key) continue;
      g.owner = owner;
      g.state = state;
      Conn::check(sd_bus_emit_signal(conn_->get(), root, manager, "GroupChanged", "sss",
                                     key.c_str(), owner.c_str(), state.c_str()),
                  "emit GroupChanged");
    }
  }

 private:
  static int manager_prop(sd_bus*, const char*, const char*, const char*, sd_bus_message* reply,
                          void*, sd_bus_error*) {
    return sd_bus_message_append(reply, "a(ss)", 0);
  }
  static int group_prop(sd_bus*, const char*, const char*, const char* property,
                        sd_bus_message* reply, void* userdata, sd_bus_error*) {
    const Group& g = *static_cast<const Group*>(userdata);
    const std::string p = property;
    if (p == "Resources") {
      int r = sd_bus_message_open_container(reply, 'a', "(sss)");
      for (const auto& [token, unit, state] : g.resources)
        if (r >= 0)
          r = sd_bus_message_append(reply, "(sss)", token.c_str(), unit.c_str(), state.c_str());
      return r < 0 ? r : sd_bus_message_close_container(reply);
    }
    const std::string& v = p == "Key"             ? g.key
                           : p == "PreferredNode" ? g.preferred
                           : p == "Owner"         ? g.owner
                                                  : g.state;
    return sd_bus_message_append(reply, "s", v.c_str());
  }
  static inline const sd_bus_vtable manager_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("Warnings", "a(ss)", manager_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_VTABLE_END};
  static inline const sd_bus_vtable group_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("Key", "s", group_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("PreferredNode", "s", group_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("Owner", "s", group_prop, 0, 0),
      SD_BUS_PROPERTY("State", "s", group_prop, 0, 0),
      SD_BUS_PROPERTY("Resources", "a(sss)", group_prop, 0, 0),
      SD_BUS_VTABLE_END};

  std::unique_ptr<Conn> conn_;
  std::deque<Group> groups_;
};

}  // namespace hb::test
