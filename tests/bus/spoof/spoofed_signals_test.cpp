// Forged signals from an unprivileged local user (uid 65534), sent straight to a daemon's
// connection: every hb interface's signals, forged NameOwnerChanged (the forger first names itself
// the owner of a followed name, then speaks "as" it), and systemd's job and unit signals. The
// daemons under test are the real binaries on a private dbus-daemon; their peers are fakes
// (tests/bus/fakes, tests/bus/membership/fake_link1.hpp). What a user would observe: nothing
// changes (the standby does not take the group over, no unit is started, node states stay), each
// follower logs the drops once (rate-limited), and the genuine signal that comes after them is
// still acted on.
#include <gtest/gtest.h>

#include <memory>

#include "../fakes/daemon_fixture.hpp"
#include "../fakes/fake_membership1.hpp"
#include "../fakes/fake_systemd.hpp"
#include "../fakes/forger.hpp"
#include "../membership/fake_link1.hpp"

namespace hb::test {
namespace {

const std::string& group_key = seed_group_key;
const std::string& ip_unit = seed_ip_unit;

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

// Every signal of every hb interface, aimed at whoever receives them, with plausible arguments.
std::vector<Forged> every_hb_signal() {
  const char* l1 = "/io/github/hbcluster/link1";
  const char* l1m = "io.github.hbcluster.link1.Manager";
  const char* m1 = "/io/github/hbcluster/membership1";
  const char* m1m = "io.github.hbcluster.membership1.Manager";
  return {
      {m1, m1m, "NodeChanged",
       [](sd_bus_message* m, const std::string&) {
         return sd_bus_message_append(m, "ssst", "ha1", "up", "dead", std::uint64_t{1});
       }},
      {l1, l1m, "LinkChanged",
       [](sd_bus_message* m, const std::string&) {
         return sd_bus_message_append(m, "ssss", "ha1", "eth0", "up", "dead");
       }},
      {l1, l1m, "PeerRestarted",
       [](sd_bus_message* m, const std::string&) {
         return sd_bus_message_append(m, "st", "ha1", std::uint64_t{999});
       }},
      {l1, l1m, "MessageReceived",
       [](sd_bus_message* m, const std::string&) {
         return sd_bus_message_append(m, "ssa{ss}t", "ha1", "shutdone", 2, "st", "dead", "info",
                                      "shutdown", std::uint64_t{77});
       }},
      {"/io/github/hbcluster/resource1", "io.github.hbcluster.resource1.Manager", "GroupChanged",
       [](sd_bus_message* m, const std::string&) {
         return sd_bus_message_append(m, "sss", "192.0.2.10", "ha2", "running");
       }},
      {"/io/github/hbcluster/ipfail1", "io.github.hbcluster.ipfail1.Manager", "PingNodeChanged",
       [](sd_bus_message* m, const std::string&) {
         return sd_bus_message_append(m, "ss", "192.0.2.1", "dead");
       }},
  };
}

// The forger claims `name` (a forged NameOwnerChanged naming itself), then repeats `then`.
std::vector<Forged> claim_then(const std::string& name, std::vector<Forged> then) {
  std::vector<Forged> out{{"/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged",
                           [name](sd_bus_message* m, const std::string& self) {
                             return sd_bus_message_append(m, "sss", name.c_str(), "", self.c_str());
                           }}};
  out.insert(out.end(), then.begin(), then.end());
  return out;
}

// systemd's signals: a job "done" that never ran, and a unit "failed".
std::vector<Forged> systemd_signals() {
  return {
      {"/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "JobRemoved",
       [](sd_bus_message* m, const std::string&) {
         return sd_bus_message_append(m, "uoss", 1u, "/org/freedesktop/systemd1/job/1",
                                      "apache2.service", "done");
       }},
      {FakeSystemd::unit_path("apache2.service"), "org.freedesktop.DBus.Properties",
       "PropertiesChanged",
       [](sd_bus_message* m, const std::string&) {
         return sd_bus_message_append(m, "sa{sv}as", "org.freedesktop.systemd1.Unit", 1,
                                      "ActiveState", "s", "failed", 0);
       }},
  };
}

class SpoofedSignals : public DaemonOnPrivateBus {
 protected:
  void SetUp() override {
    DaemonOnPrivateBus::SetUp();
    if (IsSkipped()) return;
    if (::geteuid() != 0) GTEST_SKIP() << "forging as uid 65534 needs root";
    std::ofstream(conf_ / "authkeys") << "auth 1\n1 sha1 test-secret\n";
    fs::permissions(conf_ / "authkeys", fs::perms::owner_read | fs::perms::owner_write);
    std::ofstream(conf_ / "haresources") << "ha1 " << group_key << " apache2\n";
  }
};

TEST_F(SpoofedSignals, StandbyResourcedTakesNothingOverOnForgedSignals) {
  FakeSystemd systemd(bus_->address(), {"apache2.service", ip_unit});
  FakeMembership1 membership(bus_->address(), {"ha1", "ha2"});
  membership.own();
  FakeLink1 link(bus_->address(), {}, {});
  link.own();
  std::vector<Conn*> conns{&systemd.conn(), &membership.conn(), &link.conn(), client_.get()};
  auto wait = [&](const std::function<bool()>& pred) { return wait_until(conns, pred); };

  start("HB_RESOURCED", "ha2", tmp_.path() / "resourced.log");
  const std::string r1 = "io.github.hbcluster.resource1";
  const std::string group = FakeSystemd::encode("/io/github/hbcluster/resource1/group", group_key);
  ASSERT_TRUE(wait([&] { return !owner_of(client_->get(), r1).empty(); })) << log();
  // ha1 says it runs the group: ha2 is the standby.
  link.message_with("ha1", "resource",
                    {{"rsc_hold", "local"},
                     {"rtype", "full"},
                     {"isstable", "1"},
                     {"hb_held", group_key},
                     {"hb_incoming", ""},
                     {"hb_failed", ""}},
                    1);
  ASSERT_TRUE(wait([&] {
    return get_string(r1, group, "io.github.hbcluster.resource1.Group", "Owner") == "ha1";
  })) << log();

  const std::string target = owner_of(client_->get(), r1);
  auto forgeries = every_hb_signal();
  for (auto& f : systemd_signals()) forgeries.push_back(f);
  ASSERT_TRUE(forge(bus_->address(), target, forgeries));
  ASSERT_TRUE(forge(bus_->address(), target,
                    claim_then("io.github.hbcluster.membership1", every_hb_signal())));
  ASSERT_TRUE(
      forge(bus_->address(), target, claim_then("io.github.hbcluster.link1", every_hb_signal())));
  ASSERT_TRUE(
      forge(bus_->address(), target, claim_then("org.freedesktop.systemd1", systemd_signals())));

  // A round trip to hb-resourced after the forgeries: it has dispatched them by the time it
  // answers, and a start it had decided on would have reached the fake systemd before.
  ASSERT_TRUE(wait([&] {
    return log().find("claiming to be from hb-membershipd") != std::string::npos;
  })) << log();
  EXPECT_EQ(get_string(r1, group, "io.github.hbcluster.resource1.Group", "Owner"), "ha1");
  EXPECT_EQ(get_string(r1, group, "io.github.hbcluster.resource1.Group", "State"), "running");
  wait_until(
      conns, [] { return false; }, std::chrono::milliseconds(200));  // pump what is queued
  EXPECT_EQ(systemd.count("StartUnit"), 0u) << log();
  EXPECT_EQ(systemd.count("StartTransientUnit"), 0u) << log();
  EXPECT_EQ(systemd.active_state("apache2.service"), "inactive");
  // Each follower logged its drops once, however many there were (rate-limited).
  const std::string text = log();
  EXPECT_EQ(occurrences(text, "claiming to be from hb-membershipd"), 1u) << text;
  EXPECT_EQ(occurrences(text, "claiming to be from hb-linkd"), 1u) << text;
  EXPECT_EQ(occurrences(text, "claiming to be from systemd"), 1u) << text;
  EXPECT_EQ(occurrences(text, "ha1: is dead"), 0u) << text;

  // The genuine news still counts: ha1 dies, ha2 takes the group over.
  membership.set_state("ha1", "dead");
  ASSERT_TRUE(wait([&] {
    return get_string(r1, group, "io.github.hbcluster.resource1.Group", "Owner") == "ha2" &&
           get_string(r1, group, "io.github.hbcluster.resource1.Group", "State") == "running";
  })) << log();
  EXPECT_EQ(systemd.active_state(ip_unit), "active");
  EXPECT_EQ(systemd.active_state("apache2.service"), "active");

  // A clean stop releases it (the fakes must answer meanwhile: they go with this scope).
  daemon_.signal(SIGTERM);
  int status = 0;
  EXPECT_TRUE(wait([&] { return daemon_.try_wait(status); })) << log();
  EXPECT_EQ(systemd.active_state("apache2.service"), "inactive");
}

TEST_F(SpoofedSignals, MembershipdKeepsNodeStatesOnForgedSignals) {
  FakeLink1 link(bus_->address(), {"ha2"}, {"eth0"});
  link.own();
  MembershipClient watcher(bus_->address());
  std::vector<Conn*> conns{&link.conn(), &watcher.conn(), client_.get()};
  auto wait = [&](const std::function<bool()>& pred) { return wait_until(conns, pred); };
  start("HB_MEMBERSHIPD", "ha1", tmp_.path() / "membershipd.log");
  ASSERT_TRUE(wait([&] { return watcher.name_owned(); })) << log();
  link.set_link("ha2", "eth0", "up");
  ASSERT_TRUE(wait([&] { return watcher.saw({"ha2", "init", "up", 1, {}}); })) << log();

  const std::string target = owner_of(client_->get(), "io.github.hbcluster.membership1");
  ASSERT_TRUE(forge(bus_->address(), target, every_hb_signal()));
  ASSERT_TRUE(
      forge(bus_->address(), target, claim_then("io.github.hbcluster.link1", every_hb_signal())));
  ASSERT_TRUE(wait([&] { return log().find("claiming to be from hb-linkd") != std::string::npos; }))
      << log();
  EXPECT_EQ(watcher.state("ha2"), "up");
  EXPECT_EQ(occurrences(log(), "claiming to be from hb-linkd"), 1u) << log();

  // The real hb-linkd, after the forgeries: still believed.
  link.set_link("ha2", "eth0", "dead");
  ASSERT_TRUE(wait([&] { return watcher.saw({"ha2", "up", "dead", 1, {}}); })) << log();
  EXPECT_EQ(watcher.count_for("ha2"), 2u);
}

}  // namespace
}  // namespace hb::test
