// UDP media between two network namespaces joined by a veth pair: what a node sends on a medium
// arrives at the peer, and interface trouble is reported and healed without the caller's help.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <tuple>

#include "interfaces.hpp"
#include "media_factory.hpp"
#include "test_support.hpp"
#include "udp_medium.hpp"

namespace hb::linkd::test {
namespace {

// Two namespaces "node a" (vA, 192.0.2.11) and "node b" (vB, 192.0.2.12), torn down on
// destruction whatever happened in between.
class TwoNodes {
 public:
  TwoNodes() {
    remove_leftovers();
    const std::string id = std::to_string(::getpid());
    a = "hbm" + id + "a";
    b = "hbm" + id + "b";
    ok = sh("ip netns add " + a) && sh("ip netns add " + b) && make_link();
  }
  ~TwoNodes() {
    sh("ip netns del " + a + " 2>/dev/null");
    sh("ip netns del " + b + " 2>/dev/null");
  }

  // (Re)creates the veth pair with its addresses; DAD off so IPv6 is usable at once.
  bool make_link() {
    return sh("ip -n " + a + " link add vA type veth peer name vB netns " + b) &&
           sh("ip netns exec " + a + " sysctl -qw net.ipv6.conf.vA.accept_dad=0") &&
           sh("ip netns exec " + b + " sysctl -qw net.ipv6.conf.vB.accept_dad=0") &&
           sh("ip -n " + a + " addr add 192.0.2.11/24 brd + dev vA") &&
           sh("ip -n " + b + " addr add 192.0.2.12/24 brd + dev vB") &&
           sh("ip -n " + a + " addr add 2001:db8::11/64 dev vA nodad") &&
           sh("ip -n " + b + " addr add 2001:db8::12/64 dev vB nodad") &&
           sh("ip -n " + a + " link set vA up") && sh("ip -n " + b + " link set vB up");
  }

  std::string a, b;
  bool ok = false;

 private:
  // Namespaces of an earlier run that was killed before its destructors ran ("hbm<pid>a").
  static void remove_leftovers() {
    FILE* list = ::popen("ip netns list 2>/dev/null", "r");
    if (list == nullptr) return;
    char line[256];
    std::vector<std::string> stale;
    while (std::fgets(line, sizeof line, list) != nullptr) {
      const std::string name = std::string(line).substr(0, std::strcspn(line, " \n"));
      if (name.size() < 5 || name.rfind("hbm", 0) != 0) continue;
      const long pid = std::strtol(name.c_str() + 3, nullptr, 10);
      if (pid > 0 && pid != ::getpid() && ::kill(static_cast<pid_t>(pid), 0) != 0)
        stale.push_back(name);
    }
    ::pclose(list);
    for (const auto& name : stale) sh("ip netns del " + name + " 2>/dev/null");
  }
};

class UdpMediaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
    if (!have_tool("ip")) GTEST_SKIP() << "needs iproute2";
    nodes_ = std::make_unique<TwoNodes>();
    ASSERT_TRUE(nodes_->ok) << "could not build the veth pair";
    loop_a_ = std::make_unique<Loop>(nodes_->a);
    loop_b_ = std::make_unique<Loop>(nodes_->b);
    ASSERT_TRUE(loop_a_->ok() && loop_b_->ok());
  }

  void TearDown() override {
    // Media die on their loop's thread, before the loops and the namespaces go.
    if (loop_a_) loop_a_->call([&] { medium_a_.reset(); });
    if (loop_b_) loop_b_->call([&] { medium_b_.reset(); });
    loop_a_.reset();
    loop_b_.reset();
    nodes_.reset();
  }

  static UdpMedium::Options options(UdpMedium::Kind kind, const std::string& interface,
                                    const std::string& address, std::uint16_t port,
                                    bool ipv6 = false) {
    UdpMedium::Options o;
    o.kind = kind;
    o.ipv6 = ipv6;
    o.interface = interface;
    o.address = address;
    o.port = port;
    o.retry.interval = 100ms;
    return o;
  }

