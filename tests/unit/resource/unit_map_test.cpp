// What an admin sees in `systemctl list-units` for each haresources resource.
#include "unit_map.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/config/haresources.hpp"

namespace hb::resourced {
namespace {

config::Resource parse(const std::string& token) {
  std::string error;
  auto r = config::parse_resource(token, error);
  EXPECT_TRUE(r) << error;
  return *r;
}

struct FakeNode {
  std::set<std::string> units, scripts;
  Lookup lookup() const {
    return {[this](const std::string& u) { return units.count(u) > 0; },
            [this](const std::string& p) { return scripts.count(p) > 0; }};
  }
};

TEST(UnitMap, EscapesLikeSystemdEscape) {
  EXPECT_EQ(escape_unit_name("192.0.2.10/24/eth0"), "192.0.2.10-24-eth0");
  EXPECT_EQ(escape_unit_name("a-b c"), "a\\x2db\\x20c");
  EXPECT_EQ(escape_unit_name(".hidden"), "\\x2ehidden");
  EXPECT_EQ(escape_path("/ha"), "ha");
  EXPECT_EQ(escape_path("/srv//my-data/"), "srv-my\\x2ddata");
  EXPECT_EQ(escape_path("/"), "-");
}

TEST(UnitMap, BareAddressIsAnHbIpaddrInstance) {
  FakeNode n;
  auto p = plan_resource(parse("192.0.2.10"), n.lookup());
  EXPECT_EQ(p.kind, UnitPlan::Kind::existing);
  EXPECT_EQ(p.unit, "hb-ipaddr@192.0.2.10.service");
}

TEST(UnitMap, IpShorthandWithInterfaceAndBroadcastKeepsEveryPartInTheInstance) {
  FakeNode n;
  EXPECT_EQ(plan_resource(parse("IPaddr2::10.0.0.1/24/eth0/10.0.0.255"), n.lookup()).unit,
            "hb-ipaddr@10.0.0.1-24-eth0-10.0.0.255.service");
  EXPECT_EQ(plan_resource(parse("IPaddr::192.0.2.10/24/eth0:web"), n.lookup()).unit,
            "hb-ipaddr@192.0.2.10-24-eth0:web.service");
}

TEST(UnitMap, FilesystemIsATransientMountNamedAfterTheMountPoint) {
  FakeNode n;
  auto p = plan_resource(parse("Filesystem::/dev/loop7::/ha::ext4::rw,noatime"), n.lookup());
  EXPECT_EQ(p.kind, UnitPlan::Kind::transient_mount);
  EXPECT_EQ(p.unit, "ha.mount");
  EXPECT_EQ(p.what, "/dev/loop7");
  EXPECT_EQ(p.where, "/ha");
  EXPECT_EQ(p.fstype, "ext4");
  EXPECT_EQ(p.options, "rw,noatime");
  EXPECT_EQ(plan_resource(parse("Filesystem::srv:/x::/srv/ha-data::nfs"), n.lookup()).unit,
            "srv-ha\\x2ddata.mount");
}

TEST(UnitMap, BareNameIsItsServiceWhenSystemdHasIt) {
  FakeNode n;
  n.units = {"httpd.service", "apache2.service"};
  EXPECT_EQ(plan_resource(parse("httpd"), n.lookup()).unit, "httpd.service");
}

TEST(UnitMap, HttpdFallsBackToApache2OnDebian) {
  FakeNode n;
  n.units = {"apache2.service"};
  n.scripts = {"/etc/init.d/httpd"};
  auto p = plan_resource(parse("httpd"), n.lookup());
  EXPECT_EQ(p.kind, UnitPlan::Kind::existing);
  EXPECT_EQ(p.unit, "apache2.service");
}

using Argv = std::vector<std::string>;

TEST(UnitMap, BareNameWithoutUnitRunsTheScriptThroughTheRunner) {
  FakeNode n;
  n.scripts = {"/etc/init.d/mqm"};
  auto p = plan_resource(parse("mqm"), n.lookup());
  EXPECT_EQ(p.kind, UnitPlan::Kind::transient_service);
  EXPECT_EQ(p.unit, "hb-resource-mqm.service");
  const std::string runner = resource_script_runner();
  EXPECT_EQ(runner, "/usr/libexec/hb/hb-resource-script");
  EXPECT_EQ(p.exec_start, (Argv{runner, "mqm", "start"}));
  EXPECT_EQ(p.exec_stop, (Argv{runner, "mqm", "stop"}));
  EXPECT_EQ(p.exec_status, (Argv{runner, "mqm", "status"}));
  EXPECT_EQ(p.warning, "");
}

TEST(UnitMap, ScriptWithArgumentsGetsThemBeforeTheOperation) {
  FakeNode n;
  n.scripts = {"/etc/ha.d/resource.d/db2"};
  auto p = plan_resource(parse("db2::db2inst1::SAMPLE"), n.lookup());
  EXPECT_EQ(p.kind, UnitPlan::Kind::transient_service);
  EXPECT_EQ(p.unit, "hb-resource-db2::db2inst1::SAMPLE.service");
  const std::string runner = resource_script_runner();
  EXPECT_EQ(p.exec_start, (Argv{runner, "db2", "db2inst1", "SAMPLE", "start"}));
  EXPECT_EQ(p.exec_stop, (Argv{runner, "db2", "db2inst1", "SAMPLE", "stop"}));
}

TEST(UnitMap, AScriptNotInstalledYetIsAWarningNotAnError) {
  // It may come with a package installed later, or live on the shared disk that the group
  // mounts just before it: the runner looks again when it starts.
  FakeNode n;
  auto p = plan_resource(parse("nosuch::arg"), n.lookup());
  EXPECT_EQ(p.kind, UnitPlan::Kind::transient_service);
  EXPECT_EQ(p.warning,
            "Cannot locate resource script nosuch (in /etc/ha.d/resource.d, /etc/init.d) yet: it "
            "is looked up again each time the resource starts");
}

TEST(UnitMap, NetworkFileSystemsAreThoseServedFromElsewhere) {
  for (const char* t : {"nfs", "nfs4", "cifs", "smb3", "fuse", "fuse.sshfs", "fuse.fuse2fs"})
    EXPECT_TRUE(is_network_filesystem(t)) << t;
  for (const char* t : {"ext4", "xfs", "btrfs", "", "fuseblk-like", "nfsd"})
    EXPECT_FALSE(is_network_filesystem(t)) << t;
}

TEST(UnitMap, TransientUnitsAreOrderedAgainstTheWholeGroupForSystemShutdown) {
  // systemd stops everything at once at shutdown: the mount must wait for the web server and
  // the script to its right, and go before the address to its left.
  FakeNode n;
  n.units = {"apache2.service"};
  n.scripts = {"/etc/ha.d/resource.d/db2"};
  std::vector<UnitPlan> plans;
  for (const char* token : {"192.0.2.10", "Filesystem::/dev/sdb::/ha::ext4", "httpd", "db2::x"})
    plans.push_back(plan_resource(parse(token), n.lookup()));
  order_group(plans);
  const std::string ip = plans[0].unit;
  EXPECT_TRUE(plans[0].after.empty() && plans[0].before.empty());  // not hb's to change
  EXPECT_TRUE(plans[2].after.empty() && plans[2].before.empty());
  EXPECT_EQ(plans[1].after, std::vector<std::string>{ip});
  EXPECT_EQ(plans[1].before,
            (std::vector<std::string>{"apache2.service", "hb-resource-db2::x.service"}));
  EXPECT_EQ(plans[3].after, (std::vector<std::string>{ip, "ha.mount", "apache2.service"}));
  EXPECT_TRUE(plans[3].before.empty());
}

}  // namespace
}  // namespace hb::resourced
