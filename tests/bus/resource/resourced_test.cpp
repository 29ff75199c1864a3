// hb-resourced, the real binary on a private dbus-daemon, against a fake systemd (tests/bus/fakes)
// and fake peers (hb-membershipd, hb-linkd): what an admin would see of one resource group. The
// standby takes the group over when the active node dies, starting the seed's three resources in
// haresources' order (the cluster IP, then the shared disk, then Apache), publishes it running
// and owned, and on a clean stop releases it in the reverse order, Apache first and the IP last.
#include "../fakes/daemon_fixture.hpp"
#include "../fakes/fake_membership1.hpp"
#include "../fakes/fake_systemd.hpp"
#include "../fakes/forger.hpp"
#include "../membership/fake_link1.hpp"

namespace hb::test {
namespace {

const std::string& group_key = seed_group_key;
const std::string& ip_unit = seed_ip_unit;
const std::string mount_unit = "ha.mount";
const std::string web_unit = "apache2.service";

class ResourcedGroup : public DaemonOnPrivateBus {
 protected:
  void SetUp() override {
    DaemonOnPrivateBus::SetUp();
    if (IsSkipped()) return;
    std::ofstream(conf_ / "haresources")
        << "ha1 " << group_key << " Filesystem::/dev/sdb::/ha::ext4 apache2\n";
  }

  std::string group_property(const char* prop) {
    return get_string("io.github.hbcluster.resource1",
                      FakeSystemd::encode("/io/github/hbcluster/resource1/group", group_key),
                      "io.github.hbcluster.resource1.Group", prop);
  }

  // The units systemd was asked to start (or stop), in the order asked.
  static std::vector<std::string> units(const FakeSystemd& systemd, const std::string& verb) {
    std::vector<std::string> out;
    for (const auto& c : systemd.calls())
      if (c.method.rfind(verb, 0) == 0) out.push_back(c.unit);
    return out;
  }
};

TEST_F(ResourcedGroup, StandbyTakesOverInOrderAndReleasesInReverse) {
  FakeSystemd systemd(bus_->address(), {web_unit, ip_unit});
  FakeMembership1 membership(bus_->address(), {"ha1", "ha2"});
  membership.own();
  FakeLink1 link(bus_->address(), {}, {});
  link.own();
  std::vector<Conn*> conns{&systemd.conn(), &membership.conn(), &link.conn(), client_.get()};
  auto wait = [&](const std::function<bool()>& pred) { return wait_until(conns, pred); };

  start("HB_RESOURCED", "ha2", tmp_.path() / "resourced.log");
  ASSERT_TRUE(wait([&] {
    return !owner_of(client_->get(), "io.github.hbcluster.resource1").empty();
  })) << log();
  // ha1 runs the group: ha2 is the standby and starts nothing.
  link.message_with("ha1", "resource",
                    {{"rsc_hold", "local"},
                     {"rtype", "full"},
                     {"isstable", "1"},
                     {"hb_held", group_key},
                     {"hb_incoming", ""},
                     {"hb_failed", ""}},
                    1);
  ASSERT_TRUE(wait([&] { return group_property("Owner") == "ha1"; })) << log();
  EXPECT_TRUE(units(systemd, "Start").empty()) << log();

  // ha1 dies: ha2 starts the IP, then the shared disk, then Apache, and says it runs them.
  membership.set_state("ha1", "dead");
  ASSERT_TRUE(wait([&] {
    return group_property("Owner") == "ha2" && group_property("State") == "running";
  })) << log();
  EXPECT_EQ(units(systemd, "Start"), (std::vector<std::string>{ip_unit, mount_unit, web_unit}))
      << log();
  EXPECT_EQ(systemd.active_state(mount_unit), "active");

  // A clean stop: Apache first, the disk, the IP last; nothing left running.
  daemon_.signal(SIGTERM);
  int status = 0;
  ASSERT_TRUE(wait([&] { return daemon_.try_wait(status); })) << log();
  EXPECT_EQ(units(systemd, "Stop"), (std::vector<std::string>{web_unit, mount_unit, ip_unit}))
      << log();
  for (const auto& u : {ip_unit, mount_unit, web_unit})
    EXPECT_EQ(systemd.active_state(u), "inactive") << u;
}

}  // namespace
}  // namespace hb::test
