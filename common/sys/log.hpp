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

// MESSAGE_IDs of the messages units/catalog explains (generated with `systemd-id128 new`).
namespace msgid {
inline constexpr const char* config_error = "5c1a3e0c8e7f4b0a9d26b1f4e2a7c913";
inline constexpr const char* daemon_started = "8f3b6d2a41c94e67b05d7a1e9c3f2b84";
inline constexpr const char* daemon_stopping = "2d7e9a1b6c3f48e5a0b94d6c1e8f7a25";
inline constexpr const char* bus_lost = "b4c81f3e9a2d4c7685e1f0a3d6b92c47";
// A node unable to take over (its hb-membershipd or hb-linkd missing), able again, a peer that
// says it is unable. hb-unit-failed (units/) logs unit_gave_up from a shell.
inline constexpr const char* cannot_take_over = "9852e04a55b1494b95df9e674eca360b";
inline constexpr const char* can_take_over = "d3ebe9c607fe4346b9aa8a7da499fb39";
inline constexpr const char* peer_cannot_take_over = "a522eae01ec549e3aad2b8f47940abaf";
inline constexpr const char* unit_gave_up = "1a827b8834154084b1e569f80b4e27be";
}  // namespace msgid

}  // namespace hb::log
