// The watchdog device: /proc scan, open with timeout, feed, disarm (watchdog_device.hpp).
#include "watchdog_device.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/watchdog.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <string_view>

namespace hb::linkd {
namespace {

std::string errno_text(int e) {
  return std::strerror(e);
}

// Whether /proc/PID/fdinfo/FD says the descriptor was opened for writing.
bool opened_for_writing(const std::string& fdinfo) {
  std::ifstream in(fdinfo);
  std::string key;
  while (in >> key) {
    if (key == "flags:") {
      std::string octal;
      in >> octal;
      const long flags = std::strtol(octal.c_str(), nullptr, 8);
      return (flags & O_ACCMODE) != O_RDONLY;
    }
  }
  return false;
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

std::optional<WatchdogHolder> find_watchdog_holder(const std::string& path) {
  struct stat target {};
  if (::stat(path.c_str(), &target) != 0) return std::nullopt;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return std::nullopt;
  const std::string self = std::to_string(::getpid());
  std::optional<WatchdogHolder> found;
  while (!found) {
    const dirent* p = ::readdir(proc);
    if (p == nullptr) break;
    if (!all_digits(p->d_name) || self == p->d_name) continue;
    const std::string base = std::string("/proc/") + p->d_name;
    DIR* fds = ::opendir((base + "/fd").c_str());
    if (fds == nullptr) continue;  // gone, or not ours to see
    while (const dirent* f = ::readdir(fds)) {
      if (!all_digits(f->d_name)) continue;
      struct stat st {};
      // The same file: same device and inode (a /dev node by another name counts too).
      if (::stat((base + "/fd/" + f->d_name).c_str(), &st) != 0) continue;
      const bool same = S_ISCHR(target.st_mode)
                            ? S_ISCHR(st.st_mode) && st.st_rdev == target.st_rdev
                            : st.st_dev == target.st_dev && st.st_ino == target.st_ino;
      if (!same || !opened_for_writing(base + "/fdinfo/" + f->d_name)) continue;
      WatchdogHolder h;
      h.pid = std::atoi(p->d_name);
      std::ifstream comm(base + "/comm");
      std::getline(comm, h.command);
      found = h;
      break;
    }
    ::closedir(fds);
  }
  ::closedir(proc);
  return found;
}

WatchdogDevice::~WatchdogDevice() {
  if (fd_ >= 0) ::close(fd_);
}

WatchdogDevice::OpenResult WatchdogDevice::open(const std::string& path,
                                                std::chrono::milliseconds timeout) {
  OpenResult r;
  if (fd_ >= 0) {
    r.outcome = Outcome::opened;
    r.detail = "already open";
    return r;
  }
  // A FIFO whose reader went away answers a write with EPIPE, and SIGPIPE would end the daemon.
  std::signal(SIGPIPE, SIG_IGN);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    const int e = errno;
    r.outcome = e == EBUSY ? Outcome::busy : Outcome::failed;
    if (e == EBUSY)
      r.detail = "it is busy: another process has it open";
    else if (e == ENXIO)
      r.detail = errno_text(e) + " (no driver behind it, or a test FIFO without its reader)";
    else
      r.detail = errno_text(e);
    return r;
  }
  fd_ = fd;
  r.outcome = Outcome::opened;
  const auto ms = timeout.count();
  int seconds = static_cast<int>((ms + 999) / 1000);
  if (seconds < 1) seconds = 1;
  const int asked = seconds;
  if (::ioctl(fd_, WDIOC_SETTIMEOUT, &seconds) == 0) {
    r.detail = "timeout " + std::to_string(seconds) + " s";
    if (seconds != asked) r.detail += " (asked for " + std::to_string(asked) + " s; the driver's)";
  } else if (errno == ENOTTY || errno == EINVAL) {
    r.detail = "no timeout ioctl (" + errno_text(errno) +
               "): not a watchdog device, or one with a fixed timeout";
  } else {
    r.detail = "setting the timeout failed: " + errno_text(errno);
  }
  return r;
}

std::string WatchdogDevice::feed() {
  if (fd_ < 0) return "not open";
  const char byte = '\0';
  if (::write(fd_, &byte, 1) == 1) return {};
  return errno_text(errno);
}

std::string WatchdogDevice::disarm() {
  if (fd_ < 0) return "not open";
  std::string problem;
  const char magic = 'V';
  if (::write(fd_, &magic, 1) != 1) problem = errno_text(errno);
  ::close(fd_);
  fd_ = -1;
  return problem;
}

}  // namespace hb::linkd
