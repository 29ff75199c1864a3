// Fencing in the simulated cluster, observed as a user would: with fencing configured a group is
// never active on two nodes, not even during a partition, a hung hb-linkd or a stop that fails
// (the simulator checks it after every event); without fencing a partition does put it on two.
#include <gtest/gtest.h>

#include <cstdio>
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

Config fenced(AutoFailback mode = AutoFailback::on) {
  Config c;
  c.mode = mode;
  c.fencing.configured = true;
  return c;
}

Config unfenced(AutoFailback mode = AutoFailback::on) {
  Config c;
  c.mode = mode;
  return c;
}

using sim::cold_start;

// The reason fencing exists, and proof that the simulator's check bites: without it, a
// partition between two live nodes puts every group on both.
TEST(FencingSim, WithoutFencingAPartitionPutsTheGroupsOnTwoNodes) {
  Cluster c(unfenced(AutoFailback::off));
  cold_start(c);
  c.fail_on_violation = false;
  c.partition(true);
  ASSERT_TRUE(
      c.run_until([&] { return c.active_on(G1).size() == 2 && c.active_on(G2).size() == 2; }));
  EXPECT_GT(c.violations, 0);
}

// Both nodes serve one group each; every link breaks. Each declares the other dead; beta (later
// in ha.cf, as many groups) waits race_delay, so alpha cuts its power first and takes its group.
// beta boots again into the partition and takes nothing until it hears alpha; after the heal it
// gets its own group back (auto_failback on).
TEST(FencingSim, APartitionEndsWithOneSurvivorAndTheOtherWaitsForIt) {
  Cluster c(fenced());
  cold_start(c);
  const TimePoint cut = c.now();
  c.partition(true);
  ASSERT_TRUE(c.run_until([&] { return c.holder(G2) == "alpha"; }, 20s));
  // deadtime 5 s + the fence (0.5 s) + the start (0.3 s); never waiting out the race delay.
  EXPECT_LT(c.now() - cut, 6s);
  EXPECT_EQ(c.holder(G1), "alpha");
  EXPECT_EQ(c.power_cuts("beta"), 1);
  EXPECT_EQ(c.power_cuts("alpha"), 0);
  EXPECT_TRUE(c.logged("alpha", LogKind::fenced));
  c.run_for(30s);  // beta rebooted 3 s after the cut and waits
  EXPECT_TRUE(c.alive("beta"));
  EXPECT_TRUE(c.logged("beta", LogKind::wait_for_peer));
  EXPECT_EQ(c.active_on(G1), std::set<std::string>{"alpha"});
  EXPECT_EQ(c.active_on(G2), std::set<std::string>{"alpha"});
  EXPECT_EQ(c.power_cuts("alpha"), 0) << "the rebooted node must not fence the survivor";
  c.heal();
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha" && c.holder(G2) == "beta"; }));
  EXPECT_EQ(c.violations, 0);
}

// A group on a node that crashed, whose fence device does not answer: nothing of it starts
// elsewhere (it shows `fencing`), the fence is tried again every retry, and once the device
// answers the group moves.
TEST(FencingSim, AnUnreachableFenceDeviceStopsTheTakeoverNotTheSafety) {
  Config cfg = fenced();
  cfg.reboot = std::nullopt;  // the crashed node stays off
  Cluster c(cfg);
  cold_start(c);
  c.fence_device("beta", false);
  c.crash("beta");
  c.run_for(15s);
  EXPECT_EQ(c.active_on(G2), std::set<std::string>{});
  EXPECT_EQ(c.view_from("alpha", G2), (GroupView{G2, GroupState::fencing, "beta"}));
  int failures = 0;
  for (const auto& l : c.logs("alpha")) failures += l.kind == LogKind::fence_failed;
  EXPECT_GE(failures, 4);  // every 2 s after deadtime (5 s) and the device's 0.5 s
  c.fence_device("beta", true);
  ASSERT_TRUE(c.run_until([&] { return c.holder(G2) == "alpha"; }, 5s));
  EXPECT_EQ(c.violations, 0);
}

