// The ownership rules, observed as a user would: which node runs each group, how long it took,
// and (checked by the simulator after every event) never one group active on two nodes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "sim.hpp"

namespace hb::failover {
namespace {

using namespace std::chrono_literals;
using sim::Cluster;
using sim::Config;

using sim::G1;
using sim::G2;

Config two(AutoFailback mode = AutoFailback::on) {
  Config c;
  c.mode = mode;
  return c;
}

using sim::cold_start;

Millis since(const Cluster& c, TimePoint t) {
  return std::chrono::duration_cast<Millis>(c.now() - t);
}

TEST(Failover, ColdStartOfBothTakesNoInitdead) {
  Cluster c(two());
  c.boot("alpha");
  c.boot("beta");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha" && c.holder(G2) == "beta"; }));
  EXPECT_LT(since(c, c.t0()), 1s);  // initdead is 10 s: both answered at once
  c.run_for(2s);
  EXPECT_EQ(c.view_from("beta", G1), (GroupView{G1, GroupState::running, "alpha"}));
  EXPECT_EQ(c.view_from("alpha", G2), (GroupView{G2, GroupState::running, "beta"}));
  EXPECT_TRUE(c.logged("alpha", LogKind::initial_done));
  EXPECT_EQ(c.violations, 0);
}

TEST(Failover, LoneStartWaitsForInitdeadThenTakesEverything) {
  Cluster c(two());
  c.boot("alpha");
  c.run_for(9s);
  EXPECT_EQ(c.active_on(G1), std::set<std::string>{});  // peer may be starting: wait
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha" && c.holder(G2) == "alpha"; }));
  EXPECT_GE(since(c, c.t0()), 10s);
  EXPECT_LT(since(c, c.t0()), 11s);
}

TEST(Failover, PeerThatAnswersEndsTheInitdeadWait) {
  Cluster c(two());
  c.boot("alpha");
  c.run_for(3s);
  c.boot("beta");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha" && c.holder(G2) == "beta"; }));
  EXPECT_LT(since(c, c.t0()), 4s);
}

TEST(Failover, CrashOfHolderFailsOverAfterDeadtime) {
  Cluster c(two());
  cold_start(c);
  TimePoint crash = c.now();
  c.crash("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "beta"; }));
  EXPECT_GE(since(c, crash), 5s);  // detection is the membership's deadtime
  EXPECT_LT(since(c, crash), 6s);
  EXPECT_EQ(c.holder(G2), "beta");
}

TEST(Failover, CleanStopHandsOverAtOnce) {
  Cluster c(two());
  cold_start(c);
  TimePoint stop = c.now();
  c.stop("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "beta"; }));
  // stop (100 ms) + messages + start (300 ms): no deadtime (5 s).
  EXPECT_LT(since(c, stop), 500ms);
  EXPECT_TRUE(c.shut_down("alpha"));
  EXPECT_TRUE(c.logged("alpha", LogKind::shutdown_complete));
  const auto sent = c.sent("alpha");
  EXPECT_TRUE(std::any_of(sent.begin(), sent.end(), [](const Message& m) {
    return m.type == msg::shutdone && m.get("st") == "dead";
  }));
}

TEST(Failover, CleanStopOfTheOnlyNodeCompletes) {
  Cluster c(two());
  c.boot("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.settled(); }));
  c.stop("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.shut_down("alpha"); }));
  EXPECT_EQ(c.active_on(G1), std::set<std::string>{});
  EXPECT_EQ(c.active_on(G2), std::set<std::string>{});
}

TEST(Failover, AutoFailbackOnReturnsGroupToPreferredNode) {
  Cluster c(two(AutoFailback::on));
  cold_start(c);
  c.crash("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "beta"; }));
  c.boot("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha"; }));
  EXPECT_LT(since(c, c.t0()), 8s);  // no initdead wait: beta answered
  c.run_for(5s);
  EXPECT_EQ(c.holder(G1), "alpha");
  EXPECT_EQ(c.holder(G2), "beta");
  EXPECT_TRUE(c.logged("alpha", LogKind::standby_done));
  EXPECT_EQ(c.violations, 0);
}

TEST(Failover, AutoFailbackOffLeavesGroupWhereItIs) {
  Cluster c(two(AutoFailback::off));
  cold_start(c);
  c.crash("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "beta"; }));
  c.boot("alpha");
  c.run_for(20s);
  EXPECT_EQ(c.holder(G1), "beta");
  EXPECT_EQ(c.holder(G2), "beta");
  EXPECT_EQ(c.view_from("alpha", G1), (GroupView{G1, GroupState::running, "beta"}));
}

TEST(Failover, AutoFailbackLegacyReturningNodeAsksForItsGroups) {
  Cluster c(two(AutoFailback::legacy));
  cold_start(c);
  c.crash("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "beta"; }));
  c.boot("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha"; }));
  const auto sent = c.sent("alpha");
  EXPECT_TRUE(std::any_of(sent.begin(), sent.end(), [](const Message& m) {
    return m.type == msg::hb_takeover && m.get("rsc_hold") == "local";
  }));
  c.run_for(5s);
  EXPECT_EQ(c.holder(G2), "beta");
  EXPECT_EQ(c.violations, 0);
}

TEST(Failover, LegacyRefusesStandbyLikeHeartbeat) {
  Cluster c(two(AutoFailback::legacy));
  cold_start(c);
  c.standby("alpha", Scope::all);
  c.run_for(3s);
  EXPECT_EQ(c.holder(G1), "alpha");
  EXPECT_TRUE(c.logged("alpha", LogKind::refused));
}

TEST(Failover, StartFailureOnPreferredLetsThePeerTakeOver) {
  Cluster c(two());
  c.fail_start("alpha", G1);
  c.boot("alpha");
  c.boot("beta");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "beta"; }));
  EXPECT_TRUE(c.logged("alpha", LogKind::start_failed));
  EXPECT_EQ(c.holder(G2), "beta");
  c.run_for(10s);
  EXPECT_EQ(c.holder(G1), "beta");  // no ping-pong back to the failed node
  EXPECT_EQ(c.view_from("alpha", G1), (GroupView{G1, GroupState::running, "beta"}));
  EXPECT_EQ(c.violations, 0);
}

TEST(Failover, GroupFailingEverywhereEndsStoppedAndFailed) {
  Cluster c(two());
  c.fail_start("alpha", G1);
  c.fail_start("beta", G1);
  c.boot("alpha");
  c.boot("beta");
  c.run_for(10s);
  EXPECT_EQ(c.active_on(G1), std::set<std::string>{});
  EXPECT_EQ(c.view_from("alpha", G1).state, GroupState::failed);
  // The admin fixes alpha and moves the group there.
  c.fail_start("alpha", G1, false);
  c.move("alpha", G1, "alpha");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha"; }, 5s));
}

TEST(Failover, StandbyGivesGroupsToPeerAndTakeoverBringsThemBack) {
  Cluster c(two(AutoFailback::on));
  cold_start(c);
  TimePoint t = c.now();
  c.standby("alpha", Scope::all);
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "beta"; }));
  EXPECT_LT(since(c, t), 1s);
  c.run_for(5s);
  EXPECT_EQ(c.holder(G1), "beta");  // standby sticks, even with auto_failback on
  c.takeover("alpha", Scope::local);
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha"; }));
  c.run_for(2s);
  EXPECT_EQ(c.holder(G2), "beta");
  c.takeover("alpha", Scope::all);
  ASSERT_TRUE(c.run_until([&] { return c.holder(G2) == "alpha"; }));
  EXPECT_EQ(c.violations, 0);
}

