// Logging for every hb process: structured journald entries (sd_journal_sendv) with hb's own
// fields, and plain stderr lines where stderr is not the journal (dev/CI hosts, a terminal).
// ha.cf's logfile/debugfile are not written here: hb-log.service (`hbctl log --write-files`)
// writes them from the journal, the one process that does (sys/log_files.hpp).
//
//   hb::log::warning(hb::log::msgid::node_late, "late heartbeat from {HB_NODE}",
//                    {{"HB_NODE", node}, {"HB_LATE_MS", std::to_string(ms)}});
//
// `{NAME}` in the message is replaced by that field's value. Thread-safe.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/config/config.hpp"
#include "core/log/message_ids.hpp"

namespace hb::log {

// syslog(3) priorities, in their order (PRIORITY= is the number).
enum class Level { emerg, alert, crit, err, warning, notice, info, debug };
// LogControl1's LogTarget values hb supports: auto = the journal when stderr is connected to it,
// else stderr.
enum class Target { automatic, journal, console, null };

struct Field {
  std::string_view name;  // uppercase journal field name: HB_NODE, HB_LINK, HB_GROUP, ...
  std::string value;
};
using Fields = std::initializer_list<Field>;

// SYSLOG_IDENTIFIER (the daemon's name) and the prefix of plain lines.
void init(std::string identifier);
// ha.cf's logfacility (SYSLOG_FACILITY=, "none" leaves it out) and `debug` (> 0 lowers the
// level to debug). Its logfile and debugfile are hbctl log's (see above).
void configure(const config::HaCf& ha_cf);

void set_level(Level level);
Level level();
void set_target(Target target);
Target target();
const std::string& identifier();

std::optional<Level> parse_level(std::string_view name);
const char* level_name(Level level);
std::optional<Target> parse_target(std::string_view name);
const char* target_name(Target target);
// "local0" -> 16; nullopt for "none" or an unknown name.
std::optional<int> facility_number(std::string_view name);

// message_id: a catalogued MESSAGE_ID (32 hex digits, see msgid below) or empty.
void write(Level level, std::string_view message_id, std::string_view message, Fields fields = {});
inline void error(std::string_view id, std::string_view m, Fields f = {}) {
  write(Level::err, id, m, f);
}
inline void warning(std::string_view id, std::string_view m, Fields f = {}) {
  write(Level::warning, id, m, f);
}
inline void notice(std::string_view id, std::string_view m, Fields f = {}) {
  write(Level::notice, id, m, f);
}
inline void info(std::string_view id, std::string_view m, Fields f = {}) {
  write(Level::info, id, m, f);
}
inline void debug(std::string_view id, std::string_view m, Fields f = {}) {
  write(Level::debug, id, m, f);
}

// MESSAGE_IDs: log::msgid, all of them in core/log/message_ids.hpp.

}  // namespace hb::log
