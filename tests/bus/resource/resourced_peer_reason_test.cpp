// hb-resourced, the real binary on a private dbus-daemon, reading why hb-membershipd says a peer
// changed (the Node's Reason, sent just before NodeChanged), against fake peers and systemd:
// a peer that restarted is asked what it holds, not counted on for what it held before and not
// reported as returning after a partition; one that shut down cleanly is taken over from at
// once without being reported dead.
#include "../fakes/daemon_fixture.hpp"
#include "../fakes/fake_membership1.hpp"
#include "../fakes/fake_systemd.hpp"
#include "../fakes/forger.hpp"
#include "../membership/fake_link1.hpp"

namespace hb::test {
namespace {

const std::string& group_key = seed_group_key;
const std::string& ip_unit = seed_ip_unit;
const std::string web_unit = "apache2.service";

class ResourcedPeerReason : public DaemonOnPrivateBus {
 protected:
  void SetUp() override {
    DaemonOnPrivateBus::SetUp();
    if (IsSkipped()) return;
    std::ofstream(conf_ / "haresources") << "ha1 " << group_key << " " << web_unit << "\n";
    systemd_ =
        std::make_unique<FakeSystemd>(bus_->address(), std::set<std::string>{web_unit, ip_unit});
    membership_ =
        std::make_unique<FakeMembership1>(bus_->address(), std::vector<std::string>{"ha1", "ha2"});
    membership_->own();
    link_ = std::make_unique<FakeLink1>(bus_->address(), std::vector<std::string>{},
                                        std::vector<std::string>{});
    link_->own();
  }
  void TearDown() override {
    if (systemd_ && daemon_.running()) {
      // A clean stop, with the fakes answering meanwhile: it releases what ha2 runs.
      daemon_.signal(SIGTERM);
      int status = 0;
      wait([&] { return daemon_.try_wait(status); });
    }
    DaemonOnPrivateBus::TearDown();
    link_.reset();
    membership_.reset();
    systemd_.reset();
  }

  bool wait(const std::function<bool()>& pred) {
    return wait_until({&systemd_->conn(), &membership_->conn(), &link_->conn(), client_.get()},
                      pred);
  }

  std::string group_property(const char* prop) {
    return get_string("io.github.hbcluster.resource1",
                      FakeSystemd::encode("/io/github/hbcluster/resource1/group", group_key),
                      "io.github.hbcluster.resource1.Group", prop);
  }

  // How often hb-resourced asked ha1 what it holds (t=resource to ha1 with hb_ask=1).
  std::size_t asks_to_ha1() const {
    std::size_t n = 0;
    for (const auto& m : link_->sent()) {
      auto ask = m.fields.find("hb_ask");
      if (m.dest == "ha1" && m.type == "resource" && ask != m.fields.end() && ask->second == "1")
        ++n;
    }
    return n;
  }

  // ha2 runs hb-resourced; ha1 says it runs the group, so ha2 is its standby.
  void start_standby() {
    start("HB_RESOURCED", "ha2", tmp_.path() / "resourced.log");
    ASSERT_TRUE(wait([&] {
      return !owner_of(client_->get(), "io.github.hbcluster.resource1").empty();
    })) << log();
    ha1_says_it_holds(group_key, 1);
    ASSERT_TRUE(wait([&] { return group_property("Owner") == "ha1"; })) << log();
  }

  void ha1_says_it_holds(const std::string& held, std::uint64_t seq) {
    link_->message_with("ha1", "resource",
                        {{"rsc_hold", held.empty() ? "none" : "local"},
                         {"rtype", "full"},
                         {"isstable", "1"},
                         {"hb_held", held},
                         {"hb_incoming", ""},
                         {"hb_failed", ""}},
                        seq);
  }

  void take_over_from_dead_ha1() {
    membership_->set_state("ha1", "dead");
    ASSERT_TRUE(wait([&] {
      return group_property("Owner") == "ha2" && group_property("State") == "running";
    })) << log();
  }

  std::unique_ptr<FakeSystemd> systemd_;
  std::unique_ptr<FakeMembership1> membership_;
  std::unique_ptr<FakeLink1> link_;
};

TEST_F(ResourcedPeerReason, PeerRestartedWhileUpIsAskedWhatItHolds) {
  start_standby();
  if (HasFatalFailure()) return;
  const std::size_t asked = asks_to_ha1();

  // ha1 restarts within deadtime: up -> up, Reason "restarted". ha2 asks it what it holds now.
  membership_->restart("ha1");
  ASSERT_TRUE(wait([&] { return asks_to_ha1() == asked + 1; })) << log();
  // It answers that it runs the group still (only its hb-linkd restarted): nothing moves.
  ha1_says_it_holds(group_key, 2);
  ASSERT_TRUE(wait([&] { return group_property("Owner") == "ha1"; })) << log();
  EXPECT_EQ(systemd_->count("StartUnit"), 0u) << log();
  EXPECT_EQ(log().find("returning after partition"), std::string::npos) << log();
}

TEST_F(ResourcedPeerReason, DeadPeerBackAsRestartedIsNotAPartition) {
  start_standby();
  if (HasFatalFailure()) return;
  take_over_from_dead_ha1();
  if (HasFatalFailure()) return;
  const std::size_t asked = asks_to_ha1();

  // ha1 was power-cycled: it comes back as a new run, holding nothing.
  membership_->set_state("ha1", "up", "restarted");
  ASSERT_TRUE(wait([&] { return asks_to_ha1() == asked + 1; })) << log();
  EXPECT_EQ(log().find("returning after partition"), std::string::npos) << log();
  EXPECT_EQ(group_property("Owner"), "ha2");
}

TEST_F(ResourcedPeerReason, DeadPeerBackAsReturnedIsAPartition) {
  start_standby();
  if (HasFatalFailure()) return;
  take_over_from_dead_ha1();
  if (HasFatalFailure()) return;

  // The same generation heard again: the network between the two was cut, and ha1 may still
  // run the group.
  membership_->set_state("ha1", "up", "returned");
  ASSERT_TRUE(wait([&] {
    return log().find("Cluster node ha1 returning after partition") != std::string::npos;
  })) << log();
}

TEST_F(ResourcedPeerReason, PeerShutDownIsTakenOverFromWithoutADeath) {
  start_standby();
  if (HasFatalFailure()) return;

  // ha1 stopped cleanly: hb-membershipd says dead, Reason "shutdown" (its t=shutdone may come
  // later or not at all). ha2 takes the group at once, and does not call it a death.
  membership_->set_state("ha1", "dead", "shutdown");
  ASSERT_TRUE(wait([&] {
    return group_property("Owner") == "ha2" && group_property("State") == "running";
  })) << log();
  EXPECT_EQ(log().find("ha1: is dead"), std::string::npos) << log();
}

TEST_F(ResourcedPeerReason, UnknownReasonIsAPlainStateChange) {
  start_standby();
  if (HasFatalFailure()) return;

  // A Reason this hb-resourced does not know: dead is dead, and the group is taken over.
  membership_->set_state("ha1", "dead", "struck-by-lightning");
  ASSERT_TRUE(wait([&] {
    return group_property("Owner") == "ha2" && group_property("State") == "running";
  })) << log();
  EXPECT_NE(log().find("node ha1: is dead"), std::string::npos) << log();
}

}  // namespace
}  // namespace hb::test