TEST(Failover, MoveOneGroup) {
  Cluster c(two(AutoFailback::off));
  cold_start(c);
  c.move("alpha", G2, "alpha");  // issued where the group is not
  ASSERT_TRUE(c.run_until([&] { return c.holder(G2) == "alpha"; }));
  c.move("alpha", G2, "beta");  // issued where the group is
  ASSERT_TRUE(c.run_until([&] { return c.holder(G2) == "beta"; }));
  EXPECT_EQ(c.holder(G1), "alpha");
  EXPECT_EQ(c.violations, 0);
}

TEST(Failover, StandbyWithoutReplyIsCancelled) {
  Cluster c(two(AutoFailback::off));
  cold_start(c);
  c.daemons_ok("beta", false);  // beta's hb-linkd hangs: it never answers
  c.standby("alpha", Scope::local);
  c.run_for(2500ms);
  EXPECT_TRUE(c.logged("alpha", LogKind::standby_cancelled));
  EXPECT_EQ(c.holder(G1), "alpha");
}

TEST(Failover, SimultaneousStartPreferredWinsEvenWithReordering) {
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    Config cfg = two();
    cfg.jitter = 50ms;
    cfg.seed = seed;
    Cluster c(cfg);
    c.boot("alpha");
    c.boot("beta");
    ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha" && c.holder(G2) == "beta"; }))
        << "seed " << seed;
    c.run_for(3s);
    EXPECT_EQ(c.holder(G1), "alpha");
    EXPECT_EQ(c.holder(G2), "beta");
    EXPECT_EQ(c.violations, 0) << "seed " << seed;
  }
}

