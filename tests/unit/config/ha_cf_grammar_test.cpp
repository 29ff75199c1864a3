// The ha.cf grammar table itself: every row is reachable, documents a default the parser really
// has, and each directive hb only accepts warns exactly once, naming file:line.
#include "core/config/ha_cf_grammar.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/config/ha_cf.hpp"
#include "core/config/json.hpp"

namespace hb::config {
namespace {

using Lines = std::vector<std::string>;

// Valid and silent: no auto_failback line (so auto_failback's default can be written too), its
// one warning is on line 0.
const std::string quiet_base = "bcast eth0\nnode a b\n";
// Valid and silent, 3 lines, for the warning tests.
const std::string base = "bcast eth0\nnode a b\nauto_failback on\n";

HaCfResult parse(const std::string& text) {
  return parse_ha_cf(text, "ha.cf", "a");
}

Lines messages(const HaCfResult& r, Diagnostic::Severity s) {
  Lines out;
  for (const auto& d : r.diagnostics) {
    if (d.severity == s) out.push_back(d.str());
  }
  return out;
}

// Everything the parse produced except where each directive was written and the ignored list
// (the values hbctl config check prints, and baud, which it prints per medium).
nlohmann::json values_of(const HaCfResult& r) {
  Config c;
  c.ha_cf = r.ha_cf;
  auto j = to_json(c);
  j.erase("ignored");
  j["baud"] = r.ha_cf.baud;
  return j;
}

TEST(HaCfGrammar, NamesAreUniqueAndEachIsFound) {
  std::set<std::string_view> seen;
  for (const auto& d : ha_cf_grammar()) {
    EXPECT_TRUE(seen.insert(d.name).second) << d.name;
    EXPECT_EQ(find_ha_cf_directive(d.name), &d) << d.name;
  }
  EXPECT_EQ(find_ha_cf_directive("keepalvie"), nullptr);
  EXPECT_EQ(find_ha_cf_directive("KeepAlive"), nullptr);
  EXPECT_EQ(find_ha_cf_directive(""), nullptr);
}

TEST(HaCfGrammar, EveryRowIsWellFormed) {
  for (const auto& d : ha_cf_grammar()) {
    SCOPED_TRACE(std::string(d.name));
    if (d.support == Support::warned) {
      EXPECT_EQ(d.parse, nullptr);
      EXPECT_FALSE(d.note.empty());
    } else {
      EXPECT_NE(d.parse, nullptr);
    }
  }
}

// Each directive of the table is known to the parser: written without a value it is "missing
// value", never "unknown directive".
TEST(HaCfGrammar, EveryDirectiveIsKnownToTheParser) {
  for (const auto& d : ha_cf_grammar()) {
    const std::string name(d.name);
    EXPECT_EQ(messages(parse(base + name + "\n"), Diagnostic::Severity::error),
              Lines{"ha.cf:4: " + name + ": missing value"});
  }
}

// Writing a directive's documented default changes nothing: the default in the table is the
// one the parser starts from.
TEST(HaCfGrammar, EveryDirectiveParsesItsDocumentedDefault) {
  const auto expected = values_of(parse(quiet_base));
  int checked = 0;
  for (const auto& d : ha_cf_grammar()) {
    if (d.default_value.empty()) continue;
    const std::string line = std::string(d.name) + " " + std::string(d.default_value);
    SCOPED_TRACE(line);
    auto r = parse(quiet_base + line + "\n");
    EXPECT_EQ(messages(r, Diagnostic::Severity::error), Lines{});
    EXPECT_EQ(values_of(r), expected);
    if (d.support == Support::warned) {
      EXPECT_EQ(r.ha_cf.ignored, Lines{std::string(d.name)});
    }
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

TEST(HaCfGrammar, EachWarnedDirectiveWarnsExactlyOnceWithFileAndLine) {
  int checked = 0;
  for (const auto& d : ha_cf_grammar()) {
    if (d.support != Support::warned) continue;
    const std::string name(d.name);
    const std::string value = d.default_value.empty() ? "x" : std::string(d.default_value);
    SCOPED_TRACE(name);
    auto r = parse(base + name + " " + value + "\n");
    EXPECT_EQ(messages(r, Diagnostic::Severity::error), Lines{});
    EXPECT_EQ(messages(r, Diagnostic::Severity::warning),
              Lines{"ha.cf:4: warning: " + name + " ignored (" + std::string(d.note) + ")"});
    EXPECT_EQ(r.ha_cf.ignored, Lines{name});
    ++checked;
  }
  EXPECT_EQ(checked, 23);  // watchdog is implemented since hb-linkd feeds it
}

TEST(HaCfGrammar, ImplementedDirectivesDoNotWarnAtTheirDefault) {
  for (const auto& d : ha_cf_grammar()) {
    if (d.support != Support::implemented || d.default_value.empty()) continue;
    if (d.name == "auto_failback") continue;  // legacy warns, as in heartbeat
    const std::string line = std::string(d.name) + " " + std::string(d.default_value);
    EXPECT_EQ(messages(parse(base + line + "\n"), Diagnostic::Severity::warning), Lines{}) << line;
  }
}

TEST(HaCfGrammar, WholeLineDirectivesKeepTheirCommas) {
  auto r = parse(base + "respawn hacluster /usr/bin/prog a,b\n");
  ASSERT_EQ(r.ha_cf.respawns.size(), 1u);
  EXPECT_EQ(r.ha_cf.respawns[0].argv, (Lines{"/usr/bin/prog", "a,b"}));
  EXPECT_EQ(find_ha_cf_directive("respawn")->values, Values::whole_line);
  EXPECT_EQ(find_ha_cf_directive("node")->values, Values::split);
}

TEST(HaCfGrammar, VersionsAndSupportHaveNames) {
  EXPECT_STREQ(to_string(find_ha_cf_directive("keepalive")->since), "1.2");
  EXPECT_STREQ(to_string(find_ha_cf_directive("msgfmt")->since), "2.x");
  EXPECT_STREQ(to_string(find_ha_cf_directive("ucast6")->since), "3.0");
  EXPECT_STREQ(to_string(find_ha_cf_directive("apiauth")->support), "warned");
  EXPECT_STREQ(to_string(find_ha_cf_directive("stonith")->support), "implemented");
  EXPECT_STREQ(to_string(find_ha_cf_directive("node")->support), "implemented");
}

// The reload column as issue 17 sets it: what `hbctl reload` applies at once, what waits for
// the next hand-over, and what it refuses.
TEST(HaCfGrammar, ReloadColumnFollowsWhatEachDirectiveChanges) {
  auto reload_of = [](std::string_view name) {
    return std::string(to_string(find_ha_cf_directive(name)->reload));
  };
  for (auto name :
       {"keepalive",  "deadtime", "warntime",  "deadping",    "udpport",  "baud",   "serial",
        "bcast",      "udp",      "mcast",     "mcast6",      "ucast",    "ucast6", "ping",
        "ping_group", "logfile",  "debugfile", "logfacility", "use_logd", "debug"}) {
    EXPECT_EQ(reload_of(name), "live") << name;
  }
  for (auto name : {"node", "auto_failback", "nice_failback"}) {
    EXPECT_EQ(reload_of(name), "handover") << name;
  }
  for (auto name : {"initdead", "respawn", "watchdog", "hbgenmethod", "msgfmt"}) {
    EXPECT_EQ(reload_of(name), "restart") << name;
  }
}

// A warned directive has no effect to apply, so it keeps the column's default and `hbctl
// reload` never names it.
TEST(HaCfGrammar, WarnedDirectivesKeepTheReloadDefault) {
  for (const auto& d : ha_cf_grammar()) {
    if (d.support != Support::warned) continue;
    EXPECT_EQ(d.reload, Reload::restart) << d.name;
  }
}

}  // namespace
}  // namespace hb::config
