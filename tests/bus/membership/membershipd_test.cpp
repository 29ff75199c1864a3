// The real hb-membershipd on a private dbus-daemon, fed by a fake hb-linkd (fake_link1.hpp):
// what a client of io.github.hbcluster.membership1 sees (NodeChanged, Node properties) and what
// an admin reads in the log, for each rule of issue 5.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <memory>

#include "../fakes/fake_ipfail1.hpp"
#include "fake_link1.hpp"

namespace hb::test {
namespace {

const char* const ha_cf =
    "keepalive 100ms\n"
    "deadtime 500ms\n"
    "warntime 300ms\n"
    "initdead 1\n"
    "bcast eth0 eth1\n"
    "node ha1 ha2 ha3\n"
    "auto_failback on\n";

class MembershipdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/usr/bin/dbus-daemon", X_OK) != 0) GTEST_SKIP() << "dbus-daemon not installed";
    const char* exe = std::getenv("HB_MEMBERSHIPD");
    ASSERT_NE(exe, nullptr) << "HB_MEMBERSHIPD must name the hb-membershipd binary";
    exe_ = exe;
    conf_ = tmp_.path() / "ha.d";
    fs::create_directories(conf_);
    std::ofstream(conf_ / "ha.cf") << ha_cf;
    std::ofstream(conf_ / "authkeys") << "auth 1\n1 crc\n";
    fs::permissions(conf_ / "authkeys", fs::perms::owner_read | fs::perms::owner_write);
    log_ = tmp_.path() / "membershipd.log";
    bus_ = std::make_unique<PrivateBus>(tmp_.path());
    link1_ = std::make_unique<FakeLink1>(bus_->address(), std::vector<std::string>{"ha2", "ha3"},
                                         std::vector<std::string>{"eth0", "eth1"});
    client_ = std::make_unique<MembershipClient>(bus_->address());
  }

  void TearDown() override { daemon_.stop(); }

  // Starts hb-membershipd and waits until it owns its name (it takes the name only after its
  // first snapshot of hb-linkd, so its state is already converged then).
  void start_membershipd() {
    daemon_ = Child({exe_, "--config-dir", conf_.string(), "--node", "ha1"},
                    {"DBUS_SYSTEM_BUS_ADDRESS=" + bus_->address()}, log_.string());
    ASSERT_TRUE(wait([&] { return client_->name_owned(); })) << read_file(log_);
  }

  bool wait(const std::function<bool()>& pred) {
    return wait_until({&link1_->conn(), &client_->conn()}, pred);
  }
  bool saw(const std::string& node, const std::string& from, const std::string& to,
           std::uint64_t incarnation) {
    return wait([&] { return client_->saw({node, from, to, incarnation, {}}); });
  }
  bool logged(const std::string& text) {
    return wait([&] { return read_file(log_).find(text) != std::string::npos; });
  }

  void both_links(const std::string& node, const std::string& state) {
    link1_->set_link(node, "eth0", state);
    link1_->set_link(node, "eth1", state);
  }

  TempDir tmp_;
  std::string exe_;
  fs::path conf_, log_;
  std::unique_ptr<PrivateBus> bus_;
  std::unique_ptr<FakeLink1> link1_;
  std::unique_ptr<MembershipClient> client_;
  Child daemon_;
};

TEST_F(MembershipdTest, FirstLinkUpBringsNodeUpWithSignalAndProperties) {
  link1_->own();
  start_membershipd();
  EXPECT_EQ(client_->state("ha1"), "up") << "the local node is always up";
  EXPECT_EQ(client_->state("ha2"), "init");

  link1_->set_link("ha2", "eth0", "up");
  ASSERT_TRUE(saw("ha2", "init", "up", 1)) << read_file(log_);
  EXPECT_EQ(client_->state("ha2"), "up");
  EXPECT_EQ(client_->incarnation("ha2"), 1u);
  EXPECT_GT(client_->last_heard("ha2"), 0u);
  EXPECT_EQ(client_->links("ha2"),
            (std::map<std::string, std::string>{{"eth0", "up"}, {"eth1", "init"}}));
  EXPECT_EQ(client_->state("ha3"), "init") << "nothing heard from ha3 yet";
  EXPECT_TRUE(logged("Status update for node ha2: status up"));
  EXPECT_FALSE(logged("Link ha2:eth0 up.")) << "link entries are hb-linkd's, logged once";
}

