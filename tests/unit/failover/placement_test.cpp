#include "core/failover/placement.hpp"

#include <gtest/gtest.h>

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

TEST(Placement, KeyListsRoundTrip) {
  std::set<std::string> keys{"192.0.2.10", "IPaddr::198.51.100.7/24"};
  EXPECT_EQ(split_keys(join_keys(keys)), keys);
  EXPECT_TRUE(split_keys("").empty());
}

}  // namespace
}  // namespace hb::failover
