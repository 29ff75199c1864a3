// The fence devices a node uses to fence a peer and their stonith options: heartbeat's rules for
// which ha.cf devices serve which node, in ha.cf order.
#include "core/fence/commands.hpp"

#include <gtest/gtest.h>

namespace hb::fence {
namespace {

config::StonithDevice host(std::string from, std::string type, std::string params, int line) {
  config::StonithDevice d;
  d.from = std::move(from);
  d.type = std::move(type);
  d.params = std::move(params);
  d.origin = {"/etc/ha.d/ha.cf", line};
  return d;
}

TEST(FenceCommands, StonithHostLinesServeTheirNodeOrEveryNode) {
  std::vector<config::StonithDevice> devices = {
      host("ha1", "external/ipmi", "ha2 198.51.100.202 admin secret lanplus", 30),
      host("ha2", "external/ipmi", "ha1 198.51.100.201 admin secret lanplus", 31),
      host("*", "meatware", "ha1 ha2", 32),
  };
  auto c = fence_commands(devices, "HA1");  // node names compare without case
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].stonith,
            (std::vector<std::string>{"/usr/sbin/stonith", "-t", "external/ipmi", "-p",
                                      "ha2 198.51.100.202 admin secret lanplus"}));
  EXPECT_EQ(c[0].device, "external/ipmi (/etc/ha.d/ha.cf:30)");
  EXPECT_EQ(c[1].stonith[2], "meatware");
  EXPECT_TRUE(can_fence(devices, "ha2"));
  EXPECT_FALSE(can_fence({devices[0]}, "ha2"));
}

TEST(FenceCommands, AStonithLineReadsItsParametersFromAFile) {
  config::StonithDevice d;
  d.type = "external/ipmi";
  d.config_file = "/etc/ha.d/ipmi.conf";
  auto c = fence_commands({d}, "ha2", "/usr/bin/stonith");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].stonith, (std::vector<std::string>{"/usr/bin/stonith", "-t", "external/ipmi", "-F",
                                                    "/etc/ha.d/ipmi.conf"}));
}

TEST(FenceCommands, NameValueParametersArePassedAsSuch) {
  auto c = fence_commands(
      {host("*", "rhcs/ipmilan", "ipaddr=198.51.100.202 login=admin passwd=secret", 40)}, "ha1");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].stonith,
            (std::vector<std::string>{"/usr/sbin/stonith", "-t", "rhcs/ipmilan",
                                      "ipaddr=198.51.100.202", "login=admin", "passwd=secret"}));
  // One positional word among them: heartbeat's positional string, as -p.
  c = fence_commands({host("*", "external/ipmi", "ha2 ipaddr=198.51.100.202", 41)}, "ha1");
  EXPECT_EQ(c[0].stonith[3], "-p");
}

TEST(FenceCommands, NoDeviceNoCommand) {
  EXPECT_TRUE(fence_commands({}, "ha1").empty());
  EXPECT_FALSE(can_fence({}, "ha1"));
}

}  // namespace
}  // namespace hb::fence
