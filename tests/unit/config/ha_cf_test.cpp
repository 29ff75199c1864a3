#include "core/config/ha_cf.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace hb::config {
namespace {

using std::chrono::milliseconds;

// A valid minimal ha.cf (3 lines) that tests extend.
const std::string base = "bcast eth0\nnode a b\nauto_failback on\n";

HaCfResult parse(const std::string& text, const std::string& local = "a") {
  return parse_ha_cf(text, "ha.cf", local);
}

std::vector<std::string> messages(const HaCfResult& r, Diagnostic::Severity s) {
  std::vector<std::string> out;
  for (const auto& d : r.diagnostics) {
    if (d.severity == s) out.push_back(d.str());
  }
  return out;
}
std::vector<std::string> errors(const HaCfResult& r) {
  return messages(r, Diagnostic::Severity::error);
}
std::vector<std::string> warnings(const HaCfResult& r) {
  return messages(r, Diagnostic::Severity::warning);
}

using Lines = std::vector<std::string>;

TEST(HaCf, HeartbeatDefaultsWhenNothingIsSet) {
  auto r = parse(base);
  EXPECT_EQ(errors(r), Lines{});
  EXPECT_EQ(warnings(r), Lines{});
  EXPECT_EQ(r.ha_cf.keepalive, milliseconds(1000));
  EXPECT_EQ(r.ha_cf.deadtime, milliseconds(30000));
  EXPECT_EQ(r.ha_cf.warntime, milliseconds(15000));
  EXPECT_EQ(r.ha_cf.initdead, milliseconds(30000));
  EXPECT_EQ(r.ha_cf.deadping, milliseconds(30000));
  EXPECT_EQ(r.ha_cf.udpport, 694);
  EXPECT_EQ(r.ha_cf.baud, 19200);
  EXPECT_EQ(r.ha_cf.hopfudge, 1);
  EXPECT_EQ(r.ha_cf.auto_failback, AutoFailback::on);
}

TEST(HaCf, DerivedDefaultsFollowDeadtime) {
  auto long_dead = parse(base + "deadtime 60\n");
  EXPECT_EQ(long_dead.ha_cf.warntime, milliseconds(30000));
  EXPECT_EQ(long_dead.ha_cf.initdead, milliseconds(60000));
  EXPECT_EQ(long_dead.ha_cf.deadping, milliseconds(60000));
  // 6 s <= deadtime <= 10 s: initdead is twice deadtime.
  EXPECT_EQ(parse(base + "deadtime 8\n").ha_cf.initdead, milliseconds(16000));
  // deadtime < 6 s: initdead is 12 s.
  EXPECT_EQ(parse(base + "keepalive 1\ndeadtime 5\n").ha_cf.initdead, milliseconds(12000));
}

TEST(HaCf, TimeSuffixesAndCommentsAnywhere) {
  auto r = parse(base + "keepalive 500ms # half a second\ndeadtime 5000 msec\nwarntime 2.5\n" +
                 "initdead 20 # comment\n");
  EXPECT_EQ(errors(r), Lines{});
  EXPECT_EQ(r.ha_cf.keepalive, milliseconds(500));
  EXPECT_EQ(r.ha_cf.deadtime, milliseconds(5000));
  EXPECT_EQ(r.ha_cf.warntime, milliseconds(2500));
  EXPECT_EQ(r.ha_cf.initdead, milliseconds(20000));
}

TEST(HaCf, NodeLinesTakeSeveralNamesSplitOnCommasToo) {
  auto r = parse("bcast eth0\nnode a b\nnode c,d\tE\nauto_failback on\n");
  EXPECT_EQ(r.ha_cf.nodes, (Lines{"a", "b", "c", "d", "E"}));
}

TEST(HaCf, UdpportAndBaudApplyToLaterMediaOnly) {
  auto r = parse(
      "bcast eth0\nudpport 700\nbcast eth1\nserial /dev/ttyS0\nbaud 38400\nserial /dev/ttyS1\n"
      "ucast eth2 192.0.2.2\nmcast eth3 239.0.0.1 6000 1 0\nnode a\nauto_failback on\n");
  EXPECT_EQ(errors(r), Lines{});
  ASSERT_EQ(r.ha_cf.media.size(), 6u);
  EXPECT_EQ(r.ha_cf.media[0].port, 694);
  EXPECT_EQ(r.ha_cf.media[1].port, 700);
  EXPECT_EQ(r.ha_cf.media[2].baud, 19200);
  EXPECT_EQ(r.ha_cf.media[3].baud, 38400);
  EXPECT_EQ(r.ha_cf.media[4].kind, Medium::Kind::ucast);
  EXPECT_EQ(r.ha_cf.media[4].address, "192.0.2.2");
  EXPECT_EQ(r.ha_cf.media[4].port, 700);
  EXPECT_EQ(r.ha_cf.media[5].kind, Medium::Kind::mcast);
  EXPECT_EQ(r.ha_cf.media[5].port, 6000);  // mcast's own port, not udpport
  EXPECT_EQ(r.ha_cf.media[5].ttl, 1);
  EXPECT_EQ(r.ha_cf.media[5].origin.line, 8);
}

TEST(HaCf, PingRespawnAndLogging) {
  auto r = parse(base +
                 "ping 192.0.2.1 192.0.2.2\nping_group routers 192.0.2.3 192.0.2.4\n"
                 "respawn hacluster /usr/lib/heartbeat/ipfail -v\nlogfile /var/log/ha-log\n"
                 "logfacility local0\nuse_logd yes\ndebug 1\nhopfudge 2\nmsgfmt netstring\n");
  EXPECT_EQ(errors(r), Lines{});
  EXPECT_EQ(r.ha_cf.ping_nodes, (Lines{"192.0.2.1", "192.0.2.2"}));
  ASSERT_EQ(r.ha_cf.ping_groups.size(), 1u);
  EXPECT_EQ(r.ha_cf.ping_groups[0].name, "routers");
  ASSERT_EQ(r.ha_cf.respawns.size(), 1u);
  EXPECT_EQ(r.ha_cf.respawns[0].user, "hacluster");
  EXPECT_EQ(r.ha_cf.respawns[0].argv, (Lines{"/usr/lib/heartbeat/ipfail", "-v"}));
  EXPECT_EQ(r.ha_cf.logfile, "/var/log/ha-log");
  EXPECT_EQ(r.ha_cf.logfacility, "local0");
  EXPECT_TRUE(r.ha_cf.use_logd);
  EXPECT_EQ(r.ha_cf.debug, 1);
  EXPECT_EQ(r.ha_cf.hopfudge, 2);
  EXPECT_EQ(r.ha_cf.msgfmt, "netstring");
  EXPECT_EQ(r.ha_cf.origins.at("respawn").line, 6);
}

TEST(HaCf, AutoFailbackValues) {
  EXPECT_EQ(parse("bcast eth0\nnode a\nauto_failback off\n").ha_cf.auto_failback,
            AutoFailback::off);
  EXPECT_EQ(parse("bcast eth0\nnode a\nauto_failback yes\n").ha_cf.auto_failback, AutoFailback::on);
  auto legacy = parse("bcast eth0\nnode a\nauto_failback legacy\n");
  EXPECT_EQ(legacy.ha_cf.auto_failback, AutoFailback::legacy);
  EXPECT_EQ(warnings(legacy),
            Lines{"ha.cf:3: warning: auto_failback legacy is deprecated (heartbeat: Deprecated "
                  "'legacy' auto_failback option selected); standby, takeover and ipfail need "
                  "\"auto_failback on\" or \"auto_failback off\""});
}

TEST(HaCf, AutoFailbackUnsetIsLegacyWithHeartbeatsWarning) {
  auto r = parse("bcast eth0\nnode a\n");
  EXPECT_EQ(errors(r), Lines{});
  EXPECT_EQ(r.ha_cf.auto_failback, AutoFailback::legacy);
  EXPECT_EQ(warnings(r),
            Lines{"ha.cf: warning: auto_failback not set, so it is legacy: auto_failback legacy "
                  "is deprecated (heartbeat: Deprecated 'legacy' auto_failback option selected); "
                  "standby, takeover and ipfail need \"auto_failback on\" or \"auto_failback "
                  "off\""});
}

TEST(HaCf, NiceFailbackIsMappedAsHeartbeatDoes) {
  auto on = parse("bcast eth0\nnode a\nnice_failback on\n");
  EXPECT_EQ(on.ha_cf.auto_failback, AutoFailback::off);
  EXPECT_EQ(warnings(on), Lines{"ha.cf:3: warning: nice_failback is obsolete: taken as "
                                "\"auto_failback off\"; write that instead"});
  auto off = parse("bcast eth0\nnode a\nnice_failback off\n");
  EXPECT_EQ(off.ha_cf.auto_failback, AutoFailback::legacy);
  EXPECT_EQ(errors(off), Lines{});
}

TEST(HaCf, HbgenmethodFileOrTimeIsHonouredAndAnythingElseIsAnError) {
  EXPECT_EQ(parse(base).ha_cf.hbgenmethod, "file");
  auto t = parse(base + "hbgenmethod time\n");
  EXPECT_EQ(errors(t), Lines{});
  EXPECT_EQ(warnings(t), Lines{});
  EXPECT_EQ(t.ha_cf.hbgenmethod, "time");
  auto bad = parse(base + "hbgenmethod random\n");
  ASSERT_EQ(errors(bad).size(), 1u);
  EXPECT_NE(errors(bad)[0].find("hbgenmethod: invalid value \"random\" (file or time)"),
            std::string::npos);
}

TEST(HaCf, UnimplementedDirectivesAreIgnoredWithAWarning) {
  auto r = parse(base +
                 "apiauth ipfail uid=hacluster\ncompression bz2\ncoredumps true\nrtprio 5\n"
                 "autojoin none\nuuidfrom nodename\nconn_logd_time 60\n");
  EXPECT_EQ(errors(r), Lines{});
  EXPECT_EQ(r.ha_cf.ignored, (Lines{"apiauth", "compression", "coredumps", "rtprio", "autojoin",
                                    "uuidfrom", "conn_logd_time"}));
  auto w = warnings(r);
  ASSERT_EQ(w.size(), 7u);
  EXPECT_EQ(w[0],
            "ha.cf:4: warning: apiauth ignored (hb has no heartbeat API; the D-Bus policy controls "
            "access)");
}

TEST(HaCf, WatchdogIsKeptAndNeedsAMediumThatEchoesOwnHeartbeats) {
  EXPECT_EQ(parse(base).ha_cf.watchdog, "");
  auto r = parse(base + "watchdog /dev/watchdog\n");
  EXPECT_EQ(errors(r), Lines{});
  EXPECT_EQ(warnings(r), Lines{});
  EXPECT_EQ(r.ha_cf.watchdog, "/dev/watchdog");
  EXPECT_TRUE(r.ha_cf.ignored.empty());

  EXPECT_EQ(errors(parse(base + "watchdog watchdog\n")),
            Lines{"ha.cf:4: watchdog: \"watchdog\" is not an absolute path (e.g. /dev/watchdog)"});
  // mcast with loop 1 echoes them; ucast, serial and mcast without loop do not.
  const std::string nodes = "node a b\nauto_failback on\n";
  EXPECT_EQ(errors(parse("mcast eth0 239.0.0.1 694 1 1\n" + nodes + "watchdog /dev/wd\n")),
            Lines{});
  EXPECT_EQ(errors(parse("ucast eth0 192.0.2.2\nserial /dev/ttyS0\nmcast eth0 239.0.0.1 694 1 0\n" +
                         nodes + "watchdog /dev/wd\n")),
            Lines{"ha.cf:6: watchdog: it is fed when this node hears its own heartbeats come back, "
                  "which needs a bcast line or an mcast line with loop 1 (ucast and serial do not "
                  "echo them)"});
}

TEST(HaCf, StonithLinesAreFenceDevicesInFileOrder) {
  auto r = parse(base +
                 "stonith baytech /etc/ha.d/conf/stonith.baytech\n"
                 "stonith_host ha1 external/ipmi ha2 198.51.100.202 admin  secret lanplus\n"
                 "stonith_host * meatware ha1,ha2\n");
  EXPECT_EQ(errors(r), Lines{});
  EXPECT_EQ(warnings(r), Lines{});
  const auto& d = r.ha_cf.stonith_devices;
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].from, "*");
  EXPECT_EQ(d[0].type, "baytech");
  EXPECT_EQ(d[0].config_file, "/etc/ha.d/conf/stonith.baytech");
  EXPECT_EQ(d[0].origin.line, 4);
  EXPECT_EQ(d[1].from, "ha1");
  EXPECT_EQ(d[1].type, "external/ipmi");
  EXPECT_EQ(d[1].params, "ha2 198.51.100.202 admin secret lanplus");
  EXPECT_EQ(d[2].params, "ha1,ha2");  // the plugin's own syntax: commas kept
  EXPECT_EQ(errors(parse(base + "stonith baytech\n")),
            Lines{"ha.cf:4: stonith: expected \"stonith TYPE CONFIGFILE\""});
  EXPECT_EQ(errors(parse(base + "stonith_host *\n")),
            Lines{"ha.cf:4: stonith_host: expected \"stonith_host FROM TYPE PARAMETERS...\""});
}

