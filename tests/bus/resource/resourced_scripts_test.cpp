// hb-resourced, the real binary against a fake systemd, running a heartbeat resource script
// (haresources' db2::db2inst1): its transient unit runs hb-resource-script with the script's
// arguments, hb.conf's timeouts and heartbeat's environment; its status is checked every
// monitor_interval while the group runs here; a check that fails has the resource stopped and
// started once more, and a second failure gives the group up; one whose stop failed is never
// counted as stopped afterwards. A unit of its own whose job never ends counts as failed after
// its start_timeout.
#include "resourced_fixture.hpp"

namespace hb::test {
namespace {

const std::string script_unit = "hb-resource-db2::db2inst1.service";
const std::string monitor_units = "hb-monitor-hb-resource-db2::db2inst1-";

class ResourcedScripts : public ResourcedStandby {
 protected:
  void SetUp() override {
    ResourcedStandby::SetUp();
    if (IsSkipped()) return;
    std::ofstream(conf_ / "haresources") << "ha1 " << group_key << " db2::db2inst1\n";
    std::ofstream(conf_ / "hb.conf") << "[resources]\n"
                                        "monitor_interval = 0.5\n"
                                        "[resource db2::db2inst1]\n"
                                        "start_timeout = 900\n";
  }

  // ha1 dies: ha2 takes the group over and runs it.
  void take_over() {
    start_standby();
    if (HasFatalFailure()) return;
    membership_->set_state("ha1", "dead", "links-dead");
    ASSERT_TRUE(wait([&] {
      return group_property("Owner") == "ha2" && group_property("State") == "running";
    })) << log();
  }
};

TEST_F(ResourcedScripts, TheUnitRunsTheRunnerWithTimeoutsAndHeartbeatsEnvironment) {
  take_over();
  if (HasFatalFailure()) return;
  auto props = systemd_->transient_properties(script_unit);
  ASSERT_FALSE(props.empty()) << log();
  EXPECT_EQ(props["Type"], "oneshot");
  EXPECT_EQ(props["RemainAfterExit"], "1");
  EXPECT_EQ(props["ExecStart"], "/usr/libexec/hb/hb-resource-script db2 db2inst1 start");
  EXPECT_EQ(props["ExecStop"], "/usr/libexec/hb/hb-resource-script db2 db2inst1 stop");
  EXPECT_EQ(props["TimeoutStartUSec"], "900000000");  // its own section
  EXPECT_EQ(props["TimeoutStopUSec"], "300000000");   // the default
  const std::string env = props["Environment"];
  EXPECT_NE(env.find("HA_CURHOST=ha2"), std::string::npos) << env;
  EXPECT_NE(env.find("HA_LOGD=no"), std::string::npos) << env;

  // While it runs here, its status is checked, each check a unit of its own that says status.
  ASSERT_TRUE(wait([&] { return systemd_->count("StartTransientUnit", monitor_units) >= 2; }))
      << log();
  std::string check_unit;
  for (const auto& c : systemd_->calls())
    if (c.method == "StartTransientUnit" && c.unit.rfind(monitor_units, 0) == 0)
      check_unit = c.unit;
  auto check = systemd_->transient_properties(check_unit);
  EXPECT_EQ(check["ExecStart"], "/usr/libexec/hb/hb-resource-script db2 db2inst1 status");
  EXPECT_EQ(check["TimeoutStartUSec"], "60000000");
  EXPECT_EQ(check["CollectMode"], "inactive-or-failed");
  EXPECT_EQ(group_property("State"), "running");
}

TEST_F(ResourcedScripts, AFailedCheckRestartsTheResourceOnceThenGivesTheGroupUp) {
  take_over();
  if (HasFatalFailure()) return;
  EXPECT_EQ(systemd_->count("StopUnit", script_unit), 0u);

  // The product dies: the next check fails. The unit is stopped (its stop runs the script's
  // stop) and started again.
  systemd_->fail_units_starting_with(monitor_units);
  ASSERT_TRUE(wait([&] {
    return systemd_->count("StopUnit", script_unit) == 1 &&
           systemd_->count("StartTransientUnit", script_unit) == 2;
  })) << log();
  EXPECT_NE(log().find("status check"), std::string::npos) << log();

  // It fails again: the group has to go (nobody else is alive here, so it says so).
  ASSERT_TRUE(wait([&] { return log().find("failed again") != std::string::npos; })) << log();
  EXPECT_NE(log().find("no other live node to take it"), std::string::npos) << log();
}

TEST_F(ResourcedScripts, AResourceThatCannotBeStoppedIsNeverCountedAsStopped) {
  take_over();
  if (HasFatalFailure()) return;
  // The check fails, and so does the stop meant to restart it (the runner's stop, retried, left
  // the product running): it is not started again over what may still run.
  systemd_->fail_units_starting_with("hb-");
  ASSERT_TRUE(wait([&] {
    return log().find("could not be stopped to start it again") != std::string::npos;
  })) << log();
  EXPECT_EQ(systemd_->count("StartTransientUnit", script_unit), 1u) << log();

  // The group's own stop (a clean shutdown) then fails too: systemd would not run the stop of a
  // failed unit again, so hb does not take the unit's end for the product's.
  daemon_.signal(SIGTERM);
  ASSERT_TRUE(wait([&] { return log().find("did not stop cleanly") != std::string::npos; }))
      << log();
  EXPECT_NE(log().find("failed before: something of it may still run"), std::string::npos) << log();
  EXPECT_NE(log().find("no other node takes it"), std::string::npos) << log();
  EXPECT_EQ(log().find("failed again"), std::string::npos) << log();
  // hbctl status shows why the group stays here: hb-resourced's Warnings.
  ASSERT_TRUE(wait([&] { return warnings().count("stop-failed") > 0; })) << log();
  EXPECT_NE(warnings()["stop-failed"].find("group " + group_key + ": the stop of " + script_unit +
                                           ", hb-ipaddr@192.0.2.10.service failed"),
            std::string::npos)
      << warnings()["stop-failed"];
}

TEST_F(ResourcedScripts, AUnitOfItsOwnThatNeverStartsCountsAsAFailedStartAfterItsTimeout) {
  // hb cannot set a timeout on apache2.service: it bounds its own wait for the job instead.
  std::ofstream(conf_ / "haresources") << "ha1 " << group_key << " " << web_unit << "\n";
  std::ofstream(conf_ / "hb.conf")
      << "[resource " << web_unit << "]\nstart_timeout = 1\nstop_timeout = 1\n";
  systemd_->hang_units_starting_with(web_unit);
  start_standby();
  if (HasFatalFailure()) return;
  membership_->set_state("ha1", "dead", "links-dead");
  ASSERT_TRUE(wait([&] { return log().find("start of 192.0.2.10 failed") != std::string::npos; }))
      << log();
  EXPECT_NE(log().find("start of " + web_unit + " (" + web_unit + ") failed: timeout"),
            std::string::npos)
      << log();
  // What started is stopped again, the hung unit too (its stop replaces the start job); that
  // stop hangs as well, and after its stop_timeout the group is held as not cleanly stopped.
  EXPECT_EQ(systemd_->count("StopUnit", web_unit), 1u) << log();
  ASSERT_TRUE(wait([&] { return log().find("did not stop cleanly") != std::string::npos; }))
      << log();
  EXPECT_NE(log().find("stop of " + web_unit + " (" + web_unit + ") failed: timeout"),
            std::string::npos)
      << log();
  // A clean stop would wait for good on a group that may still run here: end it as a crash.
  daemon_.signal(SIGKILL);
  int status = 0;
  ASSERT_TRUE(wait([&] { return daemon_.try_wait(status); }));
}

}  // namespace
}  // namespace hb::test
