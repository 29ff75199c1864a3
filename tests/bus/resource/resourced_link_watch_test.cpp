// hb-resourced's watch on its own hb-linkd (docs/handover.md, "Own hb-linkd gone or hung"), with
// a real hb-linkd on the private bus (in a network namespace of its own, heartbeats on its
// loopback): a stopped hb-linkd is hung, and the group it runs is released, while a stalled bus
// daemon, with the heartbeats still leaving, releases nothing. An hb-linkd without the
// heartbeat beacon (the fake) is pinged instead, and one that stops answering is hung.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <atomic>
#include <regex>
#include <thread>

#include "resourced_fixture.hpp"

namespace hb::test {
namespace {

// The old ping check called hb-linkd hung after 3/5 of the grace (deadtime 1 s: 300 ms).
constexpr auto ping_bound = 300ms;

class ResourcedRealLinkd : public DaemonOnPrivateBus {
 protected:
  void SetUp() override {
    DaemonOnPrivateBus::SetUp();
    if (IsSkipped()) return;
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (a network namespace for hb-linkd)";
    const char* linkd = std::getenv("HB_LINKD");
    ASSERT_NE(linkd, nullptr) << "HB_LINKD must name hb-linkd's binary";
    std::string ha_cf = two_node_ha_cf;
    ha_cf.replace(ha_cf.find("bcast eth0"), std::strlen("bcast eth0"), "ucast lo 127.0.0.2");
    std::ofstream(conf_ / "ha.cf") << ha_cf;
    { std::ofstream(conf_ / "authkeys") << "auth 1\n1 sha1 beacon-test-secret\n"; }
    fs::permissions(conf_ / "authkeys", fs::perms::owner_read | fs::perms::owner_write);
    // ha2 prefers the group and ha1 is dead: ha2 runs it from the start.
    std::ofstream(conf_ / "haresources") << "ha2 " << seed_group_key << " " << web_unit << "\n";
    systemd_ = std::make_unique<FakeSystemd>(bus_->address(),
                                             std::set<std::string>{web_unit, seed_ip_unit});
    membership_ =
        std::make_unique<FakeMembership1>(bus_->address(), std::vector<std::string>{"ha1", "ha2"});
    membership_->set_state("ha1", "dead");
    membership_->own();

    const fs::path state = tmp_.path() / "linkd-state";
    fs::create_directories(state);
    linkd_log_ = tmp_.path() / "linkd.log";
    // Its own network namespace: its UDP port and packets never meet the host's.
    linkd_ =
        Child({"/usr/bin/unshare", "--net", "--", "/bin/sh", "-c",
               "ip link set lo up && exec \"$0\" \"$@\"", linkd, "--config-dir", conf_.string(),
               "--node", "ha2"},
              {"DBUS_SYSTEM_BUS_ADDRESS=" + bus_->address(), "STATE_DIRECTORY=" + state.string()},
              linkd_log_.string());
    ASSERT_TRUE(wait([&] {
      return !owner_of(client_->get(), "io.github.hbcluster.link1").empty();
    })) << read_file(linkd_log_);

    start("HB_RESOURCED", "ha2", tmp_.path() / "resourced.log");
    ASSERT_TRUE(wait([&] {
      return group_property("Owner") == "ha2" && group_property("State") == "running";
    })) << log();
    ASSERT_TRUE(wait([&] { return contains(log(), "reading hb-linkd's heartbeat beacon"); }))
        << log();
  }
  void TearDown() override {
    if (bus_ && bus_->pid() > 0) ::kill(bus_->pid(), SIGCONT);
    if (systemd_ && daemon_.running()) {
      daemon_.signal(SIGTERM);
      int status = 0;
      wait([&] { return daemon_.try_wait(status); });
    }
    DaemonOnPrivateBus::TearDown();
    linkd_.stop();
    membership_.reset();
    systemd_.reset();
  }

  bool wait(const std::function<bool()>& pred) {
    return wait_until({&systemd_->conn(), &membership_->conn(), client_.get()}, pred);
  }
  static bool contains(const std::string& text, const char* what) {
    return text.find(what) != std::string::npos;
  }
  std::string group_property(const char* prop) {
    return get_string("io.github.hbcluster.resource1",
                      FakeSystemd::encode("/io/github/hbcluster/resource1/group", seed_group_key),
                      "io.github.hbcluster.resource1.Group", prop);
  }

