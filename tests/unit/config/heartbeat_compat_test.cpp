// The words of /etc/ha.d that only hb understands, as `hbctl config check --heartbeat` finds them:
// one test per kind, the seed's files clean, and the command as an admin runs it.
#include "core/config/heartbeat_compat.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "core/config/authkeys.hpp"
#include "core/config/ha_cf.hpp"
#include "core/config/haresources.hpp"
#include "hbctl_run.hpp"
#include "sys/config/load.hpp"
#include "temp_dir.hpp"

namespace hb::config {
namespace {

using Lines = std::vector<std::string>;

constexpr const char* base_ha_cf =
    "keepalive 1\n"
    "deadtime 10\n"
    "bcast eth0\n"
    "auto_failback on\n"
    "node ha1 ha2\n";

// A heartbeat node on which exactly `scripts` are in resource.d or init.d.
// Every respawn program is there.
HeartbeatHost host_with(std::set<std::string> scripts) {
  HeartbeatHost host;
  host.is_executable = [](const std::string&) { return true; };
  host.hb_conf_file = "/etc/ha.d/hb.conf";
  host.has_resource_script = [scripts](const std::string& name) { return scripts.count(name) > 0; };
  return host;
}

struct Files {
  std::string ha_cf = base_ha_cf;
  std::string authkeys = "auth 1\n1 sha1 secret\n";
  std::string haresources = "ha1 192.0.2.10 apache2\n";
};

Config config_of(const Files& files) {
  Config c;
  auto cf = parse_ha_cf(files.ha_cf, "ha.cf", "ha1");
  EXPECT_FALSE(has_errors(cf.diagnostics));
  c.ha_cf = std::move(cf.ha_cf);
  auto keys = parse_authkeys(files.authkeys, "authkeys", 0600);
  EXPECT_FALSE(has_errors(keys.diagnostics));
  c.authkeys = std::move(keys.authkeys);
  auto res = parse_haresources(files.haresources, "haresources", c.ha_cf.nodes);
  EXPECT_FALSE(has_errors(res.diagnostics));
  c.groups = std::move(res.groups);
  return c;
}

Lines lines_of(const std::vector<HeartbeatFinding>& findings) {
  Lines out;
  for (const auto& f : findings) out.push_back(f.str());
  return out;
}

std::vector<HeartbeatFinding> findings_of(const Files& files,
                                          const std::set<std::string>& scripts = {"apache2"}) {
  return heartbeat_findings(config_of(files), host_with(scripts));
}

TEST(HeartbeatCompat, HeartbeatsOwnWordsAreClean) {
  Files f;
  f.ha_cf +=
      "baud 19200\nserial /dev/ttyS0\nucast eth1 192.0.2.2\nucast eth1 192.0.2.3\n"
      "keepalive 500ms\nmcast6 eth0 ff02::1:2 694 1 0\n";
  f.authkeys = "auth 2\n1 md5 a\n2 sha1 b\n3 crc\n";
  f.haresources =
      "ha1 192.0.2.10/24/eth0 Filesystem::/dev/sdb1::/ha::ext4 IPaddr2::192.0.2.11 "
      "apache2 MailTo::root\n";
  auto findings = findings_of(f);
  EXPECT_EQ(lines_of(findings), Lines{});
  EXPECT_FALSE(heartbeat_misreads(findings));
}

TEST(HeartbeatCompat, Sha256OnAnyKeyLineStopsHeartbeat) {
  Files f;
  f.authkeys = "auth 1\n1 sha1 old\n# the next key, for a rotation\n2 sha256 new\n";
  auto findings = findings_of(f);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].origin.line, 4);
  EXPECT_EQ(findings[0].word, "sha256");
  EXPECT_EQ(findings[0].effect, HeartbeatEffect::refuses_to_start);
  EXPECT_EQ(
      findings[0].str().rfind("authkeys:4: hb-only: sha256: heartbeat 3.0.6 does not start: ", 0),
      0u)
      << findings[0].str();
  EXPECT_NE(findings[0].str().find("Invalid authtype [sha256]"), std::string::npos);
  EXPECT_TRUE(heartbeat_misreads(findings));

