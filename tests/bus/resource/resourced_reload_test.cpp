// hb-resourced's CheckReload and Reload (hbctl reload): a changed deadtime is answered, then
// applied live (the grace before it lets go of its groups when its hb-linkd stops follows the
// new deadtime); a change it cannot follow is refused by name and nothing is applied.
#include <gtest/gtest.h>

#include <regex>

#include "resourced_fixture.hpp"

namespace hb::test {
namespace {

class ResourcedReload : public ResourcedStandby {
 protected:
  // Manager.CheckReload or Reload: the settings answered, or the error's name and message.
  struct Answer {
    std::vector<std::string> applied;
    std::string error;
  };
  Answer call(const char* method) {
    Answer a;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    if (sd_bus_call_method(client_->get(), "io.github.hbcluster.resource1",
                           "/io/github/hbcluster/resource1",
                           "io.github.hbcluster.resource1.Manager", method, &e, &reply, "") < 0) {
      a.error = std::string(e.name ? e.name : "") + ": " + (e.message ? e.message : "");
    } else {
      char** strv = nullptr;
      if (sd_bus_message_read_strv(reply, &strv) >= 0) {
        for (char** s = strv; s && *s; ++s) {
          a.applied.emplace_back(*s);
          std::free(*s);
        }
        std::free(strv);
      }
    }
    sd_bus_message_unref(reply);
    sd_bus_error_free(&e);
    return a;
  }

  void write_ha_cf(const std::string& extra) {
    std::ofstream(conf_ / "ha.cf") << two_node_ha_cf << extra;
  }
};

TEST_F(ResourcedReload, DeadtimeAppliesLiveToTheGraceBeforeLettingGo) {
  start_standby();
  if (HasFatalFailure()) return;
  EXPECT_EQ(call("Reload").applied, std::vector<std::string>{}) << "nothing changed";

  write_ha_cf("deadtime 2\n");  // the grace: deadtime/2, 500 ms -> 1000 ms
  const std::vector<std::string> deadtime{"deadtime"};
  EXPECT_EQ(call("CheckReload").applied, deadtime);
  const Answer applied = call("Reload");
  EXPECT_EQ(applied.applied, deadtime) << applied.error;
  EXPECT_NE(log().find("reloaded: deadtime applied"), std::string::npos) << log();

  // ha2 takes the group over from a dead ha1, then loses its own hb-linkd.
  membership_->set_state("ha1", "dead");
  ASSERT_TRUE(wait([&] {
    return group_property("Owner") == "ha2" && group_property("State") == "running";
  })) << log();
  link_->disown();
  ASSERT_TRUE(wait([&] { return group_property("State") != "running"; })) << log();
  std::smatch m;
  const std::string text = log();
  ASSERT_TRUE(std::regex_search(text, m, std::regex("hb-linkd gone or hung for ([0-9]+) ms")))
      << text;
  EXPECT_GE(std::stoi(m[1]), 1000) << "released after the new grace, not the old 500 ms";
}

TEST_F(ResourcedReload, WhatItCannotFollowIsRefusedAndNothingApplied) {
  start_standby();
  if (HasFatalFailure()) return;
  write_ha_cf("deadtime 2\nmsgfmt netstring\n");
  for (const char* method : {"CheckReload", "Reload"}) {
    const Answer a = call(method);
    EXPECT_NE(a.error.find("io.github.hbcluster.Error.ReloadRefused"), std::string::npos)
        << method << ": " << a.error;
    EXPECT_NE(a.error.find("msgfmt: needs a restart of hb.target"), std::string::npos) << a.error;
  }
  write_ha_cf("");
  EXPECT_EQ(call("Reload").applied, std::vector<std::string>{}) << "deadtime is still 1 s";
  EXPECT_EQ(log().find("reloaded:"), std::string::npos) << log();

  write_ha_cf("deadtime 0\n");
  EXPECT_NE(call("Reload").error.find("io.github.hbcluster.Error.InvalidConfiguration"),
            std::string::npos);
}

}  // namespace
}  // namespace hb::test
