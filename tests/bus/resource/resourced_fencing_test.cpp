// hb-resourced, the real binary on a private dbus-daemon, fencing a dead peer before it takes its
// group over (ha.cf's stonith_host lines), against fake peers and a fake systemd: the fence runs
// as a transient unit before any unit of the group starts; a fence that fails leaves the group
// "fencing", started nowhere, is tried again, and shows in the Warnings; an administrator's
// ConfirmFenced ends the wait. Without a fence device the Warnings say the disk is unprotected.
// A resource script that cannot be stopped ends in a self-fence.
#include "resourced_fencing_fixture.hpp"

namespace hb::test {
namespace {

using ResourcedFencing = ResourcedFencingFixture;

TEST_F(ResourcedFencing, TheDeadHolderIsFencedBeforeItsGroupStartsHere) {
  with_fence_devices();
  start_standby();
  if (HasFatalFailure()) return;
  EXPECT_EQ(warnings().count("no-fencing"), 0u);

  membership_->set_state("ha1", "dead", "links-dead");
  ASSERT_TRUE(wait([&] {
    return group_property("Owner") == "ha2" && group_property("State") == "running";
  })) << log();
  EXPECT_EQ(systemd_->count("StartTransientUnit", fence_units), 1u) << log();
  EXPECT_LT(systemd_->first("StartTransientUnit", fence_units),
            systemd_->first("StartUnit", web_unit))
      << "the web server started before ha1 was fenced\n"
      << log();
  EXPECT_NE(log().find("node ha1 fenced"), std::string::npos) << log();
  // The others are told: t=hb_fenced hb_node=ha1.
  bool told = false;
  for (const auto& m : link_->sent()) {
    auto node = m.fields.find("hb_node");
    told |= m.type == "hb_fenced" && node != m.fields.end() && node->second == "ha1";
  }
  EXPECT_TRUE(told);
}

TEST_F(ResourcedFencing, AFailedFenceStartsNothingIsRetriedAndAnAdminCanConfirm) {
  with_fence_devices();
  systemd_->fail_units_starting_with(fence_units);
  start_standby();
  if (HasFatalFailure()) return;

  membership_->set_state("ha1", "dead", "links-dead");
  // Tried, failed, tried again (every 300 ms here): the group waits, shown "fencing".
  ASSERT_TRUE(wait([&] { return systemd_->count("StartTransientUnit", fence_units) >= 2; }))
      << log();
  EXPECT_EQ(group_property("State"), "fencing");
  EXPECT_EQ(group_property("Owner"), "ha1");
  EXPECT_EQ(systemd_->count("StartUnit", web_unit), 0u) << log();
  ASSERT_TRUE(wait([&] { return warnings().count("fencing") == 1; })) << log();
  EXPECT_NE(warnings()["fencing"].find("ha1 is being fenced"), std::string::npos)
      << warnings()["fencing"];

  // The admin powered ha1 off by hand and says so.
  sd_bus_error e = SD_BUS_ERROR_NULL;
  ASSERT_GE(sd_bus_call_method(
                client_->get(), "io.github.hbcluster.resource1", "/io/github/hbcluster/resource1",
                "io.github.hbcluster.resource1.Manager", "ConfirmFenced", &e, nullptr, "s", "ha1"),
            0)
      << (e.message ? e.message : "");
  sd_bus_error_free(&e);
  ASSERT_TRUE(wait([&] {
    return group_property("Owner") == "ha2" && group_property("State") == "running";
  })) << log();
  EXPECT_NE(log().find("confirmed down by the administrator"), std::string::npos) << log();
  EXPECT_TRUE(wait([&] { return warnings().count("fencing") == 0; }));
}

TEST_F(ResourcedFencing, WithoutAFenceDeviceTheWarningsSayTheDiskIsUnprotected) {
  start_standby();
  if (HasFatalFailure()) return;
  ASSERT_TRUE(wait([&] { return warnings().count("no-fencing") == 1; })) << log();
  EXPECT_NE(log().find("no fence device of ha.cf serves this node"), std::string::npos) << log();
  // And a death is taken over as before, without a fence.
  membership_->set_state("ha1", "dead", "links-dead");
  ASSERT_TRUE(wait([&] { return group_property("Owner") == "ha2"; })) << log();
  EXPECT_EQ(systemd_->count("StartTransientUnit", "hb-fence-"), 0u);
}

TEST_F(ResourcedFencing, AScriptThatCannotBeStoppedEndsInASelfFence) {
  // A heartbeat resource script whose stop fails after the runner's retries: the product may
  // still use the shared data, so the group is never handed over; with fencing the node fences
  // itself, so that a peer can take it over safely (heartbeat rebooted it).
  with_fence_devices();
  std::ofstream(conf_ / "haresources") << "ha1 " << group_key << " db2::db2inst1\n";
  start_standby();
  if (HasFatalFailure()) return;
  membership_->set_state("ha1", "dead", "links-dead");
  ASSERT_TRUE(wait([&] {
    return group_property("Owner") == "ha2" && group_property("State") == "running";
  })) << log();
  systemd_->fail_units_starting_with("hb-resource-");
  daemon_.signal(SIGTERM);  // a clean stop releases the group: its stop fails
  ASSERT_TRUE(wait([&] { return systemd_->count("StartTransientUnit", "hb-self-fence-") == 1; }))
      << log();
  std::string unit;
  for (const auto& c : systemd_->calls())
    if (c.unit.rfind("hb-self-fence-", 0) == 0) unit = c.unit;
  EXPECT_EQ(systemd_->transient_properties(unit)["ExecStart"],
            "/usr/bin/systemctl reboot --force --force");
  EXPECT_NE(log().find("the stop of " + group_key + " failed"), std::string::npos) << log();
  daemon_.signal(SIGKILL);  // the reboot the fake systemd does not carry out
  int status = 0;
  ASSERT_TRUE(wait([&] { return daemon_.try_wait(status); }));
}

}  // namespace
}  // namespace hb::test
