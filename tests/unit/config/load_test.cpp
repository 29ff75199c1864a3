#include "sys/config/load.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config/json.hpp"
#include "temp_dir.hpp"

namespace hb::config {
namespace {

using std::chrono::milliseconds;
using Lines = std::vector<std::string>;

Lines errors(const LoadResult& r) {
  Lines out;
  for (const auto& d : r.diagnostics) {
    if (d.severity == Diagnostic::Severity::error) out.push_back(d.str());
  }
  return out;
}

TEST(Load, TheSeedClusterLoads) {
  testing::TempDir dir;
  dir.copy_seed();
  auto r = load({dir.path(), "ha1.haw2.ibm.com", true, true});
  EXPECT_EQ(errors(r), Lines{});
  ASSERT_TRUE(r.ok());
  const Config& c = r.config;
  const HaCf& h = c.ha_cf;
  EXPECT_EQ(c.local_node, "ha1.haw2.ibm.com");
  EXPECT_EQ(h.nodes, (Lines{"ha1.haw2.ibm.com", "ha2.haw2.ibm.com"}));
  EXPECT_EQ(h.keepalive, milliseconds(2000));
  EXPECT_EQ(h.deadtime, milliseconds(60000));
  EXPECT_EQ(h.warntime, milliseconds(10000));
  EXPECT_EQ(h.initdead, milliseconds(120000));
  ASSERT_EQ(h.media.size(), 1u);
  EXPECT_EQ(h.media[0].kind, Medium::Kind::serial);
  EXPECT_EQ(h.media[0].interface, "/dev/ttyS0");
  EXPECT_EQ(h.media[0].baud, 19200);
  EXPECT_EQ(h.auto_failback, AutoFailback::on);
  EXPECT_EQ(h.ping_nodes, Lines{"9.22.7.1"});
  ASSERT_EQ(h.respawns.size(), 1u);
  EXPECT_EQ(h.respawns[0].user, "hacluster");
  EXPECT_EQ(h.respawns[0].argv, Lines{"/usr/lib/heartbeat/ipfail"});
  EXPECT_EQ(h.logfile, "/var/log/ha-log");
  EXPECT_EQ(h.debugfile, "/var/log/ha-debug");
  EXPECT_EQ(h.logfacility, "local0");
  ASSERT_TRUE(c.authkeys);
  EXPECT_EQ(c.authkeys->active_index, 2);
  EXPECT_EQ(c.authkeys->keys.at(2).method, AuthKey::Method::crc);
  ASSERT_EQ(c.groups.size(), 1u);
  const auto& g = c.groups[0];
  EXPECT_EQ(g.key(), "9.22.7.46");
  EXPECT_EQ(g.preferred_node, "ha1.haw2.ibm.com");
  ASSERT_EQ(g.resources.size(), 3u);
  EXPECT_EQ(g.resources[0].ip->address, "9.22.7.46");
  EXPECT_EQ(g.resources[1].filesystem->device, "nfsha.haw2.ibm.com:/ha");
  EXPECT_EQ(g.resources[1].filesystem->mountpoint, "/ha");
  EXPECT_EQ(g.resources[1].filesystem->fstype, "nfs");
  EXPECT_EQ(g.resources[1].filesystem->options, "rw,hard");
  EXPECT_EQ(g.resources[2].name, "httpd");
}

TEST(Load, AuthkeysOnlyWhenAsked) {
  testing::TempDir dir;
  dir.copy_seed();
  dir.write("authkeys", "garbage\n", 0644);  // would fail twice if read
  auto r = load({dir.path(), "ha2.haw2.ibm.com", false, true});
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.config.authkeys.has_value());
}

// A service that is not root reads the copy systemd made (LoadCredential=: 0400, plus an ACL
// that shows as group read); heartbeat's mode rule still applies to the original, by stat.
TEST(Load, AuthkeysFromThePrivateCopyOfAServiceThatIsNotRoot) {
  testing::TempDir dir;
  dir.copy_seed();  // authkeys at mode 600
  dir.write("copy", "auth 1\n1 sha1 not-the-seed-key\n", 0440);
  LoadOptions options{dir.path(), "ha2.haw2.ibm.com", true, true};
  options.authkeys_copy = dir.path() + "/copy";
  auto r = load(options);
  EXPECT_EQ(errors(r), Lines{});
  ASSERT_TRUE(r.config.authkeys);
  EXPECT_EQ(r.config.authkeys->keys.at(1).method, AuthKey::Method::sha1);
  EXPECT_EQ(r.config.authkeys->origin.file, dir.path() + "/authkeys");

  ::chmod((dir.path() + "/authkeys").c_str(), 0644);  // the original readable by all: refused
  r = load(options);
  ASSERT_EQ(errors(r).size(), 1u);
  EXPECT_NE(errors(r)[0].find(dir.path() + "/authkeys: bad permissions 0644"), std::string::npos)
      << errors(r)[0];

  ::chmod((dir.path() + "/authkeys").c_str(), 0600);
  dir.write("copy", "auth 1\n1 sha1 not-the-seed-key\n", 0460);  // a copy others can write
  r = load(options);
  ASSERT_EQ(errors(r).size(), 1u);
  EXPECT_NE(errors(r)[0].find("writable by others"), std::string::npos) << errors(r)[0];
}

// hbctl reload hands hb-linkd the key file it opened: the keys come from the descriptor, read
// from its start whatever its offset, even with a copy from systemd in the options (stale by
// then); heartbeat's mode rule is checked on what the descriptor is.
TEST(Load, AuthkeysFromAHandedOverDescriptor) {
  testing::TempDir dir;
  dir.copy_seed();
  dir.write("copy", "auth 1\n1 sha1 the-old-key\n", 0400);
  dir.write("rotated", "auth 2\n1 sha1 the-old-key\n2 sha1 the-new-key\n", 0600);
  const int fd = ::open((dir.path() + "/rotated").c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  char skip[4];
  ASSERT_EQ(::read(fd, skip, sizeof skip), 4);  // the offset does not matter
  LoadOptions options{dir.path(), "ha2.haw2.ibm.com", true, true};
  options.authkeys_copy = dir.path() + "/copy";
  options.authkeys_fd = fd;
  auto r = load(options);
  EXPECT_EQ(errors(r), Lines{});
  ASSERT_TRUE(r.config.authkeys);
  EXPECT_EQ(r.config.authkeys->active_index, 2);
  EXPECT_EQ(r.config.authkeys->keys.size(), 2u);

  ::fchmod(fd, 0644);  // open to others: refused, as the file would be
  r = load(options);
  ASSERT_EQ(errors(r).size(), 1u);
  EXPECT_NE(errors(r)[0].find("bad permissions 0644"), std::string::npos) << errors(r)[0];
  ::close(fd);
}

TEST(Load, MissingHaresourcesMeansNoGroups) {
  testing::TempDir dir;
  dir.copy_seed();
  std::filesystem::remove(dir.path() + "/haresources");
  auto r = load({dir.path(), "ha1.haw2.ibm.com", true, true});
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.config.groups.empty());
}

TEST(Load, MissingHaCfIsAnError) {
  testing::TempDir dir;
  auto r = load({dir.path(), "ha1", false, true});
  EXPECT_EQ(errors(r), Lines{dir.path() + "/ha.cf: cannot read: No such file or directory"});
}

TEST(Load, LocalNodeDefaultsToUname) {
  testing::TempDir dir;
  dir.write("ha.cf", "bcast eth0\nnode " + local_node_name() + "\nauto_failback on\n");
  auto r = load({dir.path(), "", false, true});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.config.local_node, local_node_name());
}