TEST_F(MembershipdTest, OneOfTwoLinksDeadKeepsNodeUpAllDeadKillsIt) {
  link1_->own();
  start_membershipd();
  both_links("ha2", "up");
  ASSERT_TRUE(saw("ha2", "init", "up", 1));

  link1_->set_link("ha2", "eth0", "dead");
  ASSERT_TRUE(wait([&] { return client_->links("ha2")["eth0"] == "dead"; }));
  client_->conn().process();
  EXPECT_EQ(client_->state("ha2"), "up") << "one link left is enough";
  EXPECT_EQ(client_->count_for("ha2"), 1u) << "no NodeChanged for a lost link";
  EXPECT_FALSE(logged("Link ha2:eth0 dead.")) << "link entries are hb-linkd's, logged once";

  link1_->set_link("ha2", "eth1", "late");
  ASSERT_TRUE(wait([&] { return client_->links("ha2")["eth1"] == "late"; }));
  EXPECT_EQ(client_->state("ha2"), "up") << "late is not dead";

  link1_->set_link("ha2", "eth1", "dead");
  ASSERT_TRUE(saw("ha2", "up", "dead", 1));
  EXPECT_EQ(client_->state("ha2"), "dead");
  EXPECT_EQ(client_->links("ha2"),
            (std::map<std::string, std::string>{{"eth0", "dead"}, {"eth1", "dead"}}));
  EXPECT_TRUE(logged("node ha2: is dead"));

  link1_->set_link("ha2", "eth1", "up");
  ASSERT_TRUE(saw("ha2", "dead", "up", 2)) << "a return is a new incarnation";
}

// hbctl reload adds and removes hb-linkd's media: a Link object that goes leaves the node's
// Links without making it dead while another link is up; one that appears is followed.
TEST_F(MembershipdTest, LinksAReloadRemovesOrAddsAreFollowedAndNeverKillTheNode) {
  link1_->own();
  start_membershipd();
  both_links("ha2", "up");
  ASSERT_TRUE(saw("ha2", "init", "up", 1));

  link1_->remove_link("ha2", "eth1");
  ASSERT_TRUE(wait([&] { return client_->links("ha2").count("eth1") == 0; })) << read_file(log_);
  EXPECT_EQ(client_->links("ha2"), (std::map<std::string, std::string>{{"eth0", "up"}}));
  EXPECT_EQ(client_->state("ha2"), "up");

  link1_->add_link("ha2", "eth2", "init");
  ASSERT_TRUE(wait([&] { return client_->links("ha2").count("eth2") == 1; })) << read_file(log_);
  EXPECT_EQ(client_->links("ha2"),
            (std::map<std::string, std::string>{{"eth0", "up"}, {"eth2", "init"}}));
  link1_->set_link("ha2", "eth2", "up");
  ASSERT_TRUE(wait([&] { return client_->links("ha2")["eth2"] == "up"; }));
  link1_->set_link("ha2", "eth0", "dead");
  ASSERT_TRUE(wait([&] { return client_->links("ha2")["eth0"] == "dead"; }));
  client_->conn().process();
  EXPECT_EQ(client_->state("ha2"), "up") << "the added link keeps it up";
  EXPECT_EQ(client_->count_for("ha2"), 1u) << "no NodeChanged through all of it";
}

