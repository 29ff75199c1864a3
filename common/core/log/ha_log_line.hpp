// heartbeat's ha-log format for hb's journal entries, as `hbctl log` prints and writes them:
//
//   hb-linkd[1234]: 2026/11/25_14:00:00 info: Link ha2:eth0 up.
//
// Pure: the caller reads the journal and turns the entry's realtime timestamp into local time.
#pragma once

#include <ctime>
#include <string>
#include <string_view>

namespace hb::log {

// The SYSLOG_IDENTIFIERs of hb's processes: the daemons, hbctl, the units' helpers, and
// hb-ipaddr (heartbeat's ha-log had its resource scripts' lines too). The only list of them.
inline constexpr std::string_view ha_log_identifiers[] = {
    "hb-linkd", "hb-membershipd", "hb-resourced",  "ipfaild",   "hb-statusd",
    "hbctl",    "hb-unit-failed", "hb-wait-ready", "hb-ipaddr",
};
bool is_ha_log_identifier(std::string_view identifier);
// The users hb's processes run as besides root (units/sysusers.d/hb.conf; a unit test keeps the
// two the same). Only their entries count as hb's: any local user can log under any
// SYSLOG_IDENTIFIER (logger -t hb-linkd), and must not put lines in root's ha-log.
inline constexpr std::string_view ha_log_users[] = {"hacluster", "hb-linkd", "hb-membershipd",
                                                    "hb-statusd"};

// syslog priorities as the journal's PRIORITY= holds them.
inline constexpr int priority_info = 6;
// heartbeat's rule: ha.cf's logfile gets the lines up to info, its debugfile every line.
inline bool for_logfile(int priority) {
  return priority <= priority_info;
}

// PRIORITY= as a number; info when it is missing or not a priority (0-7).
int parse_priority(std::string_view field);
// heartbeat's word for a priority: ERROR (emerg to err), WARN, info (notice, info), debug.
const char* ha_log_level(int priority);

// One journal entry's fields as read (sd_journal_get_data values without the "NAME=").
struct JournalEntry {
  std::string_view identifier;  // SYSLOG_IDENTIFIER
  std::string_view pid;         // _PID (the sender, as journald saw it); empty: none known
  std::string_view priority;    // PRIORITY
  std::string_view message;     // MESSAGE
  std::tm local_time{};         // the entry's realtime timestamp in local time
};

// The entry as ha-log lines, each ending in '\n': "IDENT[PID]: YYYY/MM/DD_HH:MM:SS LEVEL: TEXT"
// ("IDENT: …" without a PID). A message of several lines (a script's output) becomes as many
// ha-log lines, each with the whole prefix, so that every line of ha-log has heartbeat's shape
// and a grep for a date or a level finds all of it; trailing newlines are dropped. Empty when
// the entry is not one of hb's (its identifier is not in ha_log_identifiers).
std::string ha_log_lines(const JournalEntry& entry);

}  // namespace hb::log
