// hb's journal entries as heartbeat's ha-log lines (hbctl log): levels, the time stamp, messages
// of several lines, and entries that are not hb's.
#include "core/log/ha_log_line.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace hb::log {
namespace {

// A local time as localtime_r gives it (month 1-12 here).
std::tm at(int year, int mon, int mday, int hour, int min, int sec) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = mday;
  tm.tm_hour = hour;
  tm.tm_min = min;
  tm.tm_sec = sec;
  return tm;
}

JournalEntry entry(std::string_view priority, std::string_view message) {
  return {"hb-linkd", "1234", priority, message, at(2026, 11, 25, 14, 0, 0)};
}

TEST(HaLogLine, HeartbeatsShape) {
  EXPECT_EQ(ha_log_lines(entry("6", "Link ha2:eth0 up.")),
            "hb-linkd[1234]: 2026/11/25_14:00:00 info: Link ha2:eth0 up.\n");
}

TEST(HaLogLine, EachPriorityHasHeartbeatsLevelWord) {
  const char* expected[] = {"ERROR", "ERROR", "ERROR", "ERROR", "WARN", "info", "info", "debug"};
  for (int p = 0; p <= 7; ++p) {
    const std::string priority = std::to_string(p);
    EXPECT_EQ(ha_log_lines(entry(priority, "x")),
              std::string("hb-linkd[1234]: 2026/11/25_14:00:00 ") + expected[p] + ": x\n")
        << "priority " << p;
  }
}

TEST(HaLogLine, MissingOrBadPriorityIsInfo) {
  EXPECT_EQ(parse_priority(""), 6);
  EXPECT_EQ(parse_priority("8"), 6);
  EXPECT_EQ(parse_priority("-1"), 6);
  EXPECT_EQ(parse_priority("3x"), 6);
  EXPECT_EQ(parse_priority("4"), 4);
  EXPECT_NE(ha_log_lines(entry("", "x")).find(" info: x"), std::string::npos);
}

TEST(HaLogLine, OnlyInfoAndMoreUrgentGoToLogfile) {
  for (int p = 0; p <= 6; ++p) EXPECT_TRUE(for_logfile(p)) << p;
  EXPECT_FALSE(for_logfile(7));
}

TEST(HaLogLine, LocalTimeIsZeroPaddedWithSlashesAndAnUnderscore) {
  JournalEntry e = entry("5", "x");
  e.local_time = at(2004, 5, 1, 9, 5, 4);
  EXPECT_EQ(ha_log_lines(e), "hb-linkd[1234]: 2004/05/01_09:05:04 info: x\n");
  e.local_time = at(1999, 12, 31, 23, 59, 59);
  EXPECT_EQ(ha_log_lines(e), "hb-linkd[1234]: 1999/12/31_23:59:59 info: x\n");
}

// A message of several lines (a script's output) is one ha-log line per line, each with the
// whole prefix; the trailing newline a shell's echo leaves is dropped.
TEST(HaLogLine, EachLineOfAMessageIsAnHaLogLine) {
  EXPECT_EQ(ha_log_lines(entry("3", "cannot start apache2.service:\n  exit 1\n")),
            "hb-linkd[1234]: 2026/11/25_14:00:00 ERROR: cannot start apache2.service:\n"
            "hb-linkd[1234]: 2026/11/25_14:00:00 ERROR:   exit 1\n");
  EXPECT_EQ(ha_log_lines(entry("6", "a\n\nb")),
            "hb-linkd[1234]: 2026/11/25_14:00:00 info: a\n"
            "hb-linkd[1234]: 2026/11/25_14:00:00 info: \n"
            "hb-linkd[1234]: 2026/11/25_14:00:00 info: b\n");
  EXPECT_EQ(ha_log_lines(entry("6", "")), "hb-linkd[1234]: 2026/11/25_14:00:00 info: \n");
}

TEST(HaLogLine, WithoutAPidTheIdentifierStandsAlone) {
  JournalEntry e = entry("6", "x");
  e.pid = "";
  EXPECT_EQ(ha_log_lines(e), "hb-linkd: 2026/11/25_14:00:00 info: x\n");
}

TEST(HaLogLine, EveryHbProcessIsHbsAndNothingElse) {
  for (const char* id : {"hb-linkd", "hb-membershipd", "hb-resourced", "ipfaild", "hb-statusd",
                         "hbctl", "hb-unit-failed", "hb-wait-ready", "hb-ipaddr"}) {
    JournalEntry e = entry("6", "x");
    e.identifier = id;
    EXPECT_TRUE(is_ha_log_identifier(id)) << id;
    EXPECT_EQ(ha_log_lines(e), std::string(id) + "[1234]: 2026/11/25_14:00:00 info: x\n");
  }
  for (const char* id : {"sshd", "systemd", "hb", "hb-linkd ", "HB-LINKD", ""}) {
    JournalEntry e = entry("6", "x");
    e.identifier = id;
    EXPECT_FALSE(is_ha_log_identifier(id)) << id;
    EXPECT_EQ(ha_log_lines(e), "") << id;
  }
}

// The users whose entries count as hb's are exactly those units/sysusers.d/hb.conf creates: a
// daemon moved to a user of its own must not fall silent in ha-log.
TEST(HaLogLine, HbsUsersAreTheSysusersOnes) {
  const char* src = std::getenv("HB_SOURCE_DIR");
  ASSERT_NE(src, nullptr);
  std::ifstream in(std::string(src) + "/units/sysusers.d/hb.conf");
  ASSERT_TRUE(in) << "units/sysusers.d/hb.conf";
  std::set<std::string> sysusers, listed;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string type, name;
    if (words >> type >> name && type == "u") sysusers.insert(name);
  }
  for (std::string_view u : ha_log_users) listed.insert(std::string(u));
  EXPECT_EQ(listed, sysusers);
}

}  // namespace
}  // namespace hb::log
