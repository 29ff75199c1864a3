// The ping set digest the two ipfails compare: the same ping nodes give the same digest whatever
// the order, another set another one.
#include "core/ipfail/ping_set.hpp"

#include <gtest/gtest.h>

namespace hb::ipfail {
namespace {

config::HaCf pings(std::vector<std::string> nodes, std::vector<config::PingGroup> groups = {}) {
  config::HaCf cf;
  cf.ping_nodes = std::move(nodes);
  cf.ping_groups = std::move(groups);
  return cf;
}

config::PingGroup group(std::string name, std::vector<std::string> addresses) {
  config::PingGroup g;
  g.name = std::move(name);
  g.addresses = std::move(addresses);
  return g;
}

TEST(PingSet, OrderOfLinesAndMembersDoesNotMatter) {
  EXPECT_EQ(ping_set_digest(pings({"192.0.2.1", "192.0.2.2"}, {group("lan", {"a", "b"})})),
            ping_set_digest(pings({"192.0.2.2", "192.0.2.1"}, {group("wan", {"b", "a"})})));
  EXPECT_EQ(ping_set_text(pings({"192.0.2.2"}, {group("lan", {"b", "a"})})),
            "ping 192.0.2.2\nping_group a b\n");
}

TEST(PingSet, AnotherSetAnotherDigest) {
  const auto one = ping_set_digest(pings({"192.0.2.1"}));
  EXPECT_EQ(one.size(), 16u);
  EXPECT_NE(one, ping_set_digest(pings({"192.0.2.1", "192.0.2.2"})));
  EXPECT_NE(one, ping_set_digest(pings({"192.0.2.2"})));
  EXPECT_NE(one, ping_set_digest(pings({}, {group("g", {"192.0.2.1"})})));
  EXPECT_NE(one, ping_set_digest(pings({})));
}

}  // namespace
}  // namespace hb::ipfail
