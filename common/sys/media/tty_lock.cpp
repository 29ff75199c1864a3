#include "tty_lock.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace hb::linkd {

namespace {

std::error_code last_error() {
  return {errno, std::system_category()};
}

// The pid in an existing lock file, or 0 when unreadable, a symlink, or not a pid.
long read_pid(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return 0;
  char buffer[64] = {};
  const ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
  ::close(fd);
  if (n <= 0) return 0;
  char* end = nullptr;
  const long pid = std::strtol(buffer, &end, 10);
  return end == buffer ? 0 : pid;
}

bool alive(long pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

// Does process `pid` have `device` open? yes, no, or unknown (its /proc entry is hidden from
// us: another user's process under ProtectProc=invisible). A lock naming a live process that
// does not hold the device is stale or planted (/run/lock is writable by every user, and a
// lock naming pid 1 would otherwise keep the serial heartbeat off for good).
enum class Holds { yes, no, unknown };
Holds holds_device(long pid, const std::string& device) {
  char real[PATH_MAX];
  const std::string target = ::realpath(device.c_str(), real) ? std::string(real) : device;
  const std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Holds::unknown;
  Holds result = Holds::no;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    char link[PATH_MAX];
    const ssize_t n = ::readlinkat(::dirfd(d), e->d_name, link, sizeof link - 1);
    if (n <= 0) continue;
    link[n] = '\0';
    if (target == link || device == link) {
      result = Holds::yes;
      break;
    }
  }
  ::closedir(d);
  return result;
}

}  // namespace

std::string TtyLock::lock_name(const std::string& device) {
  const auto slash = device.find_last_of('/');
  return "LCK.." + (slash == std::string::npos ? device : device.substr(slash + 1));
}

std::string TtyLock::default_lock_dir() {
  struct stat st {};
  if (::stat("/run/lock", &st) == 0 && S_ISDIR(st.st_mode)) return "/run/lock";
  return "/var/lock";
}

std::error_code TtyLock::acquire(const std::string& device, const std::string& lock_dir) {
  release();
  holder_ = 0;
  const std::string dir = lock_dir.empty() ? default_lock_dir() : lock_dir;
  const std::string path = dir + "/" + lock_name(device);
  // Write the whole file under a private name, then link() it into place: the lock appears
  // atomically and complete, so a reader never sees an empty file and calls it stale. The lock
  // directory is writable by every user: the private name is random and created exclusively
  // (mkostemp: O_CREAT|O_EXCL, which never follows a planted symlink).
  char content[16];
  std::snprintf(content, sizeof content, "%10ld\n", static_cast<long>(::getpid()));
  std::string temp = dir + "/LTMP.XXXXXX";
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return last_error();
  ::fchmod(fd, 0644);
  const bool written = ::write(fd, content, 11) == 11;
  ::close(fd);
  if (!written) {
    ::unlink(temp.c_str());
    return {EIO, std::system_category()};
  }

  std::error_code result;
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (::link(temp.c_str(), path.c_str()) == 0) {
      path_ = path;
      result = {};
      break;
    }
    if (errno != EEXIST) {
      result = last_error();
      break;
    }
    const long pid = read_pid(path);
    // Ours (another lock object of this process), or a live process that has the device open
    // (or that we cannot look into): respected. A live pid that does not hold it: stale.
    if (alive(pid) &&
        (pid == static_cast<long>(::getpid()) || holds_device(pid, device) != Holds::no)) {
      holder_ = pid;
      result = {EBUSY, std::system_category()};
      break;
    }
    ::unlink(path.c_str());  // stale: its owner died without cleaning up
    result = {EBUSY, std::system_category()};
  }
  ::unlink(temp.c_str());
  return result;
}

void TtyLock::release() {
  if (path_.empty()) return;
  // Only remove a lock that is still ours (someone may have broken a lock they thought stale).
  if (read_pid(path_) == static_cast<long>(::getpid())) ::unlink(path_.c_str());
  path_.clear();
}

}  // namespace hb::linkd
