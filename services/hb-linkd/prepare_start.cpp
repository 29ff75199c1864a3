#include "prepare_start.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "generation_file.hpp"
#include "sys/config/load.hpp"
#include "sys/credentials.hpp"
#include "sys/log.hpp"
#include "sys/read_file.hpp"

namespace hb::linkd {
namespace {

// A character device of the kernel's watchdog class (/dev/watchdogN), or the legacy misc node
// (/dev/watchdog, 10:130).
bool is_watchdog_device(dev_t rdev) {
  if (::major(rdev) == 10 && ::minor(rdev) == 130) return true;
  std::error_code ec;
  const auto subsystem =
      std::filesystem::read_symlink("/sys/dev/char/" + std::to_string(::major(rdev)) + ":" +
                                        std::to_string(::minor(rdev)) + "/subsystem",
                                    ec);
  return !ec && subsystem.filename() == "watchdog";
}

// ha.cf's `watchdog` device is root's (mode 600) and hb-linkd is not root: its group may write
// it. Anything else (no such line, a test FIFO, a missing device, a bad ha.cf) is left for the
// daemon to report.
void grant_watchdog(const std::string& config_dir) {
  config::LoadOptions options;
  options.dir = config_dir;
  options.read_haresources = false;
  const std::string path = config::load(options).config.ha_cf.watchdog;
  struct stat st {};
  if (path.empty() || ::stat(path.c_str(), &st) != 0 || !S_ISCHR(st.st_mode)) return;
  if (!is_watchdog_device(st.st_rdev)) {
    log::warning(log::msgid::watchdog_not_opened,
                 "ha.cf's watchdog " + path +
                     " is not a watchdog device: its access is left as "
                     "it is");
    return;
  }
  const group* g = ::getgrnam("hb-linkd");
  if (g == nullptr) return;
  if ((st.st_gid == g->gr_gid && (st.st_mode & 0060) == 0060)) return;
  if (::chown(path.c_str(), static_cast<uid_t>(-1), g->gr_gid) != 0 ||
      ::chmod(path.c_str(), (st.st_mode & 07777) | 0060) != 0) {
    log::warning(
        log::msgid::watchdog_not_opened,
        "cannot give group hb-linkd access to the watchdog " + path + ": " + std::strerror(errno));
    return;
  }
  log::info(log::msgid::watchdog_armed,
            "gave group hb-linkd read and write access to the watchdog " + path);
}

}  // namespace

int prepare_start(const std::string& config_dir, const std::string& old_state_dir) {
  const std::string original = config_dir + "/authkeys";
  const std::string copy = sys::credential_path("authkeys");
  if (!copy.empty()) {
    const auto a = sys::read_file(original, config::max_config_file_size);
    // systemd's own file, never a link
    const auto b = sys::read_file(copy, config::max_config_file_size, sys::Symlinks::refuse);
    if (!a.ok() || !b.ok() || a.text != b.text) {
      log::error(log::msgid::linkd_start_refused,
                 "the copy of " + original +
                     " that systemd made for hb-linkd differs from it (changed during the "
                     "start?): not starting; the next attempt copies it again");
      return 1;
    }
  }

  const char* state = std::getenv("STATE_DIRECTORY");
  if (state != nullptr && *state != '\0') {
    const std::string to = state_directory();
    if (to != old_state_dir) {
      const Migration m = migrate_state(old_state_dir, to);
      if (!m.problem.empty()) {
        // Starting without them would take the generation from the clock and forget the peers'
        // runs: refuse, and say what to fix.
        log::error(log::msgid::linkd_start_refused, "cannot move hb-linkd's state from " +
                                                        old_state_dir + " to " + to + ": " +
                                                        m.problem + "; not starting");
        return 1;
      }
      for (const auto& name : m.moved)
        log::notice(log::msgid::state_moved, "moved " + old_state_dir + "/" + name + " to " + to +
                                                 " (hb-linkd runs as its own user now)");
    }
  }
  grant_watchdog(config_dir);
  return 0;
}

}  // namespace hb::linkd
