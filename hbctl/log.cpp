// hbctl log: hb's journal entries in heartbeat's ha-log format, on stdout or (--write-files)
// appended to ha.cf's logfile and debugfile. hb-log.service runs `hbctl log --follow
// --write-files --since-cursor-file …`: the one process that writes ha-log, off every daemon's
// path, reopening the files after logrotate.
//
// The line format and which entries are hb's are core/log/ha_log_line.hpp's; the files are
// sys/log_files.hpp's. This file reads the journal, in batches: each batch is written, then its
// last cursor saved, so that a restart starts after the last line written.
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"
#include "core/log/ha_log_line.hpp"
#include "hb_build_config.hpp"
#include "sys/config/load.hpp"
#include "sys/log_files.hpp"
#include "sys/read_file.hpp"

namespace hb::hbctl {
namespace {

// Entries read before the files are written and the cursor saved: large enough that a backlog
// goes in few writes, small enough that a stop never waits long.
constexpr int batch_entries = 1000;

void usage(std::ostream& out) {
  out << "Usage: hbctl log [--follow] [--since-cursor-file FILE] [--write-files]\n"
         "                 [--config-dir DIR] [--directory DIR]\n\n"
         "Prints hb's journal entries as heartbeat's ha-log lines:\n"
         "  hb-linkd[1234]: 2026/11/25_14:00:00 info: Link ha2:eth0 up.\n\n"
         "  --follow, -f               keep printing new entries (from the end of the journal\n"
         "                             unless --since-cursor-file says where)\n"
         "  --since-cursor-file FILE   start after the entry FILE names, and save the last\n"
         "                             entry written to FILE (replaced atomically) after each\n"
         "                             batch; a missing FILE starts at this boot's first\n"
         "                             entry when following, at the start otherwise\n"
         "  --write-files              append to ha.cf's logfile (up to info) and debugfile\n"
         "                             (every line) instead of stdout; reopened after logrotate\n"
         "  --config-dir DIR           where ha.cf is (default "
      << HB_HA_D
      << ")\n"
         "  --directory DIR, -D DIR    read the journal files in DIR (a copied\n"
         "                             /var/log/journal) instead of this machine's journal\n\n"
         "Only entries logged by root or hb's users (hacluster, hb-linkd, ...) count.\n"
         "Exit status: 0 done or stopped, 1 the journal cannot be read, 64 usage error,\n"
         "65 invalid ha.cf.\n";
}

struct Options {
  bool follow = false;
  bool write_files = false;
  std::string cursor_file;
  std::string config_dir = HB_HA_D;
  std::string directory;
};

// SIGTERM, SIGINT and SIGHUP end the loop between batches, so that the lines written and the
// cursor saved always agree.
class StopSignals {
 public:
  StopSignals() {
    sigemptyset(&set_);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set_, s);
    if (sigprocmask(SIG_BLOCK, &set_, nullptr) == 0)
      fd_ = signalfd(-1, &set_, SFD_NONBLOCK | SFD_CLOEXEC);
  }
  ~StopSignals() {
    if (fd_ >= 0) ::close(fd_);
    sigprocmask(SIG_UNBLOCK, &set_, nullptr);
  }
  int fd() const { return fd_; }
  bool received() {
    signalfd_siginfo info;
    if (fd_ >= 0 && ::read(fd_, &info, sizeof info) == sizeof info) stop_ = true;
    return stop_;
  }