  f.authkeys = "auth 2\n1 sha1 old\n2 sha256 new\n";
  EXPECT_EQ(findings_of(f).size(), 1u);
}

TEST(HeartbeatCompat, SystemdUnitNamesFailTheGroupUnderHeartbeat) {
  Files f;
  f.haresources =
      "ha1 192.0.2.10 apache2.service \\\n  srv-data.mount getty@tty1 mything.socket\n"
      "ha2 192.0.2.20 backup.timer\n";
  // Even a script of the same name would not be what hb starts: flagged whatever the host has.
  auto findings = heartbeat_findings(config_of(f), host_with({"apache2.service", "backup.timer"}));
  Lines words;
  for (const auto& x : findings) {
    words.push_back(x.origin.file + ":" + std::to_string(x.origin.line) + " " + x.word);
    EXPECT_EQ(x.effect, HeartbeatEffect::group_fails);
  }
  EXPECT_EQ(words, (Lines{"haresources:1 apache2.service", "haresources:1 srv-data.mount",
                          "haresources:1 getty@tty1", "haresources:1 mything.socket",
                          "haresources:3 backup.timer"}));
  EXPECT_NE(findings[0].str().find("/etc/ha.d/resource.d/apache2.service"), std::string::npos);
  EXPECT_TRUE(heartbeat_misreads(findings));
}

TEST(HeartbeatCompat, BareNameWithoutAScriptFailsTheGroupUnderHeartbeat) {
  Files f;
  f.haresources = "ha1 192.0.2.10 httpd\n";
  // Debian: /etc/init.d/apache2, no httpd script; hb maps httpd to apache2.service.
  auto findings = findings_of(f, {"apache2"});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].word, "httpd");
  EXPECT_EQ(findings[0].effect, HeartbeatEffect::group_fails);
  EXPECT_NE(findings[0].str().find("Cannot locate resource script httpd"), std::string::npos);
  // A node with a script of that name (a resource.d wrapper, Red Hat's init script) runs it.
  EXPECT_EQ(lines_of(findings_of(f, {"httpd"})), Lines{});
}

TEST(HeartbeatCompat, SecondUcastPeerOnALineIsIgnoredByHeartbeat) {
  Files f;
  f.ha_cf += "ucast eth1 192.0.2.2 192.0.2.3 192.0.2.4\n";
  auto findings = findings_of(f);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].origin.line, 6);
  EXPECT_EQ(findings[0].word, "192.0.2.3");
  EXPECT_EQ(findings[1].word, "192.0.2.4");
  EXPECT_EQ(findings[0].effect, HeartbeatEffect::ignored);
  EXPECT_NE(findings[0].str().find("\"ucast eth1 192.0.2.3\""), std::string::npos);
  EXPECT_TRUE(heartbeat_misreads(findings));
}

TEST(HeartbeatCompat, TimeUnitApartFromItsNumberStopsHeartbeat) {
  Files f;
  f.ha_cf = "keepalive 500 ms\ndeadtime 10\nbcast eth0\nauto_failback on\nnode ha1 ha2\n";
  auto findings = findings_of(f);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].origin.line, 1);
  EXPECT_EQ(findings[0].word, "500 ms");
  EXPECT_EQ(findings[0].effect, HeartbeatEffect::refuses_to_start);
  EXPECT_NE(findings[0].detail.find("write \"500ms\""), std::string::npos);
}