TEST(Load, DiagnosticsNameTheFullPath) {
  testing::TempDir dir;
  dir.copy_seed();
  dir.write("haresources", "ha3.haw2.ibm.com 9.22.7.46\n");
  auto r = load({dir.path(), "ha1.haw2.ibm.com", false, true});
  EXPECT_EQ(errors(r), Lines{dir.path() + "/haresources:1: preferred node \"ha3.haw2.ibm.com\" "
                                          "is not a node of ha.cf"});
}

// A fence device's credentials: a `stonith` file must be closed to others (refused otherwise);
// parameters on a stonith_host line of an ha.cf others can read are warned about.
TEST(Load, FenceCredentialFilesMustBeRootOnly) {
  testing::TempDir dir;
  const std::string base = "bcast eth0\nnode ha1 ha2\nauto_failback on\n";
  const std::string file = dir.write("ipmi.conf", "ha2 198.51.100.202 admin secret\n", 0644);
  dir.write("ha.cf", base + "stonith external/ipmi " + file + "\n", 0644);
  auto r = load({dir.path(), "ha1", false, false});
  EXPECT_EQ(errors(r), Lines{dir.path() + "/ha.cf:4: stonith: " + file +
                             " holds the fence device's credentials: it must be owned by root "
                             "and closed to group and others (chmod 600)"});
  ::chmod(file.c_str(), 0600);
  EXPECT_TRUE(load({dir.path(), "ha1", false, false}).ok());

  dir.write("ha.cf", base + "stonith_host * external/ipmi ha2 198.51.100.202 admin secret\n", 0644);
  r = load({dir.path(), "ha1", false, false});
  EXPECT_TRUE(r.ok());
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_NE(r.diagnostics[0].str().find("ha.cf:4: warning: stonith_host: the fence device's "
                                        "parameters (often a password) are readable"),
            std::string::npos)
      << r.diagnostics[0].str();
  dir.write("ha.cf", base + "stonith_host * external/ipmi ha2 198.51.100.202 admin secret\n", 0600);
  EXPECT_TRUE(load({dir.path(), "ha1", false, false}).diagnostics.empty());
}

TEST(Json, NeverShowsSecrets) {
  Config c;
  AuthKeys keys;
  keys.active_index = 1;
  keys.keys[1] = AuthKey{AuthKey::Method::sha1, "topsecret", {}};
  c.authkeys = keys;
  auto text = to_json(c).dump();
  EXPECT_EQ(text.find("topsecret"), std::string::npos);
  auto j = to_json(c);
  EXPECT_EQ(j["authkeys"]["keys"][0]["method"], "sha1");
  EXPECT_EQ(j["authkeys"]["keys"][0]["secret"], "<hidden>");
  StonithDevice d;
  d.type = "external/ipmi";
  d.params = "ha2 198.51.100.202 admin topsecret";
  c.ha_cf.stonith_devices.push_back(d);
  EXPECT_EQ(to_json(c).dump().find("topsecret"), std::string::npos);
  EXPECT_EQ(to_json(c)["stonith"][0]["params"], "<hidden>");
}

}  // namespace
}  // namespace hb::config
