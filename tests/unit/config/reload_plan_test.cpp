// What `hbctl reload` would change: each setting that differs with its reload column, nothing
// for a file rewritten without a change of meaning, and what a daemon refuses of it.
#include "core/config/reload_plan.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/config/authkeys.hpp"
#include "core/config/ha_cf.hpp"
#include "core/config/ha_cf_grammar.hpp"
#include "core/config/haresources.hpp"
#include "core/config/hb_conf.hpp"

namespace hb::config {
namespace {

const std::string base_ha_cf =
    "keepalive 1\ndeadtime 10\nbcast eth0\nnode ha1 ha2\nping 192.0.2.1 192.0.2.2\n"
    "auto_failback on\n";

Config config_of(const std::string& ha_cf, const std::string& haresources = "ha1 192.0.2.10\n",
                 const std::string& authkeys = "auth 1\n1 sha1 one\n",
                 const std::string& hb_conf = "") {
  Config c;
  auto cf = parse_ha_cf(ha_cf, "ha.cf", "ha1");
  EXPECT_FALSE(has_errors(cf.diagnostics)) << ha_cf;
  c.ha_cf = cf.ha_cf;
  c.groups = parse_haresources(haresources, "haresources", c.ha_cf.nodes).groups;
  c.authkeys = parse_authkeys(authkeys, "authkeys", 0600).authkeys;
  auto hc = parse_hb_conf(hb_conf, "hb.conf");
  EXPECT_FALSE(has_errors(hc.diagnostics)) << hb_conf;
  c.hb_conf = hc.hb_conf;
  return c;
}

using Changes = std::vector<ConfigChange>;

TEST(ReloadPlan, EverySettingOfBothGrammarsIsCompared) {
  for (const auto& d : ha_cf_grammar()) {
    if (d.support != Support::implemented) continue;
    EXPECT_TRUE(compares_setting(d.name)) << d.name;
  }
  for (const auto& s : hb_conf_settings()) {
    const std::string name = "[" + s.section + "] " + s.key;
    EXPECT_TRUE(compares_setting(name)) << name;
  }
}

TEST(ReloadPlan, TheSameMeaningWrittenAnotherWayChangesNothing) {
  const Config running = config_of(base_ha_cf);
  const Config next = config_of(
      "# rewritten\nnode HA1\nnode ha2\nping 192.0.2.2\nping 192.0.2.1\nbcast eth0\n"
      "deadtime 10000ms\nkeepalive 1000 ms\nauto_failback yes\n",
      "# the group\nHA1   192.0.2.10\n", "1 sha1 one\nauth 1\n", "[fencing]\nretry = 5s\n");
  EXPECT_EQ(config_changes(running, next), Changes{});
}

TEST(ReloadPlan, EachChangeCarriesItsReloadColumn) {
  const Config running = config_of(base_ha_cf);
  EXPECT_EQ(config_changes(running, config_of(base_ha_cf + "deadtime 12\nwarntime 4\n")),
            (Changes{{"deadtime", Reload::live}, {"warntime", Reload::live}}));
  // warntime, initdead and deadping derived from deadtime follow it: deadtime alone changed.
  EXPECT_EQ(config_changes(running, config_of(base_ha_cf + "deadtime 12\n")),
            (Changes{{"deadtime", Reload::live}}));
  // Written as what it was derived as: no change.
  EXPECT_EQ(config_changes(running, config_of(base_ha_cf + "initdead 20\n")), Changes{});
  EXPECT_EQ(config_changes(running, config_of(base_ha_cf + "initdead 30\n")),
            (Changes{{"initdead", Reload::restart}}));
  EXPECT_EQ(config_changes(running, config_of(base_ha_cf + "msgfmt netstring\n")),
            (Changes{{"msgfmt", Reload::restart}}));
  EXPECT_EQ(config_changes(running, config_of(base_ha_cf + "bcast eth1\n")),
            (Changes{{"bcast", Reload::live}}));
  EXPECT_EQ(config_changes(running, config_of(base_ha_cf, "ha2 192.0.2.10\n")),
            (Changes{{"haresources", Reload::handover}}));
  EXPECT_EQ(config_changes(running, config_of(base_ha_cf + "nice_failback on\n")),
            (Changes{{"auto_failback", Reload::handover}}));
  // heartbeat's rotation, step one: a new key line beside the old.
  EXPECT_EQ(config_changes(running, config_of(base_ha_cf, "ha1 192.0.2.10\n",
                                              "auth 1\n1 sha1 one\n2 sha1 two\n")),
            (Changes{{"authkeys", Reload::live}}));
  EXPECT_EQ(
      config_changes(running, config_of(base_ha_cf, "ha1 192.0.2.10\n", "auth 1\n1 sha1 one\n",
                                        "[fencing]\nretry = 2s\n"
                                        "[status]\nlisten = 127.0.0.1:80\n")),
      (Changes{{"[fencing] retry", Reload::live}, {"[status] listen", Reload::restart}}));
}

TEST(ReloadPlan, AuthkeysIsComparedOnlyWhenBothSidesReadIt) {
  Config running = config_of(base_ha_cf);
  Config next = config_of(base_ha_cf, "ha1 192.0.2.10\n", "auth 1\n1 sha1 other\n");
  next.authkeys.reset();
  EXPECT_EQ(config_changes(running, next), Changes{});
}

// A reload refuses every restart-only change, and every change one of its users cannot follow
// live yet: the daemons never run on different values of one setting.
TEST(ReloadPlan, RefusesRestartChangesAndWhatADaemonCannotFollowYet) {
  EXPECT_TRUE(refusals({{"warntime", Reload::live}}).empty());
  EXPECT_TRUE(refusals({{"keepalive", Reload::live}, {"deadtime", Reload::live}}).empty());
  // hb-linkd opens and closes media live; udpport and baud reopen the media they change.
  EXPECT_TRUE(refusals({{"bcast", Reload::live},
                        {"serial", Reload::live},
                        {"udpport", Reload::live},
                        {"baud", Reload::live}})
                  .empty());
  // Ping nodes: hb-linkd's ttl, hb-membershipd's ping Nodes and ipfaild's probes all follow.
  EXPECT_TRUE(refusals({{"ping", Reload::live}, {"ping_group", Reload::live}}).empty());
  const auto refused = refusals({{"warntime", Reload::live},
                                 {"ping", Reload::live},
                                 {"node", Reload::handover},
                                 {"msgfmt", Reload::restart},
                                 {"haresources", Reload::handover},
                                 {"stonith", Reload::restart}});
  EXPECT_EQ(to_string(refused),
            "msgfmt: needs a restart of hb.target; stonith: needs a restart of hb.target");
}

// haresources, auto_failback and the node list wait until this node holds no group: pending,
// not refused, in every daemon that uses them; what waits keeps its value in force meanwhile.
TEST(ReloadPlan, HandOverChangesArePendingUntilTheNodeHoldsNothing) {
  EXPECT_TRUE(refusals({{"haresources", Reload::handover}}).empty());
  EXPECT_TRUE(refusals({{"auto_failback", Reload::handover}}).empty());
  EXPECT_TRUE(refusals({{"node", Reload::handover}}).empty());
  EXPECT_TRUE(is_pending("hb-resourced", {"haresources", Reload::handover}));
  EXPECT_TRUE(is_pending("hb-linkd", {"node", Reload::handover}));
  EXPECT_FALSE(is_pending("hb-linkd", {"haresources", Reload::handover}));
  EXPECT_FALSE(is_pending("hb-resourced", {"deadtime", Reload::live}));

  const Config before =
      config_of("keepalive 100ms\ndeadtime 1\nbcast eth0\nnode ha1 ha2\nauto_failback on\n");
  Config next =
      config_of("keepalive 200ms\ndeadtime 1\nbcast eth0\nnode ha1 ha2 ha3\nauto_failback off\n",
                "ha1 192.0.2.10 httpd\n");
  const Config kept = keep_pending_as_running(next, before, "hb-resourced");
  EXPECT_EQ(kept.ha_cf.keepalive, next.ha_cf.keepalive);  // applied
  EXPECT_EQ(kept.ha_cf.nodes, before.ha_cf.nodes);        // pending
  EXPECT_EQ(kept.ha_cf.auto_failback, before.ha_cf.auto_failback);
  EXPECT_EQ(kept.groups.size(), before.groups.size());
  EXPECT_EQ(kept.groups[0].resources.size(), before.groups[0].resources.size());
  // hb-linkd waits only for the node list.
  EXPECT_EQ(keep_pending_as_running(next, before, "hb-linkd").ha_cf.auto_failback,
            next.ha_cf.auto_failback);
}

TEST(ReloadPlan, EverySettingHasItsUsers) {
  for (const auto& d : ha_cf_grammar()) {
    // Unlisted settings fall back to every daemon; of the listed ones only the logging
    // directives every daemon reads are.
    if (d.support != Support::implemented || d.name == "crm" || d.name == "pacemaker" ||
        d.name == "respawn" || d.name == "logfacility" || d.name == "debug")
      continue;
    EXPECT_LT(users_of(d.name).size(), 5u) << d.name << " is not in the users table";
  }
  EXPECT_EQ(users_of("[status] listen"), (std::vector<std::string_view>{"hb-statusd"}));
  EXPECT_EQ(users_of("warntime"), (std::vector<std::string_view>{"hb-linkd"}));
}

}  // namespace
}  // namespace hb::config