TEST_F(MembershipdTest, NeverHeardNodeIsDeadAfterLinkdsInitdead) {
  link1_->own();
  start_membershipd();
  both_links("ha3", "dead");  // hb-linkd's initdead expired for both links
  ASSERT_TRUE(saw("ha3", "init", "dead", 0));
  EXPECT_TRUE(logged("node ha3: is dead"));
}

TEST_F(MembershipdTest, RestartIsANewIncarnationEvenWithinDeadtime) {
  link1_->own();
  start_membershipd();
  link1_->restart("ha2", 100);  // the first generation heard is not a restart
  link1_->set_link("ha2", "eth0", "up");
  ASSERT_TRUE(saw("ha2", "init", "up", 1));

  EXPECT_EQ(client_->reason("ha2"), "first-contact");
  link1_->restart("ha2", 101);  // came back before its links went dead
  ASSERT_TRUE(saw("ha2", "up", "up", 2));
  EXPECT_EQ(client_->incarnation("ha2"), 2u);
  EXPECT_EQ(client_->reason("ha2"), "restarted") << "why, without guessing from incarnations";
  EXPECT_TRUE(logged("Heartbeat restart on node ha2"));

  both_links("ha2", "dead");
  ASSERT_TRUE(saw("ha2", "up", "dead", 2));
  EXPECT_EQ(client_->reason("ha2"), "links-dead");
  link1_->restart("ha2", 102);  // as hb-linkd sends it: before the LinkChanged of that packet
  link1_->set_link("ha2", "eth0", "up");
  ASSERT_TRUE(saw("ha2", "dead", "up", 3));
}

TEST_F(MembershipdTest, CleanShutdownIsDeadAtOnce) {
  link1_->own();
  start_membershipd();
  both_links("ha2", "up");
  ASSERT_TRUE(saw("ha2", "init", "up", 1));

  const auto sent = std::chrono::steady_clock::now();
  link1_->message("ha2", "shutdone", 42);
  ASSERT_TRUE(saw("ha2", "up", "dead", 1));
  EXPECT_LT(client_->signals().back().at - sent, 400ms) << "no waiting for deadtime (500 ms)";
  EXPECT_EQ(client_->links("ha2")["eth0"], "up") << "its links may still be up";
  EXPECT_TRUE(logged("Received shutdown notice from 'ha2'."));

  link1_->message("ha3", "ip-request", 43);  // other message types do not touch membership
  link1_->set_link("ha3", "eth0", "up");
  ASSERT_TRUE(saw("ha3", "init", "up", 1));
  EXPECT_EQ(client_->state("ha2"), "dead") << "late packets do not resurrect it";
}

TEST_F(MembershipdTest, SignalsFromAnyoneButLinkdAreIgnored) {
  link1_->own();
  start_membershipd();
  both_links("ha2", "up");
  ASSERT_TRUE(saw("ha2", "init", "up", 1));

  Conn forger(bus_->address());
  for (const char* medium : {"eth0", "eth1"})
    Conn::check(sd_bus_emit_signal(forger.get(), FakeLink1::root, FakeLink1::manager, "LinkChanged",
                                   "ssss", "ha2", medium, "up", "dead"),
                "forge");
  Conn::check(sd_bus_emit_signal(forger.get(), FakeLink1::root, FakeLink1::manager,
                                 "MessageReceived", "ssa{ss}t", "ha2", "shutdone", 0, 1),
              "forge");
  sd_bus_flush(forger.get());
  link1_->set_link("ha3", "eth0", "up");  // the real one, sent after the forgeries
  ASSERT_TRUE(saw("ha3", "init", "up", 1));
  EXPECT_EQ(client_->state("ha2"), "up");
  EXPECT_EQ(client_->count_for("ha2"), 1u);
}