TEST(HeartbeatCompat, BaudOnlyHbAcceptsStopsHeartbeat) {
  Files f;
  f.ha_cf += "baud 4800\nserial /dev/ttyS0\n";
  auto slow = findings_of(f);
  ASSERT_EQ(slow.size(), 1u);
  EXPECT_EQ(slow[0].word, "baud 4800");
  EXPECT_EQ(slow[0].effect, HeartbeatEffect::refuses_to_start);

  // hb lets each baud line apply to the serial lines after it; heartbeat takes one in the file.
  f.ha_cf =
      std::string(base_ha_cf) + "baud 19200\nserial /dev/ttyS0\nbaud 38400\nserial /dev/ttyS1\n";
  auto twice = findings_of(f);
  ASSERT_EQ(twice.size(), 1u);
  EXPECT_EQ(twice[0].origin.line, 8);
  EXPECT_EQ(twice[0].word, "baud 38400");
  EXPECT_NE(twice[0].detail.find("Baudrate multiply specified"), std::string::npos);
}

TEST(HeartbeatCompat, ZeroKeepaliveStopsHeartbeat) {
  Files f;
  f.ha_cf += "keepalive 0.0001\n";
  auto findings = findings_of(f);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].str(),
            "ha.cf:6: hb-only: keepalive: heartbeat 3.0.6 does not start: it is 0 ms, and "
            "heartbeat needs at least 1 ms");
}

TEST(HeartbeatCompat, RespawnProgramHeartbeatCannotRunStopsHeartbeat) {
  Files f;
  f.ha_cf += "respawn hacluster /usr/lib/heartbeat/ipfail\nrespawn root ipfail\n";
  auto host = host_with({"apache2"});
  host.is_executable = [](const std::string& path) {
    return path == "/usr/libexec/heartbeat/ipfail";
  };
  auto findings = heartbeat_findings(config_of(f), host);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].origin.line, 6);
  EXPECT_EQ(findings[0].word, "/usr/lib/heartbeat/ipfail");
  EXPECT_EQ(findings[0].effect, HeartbeatEffect::refuses_to_start);
  EXPECT_NE(findings[0].detail.find("is not executable"), std::string::npos);
  EXPECT_EQ(findings[1].origin.line, 7);
  EXPECT_NE(findings[1].detail.find("is not full pathname"), std::string::npos);

  f.ha_cf = std::string(base_ha_cf) + "respawn hacluster /usr/libexec/heartbeat/ipfail\n";
  EXPECT_EQ(lines_of(heartbeat_findings(config_of(f), host)), Lines{});
}

TEST(HeartbeatCompat, SecondWatchdogStopsHeartbeat) {
  Files f;
  f.ha_cf += "watchdog /dev/watchdog\nwatchdog /dev/watchdog1\n";
  auto findings = findings_of(f);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].origin.line, 7);
  EXPECT_EQ(findings[0].word, "watchdog /dev/watchdog1");
  EXPECT_EQ(findings[0].effect, HeartbeatEffect::refuses_to_start);
}

TEST(HeartbeatCompat, HbOnlyDirectiveStopsHeartbeat) {
  // No row of ha.cf's grammar is hb-only yet: a table of one stands in for a future one.
  static constexpr std::array<HaCfDirective, 1> grammar = {
      HaCfDirective{.name = "hb_future", .hb_only = true}};
  Config c = config_of(Files{});
  c.ha_cf.origins["hb_future"] = Origin{"ha.cf", 9};
  auto findings = heartbeat_findings(c, host_with({"apache2"}), grammar);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].str(),
            "ha.cf:9: hb-only: hb_future: heartbeat 3.0.6 does not start: heartbeat has no such "
            "directive (Illegal directive [hb_future])");
}

TEST(HeartbeatCompat, HbConfIsANoteOnly) {
  Config c = config_of(Files{});
  c.hb_conf.present = true;
  auto findings = heartbeat_findings(c, host_with({"apache2"}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].effect, HeartbeatEffect::note);
  EXPECT_EQ(findings[0].str().rfind("/etc/ha.d/hb.conf: hb-only: hb.conf: note: heartbeat never "
                                    "reads it",
                                    0),
            0u)
      << findings[0].str();
  EXPECT_FALSE(heartbeat_misreads(findings));
}