TEST(Failover, FailbackUnderReorderingNeverHasTwoHolders) {
  for (std::uint32_t seed = 1; seed <= 10; ++seed) {
    Config cfg = two(AutoFailback::on);
    cfg.jitter = 80ms;
    cfg.seed = seed;
    Cluster c(cfg);
    cold_start(c);
    c.crash("beta");
    ASSERT_TRUE(c.run_until([&] { return c.holder(G2) == "alpha"; }));
    c.boot("beta");
    ASSERT_TRUE(c.run_until([&] { return c.holder(G2) == "beta"; })) << "seed " << seed;
    c.stop("beta");
    ASSERT_TRUE(c.run_until([&] { return c.holder(G2) == "alpha"; })) << "seed " << seed;
    EXPECT_EQ(c.violations, 0) << "seed " << seed;
  }
}

TEST(Failover, PeerRestartWithinDeadtimeIsANewIncarnation) {
  Cluster c(two(AutoFailback::on));
  cold_start(c);
  c.crash("alpha");
  c.run_for(1s);  // well within deadtime (5 s)
  c.boot("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha"; }));
  EXPECT_LT(since(c, c.t0()), 5s);
  EXPECT_FALSE(c.logged("beta", LogKind::peer_dead));
  c.run_for(10s);
  EXPECT_EQ(c.holder(G1), "alpha");
  EXPECT_EQ(c.holder(G2), "beta");
  EXPECT_EQ(c.violations, 0);
}

TEST(Failover, SplitBrainHealNonPreferredReleases) {
  Cluster c(two(AutoFailback::off));
  cold_start(c);
  c.check_invariant = false;  // both hold during the partition: that is the point
  c.partition(true);
  ASSERT_TRUE(
      c.run_until([&] { return c.active_on(G1).size() == 2 && c.active_on(G2).size() == 2; }));
  c.run_for(1s);
  c.partition(false);
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha" && c.holder(G2) == "beta"; }));
  EXPECT_TRUE(c.logged("beta", LogKind::split_brain));
  EXPECT_TRUE(c.logged("alpha", LogKind::peer_returned));
  c.check_invariant = true;
  c.run_for(10s);
  EXPECT_EQ(c.holder(G1), "alpha");
  EXPECT_EQ(c.holder(G2), "beta");
  EXPECT_EQ(c.violations, 0);
  // Each winner tells the network again that it has the address, once the loser let go: the
  // loser's announcements during the partition taught the clients its MAC address.
  for (auto [node, key] : {std::pair{"alpha", G1}, std::pair{"beta", G2}}) {
    auto a = c.announced(node);
    ASSERT_EQ(a.size(), 1u) << node;
    EXPECT_EQ(a[0].key, key);
    EXPECT_TRUE(a[0].running_here);
    EXPECT_FALSE(a[0].others_active) << node << " announced before the other holder let go";
  }
}

// The loser of a split brain dies instead of letting go: the winner announces all the same.
TEST(Failover, SplitBrainWinnerAnnouncesWhenTheLoserDies) {
  Cluster c(two(AutoFailback::off));
  cold_start(c);
  c.check_invariant = false;
  c.partition(true);
  ASSERT_TRUE(c.run_until([&] { return c.active_on(G1).size() == 2; }));
  c.fail_stop("beta", G1);  // beta cannot let go of G1 (a busy mount, say)
  c.partition(false);
  ASSERT_TRUE(c.run_until([&] { return c.logged("alpha", LogKind::split_brain); }));
  c.run_for(1s);
  EXPECT_TRUE(c.announced("alpha").empty());  // beta still holds it
  c.crash("beta");
  ASSERT_TRUE(c.run_until([&] { return !c.announced("alpha").empty(); }, 10s));
  EXPECT_EQ(c.announced("alpha")[0].key, G1);
}

