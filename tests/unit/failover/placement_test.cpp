#include "core/failover/placement.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/failover/message.hpp"

namespace hb::failover {
namespace {

TEST(Placement, SuccessionStartsAtPreferredAndWraps) {
  std::vector<std::string> nodes{"alpha", "beta", "gamma"};
  EXPECT_EQ(succession(nodes, "beta"), (std::vector<std::string>{"beta", "gamma", "alpha"}));
  EXPECT_EQ(succession(nodes, "GAMMA"), (std::vector<std::string>{"gamma", "alpha", "beta"}));
  EXPECT_EQ(rank(nodes, "beta", "alpha"), 2u);
  EXPECT_EQ(rank(nodes, "beta", "Beta"), 0u);
  EXPECT_EQ(rank(nodes, "beta", "delta"), 3u);
}

// A resource failed for good on `me`: the group goes to the next live node after it in the
// group's succession, wrapping; nowhere when no other node lives.
TEST(Placement, RestartTargetIsTheNextLiveNodeAfterMe) {
  std::vector<std::string> nodes{"alpha", "beta", "gamma", "delta"};
  auto live = [](std::vector<std::string> up) {
    return [up](const std::string& n) { return std::find(up.begin(), up.end(), n) != up.end(); };
  };
  // Succession for preferred beta: beta, gamma, delta, alpha.
  EXPECT_EQ(restart_target(nodes, "beta", "beta", live({"alpha", "gamma", "delta"})), "gamma");
  EXPECT_EQ(restart_target(nodes, "beta", "gamma", live({"alpha", "beta", "delta"})), "delta");
  EXPECT_EQ(restart_target(nodes, "beta", "DELTA", live({"beta", "gamma"})), "beta");
  EXPECT_EQ(restart_target(nodes, "beta", "alpha", live({"gamma"})), "gamma");
  EXPECT_EQ(restart_target(nodes, "beta", "beta", live({"beta"})), "");
}

TEST(Placement, KeyListsRoundTrip) {
  std::set<std::string> keys{"192.0.2.10", "IPaddr::198.51.100.7/24"};
  EXPECT_EQ(split_keys(join_keys(keys)), keys);
  EXPECT_TRUE(split_keys("").empty());
}

}  // namespace
}  // namespace hb::failover
