// A test double of hb-resourced's bus face (dbus/io.github.hbcluster.resource1.xml) for readers
// of it: owns io.github.hbcluster.resource1 on the private bus, serves a Manager (no Warnings)
// and one Group object per group under an ObjectManager, and emits GroupChanged when the test
// moves a group. Its Standby, Takeover and MoveGroup only record the call (MoveGroup of an
// unknown group answers NoSuchGroup, as hb-resourced's does). It decides nothing.
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
    std::uint32_t takeovers = 0;
    std::uint64_t last_takeover_usec = 0;
  };

  FakeResource1(const std::string& address, std::vector<Group> groups)
      : conn_(std::make_unique<Conn>(address)) {
    Conn::check(sd_bus_add_object_manager(conn_->get(), nullptr, root), "object manager");
    Conn::check(
        sd_bus_add_object_vtable(conn_->get(), nullptr, root, manager, manager_vtable, this),
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

  // The Manager calls received, as "Standby all", "MoveGroup 192.0.2.10 ha2".
  const std::vector<std::string>& calls() const { return calls_; }

  // A takeover as hb-resourced counts it (Takeovers, LastTakeoverUSec), with PropertiesChanged.
  void set_takeovers(const std::string& key, std::uint32_t count, std::uint64_t last_usec) {
    for (Group& g : groups_) {
      if (g.key != key) continue;
      g.takeovers = count;
      g.last_takeover_usec = last_usec;
      Conn::check(sd_bus_emit_properties_changed(conn_->get(), g.path.c_str(), group_iface,
                                                 "Takeovers", "LastTakeoverUSec", nullptr),
                  "emit PropertiesChanged");
    }
  }

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
  static int record(sd_bus_message* m, void* userdata, sd_bus_error* error) {
    auto& self = *static_cast<FakeResource1*>(userdata);
    std::string call = sd_bus_message_get_member(m);
    const char* arg = nullptr;
    std::vector<std::string> args;
    while (sd_bus_message_read(m, "s", &arg) > 0) args.emplace_back(arg);
    for (const auto& a : args) call += " " + a;
    if (call.rfind("MoveGroup ", 0) == 0) {
      bool known = false;
      for (const Group& g : self.groups_) known = known || (!args.empty() && g.key == args[0]);
      if (!known)
        return sd_bus_error_setf(error, "io.github.hbcluster.Error.NoSuchGroup",
                                 "no resource group '%s'", args.empty() ? "" : args[0].c_str());
    }
    self.calls_.push_back(call);
    return sd_bus_reply_method_return(m, "");
  }
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
    if (p == "Takeovers") return sd_bus_message_append(reply, "u", g.takeovers);
    if (p == "LastTakeoverUSec") return sd_bus_message_append(reply, "t", g.last_takeover_usec);
    const std::string& v = p == "Key"             ? g.key
                           : p == "PreferredNode" ? g.preferred
                           : p == "Owner"         ? g.owner
                                                  : g.state;
    return sd_bus_message_append(reply, "s", v.c_str());
  }
  static inline const sd_bus_vtable manager_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("Warnings", "a(ss)", manager_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_METHOD("Standby", "s", "", record, SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD("Takeover", "s", "", record, SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_METHOD("MoveGroup", "ss", "", record, SD_BUS_VTABLE_UNPRIVILEGED),
      SD_BUS_VTABLE_END};
  static inline const sd_bus_vtable group_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("Key", "s", group_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("PreferredNode", "s", group_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("Owner", "s", group_prop, 0, 0),
      SD_BUS_PROPERTY("State", "s", group_prop, 0, 0),
      SD_BUS_PROPERTY("Resources", "a(sss)", group_prop, 0, 0),
      SD_BUS_PROPERTY("Takeovers", "u", group_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_PROPERTY("LastTakeoverUSec", "t", group_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_VTABLE_END};

  std::unique_ptr<Conn> conn_;
  std::deque<Group> groups_;
  std::vector<std::string> calls_;
};

}  // namespace hb::test
