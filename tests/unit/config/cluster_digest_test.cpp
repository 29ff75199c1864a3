// The cluster-wide configuration digest: the same for files that mean the same cluster (comments,
// spacing, order without meaning, what may differ per node), different for any cluster-wide
// change, and never carrying the keys.
#include "core/config/cluster_digest.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/config/authkeys.hpp"
#include "core/config/ha_cf.hpp"
#include "core/config/haresources.hpp"
#include "core/config/hb_conf.hpp"

namespace hb::config {
namespace {

struct Files {
  std::string ha_cf =
      "keepalive 1\ndeadtime 10\nwarntime 5\nbcast eth0\nnode ha1 ha2\nping 192.0.2.1 "
      "192.0.2.2\nauto_failback on\nlogfacility local0\n";
  std::string haresources = "ha1 192.0.2.10 Filesystem::/dev/sdb1::/ha::ext4 httpd\n";
  std::string authkeys = "auth 1\n1 sha1 first-secret\n";
  std::string hb_conf = "[fencing]\nrace_delay = 3s\n[status]\nrequest_workers = 4\n";
};

Config config_of(const Files& f) {
  Config c;
  c.local_node = "ha1";
  auto cf = parse_ha_cf(f.ha_cf, "ha.cf", "ha1");
  EXPECT_FALSE(has_errors(cf.diagnostics)) << f.ha_cf;
  c.ha_cf = cf.ha_cf;
  auto hr = parse_haresources(f.haresources, "haresources", c.ha_cf.nodes);
  EXPECT_FALSE(has_errors(hr.diagnostics)) << f.haresources;
  c.groups = hr.groups;
  auto ak = parse_authkeys(f.authkeys, "authkeys", 0600);
  EXPECT_FALSE(has_errors(ak.diagnostics));
  c.authkeys = ak.authkeys;
  auto hc = parse_hb_conf(f.hb_conf, "hb.conf");
  EXPECT_FALSE(has_errors(hc.diagnostics)) << f.hb_conf;
  c.hb_conf = hc.hb_conf;
  return c;
}

std::string digest_of(const Files& f) {
  return cluster_digest(config_of(f));
}

TEST(ClusterDigest, IsSixteenLowercaseHexDigits) {
  const std::string d = digest_of({});
  ASSERT_EQ(d.size(), 16u);
  for (char c : d) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << d;
  EXPECT_EQ(digest_of({}), d);
}

TEST(ClusterDigest, CommentsSpacingAndOrderWithoutMeaningChangeNothing) {
  const std::string base = digest_of({});
  Files f;
  f.ha_cf =
      "# the same cluster, written another way\n"
      "node   HA1\n"
      "node ha2   # the standby\n"
      "deadtime 10000ms\n"
      "keepalive 1000 ms\n"
      "ping 192.0.2.2\n"
      "ping 192.0.2.1\n"
      "bcast eth0\n"
      "auto_failback yes\n";
  f.haresources = "# the web group\nHA1   192.0.2.10  Filesystem::/dev/sdb1::/ha::ext4\t httpd\n";
  f.authkeys = "# rotated soon\n1 sha1 first-secret\nauth 1\n";
  f.hb_conf = "[status]\nrequest_workers = 8\n\n[fencing]\n  race_delay = 3000ms  # both nodes\n";
  EXPECT_EQ(digest_of(f), base) << cluster_config_text(config_of(f));
}

TEST(ClusterDigest, WhatMayDifferPerNodeIsLeftOut) {
  const std::string base = digest_of({});
  Files f;
  f.ha_cf =
      "keepalive 1\ndeadtime 10\nwarntime 8\ninitdead 60\nudpport 695\nucast eth1 "
      "198.51.100.2\nserial /dev/ttyS1\nbaud 38400\nnode ha1 ha2\nping 192.0.2.1 "
      "192.0.2.2\nauto_failback on\nlogfile /var/log/ha-log\ndebug 1\nrealtime off\n"
      "hbgenmethod time\nmsgfmt netstring\nhopfudge 2\nrespawn hacluster /usr/bin/true\n"
      "coredumps false\n";
  f.hb_conf = "[fencing]\nrace_delay = 3s\n[status]\nlisten = 0.0.0.0:9694\n";
  EXPECT_EQ(digest_of(f), base) << cluster_config_text(config_of(f));
}

TEST(ClusterDigest, EveryClusterWideChangeChangesIt) {
  const std::string base = digest_of({});
  auto changed = [&](Files f) { return digest_of(f) != base; };
  Files f;
  f.ha_cf = Files{}.ha_cf + "deadtime 12\n";
  EXPECT_TRUE(changed(f)) << "deadtime";
  f = {};
  f.ha_cf = Files{}.ha_cf + "keepalive 2\n";
  EXPECT_TRUE(changed(f)) << "keepalive";
  f = {};
  f.ha_cf = Files{}.ha_cf + "node ha3\n";
  EXPECT_TRUE(changed(f)) << "a node added";
  f = {};
  f.ha_cf =
      "keepalive 1\ndeadtime 10\nbcast eth0\nnode ha2 ha1\nping 192.0.2.1 "
      "192.0.2.2\nauto_failback on\n";
  EXPECT_TRUE(changed(f)) << "node order (the fencing race's tie-break)";
  f = {};
  f.ha_cf = Files{}.ha_cf + "ping 192.0.2.3\n";
  EXPECT_TRUE(changed(f)) << "a ping node added";
  f = {};
  f.ha_cf = Files{}.ha_cf + "auto_failback off\n";
  EXPECT_TRUE(changed(f)) << "auto_failback";
  f = {};
  f.ha_cf = Files{}.ha_cf + "stonith_host * external/ipmi ha2 192.0.2.50 admin secret\n";
  EXPECT_TRUE(changed(f)) << "a fence device";
  f = {};
  f.haresources = "ha1 192.0.2.10 Filesystem::/dev/sdb1::/ha::ext4\n";
  EXPECT_TRUE(changed(f)) << "a resource removed";
  f = {};
  f.haresources = "ha2 192.0.2.10 Filesystem::/dev/sdb1::/ha::ext4 httpd\n";
  EXPECT_TRUE(changed(f)) << "the preferred node";
  f = {};
  f.authkeys = "auth 1\n1 sha1 second-secret\n";
  EXPECT_TRUE(changed(f)) << "the secret";
  f = {};
  f.authkeys = "auth 1\n1 sha1 first-secret\n2 sha1 second-secret\n";
  EXPECT_TRUE(changed(f)) << "a key added";
  f = {};
  f.authkeys = "auth 1\n1 md5 first-secret\n";
  EXPECT_TRUE(changed(f)) << "the method";
  f = {};
  f.hb_conf = "[fencing]\nrace_delay = 4s\n";
  EXPECT_TRUE(changed(f)) << "race_delay";
}

TEST(ClusterDigest, TheTextSaysEachClusterWideValue) {
  std::string text = cluster_config_text(config_of({}));
  const auto keys = text.find("authkeys ");
  ASSERT_NE(keys, std::string::npos);
  text.replace(keys, text.find('\n', keys) - keys, "authkeys <digest>");
  EXPECT_EQ(text,
            "keepalive 1000ms\n"
            "deadtime 10000ms\n"
            "deadping 10000ms\n"
            "node ha1\n"
            "node ha2\n"
            "ping 192.0.2.1\n"
            "ping 192.0.2.2\n"
            "auto_failback on\n"
            "group ha1 192.0.2.10 Filesystem::/dev/sdb1::/ha::ext4 httpd\n"
            "authkeys <digest>\n"
            "fencing.race_delay 3000ms\n"
            "fencing.retry 5000ms\n"
            "fencing.timeout 60000ms\n");
}

// heartbeat's rotation switches `auth N` one node at a time; both indexes verify meanwhile.
TEST(ClusterDigest, TheActiveIndexIsLeftOut) {
  Files one, two;
  one.authkeys = "auth 1\n1 sha1 first-secret\n2 sha1 second-secret\n";
  two.authkeys = "auth 2\n1 sha1 first-secret\n2 sha1 second-secret\n";
  EXPECT_EQ(digest_of(one), digest_of(two));
}

TEST(ClusterDigest, TheTextNeverHoldsAKeyOrAFenceDevicesParameters) {
  Files f;
  f.authkeys = "auth 2\n1 md5 first-secret\n2 sha256 another-one\n";
  f.ha_cf = Files{}.ha_cf + "stonith_host * external/ipmi ha2 192.0.2.50 admin ipmi-password\n";
  const std::string text = cluster_config_text(config_of(f));
  EXPECT_EQ(text.find("ipmi-password"), std::string::npos) << text;
  EXPECT_EQ(text.find("first-secret"), std::string::npos) << text;
  EXPECT_EQ(text.find("another-one"), std::string::npos) << text;
  EXPECT_NE(text.find("authkeys "), std::string::npos) << text;
}

}  // namespace
}  // namespace hb::config
