#include "core/log/ha_log_line.hpp"

#include <charconv>

namespace hb::log {

bool is_ha_log_identifier(std::string_view identifier) {
  for (std::string_view id : ha_log_identifiers)
    if (id == identifier) return true;
  return false;
}

int parse_priority(std::string_view field) {
  int value = 0;
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (ec != std::errc{} || end != field.data() + field.size() || value < 0 || value > 7)
    return priority_info;
  return value;
}

const char* ha_log_level(int priority) {
  if (priority <= 3) return "ERROR";
  if (priority == 4) return "WARN";
  if (priority >= 7) return "debug";
  return "info";
}

std::string ha_log_lines(const JournalEntry& entry) {
  if (!is_ha_log_identifier(entry.identifier)) return {};
  std::string prefix(entry.identifier);
  if (!entry.pid.empty()) prefix.append("[").append(entry.pid).append("]");
  char when[32] = "";
  std::strftime(when, sizeof when, "%Y/%m/%d_%H:%M:%S", &entry.local_time);
  prefix.append(": ").append(when).append(" ");
  prefix.append(ha_log_level(parse_priority(entry.priority))).append(": ");

  std::string_view text = entry.message;
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  std::string out;
  for (;;) {
    const std::size_t end = text.find('\n');
    out.append(prefix).append(text.substr(0, end)).append("\n");
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

}  // namespace hb::log