TEST(Failover, OwnDaemonsGoneReleasesBeforeThePeerTakesOver) {
  Cluster c(two(AutoFailback::off));
  cold_start(c);
  TimePoint lost = c.now();
  c.daemons_ok("alpha", false);
  ASSERT_TRUE(c.run_until([&] { return c.active_on(G1).empty(); }));
  EXPECT_LT(since(c, lost), 5s);  // released before beta's deadtime
  EXPECT_TRUE(c.logged("alpha", LogKind::daemons_lost));
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "beta"; }));
  c.daemons_ok("alpha", true);
  c.run_for(15s);
  EXPECT_EQ(c.holder(G1), "beta");  // off: it stays
  EXPECT_EQ(c.violations, 0);
}

TEST(Failover, ShortDaemonHiccupCausesNoFailover) {
  Cluster c(two(AutoFailback::off));
  cold_start(c);
  c.daemons_ok("alpha", false);
  c.run_for(1s);  // under the grace (deadtime / 2)
  c.daemons_ok("alpha", true);
  c.run_for(10s);
  EXPECT_EQ(c.holder(G1), "alpha");
  EXPECT_FALSE(c.logged("alpha", LogKind::daemons_lost));
}

// hb-linkd on the holder crashes and systemd restarts it at once: the peers see a new
// generation ("restarted") although hb-resourced there never stopped and still holds its group.
// They ask it what it holds (hb_ask) and it answers, so they do not stay waiting for a
// t=starting that never comes: the peer shows the right owner and can still hand groups to it.
TEST(Failover, HolderWhoseLinkRestartedIsAskedWhatItHolds) {
  for (bool hang : {false, true}) {
    Cluster c(two(AutoFailback::off));
    cold_start(c);
    c.daemons_ok("alpha", false);
    c.run_for(100ms);
    c.daemons_ok("alpha", true, /*new_generation=*/!hang);
    c.run_for(1s);
    EXPECT_EQ(c.holder(G1), "alpha") << "hang " << hang;
    EXPECT_EQ(c.view_from("beta", G1), (GroupView{G1, GroupState::running, "alpha"}))
        << "hang " << hang;
    EXPECT_TRUE(c.engine("beta").stable());
    // beta can give its own group to alpha: it knows alpha is there and what it holds.
    c.standby("beta", Scope::all);
    ASSERT_TRUE(c.run_until([&] { return c.holder(G2) == "alpha"; }, 5s)) << "hang " << hang;
    EXPECT_FALSE(c.logged("beta", LogKind::refused)) << "hang " << hang;
    EXPECT_EQ(c.violations, 0);
  }
}

// alpha's hb-linkd hangs (or crashes and stays away) longer than the grace: alpha lets go, beta
// takes over; hb-linkd runs again: alpha is back and auto_failback gives the group back. The
// membership news of alpha's return (up, or restarted for a new generation) may reach beta after
// alpha's own messages: the failback offer beta made meanwhile must survive it (it used to be
// dropped, leaving alpha waiting for the offer's hand-over for an hour).
TEST(Failover, LinkBackAfterGraceGetsItsGroupBackWhateverTheOrder) {
  for (bool new_generation : {false, true}) {
    for (Millis lag = 0ms; lag <= 30ms; lag += 1ms) {  // a round trip is 4 ms here
      Config cfg = two(AutoFailback::on);
      cfg.membership_lag = lag;
      cfg.return_as_restart = true;
      Cluster c(cfg);
      cold_start(c);
      c.daemons_ok("alpha", false);
      ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "beta"; }, 10s));
      c.daemons_ok("alpha", true, new_generation);
      EXPECT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha"; }, 30s))
          << "lag " << lag.count() << " ms, new generation " << new_generation;
      EXPECT_EQ(c.violations, 0);
    }
  }
}