TEST_F(MembershipdTest, RestartedMembershipdConvergesFromSnapshot) {
  link1_->own();
  start_membershipd();
  both_links("ha2", "up");
  link1_->set_link("ha3", "eth0", "up");
  ASSERT_TRUE(saw("ha2", "init", "up", 1));
  ASSERT_TRUE(saw("ha3", "init", "up", 1));

  const int status = daemon_.stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // While nobody listens: ha2 loses a link and restarts, ha3 dies.
  link1_->set_link("ha2", "eth0", "dead", false);
  link1_->restart("ha2", 7, false);
  link1_->set_link("ha3", "eth0", "dead", false);
  link1_->set_link("ha3", "eth1", "dead", false);

  start_membershipd();  // its name appears only after the snapshot was applied
  EXPECT_EQ(client_->state("ha2"), "up");
  EXPECT_EQ(client_->links("ha2"),
            (std::map<std::string, std::string>{{"eth0", "dead"}, {"eth1", "up"}}));
  EXPECT_GT(client_->last_heard("ha2"), 0u);
  EXPECT_EQ(client_->state("ha3"), "dead");

  link1_->set_link("ha2", "eth1", "dead");
  ASSERT_TRUE(saw("ha2", "up", "dead", 1)) << "the new instance follows the signals";
}

TEST_F(MembershipdTest, WithoutLinkdStatesStayThenConvergeWhenItAppears) {
  link1_->set_link("ha2", "eth0", "up", false);
  start_membershipd();  // no hb-linkd on the bus: READY anyway
  EXPECT_EQ(client_->state("ha2"), "init") << "nothing is invented";
  EXPECT_TRUE(logged("hb-linkd is not on the bus"));

  link1_->own();  // hb-linkd (re)appears: NameOwnerChanged -> snapshot
  ASSERT_TRUE(saw("ha2", "init", "up", 1));

  Conn::check(sd_bus_release_name(link1_->conn().get(), FakeLink1::bus_name), "release");
  const std::size_t before = client_->signals().size();
  ASSERT_TRUE(wait([&] {
    const std::string log = read_file(log_);
    return log.find("not on the bus") != log.rfind("not on the bus");  // logged a second time
  }));
  EXPECT_EQ(client_->state("ha2"), "up") << "hb-linkd gone is not ha2 dead";
  EXPECT_EQ(client_->signals().size(), before);
}

// What systemd sees: READY=1 only once the first snapshot is in, with the node count in STATUS=.
TEST_F(MembershipdTest, ReadyComesAfterTheSnapshotWithNodeCountInStatus) {
  const fs::path sock_path = tmp_.path() / "notify";
  const int sock = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::strncpy(sa.sun_path, sock_path.c_str(), sizeof sa.sun_path - 1);
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  std::string notes;
  auto read_notes = [&] {
    char buf[4096];
    for (ssize_t n; (n = ::recv(sock, buf, sizeof buf, 0)) > 0;)
      notes += std::string(buf, n) + "\n";
    return notes;
  };

  both_links("ha2", "up");  // before hb-membershipd starts: it learns it from the snapshot
  link1_->own();
  daemon_ =
      Child({exe_, "--config-dir", conf_.string(), "--node", "ha1"},
            {"DBUS_SYSTEM_BUS_ADDRESS=" + bus_->address(), "NOTIFY_SOCKET=" + sock_path.string()},
            log_.string());
  ASSERT_TRUE(wait([&] { return read_notes().find("READY=1") != std::string::npos; }))
      << read_file(log_);
  const std::string ready = notes.substr(notes.find("READY=1"));
  EXPECT_NE(ready.find("STATUS=2/3 nodes up"), std::string::npos) << notes;

  link1_->message("ha2", "shutdone", 1);
  EXPECT_TRUE(wait([&] { return read_notes().find("STATUS=1/3 nodes up") != std::string::npos; }))
      << notes;
  daemon_.stop();
  ::close(sock);
}