// hb-linkd hangs on alpha and the stop of its group is slow (a busy unmount): the release
// cannot end before beta declares alpha dead. With fencing alpha ends itself first; without,
// it says the window with two holders is likely, and the window is real.
TEST(FencingSim, AReleaseSlowerThanTheDeadtimeEndsInASelfFence) {
  for (bool fencing : {true, false}) {
    Config cfg = fencing ? fenced(AutoFailback::off) : unfenced(AutoFailback::off);
    cfg.reboot = std::nullopt;  // alpha stays off: beta fences it and takes its group
    Cluster c(cfg);
    cold_start(c);
    c.fail_on_violation = fencing;
    c.stop_takes("alpha", G1, 10s);
    c.daemons_ok("alpha", false);
    ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "beta"; }, 20s)) << fencing;
    EXPECT_EQ(c.self_fences("alpha"), fencing ? 1 : 0);
    EXPECT_EQ(c.logged("alpha", LogKind::two_holder_window), !fencing);
    if (fencing) {
      EXPECT_EQ(c.violations, 0);
    } else {
      EXPECT_GT(c.violations, 0) << "the window the journal warned of";
    }
  }
}

// A stop that fails on the holder (something of the group still runs): with fencing the node
// reboots, and its group runs again on one node only.
TEST(FencingSim, AFailedStopEndsInASelfFenceAndTheGroupRunsAgain) {
  Cluster c(fenced(AutoFailback::off));
  cold_start(c);
  c.fail_stop("alpha", G1);
  c.move("alpha", G1, "beta");
  ASSERT_TRUE(c.run_until([&] { return c.self_fences("alpha") == 1; }, 5s));
  EXPECT_TRUE(c.logged("alpha", LogKind::stop_failed));
  ASSERT_TRUE(c.run_until([&] { return c.settled(); }, 30s));
  EXPECT_EQ(c.violations, 0);
}

// Three nodes, one cut off from the other two: whoever fences whom, never two holders, and once
// the network heals every group runs again.
TEST(FencingSim, ThreeNodesOneCutOff) {
  Config cfg = fenced();
  cfg.nodes = {"alpha", "beta", "gamma"};
  cfg.groups = {{G1, "alpha"}, {G2, "beta"}, {"192.0.2.30", "gamma"}};
  for (const std::string lone : {"alpha", "beta", "gamma"}) {
    Cluster c(cfg);
    for (const auto& n : cfg.nodes) c.boot(n);
    ASSERT_TRUE(c.run_until([&] { return c.settled(); }));
    std::set<std::string> rest;
    for (const auto& n : cfg.nodes)
      if (n != lone) rest.insert(n);
    c.partition({{lone}, rest});
    c.run_for(30s);
    c.heal();
    EXPECT_TRUE(c.run_until([&] { return c.settled(); }, 60s)) << lone;
    EXPECT_EQ(c.violations, 0) << lone;
  }
}

