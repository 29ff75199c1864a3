// The environment hb gives heartbeat resource scripts: heartbeat's directories and this node's
// settings.
#include "core/resource/script_environment.hpp"

#include <gtest/gtest.h>

#include <map>

namespace hb::resource {
namespace {

std::map<std::string, std::string> as_map(const Environment& env) {
  return {env.begin(), env.end()};
}

TEST(ScriptEnvironment, HeartbeatsDirectoriesAndResourceAgentsLibraries) {
  auto env = as_map(fixed_environment());
  EXPECT_EQ(env["HA_DIR"], "/etc/ha.d");
  EXPECT_EQ(env["HA_FUNCS"], "/etc/ha.d/shellfuncs");
  EXPECT_EQ(env["HA_RESOURCEDIR"], "/etc/ha.d/resource.d");
  EXPECT_EQ(env["OCF_ROOT"], "/usr/lib/ocf");
  EXPECT_EQ(env["HA_DATEFMT"], "%Y/%m/%d_%T\t");
  EXPECT_FALSE(env.count("HA_LOGFILE"));  // hb-log.service alone writes the log files
}

TEST(ScriptEnvironment, FromThisNodesHaCf) {
  config::HaCf cf;
  cf.logfacility = "local0";
  cf.debug = 2;
  auto env = as_map(configured_environment(cf, "ha1"));
  EXPECT_EQ(env["HA_CURHOST"], "ha1");
  EXPECT_EQ(env["HA_LOGFACILITY"], "local0");
  EXPECT_EQ(env["HA_LOGD"], "no");
  EXPECT_EQ(env["HA_debug"], "2");
  EXPECT_FALSE(env.count("HA_DEBUGLOG"));
}

TEST(ScriptEnvironment, NoFacilityMeansStandardErrorThatIsTheJournal) {
  config::HaCf cf;
  cf.logfacility = "none";
  EXPECT_FALSE(as_map(configured_environment(cf, "ha1")).count("HA_LOGFACILITY"));
  cf.logfacility.clear();
  EXPECT_FALSE(as_map(configured_environment(cf, "ha1")).count("HA_LOGFACILITY"));
}

TEST(ScriptEnvironment, AssignmentsForSystemd) {
  EXPECT_EQ(assignments({{"A", "1"}, {"B", "x y"}}), (std::vector<std::string>{"A=1", "B=x y"}));
}

}  // namespace
}  // namespace hb::resource