  // Creates and opens a medium on each node.
  void open_pair(UdpMedium::Options on_a, UdpMedium::Options on_b) {
    medium_a_ = loop_a_->call([&] {
      std::shared_ptr<Medium> m = UdpMedium::create(loop_a_->io(), on_a);
      m->set_handlers(record_a_.handlers_for(m->name()));
      EXPECT_FALSE(m->open()) << m->name();
      return m;
    });
    medium_b_ = loop_b_->call([&] {
      std::shared_ptr<Medium> m = UdpMedium::create(loop_b_->io(), on_b);
      m->set_handlers(record_b_.handlers_for(m->name()));
      EXPECT_FALSE(m->open()) << m->name();
      return m;
    });
  }

  // Sends `data` every 50 ms until `record` has it (a lost first datagram must not fail a test
  // about a periodic protocol); false after 5 s.
  static bool send_until_heard(Loop& loop, const std::shared_ptr<Medium>& medium, Record& record,
                               const std::string& data) {
    for (int i = 0; i < 100; ++i) {
      loop.call([&] { medium->send(data); });
      if (record.wait_packet(data, 50ms)) return true;
    }
    return false;
  }

  static std::string source_of(Record& record, const std::string& data) {
    for (const auto& p : record.packets())
      if (p.data == data) return p.source;
    return {};
  }

  void expect_both_ways(const std::string& from_a_source, const std::string& from_b_source) {
    ASSERT_TRUE(send_until_heard(*loop_a_, medium_a_, record_b_, "hello from a"));
    EXPECT_EQ(source_of(record_b_, "hello from a"), from_a_source);
    ASSERT_TRUE(send_until_heard(*loop_b_, medium_b_, record_a_, "hello from b"));
    EXPECT_EQ(source_of(record_a_, "hello from b"), from_b_source);
  }

  std::unique_ptr<TwoNodes> nodes_;
  std::unique_ptr<Loop> loop_a_, loop_b_;
  std::shared_ptr<Medium> medium_a_, medium_b_;
  Record record_a_, record_b_;
};

TEST_F(UdpMediaTest, BroadcastReachesThePeerBothWays) {
  open_pair(options(UdpMedium::Kind::bcast, "vA", "", 16940),
            options(UdpMedium::Kind::bcast, "vB", "", 16940));
  EXPECT_EQ(medium_a_->name(), "bcast vA");
  expect_both_ways("192.0.2.11:16940", "192.0.2.12:16940");
}

TEST_F(UdpMediaTest, UnicastReachesThePeerBothWays) {
  open_pair(options(UdpMedium::Kind::ucast, "vA", "192.0.2.12", 16940),
            options(UdpMedium::Kind::ucast, "vB", "192.0.2.11", 16940));
  EXPECT_EQ(medium_a_->name(), "ucast vA 192.0.2.12");
  expect_both_ways("192.0.2.11:16940", "192.0.2.12:16940");
}

TEST_F(UdpMediaTest, MulticastReachesThePeerBothWays) {
  auto on_a = options(UdpMedium::Kind::mcast, "vA", "239.192.0.94", 16941);
  auto on_b = options(UdpMedium::Kind::mcast, "vB", "239.192.0.94", 16941);
  open_pair(on_a, on_b);
  EXPECT_EQ(medium_a_->name(), "mcast vA 239.192.0.94");
  expect_both_ways("192.0.2.11:16941", "192.0.2.12:16941");
  // loop 0: a node does not hear its own multicast.
  EXPECT_EQ(source_of(record_a_, "hello from a"), "");
}

