// A test double of ipfaild's bus face (dbus/io.github.hbcluster.ipfail1.xml) for readers of it:
// owns io.github.hbcluster.ipfail1 on the private bus, serves a Manager (LocalCount, PeerCount,
// no Warnings) and one PingNode per address under an ObjectManager, and emits PingNodeChanged
// when the test changes a ping node. It pings nothing.
#pragma once

#include <deque>
#include <string>
#include <vector>

#include "../membership/harness.hpp"

namespace hb::test {

class FakeIpfail1 {
 public:
  static constexpr const char* bus_name = "io.github.hbcluster.ipfail1";
  static constexpr const char* root = "/io/github/hbcluster/ipfail1";
  static constexpr const char* manager = "io.github.hbcluster.ipfail1.Manager";

  FakeIpfail1(const std::string& address, const std::vector<std::string>& addresses)
      : conn_(address) {
    Conn::check(sd_bus_add_object_manager(conn_.get(), nullptr, root), "object manager");
    Conn::check(sd_bus_add_object_vtable(conn_.get(), nullptr, root, manager, manager_vtable, this),
                "manager vtable");
    for (const auto& a : addresses) {
      pings_.push_back(Ping{a, "up", {}});
      Ping& p = pings_.back();
      char* path = nullptr;
      sd_bus_path_encode("/io/github/hbcluster/ipfail1/pingnode", a.c_str(), &path);
      p.path = path;
      std::free(path);
      Conn::check(sd_bus_add_object_vtable(conn_.get(), nullptr, p.path.c_str(),
                                           "io.github.hbcluster.ipfail1.PingNode", ping_vtable, &p),
                  "ping node vtable");
    }
  }

  Conn& conn() { return conn_; }
  void own() { Conn::check(sd_bus_request_name(conn_.get(), bus_name, 0), "request ipfail1"); }

  void set_state(const std::string& address, const std::string& state) {
    for (Ping& p : pings_) {
      if (p.address != address) continue;
      p.state = state;
      Conn::check(sd_bus_emit_signal(conn_.get(), root, manager, "PingNodeChanged", "ss",
                                     address.c_str(), state.c_str()),
                  "emit PingNodeChanged");
    }
  }

 private:
  struct Ping {
    std::string address, state, path;
  };
  static int manager_prop(sd_bus*, const char*, const char*, const char* property,
                          sd_bus_message* reply, void* userdata, sd_bus_error*) {
    const auto& self = *static_cast<const FakeIpfail1*>(userdata);
    const std::string p = property;
    if (p == "Warnings") return sd_bus_message_append(reply, "a(ss)", 0);
    std::uint32_t up = 0;
    for (const Ping& x : self.pings_) up += x.state == "up" ? 1 : 0;
    return sd_bus_message_append(reply, "u", p == "LocalCount" ? up : std::uint32_t{0});
  }
  static int ping_prop(sd_bus*, const char*, const char*, const char* property,
                       sd_bus_message* reply, void* userdata, sd_bus_error*) {
    const Ping& x = *static_cast<const Ping*>(userdata);
    return sd_bus_message_append(
        reply, "s", std::string(property) == "Address" ? x.address.c_str() : x.state.c_str());
  }
  static inline const sd_bus_vtable manager_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("Warnings", "a(ss)", manager_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("LocalCount", "u", manager_prop, 0, 0),
      SD_BUS_PROPERTY("PeerCount", "u", manager_prop, 0, 0), SD_BUS_VTABLE_END};
  static inline const sd_bus_vtable ping_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_PROPERTY("Address", "s", ping_prop, 0, SD_BUS_VTABLE_PROPERTY_CONST),
      SD_BUS_PROPERTY("State", "s", ping_prop, 0, 0), SD_BUS_VTABLE_END};

  Conn conn_;
  std::deque<Ping> pings_;
};

}  // namespace hb::test
