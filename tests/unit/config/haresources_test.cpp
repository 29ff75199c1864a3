#include "core/config/haresources.hpp"

#include <gtest/gtest.h>

namespace hb::config {
namespace {

using Lines = std::vector<std::string>;
const Lines nodes = {"ha1.haw2.ibm.com", "ha2.haw2.ibm.com"};

Lines errors(const HaResourcesResult& r) {
  Lines out;
  for (const auto& d : r.diagnostics) out.push_back(d.str());
  return out;
}

TEST(HaResources, TheSeedLine) {
  auto r = parse_haresources(
      "ha1.haw2.ibm.com 9.22.7.46 Filesystem::nfsha.haw2.ibm.com:/ha::/ha::nfs::rw,hard httpd\n",
      "haresources", nodes);
  EXPECT_EQ(errors(r), Lines{});
  ASSERT_EQ(r.groups.size(), 1u);
  const auto& g = r.groups[0];
  EXPECT_EQ(g.preferred_node, "ha1.haw2.ibm.com");
  EXPECT_EQ(g.key(), "9.22.7.46");
  ASSERT_EQ(g.resources.size(), 3u);
  EXPECT_EQ(g.resources[0].kind, Resource::Kind::ip);
  EXPECT_EQ(g.resources[0].name, "IPaddr");
  EXPECT_EQ(g.resources[0].ip->address, "9.22.7.46");
  EXPECT_FALSE(g.resources[0].ip->prefix_length.has_value());
  EXPECT_EQ(g.resources[1].kind, Resource::Kind::filesystem);
  EXPECT_EQ(g.resources[1].filesystem->device, "nfsha.haw2.ibm.com:/ha");
  EXPECT_EQ(g.resources[1].filesystem->mountpoint, "/ha");
  EXPECT_EQ(g.resources[1].filesystem->fstype, "nfs");
  EXPECT_EQ(g.resources[1].filesystem->options, "rw,hard");
  EXPECT_EQ(g.resources[2].kind, Resource::Kind::service);
  EXPECT_EQ(g.resources[2].name, "httpd");
}

TEST(HaResources, ContinuationCommentsAndCaseInsensitiveNode) {
  auto r = parse_haresources(
      "# groups\n\nHA2.haw2.ibm.com 192.0.2.20 \\\n"
      "  MailTo::root@example.org::failover\t\\\n  apache2 # trailing comment\n"
      "ha1.haw2.ibm.com 192.0.2.10\n",
      "haresources", nodes);
  EXPECT_EQ(errors(r), Lines{});
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[0].preferred_node, "ha2.haw2.ibm.com");  // ha.cf's spelling
  EXPECT_EQ(r.groups[0].origin.line, 3);
  ASSERT_EQ(r.groups[0].resources.size(), 3u);
  EXPECT_EQ(r.groups[0].resources[1].kind, Resource::Kind::script);
  EXPECT_EQ(r.groups[0].resources[1].name, "MailTo");
  EXPECT_EQ(r.groups[0].resources[1].args, (Lines{"root@example.org", "failover"}));
  EXPECT_EQ(r.groups[0].resources[2].name, "apache2");
  EXPECT_EQ(r.groups[1].origin.line, 6);
}

struct IpCase {
  std::string name;
  std::string token;
  std::optional<int> prefix;
  std::string interface, label, broadcast;
};

class IpShorthand : public ::testing::TestWithParam<IpCase> {};

TEST_P(IpShorthand, Components) {
  const auto& c = GetParam();
  std::string error;
  auto r = parse_resource(c.token, error);
  ASSERT_TRUE(r) << error;
  EXPECT_EQ(r->kind, Resource::Kind::ip);
  EXPECT_EQ(r->ip->address, "192.0.2.10");
  EXPECT_EQ(r->ip->prefix_length, c.prefix);
  EXPECT_EQ(r->ip->interface, c.interface);
  EXPECT_EQ(r->ip->label, c.label);
  EXPECT_EQ(r->ip->broadcast, c.broadcast);
}

INSTANTIATE_TEST_SUITE_P(
    EveryForm, IpShorthand,
    ::testing::Values(IpCase{"bare", "192.0.2.10", std::nullopt, "", "", ""},
                      IpCase{"prefix", "192.0.2.10/24", 24, "", "", ""},
                      IpCase{"prefix_iface", "192.0.2.10/24/eth0", 24, "eth0", "", ""},
                      IpCase{"prefix_iface_label", "192.0.2.10/24/eth0:web", 24, "eth0", "web", ""},
                      IpCase{"prefix_iface_broadcast", "192.0.2.10/24/eth0/192.0.2.255", 24, "eth0",
                             "", "192.0.2.255"},
                      IpCase{"prefix_broadcast", "192.0.2.10/24/192.0.2.127", 24, "", "",
                             "192.0.2.127"},
                      IpCase{"ipaddr", "IPaddr::192.0.2.10/25/eth1", 25, "eth1", "", ""},
                      IpCase{"ipaddr2", "IPaddr2::192.0.2.10/24/eth0:0/192.0.2.255", 24, "eth0",
                             "0", "192.0.2.255"}),
    [](const auto& info) { return info.param.name; });

TEST(HaResources, Ipaddr2KeepsItsName) {
  std::string error;
  auto r = parse_resource("IPaddr2::192.0.2.10", error);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->name, "IPaddr2");
}