TEST_F(UdpMediaTest, Ipv6UnicastAndMulticastReachThePeer) {
  open_pair(options(UdpMedium::Kind::ucast, "vA", "2001:db8::12", 16942, true),
            options(UdpMedium::Kind::ucast, "vB", "2001:db8::11", 16942, true));
  EXPECT_EQ(medium_a_->name(), "ucast6 vA 2001:db8::12");
  expect_both_ways("2001:db8::11:16942", "2001:db8::12:16942");

  loop_a_->call([&] { medium_a_.reset(); });
  loop_b_->call([&] { medium_b_.reset(); });
  record_a_.clear();
  record_b_.clear();
  open_pair(options(UdpMedium::Kind::mcast, "vA", "ff02::1:694", 16943, true),
            options(UdpMedium::Kind::mcast, "vB", "ff02::1:694", 16943, true));
  EXPECT_EQ(medium_a_->name(), "mcast6 vA ff02::1:694");
  ASSERT_TRUE(send_until_heard(*loop_a_, medium_a_, record_b_, "hello from a"));
  ASSERT_TRUE(send_until_heard(*loop_b_, medium_b_, record_a_, "hello from b"));
}

TEST_F(UdpMediaTest, UcastLineNamingThisNodeIsIgnored) {
  hb::config::HaCf ha_cf;
  ha_cf.udpport = 16944;
  hb::config::Medium to_a{
      hb::config::Medium::Kind::ucast, "vA", "192.0.2.11", 16944, 1, 0, 19200, {"ha.cf", 7}};
  hb::config::Medium to_b = to_a;
  to_b.address = "192.0.2.12";
  to_b.origin.line = 8;
  ha_cf.media = {to_a, to_b};

  // The same ha.cf on node a: only the line naming b makes a medium.
  auto set = loop_a_->call(
      [&] { return make_media(loop_a_->io(), ha_cf, local_addresses(), RetryPolicy{100ms}); });
  ASSERT_EQ(set.media.size(), 1u);
  EXPECT_EQ(set.media[0]->name(), "ucast vA 192.0.2.12");
  ASSERT_EQ(set.skipped.size(), 1u);
  EXPECT_EQ(set.skipped[0], "ha.cf:7: ucast vA 192.0.2.11: this node's own address; ignored");
  medium_a_ = set.media[0];
  loop_a_->call([&] {
    medium_a_->set_handlers(record_a_.handlers_for(medium_a_->name()));
    return medium_a_->open();
  });
  medium_b_ = loop_b_->call([&] {
    std::shared_ptr<Medium> m = UdpMedium::create(
        loop_b_->io(), options(UdpMedium::Kind::ucast, "vB", "192.0.2.11", 16944));
    m->set_handlers(record_b_.handlers_for(m->name()));
    EXPECT_FALSE(m->open());
    return m;
  });
  expect_both_ways("192.0.2.11:16944", "192.0.2.12:16944");
}

TEST_F(UdpMediaTest, InterfaceDownIsReportedAndTrafficResumesWhenUp) {
  open_pair(options(UdpMedium::Kind::bcast, "vA", "", 16945),
            options(UdpMedium::Kind::bcast, "vB", "", 16945));
  ASSERT_TRUE(send_until_heard(*loop_a_, medium_a_, record_b_, "before"));

  ASSERT_TRUE(sh("ip -n " + nodes_->a + " link set vA down"));
  loop_a_->call([&] { medium_a_->send("while down"); });
  ASSERT_TRUE(record_a_.wait_report(Report::Kind::send_failed));
  const auto failed = record_a_.reports();
  EXPECT_EQ(failed.back().medium, "bcast vA");
  // Reported once, not per packet.
  loop_a_->call([&] { medium_a_->send("still down"); });
  const auto reports = record_a_.reports();
  EXPECT_EQ(std::count_if(reports.begin(), reports.end(),
                          [](const Report& r) { return r.kind == Report::Kind::send_failed; }),
            1);

  ASSERT_TRUE(sh("ip -n " + nodes_->a + " link set vA up"));
  EXPECT_TRUE(send_until_heard(*loop_a_, medium_a_, record_b_, "after"));
  EXPECT_TRUE(record_a_.wait_report(Report::Kind::recovered));
}

