// `hbctl config check` run as a process, as an admin would run it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/config/cluster_digest.hpp"
#include "hbctl_run.hpp"
#include "sys/config/load.hpp"
#include "temp_dir.hpp"

namespace hb::config {
namespace {

using testing::hbctl;

// What the loader makes of DIR as hb-linkd loads it (with the keys), for the digest.
Config config_of_seed(const std::string& dir) {
  LoadOptions o;
  o.dir = dir;
  o.local_node = "ha1.haw2.ibm.com";
  o.read_authkeys = true;
  return load(o).config;
}

TEST(HbctlConfigCheck, PrintsTheSeedCluster) {
  testing::TempDir dir;
  dir.copy_seed();
  auto r = hbctl("config check --config-dir " + dir.path() + " --node ha1.haw2.ibm.com");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["nodes"], (nlohmann::json{"ha1.haw2.ibm.com", "ha2.haw2.ibm.com"}));
  EXPECT_EQ(j["timing"]["keepalive_ms"], 2000);
  EXPECT_EQ(j["timing"]["deadtime_ms"], 60000);
  EXPECT_EQ(j["timing"]["warntime_ms"], 10000);
  EXPECT_EQ(j["timing"]["initdead_ms"], 120000);
  EXPECT_EQ(j["media"][0],
            (nlohmann::json{{"type", "serial"}, {"device", "/dev/ttyS0"}, {"baud", 19200}}));
  EXPECT_EQ(j["auto_failback"], "on");
  EXPECT_EQ(j["ping_nodes"], (nlohmann::json{"9.22.7.1"}));
  EXPECT_EQ(j["respawn"][0]["user"], "hacluster");
  EXPECT_EQ(j["respawn"][0]["argv"][0], "/usr/lib/heartbeat/ipfail");
  ASSERT_EQ(j["groups"].size(), 1u);
  const auto& g = j["groups"][0];
  EXPECT_EQ(g["key"], "9.22.7.46");
  EXPECT_EQ(g["preferred_node"], "ha1.haw2.ibm.com");
  EXPECT_EQ(g["resources"][0]["ip"]["address"], "9.22.7.46");
  EXPECT_EQ(g["resources"][1]["filesystem"]["device"], "nfsha.haw2.ibm.com:/ha");
  EXPECT_EQ(g["resources"][1]["filesystem"]["mountpoint"], "/ha");
  EXPECT_EQ(g["resources"][1]["filesystem"]["fstype"], "nfs");
  EXPECT_EQ(g["resources"][1]["filesystem"]["options"], "rw,hard");
  EXPECT_EQ(g["resources"][2]["name"], "httpd");
  if (::geteuid() == 0) {
    EXPECT_EQ(j["authkeys"]["active_index"], 2);
    EXPECT_EQ(j["authkeys"]["keys"][0]["method"], "crc");
    EXPECT_EQ(j["cluster_digest"], cluster_digest(config_of_seed(dir.path())));
  } else {
    EXPECT_TRUE(j["authkeys"].is_null());
    EXPECT_FALSE(j.contains("cluster_digest"));
    EXPECT_NE(r.err.find("authkeys not checked"), std::string::npos);
  }
}

TEST(HbctlConfigCheck, BrokenConfigExits65WithEveryError) {
  testing::TempDir dir;
  dir.copy_seed();
  dir.write("ha.cf",
            "keepalive 2\ndeadtime 3\nserial /dev/ttyS0\nnode ha1 ha2\nbogus 1\n"
            "auto_failback on\n");
  auto r = hbctl("config check --config-dir " + dir.path() + " --node ha1");
  EXPECT_EQ(r.exit_code, 65);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(
      r.err.find(dir.path() + "/ha.cf:2: deadtime (3 s) must be more than twice keepalive (2 s)\n"),
      std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(dir.path() +
                       "/ha.cf:5: unknown directive \"bogus\" (heartbeat: Illegal directive)\n"),
            std::string::npos)
      << r.err;
  // haresources still names ha1.haw2.ibm.com, which is not a node any more.
  EXPECT_NE(r.err.find(dir.path() + "/haresources:1: preferred node \"ha1.haw2.ibm.com\" is not "
                                    "a node of ha.cf\n"),
            std::string::npos)
      << r.err;
}

TEST(HbctlConfigCheck, QuietPrintsNothingOnSuccess) {
  testing::TempDir dir;
  dir.copy_seed();
  auto r = hbctl("config check -q --config-dir " + dir.path() + " --node ha2.haw2.ibm.com");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(HbctlConfigCheck, WarningsGoToStderr) {
  testing::TempDir dir;
  dir.copy_seed();
  dir.write("ha.cf", testing::read_text(dir.path() + "/ha.cf") + "rtprio 5\n");
  auto r = hbctl("config check --config-dir " + dir.path() + " --node ha1.haw2.ibm.com");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("/ha.cf:63: warning: rtprio ignored ("), std::string::npos) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["ignored"], (nlohmann::json{"rtprio"}));
}

