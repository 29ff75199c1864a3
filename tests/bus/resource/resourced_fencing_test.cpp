// hb-resourced, the real binary on a private dbus-daemon, fencing a dead peer before it takes its
// group over (ha.cf's stonith_host lines), against fake peers and a fake systemd: the fence runs
// as a transient unit before any unit of the group starts; a fence that fails leaves the group
// "fencing", started nowhere, is tried again, and shows in the Warnings; an administrator's
// ConfirmFenced ends the wait. Without a fence device the Warnings say the disk is unprotected.
#include "../fakes/daemon_fixture.hpp"
#include "../fakes/fake_membership1.hpp"
#include "../fakes/fake_systemd.hpp"
#include "../fakes/forger.hpp"
#include "../membership/fake_link1.hpp"

namespace hb::test {
namespace {

const std::string& group_key = seed_group_key;
const std::string& ip_unit = seed_ip_unit;
const std::string web_unit = "apache2.service";
const std::string fence_units = "hb-fence-ha1-";

class ResourcedFencing : public DaemonOnPrivateBus {
 protected:
  void SetUp() override {
    DaemonOnPrivateBus::SetUp();
    if (IsSkipped()) return;
    std::ofstream(conf_ / "haresources") << "ha1 " << group_key << " " << web_unit << "\n";
    // A short race delay and retry keep the test quick; the rules are the same.
    std::ofstream(conf_ / "hb.conf") << "[fencing]\nrace_delay = 200ms\nretry = 300ms\n";
    systemd_ =
        std::make_unique<FakeSystemd>(bus_->address(), std::set<std::string>{web_unit, ip_unit});
    membership_ =
        std::make_unique<FakeMembership1>(bus_->address(), std::vector<std::string>{"ha1", "ha2"});
    membership_->own();
    link_ = std::make_unique<FakeLink1>(bus_->address(), std::vector<std::string>{},
                                        std::vector<std::string>{});
    link_->own();
  }
  void TearDown() override {
    if (systemd_ && daemon_.running()) {
      daemon_.signal(SIGTERM);
      int status = 0;
      wait([&] { return daemon_.try_wait(status); });
    }
    DaemonOnPrivateBus::TearDown();
    link_.reset();
    membership_.reset();
    systemd_.reset();
  }

  void with_fence_devices() {
    std::ofstream(conf_ / "ha.cf", std::ios::app)
        << "stonith_host ha2 external/ipmi ha1 198.51.100.201 admin secret lan\n"
        << "stonith_host ha1 external/ipmi ha2 198.51.100.202 admin secret lan\n";
    fs::permissions(conf_ / "ha.cf", fs::perms::owner_read | fs::perms::owner_write);
  }

  bool wait(const std::function<bool()>& pred) {
    return wait_until({&systemd_->conn(), &membership_->conn(), &link_->conn(), client_.get()},
                      pred);
  }

  std::string group_property(const char* prop) {
    return get_string("io.github.hbcluster.resource1",
                      FakeSystemd::encode("/io/github/hbcluster/resource1/group", group_key),
                      "io.github.hbcluster.resource1.Group", prop);
  }

  // The Manager's Warnings, as code -> text.
  std::map<std::string, std::string> warnings() {
    std::map<std::string, std::string> out;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    if (sd_bus_get_property(
            client_->get(), "io.github.hbcluster.resource1", "/io/github/hbcluster/resource1",
            "io.github.hbcluster.resource1.Manager", "Warnings", &e, &reply, "a(ss)") >= 0 &&
        sd_bus_message_enter_container(reply, 'a', "(ss)") >= 0) {
      const char *code = nullptr, *text = nullptr;
      while (sd_bus_message_read(reply, "(ss)", &code, &text) > 0) out[code] = text;
    }
    sd_bus_message_unref(reply);
    sd_bus_error_free(&e);
    return out;
  }

  // ha2 runs hb-resourced; ha1 says it runs the group, so ha2 is its standby.
  void start_standby() {
    start("HB_RESOURCED", "ha2", tmp_.path() / "resourced.log");
    ASSERT_TRUE(wait([&] {
      return !owner_of(client_->get(), "io.github.hbcluster.resource1").empty();
    })) << log();
    link_->message_with("ha1", "resource",
                        {{"rsc_hold", "local"},
                         {"rtype", "full"},
                         {"isstable", "1"},
                         {"hb_held", group_key},
                         {"hb_incoming", ""},
                         {"hb_failed", ""}},
                        1);
    ASSERT_TRUE(wait([&] { return group_property("Owner") == "ha1"; })) << log();
  }

  std::unique_ptr<FakeSystemd> systemd_;
  std::unique_ptr<FakeMembership1> membership_;
  std::unique_ptr<FakeLink1> link_;
};

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

}  // namespace
}  // namespace hb::test
