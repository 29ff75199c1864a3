// The real ipfaild against fakes of hb-linkd, hb-membershipd and hb-resourced on a private bus,
// pinging 127.0.0.1 in a network namespace of its own: the count messages it sends carry its
// ping set beside heartbeat's num_ping, a peer's count over another ping set moves nothing
// (logged once), a count without a set, as heartbeat's ipfail sends, is compared as before, and
// heartbeat's announcement that the peer's ipfail signed on is answered with our count.
#include <gtest/gtest.h>

#include "../fakes/fake_membership1.hpp"
#include "../fakes/fake_resource1.hpp"
#include "../membership/fake_link1.hpp"
#include "core/ipfail/ping_set.hpp"

namespace hb::test {
namespace {

const char* const ha_cf =
    "keepalive 100ms\n"
    "deadtime 1\n"
    "warntime 500ms\n"
    "initdead 2\n"
    "bcast lo\n"
    "node ha1 ha2\n"
    "auto_failback on\n"
    "ping 127.0.0.1\n";

class IpfaildExchange : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root for a network namespace";
    for (const char* tool : {"/usr/bin/dbus-daemon", "/usr/bin/unshare", "/bin/sh"})
      if (::access(tool, X_OK) != 0) GTEST_SKIP() << tool << " not installed";
    const char* exe = std::getenv("HB_IPFAILD");
    ASSERT_NE(exe, nullptr) << "HB_IPFAILD must name the ipfaild binary";
    conf_ = tmp_.path() / "ha.d";
    fs::create_directories(conf_);
    std::ofstream(conf_ / "ha.cf") << ha_cf;
    std::ofstream(conf_ / "haresources") << "ha1 192.0.2.10\n";
    std::ofstream(conf_ / "authkeys") << "auth 1\n1 crc\n";
    fs::permissions(conf_ / "authkeys", fs::perms::owner_read | fs::perms::owner_write);
    log_ = tmp_.path() / "ipfaild.log";
    bus_ = std::make_unique<PrivateBus>(tmp_.path());
    link1_ = std::make_unique<FakeLink1>(bus_->address(), std::vector<std::string>{"ha2"},
                                         std::vector<std::string>{"lo"});
    membership1_ =
        std::make_unique<FakeMembership1>(bus_->address(), std::vector<std::string>{"ha1", "ha2"});
    resource1_ =
        std::make_unique<FakeResource1>(bus_->address(), std::vector<FakeResource1::Group>{});
    link1_->own();
    membership1_->own();
    resource1_->own();
    // Its own network namespace with only lo up: 127.0.0.1 answers, nothing else is reached.
    daemon_ = Child(
        {"/usr/bin/unshare", "--net", "/bin/sh", "-c",
         "ip link set lo up && exec \"$0\" --config-dir \"$1\" --node ha1", exe, conf_.string()},
        {"DBUS_SYSTEM_BUS_ADDRESS=" + bus_->address()}, log_.string());
  }
  void TearDown() override { daemon_.stop(); }

  bool wait(const std::function<bool()>& pred) {
    return wait_until({&link1_->conn(), &membership1_->conn(), &resource1_->conn()}, pred);
  }
  bool logged(const std::string& text) {
    return wait([&] { return read_file(log_).find(text) != std::string::npos; });
  }
  // The num_ping_nodes messages ipfaild sent so far.
  std::vector<FakeLink1::Sent> counts() const {
    std::vector<FakeLink1::Sent> out;
    for (const auto& s : link1_->sent())
      if (s.type == "num_ping_nodes") out.push_back(s);
    return out;
  }
  std::size_t sent(const std::string& type) const {
    std::size_t n = 0;
    for (const auto& s : link1_->sent()) n += s.type == type;
    return n;
  }
  void peer_count(const std::string& num, const std::string& ping_set) {
    std::map<std::string, std::string> fields{{"num_ping", num}};
    if (!ping_set.empty()) fields["hb_ping_set"] = ping_set;
    link1_->message_with("ha2", "num_ping_nodes", fields, ++seq_);
  }
  static std::string our_set() {
    config::HaCf cf;
    cf.ping_nodes = {"127.0.0.1"};
    return ipfail::ping_set_digest(cf);
  }
  static std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }

  TempDir tmp_;
  fs::path conf_, log_;
  std::unique_ptr<PrivateBus> bus_;
  std::unique_ptr<FakeLink1> link1_;
  std::unique_ptr<FakeMembership1> membership1_;
  std::unique_ptr<FakeResource1> resource1_;
  Child daemon_;
  std::uint64_t seq_ = 0;
};

TEST_F(IpfaildExchange, CountsOverAnotherPingSetMoveNothingHeartbeatsCountsStillDo) {
  ASSERT_TRUE(wait([&] { return !counts().empty(); })) << read_file(log_);
  const auto first = counts().front();
  EXPECT_EQ(first.dest, "ha2");
  EXPECT_EQ(first.fields.at("num_ping"), "1") << "127.0.0.1 answers";
  EXPECT_EQ(first.fields.at("hb_ping_set"), our_set()) << "the set it counts over";

  // The peer counts over the same set and reaches as many: a tie.
  peer_count("1", our_set());
  ASSERT_TRUE(wait([&] { return sent("abort_giveup") == 1; })) << read_file(log_);

  // The peer reaches more, but over another set (its reload came first): held, said once.
  peer_count("2", "00000000deadbeef");
  peer_count("3", "00000000deadbeef");
  ASSERT_TRUE(logged("decisions held")) << read_file(log_);
  // heartbeat's ipfail says no set: its count is compared, and it reaches more.
  peer_count("2", "");
  ASSERT_TRUE(wait([&] { return !resource1_->calls().empty(); })) << read_file(log_);
  EXPECT_EQ(resource1_->calls(), std::vector<std::string>{"Standby all"});
  const std::string log = read_file(log_);
  EXPECT_EQ(occurrences(log, "decisions held"), 1u) << log;
  EXPECT_EQ(occurrences(log, "standby all in"), 1u) << "scheduled once: " << log;
  EXPECT_GT(log.find("standby all in"), log.find("decisions held"))
      << "only the count without a set scheduled it: " << log;
  EXPECT_EQ(sent("you_are_dead"), 0u);
}

TEST_F(IpfaildExchange, HeartbeatIpfailSigningOnIsToldOurCount) {
  ASSERT_TRUE(wait([&] { return !counts().empty(); })) << read_file(log_);
  const std::size_t before = counts().size();
  // heartbeat's client status message, as the peer's heartbeat broadcasts it: another client
  // signing on, or ipfail leaving, is no reason to say anything.
  auto client_status = [&](const std::string& st, const std::string& client) {
    link1_->message_with("ha2", "apiclistat",
                         {{"st", st}, {"from_id", client}, {"to_id", client}, {"info", "signon"}},
                         ++seq_);
  };
  client_status("join", "crmd");
  client_status("leave", "ipfail");
  client_status("join", "ipfail");
  ASSERT_TRUE(wait([&] { return counts().size() == before + 1; })) << read_file(log_);
  EXPECT_EQ(counts().back().fields.at("num_ping"), "1");
  ASSERT_TRUE(logged("heartbeat's ipfail signed on on ha2")) << read_file(log_);
  EXPECT_EQ(counts().size(), before + 1) << "one answer, to the ipfail join only";
}

}  // namespace
}  // namespace hb::test