// The answer to hb_ask does not ask back: one round trip, no ping-pong.
TEST(Failover, AskIsAnsweredOnce) {
  Cluster c(two(AutoFailback::off));
  cold_start(c);
  const size_t alpha_before = c.sent("alpha").size(), beta_before = c.sent("beta").size();
  c.daemons_ok("alpha", false);
  c.run_for(100ms);
  c.daemons_ok("alpha", true);
  c.run_for(2s);
  auto count = [&](const std::string& node, size_t from, bool asking) {
    int n = 0;
    auto sent = c.sent(node);
    for (size_t i = from; i < sent.size(); ++i)
      if (sent[i].type == "resource" && !sent[i].dest.empty() &&
          (sent[i].get("hb_ask") == "1") == asking)
        ++n;
    return n;
  };
  EXPECT_EQ(count("beta", beta_before, true), 1);     // beta saw alpha restart: asks once
  EXPECT_EQ(count("alpha", alpha_before, false), 1);  // alpha answers once
  EXPECT_EQ(count("alpha", alpha_before, true), 0);   // and does not ask back
  EXPECT_EQ(count("beta", beta_before, false), 0);    // nor does beta answer the answer
}

TEST(Failover, PreferredNodeBackWhileTakeoverStartsStillGetsItsGroupBack) {
  Config cfg = two(AutoFailback::on);
  cfg.start_delay = 2s;  // a slow group: alpha is back before beta has finished starting it
  Cluster c(cfg);
  c.boot("alpha");
  c.boot("beta");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha" && c.holder(G2) == "beta"; }));
  c.crash("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.active_on(G1) == std::set<std::string>{"beta"}; }));
  c.boot("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha"; }, 20s));
  EXPECT_EQ(c.violations, 0);
}

Config three(AutoFailback mode) {
  Config c;
  c.mode = mode;
  c.nodes = {"alpha", "beta", "gamma"};
  c.groups = {{G1, "alpha"}, {G2, "beta"}, {"192.0.2.30", "gamma"}};
  return c;
}

TEST(Failover, ThreeNodesSuccessorOrder) {
  Cluster c(three(AutoFailback::off));
  c.boot("alpha");
  c.boot("beta");
  c.boot("gamma");
  ASSERT_TRUE(c.run_until([&] { return c.settled(); }));
  EXPECT_EQ(c.holder(G1), "alpha");
  EXPECT_EQ(c.holder("192.0.2.30"), "gamma");
  c.crash("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "beta"; }));  // next after alpha
  c.crash("beta");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "gamma" && c.holder(G2) == "gamma"; }));
  c.boot("alpha");
  c.run_for(15s);
  EXPECT_EQ(c.holder(G1), "gamma");
  c.crash("gamma");  // wraps: after gamma comes alpha
  ASSERT_TRUE(
      c.run_until([&] { return c.holder("192.0.2.30") == "alpha" && c.holder(G1) == "alpha"; }));
  EXPECT_EQ(c.violations, 0);
}

TEST(Failover, ThreeNodesColdStartWithOneNodeMissingWaitsForInitdead) {
  Cluster c(three(AutoFailback::on));
  c.boot("alpha");
  c.boot("beta");
  ASSERT_TRUE(c.run_until([&] { return c.settled(); }, 20s));
  // gamma might be starting: nothing is taken before initdead (10 s), then all of it.
  EXPECT_GE(since(c, c.t0()), 10s);
  EXPECT_EQ(c.holder(G1), "alpha");
  EXPECT_EQ(c.holder(G2), "beta");
  EXPECT_EQ(c.holder("192.0.2.30"), "alpha");  // after gamma comes alpha
  c.boot("gamma");
  ASSERT_TRUE(c.run_until([&] { return c.holder("192.0.2.30") == "gamma"; }));
  EXPECT_EQ(c.violations, 0);
}

TEST(Failover, ThreeNodesSplitBrainHealKeepsEarliestInSuccession) {
  Cluster c(three(AutoFailback::off));
  c.boot("alpha");
  c.boot("beta");
  c.boot("gamma");
  ASSERT_TRUE(c.run_until([&] { return c.settled(); }));
  c.check_invariant = false;
  c.partition(true);  // every node alone: each takes all three groups
  ASSERT_TRUE(c.run_until([&] { return c.active_on(G1).size() == 3; }));
  c.run_for(1s);
  c.partition(false);
  ASSERT_TRUE(c.run_until([&] {
    return c.holder(G1) == "alpha" && c.holder(G2) == "beta" && c.holder("192.0.2.30") == "gamma";
  }));
  c.check_invariant = true;
  c.run_for(10s);
  EXPECT_TRUE(c.settled());
  EXPECT_EQ(c.violations, 0);
}