TEST_F(UdpMediaTest, InterfaceThatVanishesAndReturnsIsReopened) {
  open_pair(options(UdpMedium::Kind::bcast, "vA", "", 16946),
            options(UdpMedium::Kind::bcast, "vB", "", 16946));
  ASSERT_TRUE(send_until_heard(*loop_a_, medium_a_, record_b_, "before"));

  // Deleting one end removes both; the media find no interface and keep retrying.
  ASSERT_TRUE(sh("ip -n " + nodes_->a + " link del vA"));
  ASSERT_TRUE(record_a_.wait([](const auto&, const auto& reports) {
    return std::any_of(reports.begin(), reports.end(), [](const Report& r) {
      return r.kind == Report::Kind::open_failed || r.kind == Report::Kind::send_failed ||
             r.kind == Report::Kind::receive_failed;
    });
  })) << "the vanished interface was not reported";

  ASSERT_TRUE(nodes_->make_link());
  EXPECT_TRUE(send_until_heard(*loop_a_, medium_a_, record_b_, "after, a"));
  EXPECT_TRUE(send_until_heard(*loop_b_, medium_b_, record_a_, "after, b"));
}

TEST_F(UdpMediaTest, BroadcastFollowsAnAddressChange) {
  open_pair(options(UdpMedium::Kind::bcast, "vA", "", 16947),
            options(UdpMedium::Kind::bcast, "vB", "", 16947));
  ASSERT_TRUE(send_until_heard(*loop_a_, medium_a_, record_b_, "before"));

  // Both nodes renumbered into another subnet: the broadcast address changes with it.
  for (const auto& [ns, dev, addr] :
       {std::tuple{nodes_->a, "vA", "11"}, std::tuple{nodes_->b, "vB", "12"}}) {
    ASSERT_TRUE(sh("ip -n " + ns + " addr flush dev " + dev + " scope global"));
    ASSERT_TRUE(sh("ip -n " + ns + " addr add 198.51.100." + addr + "/24 brd + dev " + dev));
  }
  ASSERT_TRUE(send_until_heard(*loop_a_, medium_a_, record_b_, "after"));
  EXPECT_EQ(source_of(record_b_, "after"), "198.51.100.11:16947");
}

TEST_F(UdpMediaTest, MissingInterfaceFailsToOpenAndIsRetried) {
  medium_a_ = loop_a_->call([&] {
    std::shared_ptr<Medium> m =
        UdpMedium::create(loop_a_->io(), options(UdpMedium::Kind::bcast, "vLate", "", 16948));
    m->set_handlers(record_a_.handlers_for(m->name()));
    EXPECT_EQ(m->open(), std::error_code(ENODEV, std::system_category()));
    return m;
  });
  ASSERT_TRUE(record_a_.wait_report(Report::Kind::open_failed, 0ms));
  // The interface appears later (a renamed second veth pair); the medium starts on its own.
  ASSERT_TRUE(
      sh("ip -n " + nodes_->a + " link add vLate type veth peer name vLateB netns " + nodes_->b));
  ASSERT_TRUE(sh("ip -n " + nodes_->a + " addr add 198.51.100.11/24 brd + dev vLate"));
  ASSERT_TRUE(sh("ip -n " + nodes_->b + " addr add 198.51.100.12/24 brd + dev vLateB"));
  ASSERT_TRUE(sh("ip -n " + nodes_->a + " link set vLate up"));
  ASSERT_TRUE(sh("ip -n " + nodes_->b + " link set vLateB up"));
  medium_b_ = loop_b_->call([&] {
    std::shared_ptr<Medium> m =
        UdpMedium::create(loop_b_->io(), options(UdpMedium::Kind::bcast, "vLateB", "", 16948));
    m->set_handlers(record_b_.handlers_for(m->name()));
    EXPECT_FALSE(m->open());
    return m;
  });
  EXPECT_TRUE(send_until_heard(*loop_a_, medium_a_, record_b_, "late"));
}

}  // namespace
}  // namespace hb::linkd::test
