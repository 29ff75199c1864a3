#include "generation_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "hb_build_config.hpp"

namespace hb::linkd {
namespace {

constexpr const char* kFileName = "hb_generation";

std::string errno_text(int e) {
  return std::strerror(e);
}

// Reads the whole (small) file. A missing file is fine (first start: empty text).
bool read_file(const std::string& path, std::string& out, int& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = errno;
    return error == ENOENT;
  }
  char buf[64];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > 256) break;
  }
  error = n < 0 ? errno : 0;
  ::close(fd);
  return n >= 0;
}

bool write_all(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::string state_directory() {
  const char* env = std::getenv("STATE_DIRECTORY");
  if (env != nullptr && *env != '\0') {
    std::string s(env);
    return s.substr(0, s.find(':'));
  }
  return HB_STATEDIR;
}

GenerationResult next_generation(const std::string& dir, std::int64_t now_unix) {
  GenerationResult r;
  const std::string path = dir + "/" + kFileName;
  std::string text;
  int error = 0;
  std::uint64_t stored = 0;
  if (!read_file(path, text, error)) {
    r.problem = "cannot read " + path + ": " + errno_text(error);
  } else {
    // heartbeat writes "%*lu" padded with blanks; tolerate leading blanks and a newline.
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (!text.empty() && (errno != 0 || end == text.c_str())) {
      r.problem = path + " does not hold a number; starting over";
    } else {
      stored = v;
    }
  }
  r.generation = stored + 1;
  // An unreadable counter must never make us look older than a run peers remember: then the
  // clock is the base (heartbeat's hbgenmethod time), and it is persisted from here on.
  const std::uint64_t by_time = now_unix > 0 ? static_cast<std::uint64_t>(now_unix) : 1;
  const bool read_ok = r.problem.empty();
  if (!read_ok && by_time > r.generation) r.generation = by_time;
  {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%20llu\n", static_cast<unsigned long long>(r.generation));
    const std::string tmp = path + ".new";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0 && write_all(fd, buf) && ::fsync(fd) == 0;
    int e = errno;
    if (fd >= 0) ::close(fd);
    if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
      ok = false;
      e = errno;
    }
    if (ok) {
      int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ok = dfd >= 0 && ::fsync(dfd) == 0;
      e = errno;
      if (dfd >= 0) ::close(dfd);
    }
    if (ok) {
      r.persisted = true;
      if (!read_ok) r.problem += "; using the time as generation";
      return r;
    }
    ::unlink(tmp.c_str());
    if (!r.problem.empty()) r.problem += "; ";
    r.problem += "cannot write " + path + ": " + errno_text(e);
  }
  // Not durable: the wall clock still orders our runs for the peers (hbgenmethod time).
  if (by_time > r.generation) r.generation = by_time;
  r.problem += "; using the time as generation (" + std::to_string(r.generation) + ")";
  return r;
}

}  // namespace hb::linkd
