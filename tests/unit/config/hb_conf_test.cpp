// hb.conf: the parser's defaults, values and diagnostics; the loader with the file missing, valid
// and wrong; and hbctl config check showing it.
#include "core/config/hb_conf.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "core/config/watchdog.hpp"
#include "sys/config/load.hpp"
#include "temp_dir.hpp"

namespace hb::config {
namespace {

using std::chrono::milliseconds;
using Lines = std::vector<std::string>;

Lines messages(const std::vector<Diagnostic>& diagnostics) {
  Lines out;
  for (const auto& d : diagnostics) out.push_back(d.str());
  return out;
}

TEST(HbConf, AnEmptyFileIsAllDefaults) {
  auto r = parse_hb_conf("# nothing here\n\n", "hb.conf");
  EXPECT_EQ(messages(r.diagnostics), Lines{});
  const StatusSettings& s = r.hb_conf.status;
  EXPECT_EQ(s.listen, (std::vector<ListenAddress>{{"127.0.0.1", 9694}, {"::1", 9694}}));
  EXPECT_EQ(s.max_event_streams, 16);
  EXPECT_EQ(s.request_workers, 4);
  EXPECT_EQ(s.read_timeout, milliseconds(5000));
  EXPECT_EQ(s.write_timeout, milliseconds(5000));
  EXPECT_EQ(s.max_request_bytes, 8192);
  EXPECT_EQ(s.healthz_max_age, milliseconds(10000));
  EXPECT_EQ(s.refresh_interval, milliseconds(2000));
}

TEST(HbConf, ReadsEveryStatusKey) {
  auto r = parse_hb_conf(
      "[status]  # hb-statusd\n"
      "listen = 192.0.2.5:8080 [2001:db8::5]:8443\n"
      "max_event_streams=2\n"
      "request_workers = 8\n"
      "read_timeout = 1500ms\n"
      "write_timeout = 2s\n"
      "max_request_bytes = 4096\n"
      "healthz_max_age = 30 sec\n"
      "refresh_interval = 500 ms\n",
      "hb.conf");
  EXPECT_EQ(messages(r.diagnostics), Lines{});
  const StatusSettings& s = r.hb_conf.status;
  EXPECT_EQ(s.listen, (std::vector<ListenAddress>{{"192.0.2.5", 8080}, {"2001:db8::5", 8443}}));
  EXPECT_EQ(s.max_event_streams, 2);
  EXPECT_EQ(s.request_workers, 8);
  EXPECT_EQ(s.read_timeout, milliseconds(1500));
  EXPECT_EQ(s.write_timeout, milliseconds(2000));
  EXPECT_EQ(s.max_request_bytes, 4096);
  EXPECT_EQ(s.healthz_max_age, milliseconds(30000));
  EXPECT_EQ(s.refresh_interval, milliseconds(500));
  EXPECT_EQ(r.hb_conf.origins.at("status.listen").line, 2);
}

TEST(HbConf, SaysWhereAndWhatIsWrong) {
  auto r = parse_hb_conf(
      "listen = 127.0.0.1:1\n"
      "[status]\n"
      "listen = localhost:9694\n"
      "request_workers = 0\n"
      "read_timeout = soon\n"
      "colour = blue\n"
      "this line has no equals sign\n"
      "max_event_streams = 3\n"
      "max_event_streams = 4\n"
      "[fenceing]\n"
      "device = /dev/null\n"
      "[status\n",
      "/etc/ha.d/hb.conf");
  EXPECT_EQ(messages(r.diagnostics),
            (Lines{
                "/etc/ha.d/hb.conf:1: \"listen\" is not in a section (e.g. [status])",
                "/etc/ha.d/hb.conf:3: listen \"localhost:9694\" is not an address:port (e.g. "
                "127.0.0.1:9694 or [::1]:9694)",
                "/etc/ha.d/hb.conf:4: request_workers must be a whole number from 1 to 256",
                "/etc/ha.d/hb.conf:5: read_timeout is not a time (e.g. 5s, 500ms)",
                "/etc/ha.d/hb.conf:6: unknown key \"colour\" in [status]",
                "/etc/ha.d/hb.conf:7: expected key = value",
                "/etc/ha.d/hb.conf:9: max_event_streams is already set in [status] at line 8",
                "/etc/ha.d/hb.conf:10: unknown section [fenceing]",
                "/etc/ha.d/hb.conf:12: a section header is [name]",
            }));
  // Wrong values keep their defaults.
  EXPECT_EQ(r.hb_conf.status.request_workers, 4);
  EXPECT_EQ(r.hb_conf.status.listen.size(), 2u);
  EXPECT_EQ(r.hb_conf.status.max_event_streams, 3);
}

TEST(HbConf, TlsTakesBothFilesAndAdminIsOffByDefault) {
  auto none = parse_hb_conf("[status]\n", "hb.conf");
  EXPECT_TRUE(none.hb_conf.status.tls_certificate.empty());
  EXPECT_FALSE(none.hb_conf.status.admin);
  auto r = parse_hb_conf(
      "[status]\ntls_certificate = /etc/ha.d/hb-status.crt\ntls_key = /etc/ha.d/hb-status.key\n"
      "admin = yes\n",
      "hb.conf");
  EXPECT_EQ(messages(r.diagnostics), Lines{});
  EXPECT_EQ(r.hb_conf.status.tls_certificate, "/etc/ha.d/hb-status.crt");
  EXPECT_EQ(r.hb_conf.status.tls_key, "/etc/ha.d/hb-status.key");
  EXPECT_TRUE(r.hb_conf.status.admin);
  EXPECT_EQ(
      messages(
          parse_hb_conf("[status]\n\ntls_key = /k.pem\nadmin = maybe\n", "hb.conf").diagnostics),
      (Lines{"hb.conf:4: admin must be yes or no",
             "hb.conf:3: tls_key needs tls_certificate too (TLS takes both)"}));
  EXPECT_EQ(
      messages(parse_hb_conf("[status]\ntls_certificate = cert.pem\n", "hb.conf").diagnostics),
      (Lines{"hb.conf:2: tls_certificate must be an absolute path"}));
}

// hb_conf_settings() is the parser's own grammar: every setting it lists is a key the parser
// knows (an empty value is "needs a value", never "unknown key"), with its reload column.
TEST(HbConf, SettingsListTheGrammarWithWhenEachReloads) {
  const auto settings = hb_conf_settings();
  EXPECT_EQ(settings.size(), 15u);
  std::map<std::string, std::string> reload;
  for (const auto& s : settings) {
    auto r = parse_hb_conf("[" + s.section + "]\n" + s.key + " =\n", "hb.conf");
    EXPECT_EQ(messages(r.diagnostics), Lines{"hb.conf:2: " + s.key + " needs a value"});
    reload[s.section + "." + s.key] = to_string(s.reload);
  }
  EXPECT_EQ(reload.at("status.listen"), "restart");
  EXPECT_EQ(reload.at("status.refresh_interval"), "live");
  EXPECT_EQ(reload.at("fencing.race_delay"), "live");
  EXPECT_EQ(reload.at("watchdog.timeout"), "restart");
}

TEST(HbConf, FencingTimings) {
  auto r = parse_hb_conf("[fencing]\nrace_delay = 0\nretry = 2s\ntimeout = 30\n", "hb.conf");
  EXPECT_TRUE(r.diagnostics.empty()) << messages(r.diagnostics).front();
  EXPECT_EQ(r.hb_conf.fencing.race_delay, milliseconds(0));
  EXPECT_EQ(r.hb_conf.fencing.retry, milliseconds(2000));
  EXPECT_EQ(r.hb_conf.fencing.timeout, milliseconds(30000));
  EXPECT_EQ(parse_hb_conf("[fencing]\n", "hb.conf").hb_conf.fencing.race_delay, milliseconds(5000));
  EXPECT_EQ(messages(parse_hb_conf("[fencing]\ntimeout = 10ms\n", "hb.conf").diagnostics).size(),
            1u);
}

TEST(HbConf, TimesTakeHeartbeatsSyntaxAndSeconds) {
  auto r = parse_hb_conf("[status]\nread_timeout = 1.5\nwrite_timeout = 250ms\n", "hb.conf");
  EXPECT_EQ(messages(r.diagnostics), Lines{});
  EXPECT_EQ(r.hb_conf.status.read_timeout, milliseconds(1500));
  EXPECT_EQ(r.hb_conf.status.write_timeout, milliseconds(250));
  auto bad = parse_hb_conf("[status]\nread_timeout = s\nwrite_timeout = 10ms\n", "hb.conf");
  EXPECT_EQ(messages(bad.diagnostics),
            (Lines{"hb.conf:2: read_timeout is not a time (e.g. 5s, 500ms)",
                   "hb.conf:3: write_timeout must be from 100 ms to 3600 s"}));
}

TEST(HbConf, ListenAddresses) {
  EXPECT_EQ(parse_listen_address("0.0.0.0:80"), (ListenAddress{"0.0.0.0", 80}));
  EXPECT_EQ(parse_listen_address("[::]:9694"), (ListenAddress{"::", 9694}));
  for (const char* bad :
       {"127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "::1:80", "[::1]", "[::1]80",
        "[127.0.0.1]:80", "host:80", ":80", "[]:80", "1.2.3:80", "127.0.0.1:+80"})
    EXPECT_EQ(parse_listen_address(bad), std::nullopt) << bad;
  EXPECT_EQ(to_string(ListenAddress{"::1", 9694}), "[::1]:9694");
  EXPECT_EQ(to_string(ListenAddress{"127.0.0.1", 9694}), "127.0.0.1:9694");
}

TEST(HbConfLoad, MissingIsDefaultsAndABadFileIsAnError) {
  testing::TempDir dir;
  dir.copy_seed();
  auto missing = load({dir.path(), "ha1.haw2.ibm.com", false, true});
  EXPECT_TRUE(missing.ok());
  EXPECT_FALSE(missing.config.hb_conf.present);
  EXPECT_EQ(missing.config.hb_conf.status.request_workers, 4);

  dir.write("hb.conf", "[status]\nrequest_workers = 2\n");
  auto good = load({dir.path(), "ha1.haw2.ibm.com", false, true});
  EXPECT_TRUE(good.ok());
  EXPECT_TRUE(good.config.hb_conf.present);
  EXPECT_EQ(good.config.hb_conf.status.request_workers, 2);

  dir.write("hb.conf", "[status]\nrequest_workers = many\n");
  auto bad = load({dir.path(), "ha1.haw2.ibm.com", false, true});
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(messages(bad.diagnostics),
            Lines{dir.path() + "/hb.conf:2: request_workers must be a whole number from 1 to 256"});
}

TEST(HbConf, WatchdogTimeoutDefaultsToTwiceDeadtime) {
  HaCf ha_cf;
  ha_cf.deadtime = milliseconds(1000);
  ha_cf.watchdog = "/dev/watchdog";
  auto none = parse_hb_conf("", "hb.conf");
  EXPECT_FALSE(none.hb_conf.watchdog.timeout);
  EXPECT_EQ(watchdog_timeout(ha_cf, none.hb_conf), milliseconds(2000));
  auto set = parse_hb_conf("[watchdog]\ntimeout = 5s\n", "hb.conf");
  EXPECT_EQ(messages(set.diagnostics), Lines{});
  EXPECT_EQ(watchdog_timeout(ha_cf, set.hb_conf), milliseconds(5000));
  EXPECT_EQ(messages(check_watchdog(ha_cf, set.hb_conf)), Lines{});
  EXPECT_EQ(messages(parse_hb_conf("[watchdog]\ntimeout = 500ms\n", "hb.conf").diagnostics),
            Lines{"hb.conf:2: timeout must be from 1 s to 3600 s"});
}

TEST(HbConfLoad, AWatchdogTimeoutNotAboveDeadtimeIsRefusedWithItsLine) {
  testing::TempDir dir;
  dir.copy_seed();  // deadtime 60
  dir.write("ha.cf", testing::read_text(dir.path() + "/ha.cf") + "bcast eth0\nwatchdog /dev/wd\n");
  dir.write("hb.conf", "# the watchdog\n[watchdog]\ntimeout = 60\n");
  auto bad = load({dir.path(), "ha1.haw2.ibm.com", false, true});
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(messages(bad.diagnostics),
            Lines{dir.path() +
                  "/hb.conf:3: timeout (60 s) must be longer than ha.cf's deadtime (60 s): a node "
                  "its peers still see alive would be reset (default: twice deadtime)"});
  dir.write("hb.conf", "[watchdog]\ntimeout = 61\n");
  auto good = load({dir.path(), "ha1.haw2.ibm.com", false, true});
  EXPECT_TRUE(good.ok()) << messages(good.diagnostics).front();
  EXPECT_EQ(good.config.ha_cf.watchdog, "/dev/wd");
  EXPECT_EQ(watchdog_timeout(good.config.ha_cf, good.config.hb_conf), milliseconds(61000));
}

TEST(HbConf, ResourceTimeoutsHaveDefaultsAndPerWordSections) {
  auto none = parse_hb_conf("", "hb.conf");
  const ResourceSettings defaults = resource_settings(none.hb_conf, "db2::db2inst1");
  EXPECT_EQ(defaults.start_timeout, milliseconds(300000));
  EXPECT_EQ(defaults.stop_timeout, milliseconds(300000));
  EXPECT_EQ(defaults.monitor_interval, milliseconds(30000));
  EXPECT_EQ(defaults.monitor_timeout, milliseconds(60000));

  // A word's section may come before [resources]: what it leaves out comes from [resources].
  auto r = parse_hb_conf(
      "[resource db2::db2inst1]\n"
      "start_timeout = 15min\n"  // not a time: an error, the default stays
      "start_timeout = 900\n"
      "monitor_interval = 0\n"
      "[resources]\n"
      "stop_timeout = 120\n"
      "[ resource   httpd ]\n"
      "monitor_timeout = 5s\n",
      "hb.conf");
  EXPECT_EQ(messages(r.diagnostics),
            Lines{"hb.conf:2: start_timeout is not a time (e.g. 5s, 500ms)"});
  const ResourceSettings db2 = resource_settings(r.hb_conf, "db2::db2inst1");
  EXPECT_EQ(db2.start_timeout, milliseconds(900000));
  EXPECT_EQ(db2.stop_timeout, milliseconds(120000));
  EXPECT_EQ(db2.monitor_interval, milliseconds(0));
  EXPECT_EQ(db2.monitor_timeout, milliseconds(60000));
  EXPECT_EQ(resource_settings(r.hb_conf, "httpd").monitor_timeout, milliseconds(5000));
  EXPECT_EQ(resource_settings(r.hb_conf, "other").stop_timeout, milliseconds(120000));
  EXPECT_EQ(resource_settings(r.hb_conf, "other").start_timeout, milliseconds(300000));
}

TEST(HbConf, ResourceSectionErrorsSayWhere) {
  auto r = parse_hb_conf(
      "[resource]\n"
      "start_timeout = 5\n"
      "[resource x]\n"
      "start = 5\n"
      "stop_timeout = 0\n"
      "stop_timeout = 10\n"
      "stop_timeout = 20\n"
      "[resources]\n"
      "monitor_interval = 25h\n",
      "hb.conf");
  EXPECT_EQ(messages(r.diagnostics),
            (Lines{"hb.conf:1: [resource] names a haresources word, e.g. [resource db2::db2inst1]",
                   "hb.conf:4: unknown key \"start\" in [resource x]",
                   "hb.conf:5: stop_timeout must be from 1 s to 86400 s",
                   "hb.conf:7: stop_timeout is already set in [resource x] at line 6",
                   "hb.conf:9: monitor_interval is not a time (e.g. 5s, 500ms)"}));
  EXPECT_EQ(resource_settings(r.hb_conf, "x").stop_timeout, milliseconds(10000));
}

TEST(HbConf, ASectionForAWordNoGroupHasIsAWarning) {
  auto r = parse_hb_conf("\n[resource db2::db2inst2]\nstop_timeout = 60\n", "hb.conf");
  ResourceGroup g;
  Resource db2;
  db2.token = "db2::db2inst1";
  g.resources.push_back(db2);
  EXPECT_EQ(messages(check_resource_sections(r.hb_conf, {g})),
            Lines{"hb.conf:2: warning: [resource db2::db2inst2]: no haresources line has this "
                  "word; its settings apply to nothing"});
  g.resources.front().token = "db2::db2inst2";
  EXPECT_EQ(messages(check_resource_sections(r.hb_conf, {g})), Lines{});
}

struct Run {
  int exit_code;
  std::string out, err;
};

Run config_check(const std::string& dir) {
  testing::TempDir io;
  const std::string cmd = std::string(std::getenv("HBCTL")) + " config check --config-dir " + dir +
                          " --node ha1.haw2.ibm.com >" + io.path() + "/out 2>" + io.path() + "/err";
  const int status = std::system(cmd.c_str());
  return Run{WIFEXITED(status) ? WEXITSTATUS(status) : -1, testing::read_text(io.path() + "/out"),
             testing::read_text(io.path() + "/err")};
}

TEST(HbConfCheck, HbctlShowsItAndItsErrors) {
  testing::TempDir dir;
  dir.copy_seed();
  dir.write("hb.conf", "[status]\nlisten = 192.0.2.5:8080\n");
  auto ok = config_check(dir.path());
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j["hb_conf"]["present"], true);
  EXPECT_EQ(j["hb_conf"]["status"]["listen"], (nlohmann::json{"192.0.2.5:8080"}));
  EXPECT_EQ(j["hb_conf"]["status"]["read_timeout_ms"], 5000);
  EXPECT_EQ(j["watchdog"], nullptr);
  EXPECT_EQ(j["hb_conf"]["watchdog"]["timeout_ms"], 120000);  // twice the seed's deadtime
  EXPECT_EQ(j["hb_conf"]["watchdog"]["timeout_from"], "2 x deadtime");
  EXPECT_EQ(j["hb_conf"]["resources"]["start_timeout_ms"], 300000);
  EXPECT_EQ(j["hb_conf"]["resource"], nlohmann::json::object());

  dir.write("hb.conf", "[resources]\nstop_timeout = 60\n[resource httpd]\nstart_timeout = 10\n");
  auto resources = config_check(dir.path());
  ASSERT_EQ(resources.exit_code, 0) << resources.err;
  j = nlohmann::json::parse(resources.out);
  EXPECT_EQ(j["hb_conf"]["resources"]["stop_timeout_ms"], 60000);
  EXPECT_EQ(j["hb_conf"]["resource"]["httpd"]["start_timeout_ms"], 10000);
  EXPECT_EQ(j["hb_conf"]["resource"]["httpd"]["stop_timeout_ms"], 60000);

  dir.write("hb.conf", "[status]\nlisten = 192.0.2.5\n");
  auto bad = config_check(dir.path());
  EXPECT_EQ(bad.exit_code, 65);
  EXPECT_NE(bad.err.find(dir.path() + "/hb.conf:2: listen \"192.0.2.5\" is not an address:port"),
            std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace hb::config
