// hb-respawn-generator: what systemd finds in the generator directory for ha.cf's respawn lines.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/config/ha_cf.hpp"
#include "respawn_units.hpp"

namespace hb::ipfaild {
namespace {

namespace fs = std::filesystem;

config::HaCf parse(const std::string& text) {
  return config::parse_ha_cf("node a\nnode b\nbcast eth0\n" + text, "/etc/ha.d/ha.cf", "").ha_cf;
}

const GeneratedFile* find(const std::vector<GeneratedFile>& files, const std::string& name) {
  for (const auto& f : files)
    if (f.name == name) return &f;
  return nullptr;
}

TEST(RespawnUnits, IpfailLinePullsInIpfaild) {
  auto files = respawn_units(parse("respawn hacluster /usr/lib/heartbeat/ipfail\n"),
                             "/etc/ha.d/ha.cf", "/lib/systemd/system");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].name, "hb.target.wants/ipfaild.service");
  EXPECT_EQ(files[0].symlink_to, "/lib/systemd/system/ipfaild.service");
}

TEST(RespawnUnits, AnyPathEndingInIpfailCounts) {
  auto files = respawn_units(parse("respawn hacluster /usr/lib64/heartbeat/ipfail\n"),
                             "/etc/ha.d/ha.cf", "/usr/lib/systemd/system");
  ASSERT_NE(find(files, "hb.target.wants/ipfaild.service"), nullptr);
  EXPECT_EQ(files.size(), 1u);
}

TEST(RespawnUnits, NoIpfailLineNoIpfaild) {
  auto files = respawn_units(parse("ping 192.0.2.1\n"), "/etc/ha.d/ha.cf", "/lib/systemd/system");
  EXPECT_TRUE(files.empty());
}

TEST(RespawnUnits, OtherClientsBecomeServicesWantedByHbTarget) {
  auto files = respawn_units(parse("respawn nobody /usr/lib/heartbeat/ccm\n"
                                   "respawn root /usr/local/bin/my tool --opt=100% $HOME\n"
                                   "respawn nobody /opt/ccm\n"),
                             "/etc/ha.d/ha.cf", "/lib/systemd/system");
  const GeneratedFile* ccm = find(files, "hb-respawn-ccm.service");
  ASSERT_NE(ccm, nullptr);
  EXPECT_NE(ccm->content.find("User=nobody\n"), std::string::npos);
  EXPECT_NE(ccm->content.find("ExecStart=\"/usr/lib/heartbeat/ccm\"\n"), std::string::npos);
  EXPECT_NE(ccm->content.find("Restart=on-failure\n"), std::string::npos);
  EXPECT_NE(ccm->content.find("RestartPreventExitStatus=100\n"), std::string::npos);
  EXPECT_NE(ccm->content.find("/etc/ha.d/ha.cf:4"), std::string::npos) << "names its line";
  const GeneratedFile* want = find(files, "hb.target.wants/hb-respawn-ccm.service");
  ASSERT_NE(want, nullptr);
  EXPECT_EQ(want->symlink_to, "../hb-respawn-ccm.service");

  const GeneratedFile* my = find(files, "hb-respawn-my.service");
  ASSERT_NE(my, nullptr);
  EXPECT_NE(my->content.find("User=root\n"), std::string::npos);
  EXPECT_NE(
      my->content.find("ExecStart=\"/usr/local/bin/my\" \"tool\" \"--opt=100%%\" \"$$HOME\"\n"),
      std::string::npos)
      << my->content;
  EXPECT_NE(find(files, "hb-respawn-ccm-2.service"), nullptr) << "same name twice";
  EXPECT_EQ(find(files, "hb.target.wants/ipfaild.service"), nullptr);
}

// The installed program on a temporary directory, as systemd runs it.
TEST(RespawnGenerator, WritesUnitsIntoTheGeneratorDirectory) {
  const char* exe = std::getenv("HB_RESPAWN_GENERATOR");
  if (exe == nullptr) GTEST_SKIP() << "HB_RESPAWN_GENERATOR not set";
  char tmpl[] = "/tmp/hb-gen-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const fs::path tmp = tmpl;
  fs::create_directories(tmp / "ha.d");
  fs::create_directories(tmp / "out");
  std::ofstream(tmp / "ha.d" / "ha.cf")
      << "# the seed's lines\nkeepalive 2\nnode ha1\nnode ha2\nbcast eth0\nping 192.0.2.1\n"
         "respawn hacluster /usr/lib/heartbeat/ipfail\nrespawn nobody /bin/true\n";
  const std::string cmd = "HB_CONFIG_DIR=" + (tmp / "ha.d").string() + " " + exe + " " +
                          (tmp / "out").string() + " " + (tmp / "early").string() + " " +
                          (tmp / "late").string();
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_TRUE(fs::is_symlink(tmp / "out/hb.target.wants/ipfaild.service"));
  EXPECT_EQ(fs::read_symlink(tmp / "out/hb.target.wants/ipfaild.service").filename(),
            "ipfaild.service");
  EXPECT_TRUE(fs::is_regular_file(tmp / "out/hb-respawn-true.service"));
  EXPECT_TRUE(fs::exists(tmp / "out/hb.target.wants/hb-respawn-true.service"))
      << "the wants link resolves";

  // No ha.cf: nothing written, success (a node without hb still boots).
  fs::remove(tmp / "ha.d" / "ha.cf");
  fs::create_directories(tmp / "out2");
  const std::string cmd2 =
      "HB_CONFIG_DIR=" + (tmp / "ha.d").string() + " " + exe + " " + (tmp / "out2").string();
  EXPECT_EQ(std::system(cmd2.c_str()), 0);
  EXPECT_TRUE(fs::is_empty(tmp / "out2"));
  fs::remove_all(tmp);
}

}  // namespace
}  // namespace hb::ipfaild