TEST(Failover, ThreeNodesFailbackAndCleanStop) {
  Cluster c(three(AutoFailback::on));
  c.boot("alpha");
  c.boot("beta");
  c.boot("gamma");
  ASSERT_TRUE(c.run_until([&] { return c.settled(); }));
  c.stop("beta");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G2) == "gamma"; }));  // next after beta
  c.boot("beta");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G2) == "beta"; }));
  c.move("alpha", G1, "gamma");  // a third node asks
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "gamma"; }));
  c.run_for(5s);
  EXPECT_EQ(c.holder(G1), "gamma");
  EXPECT_EQ(c.violations, 0);
}

TEST(Failover, StopFailureKeepsTheGroupFromThePeer) {
  Cluster c(two(AutoFailback::on));
  cold_start(c);
  c.fail_stop("alpha", G1);
  c.standby("alpha", Scope::all);
  c.run_for(3s);
  EXPECT_EQ(c.active_on(G1), std::set<std::string>{"alpha"});
  EXPECT_TRUE(c.logged("alpha", LogKind::stop_failed));
  EXPECT_EQ(c.view_from("beta", G1).owner, "alpha");
  EXPECT_EQ(c.violations, 0);
}

}  // namespace
}  // namespace hb::failover

namespace hb::failover {
namespace {

// Random operations on three nodes with reordering: whatever happens, never two holders, and
// once everything is back up every group runs somewhere.
// HB_SEED=N runs only seed N (with HB_SIM_TRACE=1 to see what happened).
TEST(Failover, RandomOperationsNeverTwoHolders) {
  std::uint32_t first = 1, last = 500;
  if (const char* one = std::getenv("HB_SEED")) first = last = std::stoul(one);
  for (std::uint32_t seed = first; seed <= last; ++seed) {
    Config cfg;
    cfg.nodes = {"alpha", "beta", "gamma"};
    cfg.groups = {{G1, "alpha"}, {G2, "beta"}, {"192.0.2.30", "gamma"}};
    cfg.mode = seed % 3 == 0   ? AutoFailback::off
               : seed % 3 == 1 ? AutoFailback::on
                               : AutoFailback::legacy;
    cfg.jitter = Millis(40 + (seed % 7) * 60);
    cfg.seed = seed;
    Cluster c(cfg);
    std::mt19937 rng(seed);
    for (const auto& n : cfg.nodes) c.boot(n);
    c.run_for(2s);
    for (int step = 0; step < 25; ++step) {
      const std::string& n = cfg.nodes[rng() % 3];
      const std::string& other = cfg.nodes[rng() % 3];
      const std::string& key = cfg.groups[rng() % 3].key;
      bool up = c.alive(n);
      switch (rng() % 6) {
        case 0:
          if (up)
            c.crash(n);
          else
            c.boot(n);
          break;
        case 1:
          if (up)
            c.stop(n);
          else
            c.boot(n);
          break;
        case 2:
          if (up) c.standby(n, Scope::all);
          break;
        case 3:
          if (up) c.takeover(n, Scope::local);
          break;
        case 4:
          if (up) c.move(n, key, other);
          break;
        default:
          if (!up) c.boot(n);
          break;
      }
      c.run_for(Millis(rng() % 3000));
    }
    for (const auto& n : cfg.nodes) {
      if (!c.alive(n)) c.boot(n);
    }
    EXPECT_TRUE(c.run_until([&] { return c.settled(); }, 60s)) << "seed " << seed;
    EXPECT_EQ(c.violations, 0) << "seed " << seed;
  }
}

}  // namespace
}  // namespace hb::failover