// A deadtime heartbeat accepts but hb's hand-over rules find short: said at the deadtime line by
// `hbctl config check` (it used to be only in hb-resourced's journal, once the cluster ran).
TEST(HbctlConfigCheck, WarnsAboutADeadtimeTooShortForTheHandOver) {
  testing::TempDir dir;
  dir.copy_seed();
  auto seed = hbctl("config check --config-dir " + dir.path() + " --node ha1.haw2.ibm.com");
  EXPECT_EQ(seed.err.find("is short for keepalive"), std::string::npos) << seed.err;
  // keepalive 2 s, deadtime 4.1 s: valid (more than twice keepalive), but under 2 x (2 s + 0.1 s).
  std::string text = testing::read_text(dir.path() + "/ha.cf");
  text.replace(text.find("\ndeadtime 60"), 12, "\ndeadtime 4100ms");
  text.replace(text.find("\ninitdead 120"), 13, "\ninitdead 10 ");
  text.replace(text.find("\nwarntime 10"), 12, "\nwarntime 3 ");
  dir.write("ha.cf", text);
  auto r = hbctl("config check --config-dir " + dir.path() + " --node ha1.haw2.ibm.com");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("/ha.cf:22: warning: deadtime 4100 ms is short for keepalive 2000 ms"),
            std::string::npos)
      << r.err;
}

// The wire-rules trust issue: crc is a checksum anyone can compute. Still valid, but said.
TEST(HbctlConfigCheck, WarnsAboutCrcOnUdpAndCrcBesideStrongKeys) {
  if (::geteuid() != 0) GTEST_SKIP() << "authkeys is read only as root";
  testing::TempDir dir;
  dir.copy_seed();
  // The seed (crc over a serial cable only) loads without a crc warning.
  auto seed = hbctl("config check --config-dir " + dir.path() + " --node ha1.haw2.ibm.com");
  EXPECT_EQ(seed.exit_code, 0) << seed.err;
  EXPECT_EQ(seed.err.find("weak-auth-crc-udp"), std::string::npos) << seed.err;
  // crc over bcast, beside a sha1 key: loads (exit 0), with both warnings on the crc line.
  dir.write("ha.cf", testing::read_text(dir.path() + "/ha.cf") + "bcast eth0\n");
  dir.write("authkeys", "auth 2\n2 crc\n3 sha1 s3cret\n");
  ::chmod((dir.path() + "/authkeys").c_str(), 0600);
  auto r = hbctl("config check --config-dir " + dir.path() + " --node ha1.haw2.ibm.com");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("/authkeys:2: warning: authkeys key 2 (crc) protects UDP medium eth0"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("[weak-auth-crc-udp]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("[crc-beside-strong-keys]"), std::string::npos) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["authkeys"]["active_index"], 2);
  // sha1 only: nothing to say.
  dir.write("authkeys", "auth 3\n3 sha1 s3cret\n");
  ::chmod((dir.path() + "/authkeys").c_str(), 0600);
  auto strong = hbctl("config check --config-dir " + dir.path() + " --node ha1.haw2.ibm.com");
  EXPECT_EQ(strong.exit_code, 0) << strong.err;
  EXPECT_EQ(strong.err.find("crc"), std::string::npos) << strong.err;
}

TEST(HbctlConfigCheck, UsageErrorsExit64) {
  EXPECT_EQ(hbctl("config check --frobnicate").exit_code, 64);
  EXPECT_EQ(hbctl("config check --config-dir").exit_code, 64);
  EXPECT_EQ(hbctl("no-such-command").exit_code, 64);
  EXPECT_EQ(hbctl("").exit_code, 64);
}

TEST(Hbctl, HelpAndVersion) {
  auto help = hbctl("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("config check"), std::string::npos);
  auto version = hbctl("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("hbctl ", 0), 0u);
}

TEST(HbctlConfigCheck, MissingDirectoryIsABadConfig) {
  auto r = hbctl("config check --config-dir /nonexistent/ha.d --node ha1");
  EXPECT_EQ(r.exit_code, 65);
  EXPECT_EQ(r.err, "/nonexistent/ha.d/ha.cf: cannot read: No such file or directory\n");
}

}  // namespace
}  // namespace hb::config

namespace hb::config {
namespace {

// Found by the config fuzzer: bytes that are not UTF-8 in a haresources line made the JSON
// printer throw and hbctl abort. They are printed replaced now.
TEST(HbctlConfigCheck, BytesThatAreNotUtf8DoNotAbort) {
  testing::TempDir dir;
  dir.copy_seed();
  dir.write("haresources", "ha1.haw2.ibm.com 9.22.7.46 ht\xff\xfetpd\n");
  auto r = hbctl("config check --config-dir " + dir.path() + " --node ha1.haw2.ibm.com");
  EXPECT_NE(r.exit_code, -1) << "killed by a signal: " << r.err;
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 65) << r.err;
  if (r.exit_code == 0) {
    nlohmann::json j;
    EXPECT_NO_THROW(j = nlohmann::json::parse(r.out)) << r.out;
  }
}

}  // namespace
}  // namespace hb::config