// Directives a heartbeat 2.x/3.0 ha.cf may carry that hb has no use for: the file loads
// unchanged, each line with a warning that names it.
TEST(HaCf, LaterHeartbeatDirectivesAreAcceptedWithAWarning) {
  auto r = parse(base +
                 "use_apphbd yes\nsyslogmsgfmt false\ncoreroot /var/lib/heartbeat/cores\n"
                 "record_config_changes off\nrecord_pengine_inputs off\n"
                 "enable_config_writes on\nnormalpoll on\n");
  EXPECT_EQ(errors(r), Lines{});
  EXPECT_EQ(r.ha_cf.ignored,
            (Lines{"use_apphbd", "syslogmsgfmt", "coreroot", "record_config_changes",
                   "record_pengine_inputs", "enable_config_writes", "normalpoll"}));
  EXPECT_EQ(warnings(r),
            (Lines{"ha.cf:4: warning: use_apphbd ignored (hb does not register with apphbd; the "
                   "systemd units' WatchdogSec= supervises hb)",
                   "ha.cf:5: warning: syslogmsgfmt ignored (hb writes logfile and debugfile "
                   "lines in heartbeat's own ha-log format)",
                   "ha.cf:6: warning: coreroot ignored (systemd-coredump handles core dumps)",
                   "ha.cf:7: warning: record_config_changes ignored (it is for the CRM's CIB; hb "
                   "runs heartbeat's classic haresources mode)",
                   "ha.cf:8: warning: record_pengine_inputs ignored (it is for the CRM's policy "
                   "engine; hb runs heartbeat's classic haresources mode)",
                   "ha.cf:9: warning: enable_config_writes ignored (it is for the CRM's CIB; hb "
                   "runs heartbeat's classic haresources mode)",
                   "ha.cf:10: warning: normalpoll ignored (hb always uses the system's poll(2))"}));
}