struct ErrCase {
  std::string name;
  std::string text;
  Lines expected;
};

class HaResourcesErrors : public ::testing::TestWithParam<ErrCase> {};

TEST_P(HaResourcesErrors, NameFileLineAndWhy) {
  EXPECT_EQ(errors(parse_haresources(GetParam().text, "haresources", nodes)), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    EveryError, HaResourcesErrors,
    ::testing::Values(
        ErrCase{"unknown_node",
                "ha3.haw2.ibm.com 192.0.2.10\n",
                {"haresources:1: preferred node \"ha3.haw2.ibm.com\" is not a node of ha.cf"}},
        ErrCase{"no_resource",
                "\nha1.haw2.ibm.com\n",
                {"haresources:2: group for \"ha1.haw2.ibm.com\" lists no resource"}},
        ErrCase{"bad_address",
                "ha1.haw2.ibm.com 192.0.2.300\n",
                {"haresources:1: \"192.0.2.300\": \"192.0.2.300\" is not an IPv4 address"}},
        ErrCase{"bad_prefix",
                "ha1.haw2.ibm.com 192.0.2.10/33\n",
                {"haresources:1: \"192.0.2.10/33\": invalid prefix length \"33\" (1 to 32)"}},
        ErrCase{"bad_broadcast",
                "ha1.haw2.ibm.com 192.0.2.10/24/eth0/x\n",
                {"haresources:1: \"192.0.2.10/24/eth0/x\": broadcast \"x\" is not an IPv4 "
                 "address"}},
        ErrCase{"too_many_parts",
                "ha1.haw2.ibm.com 192.0.2.10/24/eth0/192.0.2.255/x\n",
                {"haresources:1: \"192.0.2.10/24/eth0/192.0.2.255/x\": too many \"/\" parts "
                 "(address[/prefix[/interface[:label]][/broadcast]])"}},
        ErrCase{"filesystem_fields",
                "ha1.haw2.ibm.com Filesystem::/dev/sdb1\n",
                {"haresources:1: \"Filesystem::/dev/sdb1\": expected "
                 "Filesystem::device::mountpoint[::fstype[::options]]"}},
        ErrCase{"ipaddr_without_address",
                "ha1.haw2.ibm.com IPaddr\n",
                {"haresources:1: \"IPaddr\": IPaddr needs an address (IPaddr::a.b.c.d/24)"}},
        ErrCase{"duplicate_key",
                "ha1.haw2.ibm.com 192.0.2.10\nha2.haw2.ibm.com 192.0.2.10\n",
                {"haresources:2: group \"192.0.2.10\" already defined on line 1 (a group is "
                 "named by its first resource)"}}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace hb::config