namespace hb::failover {
namespace {

// Random faults on top of random operations, three nodes, reordering: a node's own hb-linkd
// gone or hung (mute: its heartbeats stop, it must let go before the peers take over), its
// hb-membershipd missing (it must take nothing over on a guess), and stops that fail (a busy
// mount: the group stays held there). Never two holders, whatever happens. A mute node with a
// stop that fails needs fencing (the fencing issue adds that pairing); here a seed injects one
// kind or the other. Once the faults are cleared and every node is back, every group runs.
// HB_SEED=N runs only seed N (with HB_SIM_TRACE=1 to see what happened). Seeds 1-1800 were run:
// all keep the invariant; seed 601 ends with one group started nowhere (a liveness gap, not a
// safety one: a node whose hb-membershipd is missing and whose hb-linkd restarted misses the
// t=starting of a peer that rebooted meanwhile, and keeps waiting for a hand-over to it that the
// rebooted peer knows nothing of; docs/handover.md, "Known gaps").
TEST(Failover, RandomFaultsNeverTwoHolders) {
  std::uint32_t first = 1, last = 300;
  if (const char* one = std::getenv("HB_SEED")) first = last = std::stoul(one);
  for (std::uint32_t seed = first; seed <= last; ++seed) {
    Config cfg;
    cfg.nodes = {"alpha", "beta", "gamma"};
    cfg.groups = {{G1, "alpha"}, {G2, "beta"}, {"192.0.2.30", "gamma"}};
    cfg.mode = seed % 3 == 0 ? AutoFailback::off : AutoFailback::on;
    cfg.jitter = Millis(40 + (seed % 5) * 50);
    cfg.seed = seed;
    const bool stop_failures = seed % 2 == 0;  // else: mute nodes
    Cluster c(cfg);
    std::mt19937 rng(seed);
    std::set<std::string> muted, no_membership, failing;
    for (const auto& n : cfg.nodes) c.boot(n);
    c.run_for(2s);
    for (int step = 0; step < 25; ++step) {
      const std::string& n = cfg.nodes[rng() % 3];
      const std::string& key = cfg.groups[rng() % 3].key;
      const bool up = c.alive(n);
      const unsigned op = rng() % 7;
      if (std::getenv("HB_SIM_TRACE"))
        std::fprintf(
            stderr, "%6lld STEP op=%u node=%s key=%s up=%d muted=%zu nomem=%zu\n",
            static_cast<long long>(std::chrono::duration_cast<Millis>(c.now() - c.t0()).count()),
            op, n.c_str(), key.c_str(), up ? 1 : 0, muted.count(n), no_membership.count(n));
      switch (op) {
        case 0:
          if (up) {
            c.crash(n);  // a reboot: its busy mounts and hung daemons go with it
            for (const auto& g : cfg.groups) c.fail_stop(n, g.key, false);
            muted.erase(n);
            failing.erase(n);
          } else {
            c.boot(n);
          }
          break;
        case 1:
          if (!up) {
            c.boot(n);
          } else if (stop_failures) {
            c.fail_stop(n, key);
            failing.insert(n);
          } else if (!muted.count(n)) {
            c.daemons_ok(n, false, rng() % 2 == 0);
            muted.insert(n);
          }
          break;
        case 2:
          if (up && muted.count(n)) {
            c.daemons_ok(n, true, rng() % 2 == 0);
            muted.erase(n);
          } else if (up && failing.count(n)) {
            c.fail_stop(n, key, false);
          }
          break;
        case 3:
          if (up) {
            const bool present = no_membership.count(n) > 0;
            c.membership(n, present);
            if (present)
              no_membership.erase(n);
            else
              no_membership.insert(n);
          }
          break;
        case 4:
          if (up) c.standby(n, Scope::all);
          break;
        case 5:
          if (up && !failing.count(n)) c.stop(n);
          break;
        default:
          if (!up) c.boot(n);
          break;
      }
      c.run_for(Millis(rng() % 3000));
    }
    // Clear the faults: daemons back, stops that can work again (a node whose stop failed is
    // rebooted: the held group goes with it), every node up.
    for (const auto& n : cfg.nodes) {
      if (muted.count(n)) c.daemons_ok(n, true);
      if (no_membership.count(n)) c.membership(n, true);
      for (const auto& g : cfg.groups) c.fail_stop(n, g.key, false);
      if (failing.count(n) && c.alive(n)) c.crash(n);
    }
    c.run_for(1s);
    for (const auto& n : cfg.nodes) {
      if (!c.alive(n)) c.boot(n);
    }
    EXPECT_TRUE(c.run_until([&] { return c.settled(); }, 60s)) << "seed " << seed;
    EXPECT_EQ(c.violations, 0) << "seed " << seed;
  }
}

}  // namespace
}  // namespace hb::failover
