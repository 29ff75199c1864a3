// Each daemon's registered D-Bus interfaces match its reviewed contract in dbus/*.xml, and the
// skeleton's methods answer as documented. The daemons' real vtables are registered on one end
// of a socketpair (sd_bus_set_server), driven by the real AsioBusDriver on a thread; the test
// is the client on the other end. No dbus-daemon involved.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <thread>

#include "introspection_xml.hpp"
#include "ipfaild_bus.hpp"
#include "linkd_bus.hpp"
#include "membershipd_bus.hpp"
#include "resourced_bus.hpp"
#include "sys/dbus/asio_driver.hpp"
#include "sys/dbus/log_control.hpp"
#include "sys/dbus/names.hpp"

namespace {

namespace names = hb::dbus::names;

// The seed's cluster (../shared/seed/ha.d) as the loader would give it, seen from ha1.
hb::config::Config seed_config() {
  hb::config::Config c;
  c.local_node = "ha1.haw2.ibm.com";
  c.ha_cf.nodes = {"ha1.haw2.ibm.com", "ha2.haw2.ibm.com"};
  hb::config::Medium serial;
  serial.kind = hb::config::Medium::Kind::serial;
  serial.interface = "/dev/ttyS0";
  hb::config::Medium bcast;
  bcast.kind = hb::config::Medium::Kind::bcast;
  bcast.interface = "eth0";
  c.ha_cf.media = {serial, bcast};
  c.ha_cf.ping_nodes = {"9.22.7.1"};
  hb::config::ResourceGroup g;
  g.preferred_node = "ha1.haw2.ibm.com";
  for (const char* token :
       {"9.22.7.46", "Filesystem::nfsha.haw2.ibm.com:/ha::/ha::nfs::rw,hard", "httpd"}) {
    hb::config::Resource r;
    r.token = token;
    g.resources.push_back(r);
  }
  c.groups = {g};
  return c;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A daemon's bus side on a socketpair: `server` carries the vtables, `client` is the test.
class PeerBus {
 public:
  PeerBus() {
    int fds[2];
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
    sd_bus* s = nullptr;
    sd_id128_t id;
    sd_id128_randomize(&id);
    EXPECT_GE(sd_bus_new(&s), 0);
    EXPECT_GE(sd_bus_set_fd(s, fds[0], fds[0]), 0);
    EXPECT_GE(sd_bus_set_server(s, 1, id), 0);
    EXPECT_GE(sd_bus_start(s), 0);
    server_.emplace(hb::dbus::Bus::adopt(s));
    EXPECT_GE(sd_bus_new(&client_), 0);
    EXPECT_GE(sd_bus_set_fd(client_, fds[1], fds[1]), 0);
    EXPECT_GE(sd_bus_start(client_), 0);
    log_control_.emplace(*server_);
  }
  ~PeerBus() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
    sd_bus_flush_close_unref(client_);
  }

  hb::dbus::Bus& server() { return *server_; }

  // Registration is done: serve from now on.
  void start(const std::string& root) {
    if (!root.empty()) object_manager_ = server_->add_object_manager(root);
    driver_.emplace(io_, *server_, [](int) {});
    thread_ = std::thread([this] { io_.run(); });
  }

  // Calls and returns the D-Bus error name ("" on success); `reply` gets the reply.
  std::string call(const std::string& path, const std::string& interface, const std::string& member,
                   const std::function<void(sd_bus_message*)>& fill = {},
                   sd_bus_message** reply = nullptr) {
    sd_bus_message* m = nullptr;
    EXPECT_GE(sd_bus_message_new_method_call(client_, &m, nullptr, path.c_str(), interface.c_str(),
                                             member.c_str()),
              0);
    if (fill) fill(m);
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message* r = nullptr;
    int rc = sd_bus_call(client_, m, 5'000'000, &error, &r);
    sd_bus_message_unref(m);
    std::string name = rc < 0 ? (error.name ? error.name : "errno") : "";
    sd_bus_error_free(&error);
    if (reply)
      *reply = r;
    else
      sd_bus_message_unref(r);
    return name;
  }

  std::string introspect(const std::string& path) {
    sd_bus_message* r = nullptr;
    EXPECT_EQ(call(path, "org.freedesktop.DBus.Introspectable", "Introspect", {}, &r), "");
    const char* xml = "";
    if (r) sd_bus_message_read(r, "s", &xml);
    std::string out = xml;
    sd_bus_message_unref(r);
    return out;
  }

  std::string get_string(const std::string& path, const std::string& iface,
                         const std::string& property) {
    char* value = nullptr;
    sd_bus_error error = SD_BUS_ERROR_NULL;
    EXPECT_GE(sd_bus_get_property_string(client_, nullptr, path.c_str(), iface.c_str(),
                                         property.c_str(), &error, &value),
              0)
        << (error.message ? error.message : "");
    sd_bus_error_free(&error);
    std::string out = value ? value : "";
    free(value);
    return out;
  }

  // Every hb interface registered anywhere below `path`.
  void collect(const std::string& path, hb::test::InterfaceSummary& out) {
    std::string xml = introspect(path);
    hb::test::InterfaceSummary here = hb::test::summarize_xml(xml);
    for (auto& [name, lines] : here)
      if (name.rfind(names::prefix, 0) == 0) out[name].insert(lines.begin(), lines.end());
    for (const auto& child : hb::test::child_nodes(xml))
      collect(path == "/" ? "/" + child : path + "/" + child, out);
  }

 private:
  boost::asio::io_context io_;
  std::optional<hb::dbus::Bus> server_;
  std::optional<hb::dbus::LogControl> log_control_;
  hb::dbus::Slot object_manager_;
  std::optional<hb::dbus::AsioBusDriver> driver_;
  std::thread thread_;
  sd_bus* client_ = nullptr;
};

void expect_matches_xml(PeerBus& bus, const std::string& xml_file) {
  auto expected = hb::test::summarize_xml(read_file(std::string(HB_DBUS_XML_DIR) + "/" + xml_file));
  ASSERT_FALSE(expected.empty()) << xml_file << " has no interfaces";
  hb::test::InterfaceSummary registered;
  bus.collect("/", registered);
  for (const auto& [name, lines] : expected) {
    ASSERT_TRUE(registered.count(name)) << name << " is in " << xml_file << " but not registered";
    std::set<std::string> missing, extra;
    for (const auto& l : lines)
      if (!registered[name].count(l)) missing.insert(l);
    for (const auto& l : registered[name])
      if (!lines.count(l)) extra.insert(l);
    for (const auto& l : missing) ADD_FAILURE() << name << ": in XML, not registered: " << l;
    for (const auto& l : extra) ADD_FAILURE() << name << ": registered, not in XML: " << l;
  }
  for (const auto& [name, lines] : registered)
    EXPECT_TRUE(expected.count(name)) << name << " is registered but not in " << xml_file;
}

auto append_string(const char* s) {
  return [s](sd_bus_message* m) { sd_bus_message_append(m, "s", s); };
}

TEST(LinkdBus, InterfacesMatchXml) {
  auto config = seed_config();
  PeerBus bus;
  auto state = hb::linkd::initial_state(config);
  hb::linkd::BusObjects objects(bus.server(), state);
  bus.start(names::link1::root);
  expect_matches_xml(bus, "io.github.hbcluster.link1.xml");
}

TEST(LinkdBus, ListsOneLinkPerPeerAndMedium) {
  auto config = seed_config();
  PeerBus bus;
  auto state = hb::linkd::initial_state(config);
  hb::linkd::BusObjects objects(bus.server(), state);
  bus.start(names::link1::root);
  std::string serial =
      hb::dbus::object_path(names::link1::link_prefix, "ha2.haw2.ibm.com//dev/ttyS0");
  EXPECT_EQ(bus.get_string(serial, names::link1::link, "Medium"), "/dev/ttyS0");
  EXPECT_EQ(bus.get_string(serial, names::link1::link, "Node"), "ha2.haw2.ibm.com");
  EXPECT_EQ(bus.get_string(serial, names::link1::link, "State"), "init");
  EXPECT_EQ(bus.get_string(names::link1::root, names::link1::manager, "LocalNode"),
            "ha1.haw2.ibm.com");
}

TEST(LinkdBus, SendMessageIsNotSupportedYet) {
  auto config = seed_config();
  PeerBus bus;
  auto state = hb::linkd::initial_state(config);
  hb::linkd::BusObjects objects(bus.server(), state);
  bus.start(names::link1::root);
  EXPECT_EQ(bus.call(names::link1::root, names::link1::manager, "SendMessage",
                     [](sd_bus_message* m) {
                       sd_bus_message_append(m, "ssa{ss}", "", "hello", 1, "k", "v");
                     }),
            SD_BUS_ERROR_NOT_SUPPORTED);
}

TEST(MembershipdBus, InterfacesMatchXml) {
  auto config = seed_config();
  PeerBus bus;
  auto state = hb::membershipd::initial_state(config);
  hb::membershipd::BusObjects objects(bus.server(), state);
  bus.start(names::membership1::root);
  expect_matches_xml(bus, "io.github.hbcluster.membership1.xml");
}

TEST(MembershipdBus, NodesStartInInit) {
  auto config = seed_config();
  PeerBus bus;
  auto state = hb::membershipd::initial_state(config);
  hb::membershipd::BusObjects objects(bus.server(), state);
  bus.start(names::membership1::root);
  // The path style.md A.5.5 gives for this node.
  std::string ha2 = "/io/github/hbcluster/membership1/node/ha2_2ehaw2_2eibm_2ecom";
  EXPECT_EQ(bus.get_string(ha2, names::membership1::node, "State"), "init");
  EXPECT_EQ(bus.get_string(ha2, names::membership1::node, "Type"), "normal");
  std::string ping = hb::dbus::object_path(names::membership1::node_prefix, "9.22.7.1");
  EXPECT_EQ(bus.get_string(ping, names::membership1::node, "Type"), "ping");
}

TEST(ResourcedBus, InterfacesMatchXml) {
  auto config = seed_config();
  PeerBus bus;
  auto state = hb::resourced::initial_state(config);
  hb::resourced::BusObjects objects(bus.server(), state);
  bus.start(names::resource1::root);
  expect_matches_xml(bus, "io.github.hbcluster.resource1.xml");
}

TEST(ResourcedBus, GroupIsStoppedAndOwnedByNobody) {
  auto config = seed_config();
  PeerBus bus;
  auto state = hb::resourced::initial_state(config);
  hb::resourced::BusObjects objects(bus.server(), state);
  bus.start(names::resource1::root);
  std::string group = hb::dbus::object_path(names::resource1::group_prefix, "9.22.7.46");
  EXPECT_EQ(bus.get_string(group, names::resource1::group, "State"), "stopped");
  EXPECT_EQ(bus.get_string(group, names::resource1::group, "Owner"), "");
  EXPECT_EQ(bus.get_string(group, names::resource1::group, "PreferredNode"), "ha1.haw2.ibm.com");
}

TEST(ResourcedBus, AdminMethodsCheckArgumentsThenSayNotSupported) {
  auto config = seed_config();
  PeerBus bus;
  auto state = hb::resourced::initial_state(config);
  hb::resourced::BusObjects objects(bus.server(), state);
  bus.start(names::resource1::root);
  const auto* mgr = names::resource1::manager;
  const auto* root = names::resource1::root;
  EXPECT_EQ(bus.call(root, mgr, "Standby", append_string("all")), SD_BUS_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(bus.call(root, mgr, "Standby", append_string("everything")), SD_BUS_ERROR_INVALID_ARGS);
  EXPECT_EQ(bus.call(root, mgr, "Takeover", append_string("foreign")), SD_BUS_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(bus.call(root, mgr, "MoveGroup",
                     [](sd_bus_message* m) {
                       sd_bus_message_append(m, "ss", "9.22.7.46", "ha2.haw2.ibm.com");
                     }),
            SD_BUS_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(bus.call(root, mgr, "MoveGroup",
                     [](sd_bus_message* m) {
                       sd_bus_message_append(m, "ss", "10.0.0.1", "ha2.haw2.ibm.com");
                     }),
            names::error_no_such_group);
}

TEST(ResourcedBus, ManagedObjectsListTheGroup) {
  auto config = seed_config();
  PeerBus bus;
  auto state = hb::resourced::initial_state(config);
  hb::resourced::BusObjects objects(bus.server(), state);
  bus.start(names::resource1::root);
  sd_bus_message* r = nullptr;
  ASSERT_EQ(bus.call(names::resource1::root, "org.freedesktop.DBus.ObjectManager",
                     "GetManagedObjects", {}, &r),
            "");
  ASSERT_GE(sd_bus_message_enter_container(r, 'a', "{oa{sa{sv}}}"), 0);
  std::vector<std::string> paths;
  while (sd_bus_message_enter_container(r, 'e', "oa{sa{sv}}") > 0) {
    const char* p = nullptr;
    sd_bus_message_read(r, "o", &p);
    paths.emplace_back(p);
    sd_bus_message_skip(r, "a{sa{sv}}");
    sd_bus_message_exit_container(r);
  }
  sd_bus_message_unref(r);
  EXPECT_NE(std::find(paths.begin(), paths.end(),
                      hb::dbus::object_path(names::resource1::group_prefix, "9.22.7.46")),
            paths.end());
}

TEST(IpfaildBus, InterfacesMatchXml) {
  auto config = seed_config();
  PeerBus bus;
  auto state = hb::ipfaild::initial_state(config);
  hb::ipfaild::BusObjects objects(bus.server(), state);
  bus.start(names::ipfail1::root);
  expect_matches_xml(bus, "io.github.hbcluster.ipfail1.xml");
  std::string ping = hb::dbus::object_path(names::ipfail1::ping_node_prefix, "9.22.7.1");
  EXPECT_EQ(bus.get_string(ping, names::ipfail1::ping_node, "Address"), "9.22.7.1");
}

// hb-statusd registers nothing but LogControl1; every daemon has it.
TEST(LogControl, LevelCanBeReadAndSetAndBadValuesAreRefused) {
  PeerBus bus;
  bus.start("");
  hb::test::InterfaceSummary registered;
  bus.collect("/", registered);
  EXPECT_TRUE(registered.empty()) << "LogControl-only daemon registers hb interfaces";
  auto summary = hb::test::summarize_xml(bus.introspect(names::log_control1::path));
  EXPECT_EQ(
      summary[names::log_control1::interface],
      (std::set<std::string>{"property LogLevel s readwrite", "property LogTarget s readwrite",
                             "property SyslogIdentifier s read"}));
  auto set = [&](const char* prop, const char* value) {
    return bus.call(names::log_control1::path, "org.freedesktop.DBus.Properties", "Set",
                    [&](sd_bus_message* m) {
                      sd_bus_message_append(m, "ssv", names::log_control1::interface, prop, "s",
                                            value);
                    });
  };
  EXPECT_EQ(set("LogLevel", "debug"), "");
  EXPECT_EQ(bus.get_string(names::log_control1::path, names::log_control1::interface, "LogLevel"),
            "debug");
  EXPECT_EQ(set("LogLevel", "loud"), SD_BUS_ERROR_INVALID_ARGS);
  EXPECT_EQ(set("LogTarget", "console"), "");
  EXPECT_EQ(set("LogTarget", "paper"), SD_BUS_ERROR_INVALID_ARGS);
}

}  // namespace