 private:
  sigset_t set_;
  int fd_ = -1;
  bool stop_ = false;
};

std::string read_cursor(const std::string& path) {
  // A journal cursor is some 200 bytes; anything unreadable or larger is no cursor.
  std::string text = sys::read_file(path, 4096, sys::Symlinks::refuse).text;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// FILE.new, then rename: a reader (the next start) sees the old cursor or the new one, never
// half of one. Not fsync'd: like the log lines themselves, a power cut may lose the last
// moments; a stop or a crash of this process loses and repeats nothing.
std::string save_cursor(const std::string& path, const std::string& cursor) {
  const std::string tmp = path + ".new";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return tmp + ": " + std::strerror(errno);
  const std::string text = cursor + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int e = errno;
  ::close(fd);
  if (!written) return tmp + ": " + std::strerror(e);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return path + ": " + std::strerror(errno);
  return {};
}

std::string_view field(sd_journal* j, const char* name) {
  const void* data = nullptr;
  size_t size = 0;
  if (sd_journal_get_data(j, name, &data, &size) < 0) return {};
  std::string_view all(static_cast<const char*>(data), size);
  const std::size_t eq = all.find('=');
  return eq == std::string_view::npos ? std::string_view{} : all.substr(eq + 1);
}

// Copies: sd_journal_get_data's pointer is valid only until the next get_data.
struct Entry {
  std::string identifier, pid, priority, message;
};

Entry read_entry(sd_journal* j) {
  Entry e;
  e.identifier = field(j, "SYSLOG_IDENTIFIER");
  e.pid = field(j, "_PID");
  if (e.pid.empty()) e.pid = field(j, "SYSLOG_PID");
  e.priority = field(j, "PRIORITY");
  e.message = field(j, "MESSAGE");
  return e;
}

std::tm local_time(sd_journal* j) {
  uint64_t usec = 0;
  sd_journal_get_realtime_usec(j, &usec);
  const time_t seconds = static_cast<time_t>(usec / 1000000);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  return tm;
}

// hb's identifiers, from root and hb's users only (log::ha_log_users). _UID is journald's, not
// the sender's word.
int add_matches(sd_journal* j) {
  for (std::string_view id : log::ha_log_identifiers) {
    const std::string match = "SYSLOG_IDENTIFIER=" + std::string(id);
    if (int r = sd_journal_add_match(j, match.data(), match.size()); r < 0) return r;
  }
  std::vector<std::string> uids = {"_UID=0"};
  for (std::string_view user : log::ha_log_users) {
    struct passwd pw, *found = nullptr;
    char buf[1024];
    if (getpwnam_r(std::string(user).c_str(), &pw, buf, sizeof buf, &found) == 0 && found)
      uids.push_back("_UID=" + std::to_string(found->pw_uid));
  }
  for (const std::string& m : uids)
    if (int r = sd_journal_add_match(j, m.data(), m.size()); r < 0) return r;
  return 0;
}

// Where to start. Returns whether the journal is already on an entry still to print (a cursor
// whose own entry is gone: the next one is the first not printed), or a negative errno.
int position(sd_journal* j, const Options& o) {
  if (!o.cursor_file.empty()) {
    const std::string cursor = read_cursor(o.cursor_file);
    if (!cursor.empty()) {
      if (sd_journal_seek_cursor(j, cursor.c_str()) >= 0) {
        int r = sd_journal_next(j);
        if (r <= 0) return r;  // nothing after it yet: sd_journal_next goes on from there
        return sd_journal_test_cursor(j, cursor.c_str()) > 0 ? 0 : 1;
      }
      std::cerr << "hbctl log: " << o.cursor_file << " holds no journal cursor; starting at the "
                << (o.follow ? "end" : "start") << " of the journal\n";
    } else if (o.follow && o.directory.empty()) {
      // The service's first start (no cursor yet): the daemons start beside it and log before
      // it reads, so begin with this boot's first entry of hb's, not at the end, or ha-log would
      // miss how the node came up. Every later start goes on from the saved cursor. (A copied
      // journal, --directory, is of another boot: from its end, as without a cursor file.)
      // This boot is the boot of the journal's newest entry (journald logged this service's
      // start), not sd_id128_get_boot(): in a container the sandbox's /proc/sys can show the
      // host's boot ID, which no entry of the container carries.
      sd_journal_flush_matches(j);
      int r = sd_journal_seek_tail(j);
      if (r >= 0) r = sd_journal_previous(j);
      sd_id128_t boot{};
      std::uint64_t usec = 0;
      const bool known = r > 0 && sd_journal_get_monotonic_usec(j, &usec, &boot) >= 0;
      if (r = add_matches(j); r < 0) return r;
      if (known) {
        char id[SD_ID128_STRING_MAX];
        const std::string match = std::string("_BOOT_ID=") + sd_id128_to_string(boot, id);
        if (r = sd_journal_add_match(j, match.data(), match.size()); r < 0) return r;
      }
      return sd_journal_seek_head(j);
    }
  }
  if (!o.follow) return sd_journal_seek_head(j);
  // On the last entry, already shown: the next one is the first new entry.
  int r = sd_journal_seek_tail(j);
  if (r >= 0) r = sd_journal_previous(j);
  // No entry of hb's at all: every one to come is new (sd_journal_next from the tail would
  // skip the first of them).
  if (r == 0) r = sd_journal_seek_head(j);
  return r < 0 ? r : 0;
}

// Waits for the journal to change or a stop signal. False on a stop.
bool wait_for_entries(sd_journal* j, StopSignals& stop) {
  pollfd fds[2] = {{sd_journal_get_fd(j), static_cast<short>(sd_journal_get_events(j)), 0},
                   {stop.fd(), POLLIN, 0}};
  int timeout_ms = -1;
  uint64_t until = 0;
  if (sd_journal_get_timeout(j, &until) >= 0 && until != UINT64_MAX) {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    const uint64_t now_us =
        static_cast<uint64_t>(now.tv_sec) * 1000000 + static_cast<uint64_t>(now.tv_nsec) / 1000;
    timeout_ms = until > now_us ? static_cast<int>((until - now_us + 999) / 1000) : 0;
  }
  if (::poll(fds, 2, timeout_ms) < 0 && errno != EINTR) return false;
  if (stop.received()) return false;
  sd_journal_process(j);
  return true;
}

// Said when it starts failing and when it works again, not at every batch: what is said here
// goes to the journal as hbctl's, and comes back as one more batch.
class Trouble {
 public:
  explicit Trouble(const char* what) : what_(what) {}
  void report(const std::string& error) {
    if (!error.empty() && !failing_)
      std::cerr << "hbctl log: cannot " << what_ << ": " << error
                << " (the journal keeps every entry)\n";
    else if (error.empty() && failing_)
      std::cerr << "hbctl log: can " << what_ << " again\n";
    failing_ = !error.empty();
  }

 private:
  const char* what_;
  bool failing_ = false;
};

int run(const Options& o, std::optional<log::LogFiles>& files) {
  StopSignals stop;
  sd_journal* j = nullptr;
  int r = o.directory.empty() ? sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY)
                              : sd_journal_open_directory(&j, o.directory.c_str(), 0);
  if (r < 0) {
    std::cerr << "hbctl log: cannot open the journal: " << std::strerror(-r) << "\n";
    return exit_error;
  }
  if (o.follow) sd_journal_get_fd(j);  // watches the journal from here on
  r = add_matches(j);
  int pending = r < 0 ? r : position(j, o);
  if (pending < 0) {
    std::cerr << "hbctl log: cannot read the journal: " << std::strerror(-pending) << "\n";
    sd_journal_close(j);
    return exit_error;
  }
  Trouble file_trouble("write the log files"), cursor_trouble("save the journal cursor");
  // Following with no cursor saved yet: save where it starts (when on an entry), so that a
  // restart before the first new entry loses none of those logged in between.
  if (o.follow && !o.cursor_file.empty() && read_cursor(o.cursor_file).empty()) {
    char* cursor = nullptr;
    if (sd_journal_get_cursor(j, &cursor) >= 0)
      cursor_trouble.report(save_cursor(o.cursor_file, cursor));
    free(cursor);
  }

  int rc = exit_ok;
  while (!stop.received()) {
    std::string out;
    int entries = 0;
    for (; entries < batch_entries; ++entries) {
      if (pending > 0) {
        pending = 0;
      } else if ((r = sd_journal_next(j)) <= 0) {
        break;
      }
      const Entry e = read_entry(j);
      const std::string lines =
          log::ha_log_lines({e.identifier, e.pid, e.priority, e.message, local_time(j)});
      if (files)
        files->add(log::parse_priority(e.priority), lines);
      else
        out += lines;
    }
    if (r < 0) {
      std::cerr << "hbctl log: cannot read the journal: " << std::strerror(-r) << "\n";
      rc = exit_error;
      break;
    }
    if (entries > 0) {
      if (files) {
        file_trouble.report(files->write_batch());
      } else if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size() ||
                 std::fflush(stdout) != 0) {
        rc = exit_error;  // stdout takes no more (a full disk): nothing more to do
        break;
      }
      if (!o.cursor_file.empty()) {
        char* cursor = nullptr;
        if (sd_journal_get_cursor(j, &cursor) >= 0)
          cursor_trouble.report(save_cursor(o.cursor_file, cursor));
        free(cursor);
      }
      continue;  // more may be waiting
    }
    if (!o.follow || !wait_for_entries(j, stop)) break;
  }
  sd_journal_close(j);
  return rc;
}

}  // namespace