  std::unique_ptr<FakeSystemd> systemd_;
  std::unique_ptr<FakeMembership1> membership_;
  fs::path linkd_log_;
  Child linkd_;
};

TEST_F(ResourcedRealLinkd, AStoppedLinkdIsHungAndItsGroupReleased) {
  linkd_.signal(SIGSTOP);  // the shell exec'd hb-linkd: this is its pid
  ASSERT_TRUE(wait([&] { return group_property("State") != "running"; })) << log();
  std::smatch m;
  const std::string text = log();
  ASSERT_TRUE(std::regex_search(
      text, m, std::regex("hb-linkd's heartbeats last left ([0-9]+) ms ago: it hangs")))
      << text;
  EXPECT_LT(std::stoi(m[1]), 1000) << "seen well within the grace (500 ms) plus a tick";
  EXPECT_TRUE(contains(text, "hb-linkd gone or hung for")) << text;
}

TEST_F(ResourcedRealLinkd, AStalledBusWhileHeartbeatsLeaveReleasesNothing) {
  // The stall is the stimulus, not a wait for a state: every bus round trip is held for three
  // times the old ping check's bound while hb-linkd keeps sending.
  ASSERT_EQ(::kill(bus_->pid(), SIGSTOP), 0);
  std::this_thread::sleep_for(3 * ping_bound);
  ASSERT_EQ(::kill(bus_->pid(), SIGCONT), 0);
  EXPECT_EQ(group_property("State"), "running") << log();
  EXPECT_EQ(group_property("Owner"), "ha2");
  EXPECT_FALSE(contains(log(), "it hangs")) << log();
  EXPECT_FALSE(contains(log(), "gone or hung")) << log();
  wait([] { return true; });  // what hb-resourced sent meanwhile reaches the fake systemd
  EXPECT_EQ(systemd_->count("StopUnit"), 0u);
}

// What hb-resourced is given: a read-only page that the keepalives move on, and the keepalive.
TEST_F(ResourcedRealLinkd, HeartbeatBeaconGivesAReadOnlyPageTheKeepalivesMoveOn) {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  ASSERT_GE(
      sd_bus_call_method(client_->get(), "io.github.hbcluster.link1", "/io/github/hbcluster/link1",
                         "io.github.hbcluster.link1.Manager", "HeartbeatBeacon", &e, &reply, ""),
      0)
      << (e.message ? e.message : "");
  int fd = -1;
  std::uint64_t keepalive_usec = 0;
  ASSERT_GE(sd_bus_message_read(reply, "ht", &fd, &keepalive_usec), 0);
  EXPECT_EQ(keepalive_usec, 100'000u) << "ha.cf's keepalive 100ms";
  EXPECT_EQ(::fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY);
  EXPECT_EQ(::mmap(nullptr, 64, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), MAP_FAILED);
  void* page = ::mmap(nullptr, 64, PROT_READ, MAP_SHARED, fd, 0);
  sd_bus_message_unref(reply);  // closes the descriptor; the mapping stays
  ASSERT_NE(page, MAP_FAILED);
  const auto& last_sent = *static_cast<const std::atomic<std::uint64_t>*>(page);
  const std::uint64_t first = last_sent.load();
  EXPECT_GT(first, 0u);
  EXPECT_LE(first, FakeLink1::now_usec());
  EXPECT_TRUE(wait([&] { return last_sent.load() > first; })) << "the next keepalive";
  ::munmap(page, 64);
}

// The fake hb-linkd has no HeartbeatBeacon (UnknownMethod): it is pinged, as before the beacon.
class ResourcedPingFallback : public ResourcedStandby {};

TEST_F(ResourcedPingFallback, ALinkdWithoutTheBeaconIsPingedAndHungWhenItStopsAnswering) {
  start_standby();
  if (HasFatalFailure()) return;
  membership_->set_state("ha1", "dead");
  ASSERT_TRUE(wait([&] {
    return group_property("Owner") == "ha2" && group_property("State") == "running";
  })) << log();
  EXPECT_NE(
      log().find("hb-linkd gives no heartbeat beacon (org.freedesktop.DBus.Error.UnknownMethod"),
      std::string::npos)
      << log();
  // The fake answers Ping only while the test processes its connection: now it does not.
  ASSERT_TRUE(wait_until({&systemd_->conn(), &membership_->conn(), client_.get()}, [&] {
    return group_property("State") != "running";
  })) << log();
  EXPECT_NE(log().find("hb-linkd has not answered for"), std::string::npos) << log();
}

}  // namespace
}  // namespace hb::test
