// A fixture for hb-resourced's tests against fakes: the real binary on a private dbus-daemon as
// node ha2, the standby of ha1's group, with a fake systemd, hb-membershipd and hb-linkd, and
// helpers to read its Group properties and Warnings and to speak for ha1.
#pragma once

#include "../fakes/daemon_fixture.hpp"
#include "../fakes/fake_membership1.hpp"
#include "../fakes/fake_systemd.hpp"
#include "../fakes/forger.hpp"
#include "../membership/fake_link1.hpp"

namespace hb::test {

inline const std::string& group_key = seed_group_key;
inline const std::string& ip_unit = seed_ip_unit;
inline const std::string web_unit = "apache2.service";

class ResourcedStandby : public DaemonOnPrivateBus {
 protected:
  void SetUp() override {
    DaemonOnPrivateBus::SetUp();
    if (IsSkipped()) return;
    std::ofstream(conf_ / "haresources") << "ha1 " << group_key << " " << web_unit << "\n";
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
      // A clean stop, with the fakes answering meanwhile: it releases what ha2 runs.
      daemon_.signal(SIGTERM);
      int status = 0;
      wait([&] { return daemon_.try_wait(status); });
    }
    DaemonOnPrivateBus::TearDown();
    link_.reset();
    membership_.reset();
    systemd_.reset();
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
    start("HB_RESOURCED", "ha2", tmp_.path() / "resourced.log", daemon_env_);
    ASSERT_TRUE(wait([&] {
      return !owner_of(client_->get(), "io.github.hbcluster.resource1").empty();
    })) << log();
    ha1_says_it_holds(group_key, 1);
    ASSERT_TRUE(wait([&] { return group_property("Owner") == "ha1"; })) << log();
  }

  // ha1's t=resource: what it holds (heartbeat's fields and hb's).
  void ha1_says_it_holds(const std::string& held, std::uint64_t seq) {
    link_->message_with("ha1", "resource",
                        {{"rsc_hold", held.empty() ? "none" : "local"},
                         {"rtype", "full"},
                         {"isstable", "1"},
                         {"hb_held", held},
                         {"hb_incoming", ""},
                         {"hb_failed", ""}},
                        seq);
  }

  std::vector<std::string> daemon_env_;  // added to hb-resourced's environment
  std::unique_ptr<FakeSystemd> systemd_;
  std::unique_ptr<FakeMembership1> membership_;
  std::unique_ptr<FakeLink1> link_;
};

}  // namespace hb::test
