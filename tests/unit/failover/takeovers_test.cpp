// Takeovers counted from group views: what hb-resourced's Takeovers and LastTakeoverUSec say after
// a peer's death, a hand-over, an adoption and a group that went to another peer.
#include "core/failover/takeovers.hpp"

#include <gtest/gtest.h>

namespace hb::failover {
namespace {

using std::chrono::milliseconds;
const std::string key = "192.0.2.10";

GroupView view(GroupState state, const std::string& owner) {
  return GroupView{key, state, owner};
}

TEST(Takeovers, APeersDeathThenTheGroupRunningHereCountsOneWithItsDuration) {
  Takeovers t("ha2");
  const TimePoint t0{};
  EXPECT_FALSE(t.on_view(view(GroupState::running, "ha1"), t0));
  // ha1 declared dead: the group is being fenced, then starts here, then runs.
  EXPECT_FALSE(t.on_view(view(GroupState::fencing, "ha1"), t0 + milliseconds(1000)));
  EXPECT_FALSE(t.on_view(view(GroupState::starting, "ha2"), t0 + milliseconds(3000)));
  EXPECT_TRUE(t.on_view(view(GroupState::running, "ha2"), t0 + milliseconds(3500)));
  EXPECT_EQ(t.of(key).count, 1u);
  EXPECT_EQ(t.of(key).last, milliseconds(2500));
}

TEST(Takeovers, AHandOverCountsFromWhenThePeerLetGo) {
  Takeovers t("ha2");
  const TimePoint t0{};
  t.on_view(view(GroupState::running, "ha1"), t0);
  t.on_view(view(GroupState::stopped, ""), t0 + milliseconds(200));
  t.on_view(view(GroupState::starting, "ha2"), t0 + milliseconds(300));
  t.on_view(view(GroupState::running, "ha2"), t0 + milliseconds(1200));
  // Back to ha1 (failback), then taken over again.
  t.on_view(view(GroupState::stopping, "ha2"), t0 + milliseconds(5000));
  t.on_view(view(GroupState::running, "ha1"), t0 + milliseconds(6000));
  t.on_view(view(GroupState::stopped, ""), t0 + milliseconds(9000));
  EXPECT_TRUE(t.on_view(view(GroupState::running, "ha2"), t0 + milliseconds(9400)));
  EXPECT_EQ(t.of(key), (TakeoverCount{2, milliseconds(400)}));
}

TEST(Takeovers, StartingOrAdoptingAGroupNobodyRanIsNoTakeover) {
  Takeovers t("ha1");
  const TimePoint t0{};
  t.on_view(view(GroupState::starting, "ha1"), t0);
  EXPECT_FALSE(t.on_view(view(GroupState::running, "ha1"), t0 + milliseconds(500)));
  EXPECT_EQ(t.of(key), TakeoverCount{});
  EXPECT_EQ(t.of("unknown group"), TakeoverCount{});
}

TEST(Takeovers, AGroupThatWentToAnotherPeerIsNotOurs) {
  Takeovers t("ha2");
  const TimePoint t0{};
  t.on_view(view(GroupState::running, "ha1"), t0);
  t.on_view(view(GroupState::stopped, ""), t0 + milliseconds(100));
  t.on_view(view(GroupState::running, "ha3"), t0 + milliseconds(900));
  // ha3 hands it on to us later: counted from ha3's letting go, not ha1's.
  t.on_view(view(GroupState::stopped, ""), t0 + milliseconds(5000));
  EXPECT_TRUE(t.on_view(view(GroupState::running, "ha2"), t0 + milliseconds(5300)));
  EXPECT_EQ(t.of(key), (TakeoverCount{1, milliseconds(300)}));
}

}  // namespace
}  // namespace hb::failover