TEST(HeartbeatCompat, FindingsComeInFileOrder) {
  Files f;
  f.ha_cf =
      "keepalive 1\ndeadtime 10000 ms\nbcast eth0\nucast eth1 192.0.2.2 192.0.2.3\n"
      "auto_failback on\nnode ha1 ha2\nkeepalive 2 ms\n";
  f.authkeys = "auth 1\n1 sha1 a\n2 sha256 b\n";
  f.haresources = "ha1 192.0.2.10 nginx.service\n";
  Lines where;
  for (const auto& x : findings_of(f)) {
    where.push_back(x.origin.file + ":" + std::to_string(x.origin.line));
  }
  EXPECT_EQ(where, (Lines{"ha.cf:2", "ha.cf:4", "ha.cf:7", "authkeys:3", "haresources:1"}));
}

// Every directive hb reads, hb-only ones aside, is one heartbeat 3.0.6 knows: config.c's
// Directives and WLdirectives tables, its media plugins (HBcomm) and the udp alias of bcast.
TEST(HeartbeatCompat, GrammarRowsNotMarkedHbOnlyAreHeartbeats) {
  const std::set<std::string> heartbeat_3_0_6 = {
      "cluster", "node", "hopfudge", "keepalive", "deadtime", "deadping", "initdead", "warntime",
      "watchdog", "baud", "udpport", "logfacility", "logfile", "debugfile", "nice_failback",
      "auto_failback", "rtprio", "hbgenmethod", "realtime", "debug", "normalpoll", "msgfmt",
      "use_logd", "conn_logd_time", "use_apphbd", "log_badpack", "syslogmsgfmt", "coredumps",
      "coreroot", "crm_daemon_dir", "crmd_spawns_pengine", "crm", "pacemaker", "autojoin",
      "uuidfrom", "compression", "compression_threshold", "traditional_compression", "env",
      "max_rexmit_delay", "record_config_changes", "record_pengine_inputs", "enable_config_writes",
      "memreserve", "quorum_server", "stonith", "stonith_host", "apiauth", "respawn", "failfast",
      // media plugins
      "bcast", "mcast", "mcast6", "ucast", "ucast6", "serial", "ping", "ping6", "ping_group",
      "hbaping", "tipc", "rds",
      // config.c's alias
      "udp"};
  for (const auto& d : ha_cf_grammar()) {
    if (d.hb_only) continue;
    EXPECT_TRUE(heartbeat_3_0_6.count(std::string(d.name)))
        << d.name << " is not a heartbeat 3.0.6 directive: mark its row hb_only";
  }
}

TEST(HeartbeatCompat, NamesSystemdUnit) {
  for (const char* unit : {"apache2.service", "ha.mount", "x.socket", "multi-user.target",
                           "backup.timer", "getty@tty1", "foo@.service"}) {
    EXPECT_TRUE(names_systemd_unit(unit)) << unit;
  }
  for (const char* script : {"apache2", "httpd", "IPaddr", "drbddisk", "service", "my.conf"}) {
    EXPECT_FALSE(names_systemd_unit(script)) << script;
  }
}

// The seed's files (tests/data/seed-ha.d and contrib/ha.d) on a heartbeat node that has a
// script for each bare name they use.
TEST(HeartbeatCompat, SeedFilesAreClean) {
  const std::string data = std::getenv("HB_TEST_DATA");
  struct Seed {
    std::string dir, node;
  };
  for (const Seed& seed :
       {Seed{data + "/seed-ha.d", "ha1.haw2.ibm.com"}, Seed{data + "/../../contrib/ha.d", "ha1"}}) {
    testing::TempDir dir;
    for (const char* name : {"ha.cf", "authkeys", "haresources"}) {
      std::filesystem::copy_file(seed.dir + "/" + name, dir.path() + "/" + name);
    }
    std::filesystem::permissions(dir.path() + "/authkeys", std::filesystem::perms::owner_read |
                                                               std::filesystem::perms::owner_write);
    LoadOptions o;
    o.dir = dir.path();
    o.local_node = seed.node;
    o.read_authkeys = ::geteuid() == 0;
    auto loaded = load(o);
    ASSERT_TRUE(loaded.ok()) << seed.dir;
    EXPECT_EQ(lines_of(heartbeat_findings(loaded.config, host_with({"httpd"}))), Lines{})
        << seed.dir;
  }
}