// Random faults with fencing configured, three nodes, reordering: partitions (any split) and
// heals, power-offs, stops that fail, hung hb-linkd (also together with a stop that fails or is
// slow), fence devices that fail, standby, takeover, move and clean stops. Never two holders at
// any event; once the faults are cleared, every group runs.
// HB_SEED=N runs only seed N (with HB_SIM_TRACE=1 to see what happened); HB_SEEDS=N runs seeds
// 1 to N, and HB_ALL_SEEDS=1 goes on after a failing seed. Seeds 1-30000 were run: none puts a
// group on two nodes (6173 did before a giver's done named the taker's run; 8173, 9113 and 16694
// until a fresh word had to answer the ask; 12960 until a start as the preferred node left the
// group to a peer it was promised to). 15232, 15983, 25642, 25791 and 28547 end with a group
// started nowhere (5359, 14901, 15259 and 19259 did until an offer whose giver holds none of its
// groups was void, or a hand-over waited for a fresh word; 15983 began to then).
// docs/handover.md, "Known gaps".
TEST(FencingSim, RandomFaultsAndPartitionsNeverTwoHolders) {
  std::uint32_t first = 1, last = 500;
  if (const char* more = std::getenv("HB_SEEDS")) last = std::stoul(more);
  if (const char* one = std::getenv("HB_SEED")) first = last = std::stoul(one);
  const std::vector<std::string> nodes{"alpha", "beta", "gamma"};
  for (std::uint32_t seed = first; seed <= last; ++seed) {
    Config cfg = fenced(seed % 2 ? AutoFailback::on : AutoFailback::off);
    cfg.nodes = nodes;
    cfg.groups = {{G1, "alpha"}, {G2, "beta"}, {"192.0.2.30", "gamma"}};
    cfg.jitter = Millis(40 + (seed % 5) * 50);
    cfg.seed = seed;
    if (seed % 4 == 0) cfg.reboot = std::nullopt;  // fenced nodes stay off until booted
    Cluster c(cfg);
    std::mt19937 rng(seed);
    for (const auto& n : nodes) c.boot(n);
    c.run_for(2s);
    for (int step = 0; step < 25; ++step) {
      const std::string& n = nodes[rng() % 3];
      const std::string& other = nodes[rng() % 3];
      const std::string& key = cfg.groups[rng() % 3].key;
      const bool up = c.alive(n);
      const unsigned op = rng() % 10;
      if (std::getenv("HB_SIM_TRACE"))
        std::fprintf(
            stderr, "%6lld STEP op=%u node=%s other=%s key=%s up=%d\n",
            static_cast<long long>(std::chrono::duration_cast<Millis>(c.now() - c.t0()).count()),
            op, n.c_str(), other.c_str(), key.c_str(), up ? 1 : 0);
      switch (op) {
        case 0:
          up ? c.crash(n) : c.boot(n);
          break;
        case 1:
          if (up) c.fail_stop(n, key, rng() % 2 == 0);
          break;
        case 2:
          if (up) c.daemons_ok(n, rng() % 2 == 0, rng() % 2 == 0);
          break;
        case 3:
          if (n == other)
            c.heal();
          else
            c.partition({{n, other}});  // the third node alone, or the two apart
          break;
        case 4:
          if (up) c.standby(n, Scope::all);
          break;
        case 5:
          if (up) c.takeover(n, Scope::local);
          break;
        case 6:
          if (up) c.move(n, key, other);
          break;
        case 7:
          up ? c.stop(n) : c.boot(n);
          break;
        case 8:
          c.fence_device(n, rng() % 3 != 0);
          break;
        default:
          c.stop_takes(n, key, rng() % 2 ? Millis(5000) : cfg.stop_delay);
          break;
      }
      c.run_for(Millis(rng() % 4000));
    }
    // Clear the faults: the network whole, daemons back, stops that work and are quick, fence
    // devices that answer, every node up.
    c.heal();
    for (const auto& n : nodes) {
      c.fence_device(n, true);
      for (const auto& g : cfg.groups) {
        c.fail_stop(n, g.key, false);
        c.stop_takes(n, g.key, cfg.stop_delay);
      }
      if (c.alive(n)) c.daemons_ok(n, true, false);
    }
    c.run_for(1s);
    for (const auto& n : nodes)
      if (!c.alive(n)) c.boot(n);
    EXPECT_TRUE(c.run_until([&] { return c.settled(); }, 60s)) << "seed " << seed;
    EXPECT_EQ(c.violations, 0) << "seed " << seed;
    if (::testing::Test::HasFailure() && !std::getenv("HB_ALL_SEEDS")) {
      std::fprintf(stderr, "first failing seed: %u (HB_SEED=%u HB_SIM_TRACE=1)\n", seed, seed);
      break;
    }
  }
}

}  // namespace
}  // namespace hb::failover