int log(const std::vector<std::string>& args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      usage(std::cout);
      return exit_ok;
    }
    if (a == "--follow" || a == "-f") {
      o.follow = true;
      continue;
    }
    if (a == "--write-files") {
      o.write_files = true;
      continue;
    }
    std::string* target = nullptr;
    std::string flag = a.substr(0, a.find('='));
    if (flag == "--since-cursor-file") target = &o.cursor_file;
    if (flag == "--config-dir") target = &o.config_dir;
    if (flag == "--directory" || flag == "-D") target = &o.directory;
    if (!target) {
      std::cerr << "hbctl log: unknown argument \"" << a << "\"\n";
      usage(std::cerr);
      return exit_usage;
    }
    if (flag.size() < a.size())
      *target = a.substr(flag.size() + 1);
    else
      *target = i + 1 < args.size() ? args[++i] : "";
    if (target->empty()) {
      std::cerr << "hbctl log: " << flag << " needs a value\n";
      return exit_usage;
    }
  }

  std::optional<log::LogFiles> files;
  if (o.write_files) {
    config::LoadOptions load;
    load.dir = o.config_dir;
    load.read_haresources = false;
    auto result = config::load(load);
    if (!result.ok()) {
      for (const auto& d : result.diagnostics)
        if (d.severity == config::Diagnostic::Severity::error) std::cerr << d.str() << "\n";
      return exit_bad_config;
    }
    files.emplace(result.config.ha_cf.logfile, result.config.ha_cf.debugfile);
    if (files->empty()) {
      std::cout << "ha.cf names no logfile or debugfile: nothing to write\n";
      return exit_ok;
    }
  }
  return run(o, files);
}

}  // namespace hb::hbctl
