// hb-resourced, the real binary on a private dbus-daemon, reading why hb-membershipd says a peer
// changed (the Node's Reason, sent just before NodeChanged), against fake peers and systemd:
// a peer that restarted is asked what it holds, not counted on for what it held before and not
// reported as returning after a partition; one that shut down cleanly is taken over from at
// once without being reported dead.
#include "resourced_fixture.hpp"

namespace hb::test {
namespace {

class ResourcedPeerReason : public ResourcedStandby {
 protected:
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

  void take_over_from_dead_ha1() {
    membership_->set_state("ha1", "dead");
    ASSERT_TRUE(wait([&] {
      return group_property("Owner") == "ha2" && group_property("State") == "running";
    })) << log();
  }
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
