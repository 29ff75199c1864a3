#include "sys/log.hpp"

#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

namespace hb::log {
namespace {

struct State {
  std::mutex mutex;
  std::string identifier = "hb";
  Level level = Level::info;
  Target target = Target::automatic;
  std::optional<int> facility;
  std::optional<bool> stderr_is_journal;  // decided once, lazily
};

State& state() {
  static State s;
  return s;
}

// systemd sets JOURNAL_STREAM=dev:ino for a service whose stderr is the journal; if stderr is
// still that stream, native entries are better than lines (fields, priority).
bool stderr_is_journal() {
  const char* e = std::getenv("JOURNAL_STREAM");
  if (!e) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(e, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) < 0) return false;
  return st.st_dev == dev && st.st_ino == ino;
}

std::string substitute(std::string_view message, Fields fields) {
  std::string out;
  out.reserve(message.size());
  for (size_t i = 0; i < message.size();) {
    if (message[i] == '{') {
      size_t end = message.find('}', i);
      if (end != std::string_view::npos) {
        std::string_view name = message.substr(i + 1, end - i - 1);
        const Field* found = nullptr;
        for (const Field& f : fields)
          if (f.name == name) found = &f;
        if (found) {
          out += found->value;
          i = end + 1;
          continue;
        }
      }
    }
    out += message[i++];
  }
  return out;
}

void send_journal(const State& s, Level level, std::string_view id, const std::string& text,
                  Fields fields) {
  std::vector<std::string> items;
  items.push_back("MESSAGE=" + text);
  items.push_back("PRIORITY=" + std::to_string(static_cast<int>(level)));
  items.push_back("SYSLOG_IDENTIFIER=" + s.identifier);
  if (s.facility) items.push_back("SYSLOG_FACILITY=" + std::to_string(*s.facility));
  if (!id.empty()) items.push_back("MESSAGE_ID=" + std::string(id));
  for (const Field& f : fields) items.push_back(std::string(f.name) + "=" + f.value);
  std::vector<iovec> iov;
  for (auto& i : items) iov.push_back(iovec{i.data(), i.size()});
  sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

}  // namespace

void init(std::string identifier) {
  std::lock_guard lock(state().mutex);
  state().identifier = std::move(identifier);
}

void configure(const config::HaCf& ha_cf) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  s.facility = facility_number(ha_cf.logfacility);
  if (ha_cf.debug > 0) s.level = Level::debug;
}

void set_level(Level level) {
  std::lock_guard lock(state().mutex);
  state().level = level;
}

Level level() {
  std::lock_guard lock(state().mutex);
  return state().level;
}

void set_target(Target target) {
  std::lock_guard lock(state().mutex);
  state().target = target;
}

Target target() {
  std::lock_guard lock(state().mutex);
  return state().target;
}

const std::string& identifier() {
  return state().identifier;
}

namespace {
constexpr const char* level_names[] = {"emerg",   "alert",  "crit", "err",
                                       "warning", "notice", "info", "debug"};
}

std::optional<Level> parse_level(std::string_view name) {
  for (int i = 0; i < 8; ++i)
    if (name == level_names[i]) return static_cast<Level>(i);
  return std::nullopt;
}

const char* level_name(Level level) {
  return level_names[static_cast<int>(level)];
}

std::optional<Target> parse_target(std::string_view name) {
  if (name == "auto") return Target::automatic;
  if (name == "journal") return Target::journal;
  if (name == "console") return Target::console;
  if (name == "null") return Target::null;
  return std::nullopt;
}

const char* target_name(Target target) {
  switch (target) {
    case Target::automatic:
      return "auto";
    case Target::journal:
      return "journal";
    case Target::console:
      return "console";
    case Target::null:
      return "null";
  }
  return "auto";
}

std::optional<int> facility_number(std::string_view name) {
  static const std::pair<const char*, int> table[] = {
      {"kern", 0},      {"user", 1},    {"mail", 2},    {"daemon", 3},  {"auth", 4},
      {"syslog", 5},    {"lpr", 6},     {"news", 7},    {"uucp", 8},    {"cron", 9},
      {"authpriv", 10}, {"ftp", 11},    {"local0", 16}, {"local1", 17}, {"local2", 18},
      {"local3", 19},   {"local4", 20}, {"local5", 21}, {"local6", 22}, {"local7", 23}};
  for (const auto& [n, v] : table)
    if (name == n) return v;
  return std::nullopt;
}

void write(Level level, std::string_view message_id, std::string_view message, Fields fields) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (level > s.level) return;
  const std::string text = substitute(message, fields);
  Target t = s.target;
  if (t == Target::automatic) {
    if (!s.stderr_is_journal) s.stderr_is_journal = stderr_is_journal();
    t = *s.stderr_is_journal ? Target::journal : Target::console;
  }
  if (t == Target::journal) {
    send_journal(s, level, message_id, text, fields);
  } else if (t == Target::console) {
    std::fprintf(stderr, "%s: %s\n", s.identifier.c_str(), text.c_str());
    std::fflush(stderr);
  }
}

}  // namespace hb::log
