// A node that cannot take over, as its peers and its own groups see it: without its own
// hb-membershipd a standby starts nothing on a guess (a peer it never heard from is not written
// off at initdead; a holder's death never reaches it), catches up as soon as hb-membershipd is
// back, and tells its peers that it cannot take over (hb_unable), which they show.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "sim.hpp"

namespace hb::failover {
namespace {

using namespace std::chrono_literals;
using sim::Cluster;
using sim::Config;

using sim::G1;
using sim::G2;

TEST(TakeoverAbility, StandbyWithoutMembershipTakesNothingOverThenCatchesUp) {
  Cluster c(Config{});
  c.membership("beta", false);
  c.boot("alpha");
  c.boot("beta");
  // The peers' messages still tell each what the other holds: the cold start works.
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha" && c.holder(G2) == "beta"; }));
  c.run_for(1s);
  c.crash("alpha");
  // Well past deadtime (5 s) and initdead (10 s): beta never learns that alpha died.
  c.run_for(30s);
  EXPECT_EQ(c.active_on(G1), std::set<std::string>{});
  EXPECT_EQ(c.holder(G2), "beta");
  const TimePoint back = c.now();
  c.membership("beta", true);
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "beta"; }));
  EXPECT_LT(c.now() - back, 1s);  // the group's start (300 ms), no deadtime nor initdead
  EXPECT_EQ(c.violations, 0);
}

TEST(TakeoverAbility, LoneStartWithoutMembershipNeverWritesThePeerOff) {
  Cluster c(Config{});
  c.membership("beta", false);
  c.boot("beta");
  c.run_for(30s);  // initdead is 10 s
  EXPECT_EQ(c.active_on(G1), std::set<std::string>{});
  EXPECT_EQ(c.active_on(G2), std::set<std::string>{});
  // Membership back, and it has never heard alpha either: alpha gets initdead from now.
  const TimePoint back = c.now();
  c.membership("beta", true);
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "beta" && c.holder(G2) == "beta"; }));
  EXPECT_GE(c.now() - back, 10s);
  EXPECT_EQ(c.violations, 0);
}

TEST(TakeoverAbility, MembershipBackWhilePeerStillNeverHeardWaitsInitdeadAgain) {
  Cluster c(Config{});
  c.membership("beta", false);
  c.boot("beta");
  c.run_for(30s);
  // hb-membershipd starts late and has not heard alpha yet (its own initdead runs): beta must
  // not write alpha off at once because beta's own initdead passed long ago.
  c.membership("beta", true);
  c.run_for(5s);
  EXPECT_EQ(c.active_on(G1), std::set<std::string>{});
  EXPECT_EQ(c.active_on(G2), std::set<std::string>{});
  c.boot("alpha");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha" && c.holder(G2) == "beta"; }));
  EXPECT_EQ(c.violations, 0);
}

TEST(TakeoverAbility, UnableIsToldToThePeersAndCleared) {
  Cluster c(Config{});
  c.boot("alpha");
  c.boot("beta");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha" && c.holder(G2) == "beta"; }));
  EXPECT_TRUE(c.engine("alpha").peers_unable().empty());

  c.unable("beta", "no-membership");
  const auto sent = c.sent("beta");
  EXPECT_TRUE(std::any_of(sent.begin(), sent.end(), [](const Message& m) {
    return m.type == msg::resource && m.dest.empty() && m.get("hb_unable") == "no-membership" &&
           m.get("hb_held") == G2;  // the full state, so a peer can take it as any t=resource
  }));
  c.run_for(100ms);
  EXPECT_EQ(c.engine("alpha").peers_unable(),
            (std::map<std::string, std::string>{{"beta", "no-membership"}}));
  EXPECT_EQ(c.engine("alpha").live_peers(), std::vector<std::string>{"beta"});

  c.unable("beta", "");
  c.run_for(100ms);
  EXPECT_TRUE(c.engine("alpha").peers_unable().empty());
  EXPECT_EQ(c.holder(G1), "alpha");  // nothing moved meanwhile
  EXPECT_EQ(c.holder(G2), "beta");
  EXPECT_EQ(c.violations, 0);
}

TEST(TakeoverAbility, ADeadPeerIsNoLongerListedAsUnable) {
  Cluster c(Config{});
  c.boot("alpha");
  c.boot("beta");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha" && c.holder(G2) == "beta"; }));
  c.unable("beta", "no-link");
  c.run_for(100ms);
  EXPECT_EQ(c.engine("alpha").peers_unable().size(), 1u);
  c.crash("beta");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G2) == "alpha"; }));
  EXPECT_TRUE(c.engine("alpha").peers_unable().empty());
  EXPECT_TRUE(c.engine("alpha").live_peers().empty());
}

TEST(TakeoverAbility, AStartingNodeSaysItCannotTakeOverInItsFirstMessages) {
  Cluster c(Config{});
  c.boot("alpha");
  c.run_for(1s);
  c.membership("beta", false);
  c.boot("beta");
  c.unable("beta", "no-membership");
  c.run_for(100ms);
  EXPECT_EQ(c.engine("alpha").peers_unable(),
            (std::map<std::string, std::string>{{"beta", "no-membership"}}));
  // The answer to alpha's hb_ask (alpha's membership saw beta come up) carries it too.
  const auto sent = c.sent("beta");
  EXPECT_TRUE(std::all_of(sent.begin(), sent.end(), [&](const Message& m) {
    bool state = m.type == msg::resource;
    return !state || m.get("hb_unable") == "no-membership" || &m == &sent.front();
  }));
}

// The messages that tell a returning peer what this node holds can be lost at the very moment a
// partition heals (found on the rig: UDP was let through again while they were sent). Without
// an answer a node would wait for that peer for good; it asks again instead.
TEST(TakeoverAbility, AnUnansweredAskIsRepeated) {
  Cluster c(Config{});
  c.boot("alpha");
  c.boot("beta");
  ASSERT_TRUE(c.run_until([&] { return c.holder(G1) == "alpha" && c.holder(G2) == "beta"; }));
  c.check_invariant = false;  // a partition without fencing: both hold everything for a while
  c.partition(true);
  c.run_for(7s);
  // Every t=resource beta sends in the first instants after the heal is lost: alpha learns what
  // beta holds only by asking again.
  c.drop_next("beta", "resource", 5);
  c.partition(false);
  ASSERT_TRUE(c.run_until([&] { return c.settled(); }, 10s));
  std::size_t asks = 0;
  for (const auto& m : c.sent("alpha"))
    asks += m.type == msg::resource && m.dest == "beta" && m.get("hb_ask") == "1";
  EXPECT_GE(asks, 2u);  // one at the heal, and at least one again (its answer was lost)
  EXPECT_EQ(c.active_on(G1).size(), 1u);
  EXPECT_EQ(c.active_on(G2).size(), 1u);
}

}  // namespace
}  // namespace hb::failover