TEST(HaCf, CrmOffIsAcceptedAnythingElseIsNot) {
  EXPECT_EQ(errors(parse(base + "crm off\n")), Lines{});
  EXPECT_EQ(errors(parse(base + "pacemaker no\n")), Lines{});
  EXPECT_EQ(errors(parse(base + "crm respawn\n")),
            Lines{"ha.cf:4: crm respawn: not supported: hb runs only heartbeat's classic "
                  "haresources mode (crm off); a CRM cluster needs Pacemaker"});
  EXPECT_EQ(errors(parse(base + "pacemaker on\n")),
            Lines{"ha.cf:4: pacemaker on: not supported: hb runs only heartbeat's classic "
                  "haresources mode (pacemaker off); a CRM cluster needs Pacemaker"});
}

struct ErrorCase {
  std::string name;
  std::string text;
  std::string local;
  Lines expected;
};

class HaCfErrors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(HaCfErrors, NameFileLineAndWhy) {
  const auto& c = GetParam();
  EXPECT_EQ(errors(parse(c.text, c.local)), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    EveryError, HaCfErrors,
    ::testing::Values(
        ErrorCase{"unknown_directive",
                  base + "keepalvie 2\n",
                  "a",
                  {"ha.cf:4: unknown directive \"keepalvie\" (heartbeat: Illegal directive)"}},
        ErrorCase{"directive_names_are_case_sensitive",
                  base + "KeepAlive 2\n",
                  "a",
                  {"ha.cf:4: unknown directive \"KeepAlive\" (heartbeat: Illegal directive)"}},
        ErrorCase{
            "missing_value", base + "keepalive\n", "a", {"ha.cf:4: keepalive: missing value"}},
        ErrorCase{"bad_time",
                  base + "keepalive 2s\n",
                  "a",
                  {"ha.cf:4: keepalive: invalid time \"2s\" (seconds such as 2 or 1.5, or a "
                   "number followed by ms or us)"}},
        ErrorCase{"deadtime_too_small",
                  base + "keepalive 2\ndeadtime 4\n",
                  "a",
                  {"ha.cf:5: deadtime (4 s) must be more than twice keepalive (2 s)"}},
        ErrorCase{"initdead_below_deadtime",
                  base + "deadtime 60\ninitdead 30\n",
                  "a",
                  {"ha.cf:5: initdead (30 s) must not be less than deadtime (60 s)"}},
        ErrorCase{"deadping_too_small",
                  base + "keepalive 2\ndeadping 3\n",
                  "a",
                  {"ha.cf:5: deadping (3 s) must be more than twice keepalive (2 s)"}},
        ErrorCase{"local_node_not_listed",
                  base,
                  "c",
                  {"ha.cf:2: this node \"c\" is not listed in any node line (heartbeat: "
                   "Current node not in configuration); add \"node c\" or give the node's name "
                   "with --node"}},
        ErrorCase{"no_medium",
                  "node a\nauto_failback on\n",
                  "a",
                  {"ha.cf:2: no heartbeat medium: add a serial, bcast, mcast or ucast line "
                   "(heartbeat: No heartbeat media defined)"}},
        ErrorCase{"no_node",
                  "bcast eth0\nauto_failback on\n",
                  "a",
                  {"ha.cf:2: no node: list every cluster node with \"node NAME\" (its uname "
                   "-n)"}},
        ErrorCase{"bad_baud",
                  base + "baud 12345\n",
                  "a",
                  {"ha.cf:4: baud: unsupported serial speed \"12345\" (9600, 19200, 38400, "
                   "57600, 115200, 230400 or 460800)"}},
        ErrorCase{"bad_udpport",
                  base + "udpport 70000\n",
                  "a",
                  {"ha.cf:4: udpport: invalid value \"70000\" (a number from 1 to 65535)"}},
        ErrorCase{"bad_bool",
                  base + "use_logd perhaps\n",
                  "a",
                  {"ha.cf:4: use_logd: invalid value \"perhaps\" (on/off, yes/no, true/false, "
                   "1/0)"}},
        ErrorCase{"bad_auto_failback",
                  "bcast eth0\nnode a\nauto_failback sometimes\n",
                  "a",
                  {"ha.cf:3: auto_failback: invalid value \"sometimes\" (on, off or legacy)"}},
        ErrorCase{"mcast_fields",
                  base + "mcast eth0 239.0.0.1 694\n",
                  "a",
                  {"ha.cf:4: mcast: expected \"mcast interface group port ttl loop\""}},
        ErrorCase{"mcast_ttl",
                  base + "mcast eth0 239.0.0.1 694 0 0\n",
                  "a",
                  {"ha.cf:4: mcast: invalid ttl \"0\" (1 to 255)"}},
        ErrorCase{"ucast_peer",
                  base + "ucast eth0\n",
                  "a",
                  {"ha.cf:4: ucast: expected \"ucast interface peer-address\""}},
        ErrorCase{"bad_facility",
                  base + "logfacility local9\n",
                  "a",
                  {"ha.cf:4: logfacility: unknown syslog facility \"local9\" (e.g. daemon, "
                   "local0 ... local7, or none)"}},
        ErrorCase{"bad_respawn",
                  base + "respawn hacluster\n",
                  "a",
                  {"ha.cf:4: respawn: expected \"respawn user program [arguments...]\""}},
        ErrorCase{"every_error_reported",
                  base + "foo 1\nbar 2\n",
                  "a",
                  {"ha.cf:4: unknown directive \"foo\" (heartbeat: Illegal directive)",
                   "ha.cf:5: unknown directive \"bar\" (heartbeat: Illegal directive)"}}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return info.param.name; });

TEST(HaCf, LocalNodeMatchesCaseInsensitively) {
  EXPECT_EQ(errors(parse(base, "A")), Lines{});
}

TEST(HaCf, ShortInitdeadIsAWarning) {
  auto r = parse(base + "keepalive 1\ndeadtime 3\ninitdead 5\n");
  EXPECT_EQ(errors(r), Lines{});
  EXPECT_EQ(warnings(r), Lines{"ha.cf:6: warning: initdead (5 s) is under 10 s: a node may "
                               "declare its peer dead while the peer boots"});
}

}  // namespace
}  // namespace hb::config