// hbctl status: what an admin reads. Run with the fake hb-linkd also answering for link1.
TEST_F(MembershipdTest, HbctlStatusShowsNodesStatesAndLinks) {
  const char* hbctl = std::getenv("HB_HBCTL");
  if (hbctl == nullptr) GTEST_SKIP() << "HB_HBCTL not set";
  link1_->own();
  start_membershipd();
  link1_->set_link("ha2", "eth0", "up");
  link1_->set_link("ha2", "eth1", "dead");
  ASSERT_TRUE(saw("ha2", "init", "up", 1));

  auto run = [&](std::vector<std::string> args, int& rc) {
    const fs::path out = tmp_.path() / "hbctl.out";
    fs::remove(out);
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    args.insert(args.begin(), hbctl);
    Child c(args, {"DBUS_SYSTEM_BUS_ADDRESS=" + bus_->address()},
            (tmp_.path() / "hbctl.err").string(), fd);
    ::close(fd);
    // hbctl reads link1 too: keep the fake answering while it runs.
    int status = 0;
    rc = wait([&] { return c.try_wait(status); }) && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return read_file(out);
  };
  int rc = -1;
  const std::string table = run({"status"}, rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(table.find("Local node: ha1; 2/3 nodes up"), std::string::npos) << table;
  EXPECT_NE(
      table.find("In force: keepalive 100 ms, deadtime 500 ms, warntime 300 ms, initdead 1 s; "
                 "signing with key 2 (accepting 1 2); configuration digest 0123abcd"),
      std::string::npos)
      << table;
  EXPECT_NE(table.find("eth0 up, eth1 dead"), std::string::npos) << table;
  EXPECT_NE(table.find("(local node)"), std::string::npos) << table;
  EXPECT_NE(table.find("s ago"), std::string::npos) << "ha2's last-heard age: " << table;

  const std::string json = run({"nodes", "--json"}, rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(json.find(R"({"incarnation":1,"last_heard_age_ms":)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("links":{"eth0":"up","eth1":"dead"},"local":false,"name":"ha2")"),
            std::string::npos)
      << json;
  // No hb-resourced here: what the peers speak is unknown; the local node speaks hb.
  EXPECT_NE(json.find(R"("name":"ha3","never_heard":false,"protocol":null,"state":"init")"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("name":"ha1","never_heard":false,"protocol":"hb")"), std::string::npos)
      << json;

  daemon_.stop();
  run({"status"}, rc);
  EXPECT_EQ(rc, 3) << "LSB 'not running' without hb-membershipd";
}

std::vector<std::string> strv_of(sd_bus_message* m) {
  std::vector<std::string> out;
  char** strv = nullptr;
  if (sd_bus_message_read_strv(m, &strv) >= 0) {
    for (char** p = strv; p && *p; ++p) {
      out.emplace_back(*p);
      std::free(*p);
    }
    std::free(strv);
  }
  return out;
}

// Manager.CheckReload or Reload: the settings applied, or `error` set.
std::vector<std::string> reload_call(Conn& conn, const char* method, std::string& error) {
  std::vector<std::string> applied;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  error.clear();
  if (sd_bus_call_method(conn.get(), "io.github.hbcluster.membership1",
                         "/io/github/hbcluster/membership1",
                         "io.github.hbcluster.membership1.Manager", method, &e, &reply, "") < 0)
    error = std::string(e.name ? e.name : "") + ": " + (e.message ? e.message : "");
  else
    applied = strv_of(reply);
  sd_bus_message_unref(reply);
  sd_bus_error_free(&e);
  return applied;
}

// CheckReload and Reload: a timing hb-membershipd does not use is taken with nothing of its own
// applied; a change to its nodes is taken as pending (hb-resourced restarts it once the node
// holds no group); one that needs a restart is refused by name; the method answers root only
// (the policy), checked here as root.
TEST_F(MembershipdTest, ReloadTakesWhatItDoesNotUseKeepsItsNodesPendingAndRefusesTheRest) {
  start_membershipd();
  if (HasFatalFailure()) return;
  std::string error;
  std::ofstream(conf_ / "ha.cf") << ha_cf << "deadtime 1\n";
  EXPECT_TRUE(reload_call(client_->conn(), "CheckReload", error).empty());
  EXPECT_TRUE(reload_call(client_->conn(), "Reload", error).empty()) << error;
  EXPECT_EQ(error, "");

  std::ofstream(conf_ / "ha.cf") << ha_cf << "deadtime 1\nnode ha4\n";
  EXPECT_EQ(reload_call(client_->conn(), "CheckReload", error),
            std::vector<std::string>{"node (pending: in force once this node holds no group)"})
      << error;

  std::ofstream(conf_ / "ha.cf") << ha_cf << "deadtime 1\nnode ha4\nmsgfmt netstring\n";
  reload_call(client_->conn(), "CheckReload", error);
  EXPECT_NE(error.find("io.github.hbcluster.Error.ReloadRefused"), std::string::npos) << error;
  EXPECT_NE(error.find("msgfmt: needs a restart of hb.target"), std::string::npos) << error;
  EXPECT_EQ(error.find("node:"), std::string::npos) << error;
  EXPECT_TRUE(logged("reload refused"));
}

// Ping nodes added and removed by a reload, with ipfaild (a fake) watching three addresses: the
// new ping Node is listed in ha.cf order with the state ipfaild gives it (InterfacesAdded), a
// removed one leaves Nodes and its object goes (InterfacesRemoved); Nodes is announced by
// PropertiesChanged each time, and the kept ones stay as they were.
TEST_F(MembershipdTest, PingNodesAddedAndRemovedByReload) {
  FakeIpfail1 ipfail(bus_->address(), {"192.0.2.1", "192.0.2.2", "192.0.2.3"});
  ipfail.own();
  std::ofstream(conf_ / "ha.cf") << ha_cf << "ping 192.0.2.1\n";
  link1_->own();
  start_membershipd();
  if (HasFatalFailure()) return;
  auto w = [&](const std::function<bool()>& pred) {
    return wait_until({&link1_->conn(), &client_->conn(), &ipfail.conn()}, pred);
  };
  ASSERT_TRUE(w([&] { return client_->state("192.0.2.1") == "up"; })) << read_file(log_);

  struct Seen {
    std::vector<std::string> added, removed;
    int nodes_changed = 0;
  } seen;
  auto on_added = [](sd_bus_message* m, void* u, sd_bus_error*) {
    const char* path = nullptr;
    if (sd_bus_message_read(m, "o", &path) >= 0) static_cast<Seen*>(u)->added.push_back(path);
    return 0;
  };
  auto on_removed = [](sd_bus_message* m, void* u, sd_bus_error*) {
    const char* path = nullptr;
    if (sd_bus_message_read(m, "o", &path) >= 0) static_cast<Seen*>(u)->removed.push_back(path);
    return 0;
  };
  auto on_props = [](sd_bus_message* m, void* u, sd_bus_error*) {
    const char* iface = nullptr;
    if (sd_bus_message_read(m, "s", &iface) < 0) return 0;
    if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0) return 0;
    while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
      const char* name = nullptr;
      sd_bus_message_read(m, "s", &name);
      if (name && std::string(name) == "Nodes") ++static_cast<Seen*>(u)->nodes_changed;
      sd_bus_message_skip(m, "v");
      sd_bus_message_exit_container(m);
    }
    return 0;
  };
  sd_bus_slot *s1 = nullptr, *s2 = nullptr, *s3 = nullptr;
  const char* om = "org.freedesktop.DBus.ObjectManager";
  Conn& c = client_->conn();
  ASSERT_GE(sd_bus_match_signal(c.get(), &s1, "io.github.hbcluster.membership1", nullptr, om,
                                "InterfacesAdded", on_added, &seen),
            0);
  ASSERT_GE(sd_bus_match_signal(c.get(), &s2, "io.github.hbcluster.membership1", nullptr, om,
                                "InterfacesRemoved", on_removed, &seen),
            0);
  ASSERT_GE(sd_bus_match_signal(
                c.get(), &s3, "io.github.hbcluster.membership1", "/io/github/hbcluster/membership1",
                "org.freedesktop.DBus.Properties", "PropertiesChanged", on_props, &seen),
            0);
  auto nodes = [&] {
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    std::vector<std::string> out;
    if (sd_bus_get_property(
            c.get(), "io.github.hbcluster.membership1", "/io/github/hbcluster/membership1",
            "io.github.hbcluster.membership1.Manager", "Nodes", &e, &reply, "as") >= 0)
      out = strv_of(reply);
    sd_bus_message_unref(reply);
    sd_bus_error_free(&e);
    return out;
  };
  using Names = std::vector<std::string>;
  ASSERT_EQ(nodes(), (Names{"ha1", "ha2", "ha3", "192.0.2.1"}));

  // Added: a ping address and a ping_group, ipfaild reaching 192.0.2.2 and not 192.0.2.3.
  ipfail.set_state("192.0.2.3", "dead");
  std::ofstream(conf_ / "ha.cf") << ha_cf << "ping 192.0.2.1 192.0.2.2\nping_group far 192.0.2.3\n";
  std::string error;
  EXPECT_EQ(reload_call(c, "Reload", error), (Names{"ping", "ping_group"})) << error;
  EXPECT_EQ(nodes(), (Names{"ha1", "ha2", "ha3", "192.0.2.1", "192.0.2.2", "far"}));
  EXPECT_EQ(client_->state("192.0.2.2"), "up") << "as ipfaild said";
  EXPECT_EQ(client_->state("far"), "dead");
  EXPECT_EQ(client_->state("192.0.2.1"), "up") << "kept as it was";
  ASSERT_TRUE(w([&] { return seen.added.size() == 2 && seen.nodes_changed == 1; }));
  EXPECT_EQ(seen.added,
            (Names{MembershipClient::node_path("192.0.2.2"), MembershipClient::node_path("far")}));
  // The new ones follow ipfaild from now on.
  ipfail.set_state("192.0.2.2", "dead");
  EXPECT_TRUE(w([&] { return client_->state("192.0.2.2") == "dead"; }));

  // Removed: 192.0.2.1 and the group.
  std::ofstream(conf_ / "ha.cf") << ha_cf << "ping 192.0.2.2\n";
  EXPECT_EQ(reload_call(c, "Reload", error), (Names{"ping", "ping_group"})) << error;
  EXPECT_EQ(nodes(), (Names{"ha1", "ha2", "ha3", "192.0.2.2"}));
  ASSERT_TRUE(w([&] { return seen.removed.size() == 2 && seen.nodes_changed == 2; }));
  EXPECT_EQ(seen.removed,
            (Names{MembershipClient::node_path("192.0.2.1"), MembershipClient::node_path("far")}));
  EXPECT_EQ(client_->state("192.0.2.1"), "") << "its object is gone";
  EXPECT_EQ(client_->state("192.0.2.2"), "dead");
  EXPECT_TRUE(logged("ping node 192.0.2.1 removed by a reload"));

  // Listed again: what ipfaild said of it before it was removed is not believed; it reads
  // init (ipfaild watches) until ipfaild says more.
  std::ofstream(conf_ / "ha.cf") << ha_cf << "ping 192.0.2.1 192.0.2.2\n";
  EXPECT_EQ(reload_call(c, "Reload", error), (Names{"ping"})) << error;
  EXPECT_EQ(client_->state("192.0.2.1"), "init");
  ipfail.set_state("192.0.2.1", "up");
  EXPECT_TRUE(w([&] { return client_->state("192.0.2.1") == "up"; }));
  sd_bus_slot_unref(s1);
  sd_bus_slot_unref(s2);
  sd_bus_slot_unref(s3);
}

}  // namespace
}  // namespace hb::test