using testing::hbctl;

// The seed's files on a heartbeat node of their own: a script for httpd in resource.d, and ipfail
// (respawned by the seed's ha.cf) at a path this host has.
void copy_seed_for_heartbeat(testing::TempDir& dir) {
  dir.copy_seed();
  std::filesystem::create_directory(dir.path() + "/resource.d");
  dir.write("resource.d/httpd", "#!/bin/sh\nexit 0\n", 0755);
  const std::string ipfail = dir.write("ipfail", "#!/bin/sh\n", 0755);
  std::string ha_cf = testing::read_text(dir.path() + "/ha.cf");
  const std::string seed_ipfail = "/usr/lib/heartbeat/ipfail";
  ASSERT_NE(ha_cf.find(seed_ipfail), std::string::npos);
  dir.write("ha.cf", ha_cf.replace(ha_cf.find(seed_ipfail), seed_ipfail.size(), ipfail));
}

TEST(HbctlConfigCheckHeartbeat, SeedWithItsScriptIsCleanAndPrintsNothing) {
  testing::TempDir dir;
  copy_seed_for_heartbeat(dir);
  auto r =
      hbctl("config check --heartbeat --config-dir " + dir.path() + " --node ha1.haw2.ibm.com");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(HbctlConfigCheckHeartbeat, PrintsEachFindingAndExits65) {
  testing::TempDir dir;
  copy_seed_for_heartbeat(dir);
  dir.write("haresources", "ha1.haw2.ibm.com 9.22.7.46 hb-test-no-such-script apache2.service\n");
  auto r =
      hbctl("config check --heartbeat --config-dir " + dir.path() + " --node ha1.haw2.ibm.com");
  EXPECT_EQ(r.exit_code, 65) << r.err;
  const std::string file = dir.path() + "/haresources:1: hb-only: ";
  EXPECT_EQ(r.out.find(file + "hb-test-no-such-script: heartbeat 3.0.6 gives the group up: "), 0u)
      << r.out;
  EXPECT_NE(r.out.find("\n" + file + "apache2.service: heartbeat 3.0.6 gives the group up: "),
            std::string::npos)
      << r.out;
  // No JSON: the findings are the answer.
  EXPECT_EQ(r.out.find('{'), std::string::npos);
}

TEST(HbctlConfigCheckHeartbeat, HbConfAloneIsANoteAndExits0) {
  testing::TempDir dir;
  copy_seed_for_heartbeat(dir);
  dir.write("haresources", "ha1.haw2.ibm.com 9.22.7.46\n");
  dir.write("hb.conf", "[status]\nlisten = 127.0.0.1:9694\n");
  auto r =
      hbctl("config check --heartbeat --config-dir " + dir.path() + " --node ha1.haw2.ibm.com");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind(dir.path() + "/hb.conf: hb-only: hb.conf: note: ", 0), 0u) << r.out;
}

TEST(HbctlConfigCheckHeartbeat, WithoutTheFlagNothingChanges) {
  testing::TempDir dir;
  copy_seed_for_heartbeat(dir);
  dir.write("haresources", "ha1.haw2.ibm.com 9.22.7.46 apache2.service\n");
  auto r = hbctl("config check --config-dir " + dir.path() + " --node ha1.haw2.ibm.com");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("hb-only"), std::string::npos);
  EXPECT_EQ(r.out.find('{'), 0u);
}

}  // namespace
}  // namespace hb::config
