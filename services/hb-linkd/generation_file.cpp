#include "generation_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "hb_build_config.hpp"
#include "sys/read_file.hpp"

namespace hb::linkd {
namespace {

constexpr const char* kFileName = "hb_generation";
constexpr const char* kPeersFileName = "hb_peer_generations";

std::string errno_text(int e) {
  return std::strerror(e);
}

// hb_generation holds one number; hb_peer_generations a line per node.
constexpr std::size_t max_generation_size = 256;
constexpr std::size_t max_peers_size = 1 << 20;

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

// Replaces <dir>/<name> with `data` so that a crash leaves either the old or the new content:
// temporary file, fsync, rename, fsync of the directory. Returns "" or the problem.
std::string write_atomically(const std::string& dir, const std::string& name,
                             const std::string& data) {
  const std::string path = dir + "/" + name;
  const std::string tmp = path + ".new";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && write_all(fd, data) && ::fsync(fd) == 0;
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
  if (ok) return "";
  ::unlink(tmp.c_str());
  return "cannot write " + path + ": " + errno_text(e);
}

}  // namespace

GenerationMethod generation_method(const std::string& hbgenmethod) {
  return hbgenmethod == "time" ? GenerationMethod::time : GenerationMethod::file;
}

PeerGenerations load_peer_generations(const std::string& dir) {
  PeerGenerations out;
  const std::string path = dir + "/" + kPeersFileName;
  // A missing file is no problem: the first start.
  const sys::FileRead file = sys::read_file(path, max_peers_size);
  if (!file.ok() && file.error != ENOENT) {
    out.problem = "cannot read " + path + ": " + file.error_text();
    return out;
  }
  const std::string& text = file.text;
  std::size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    const std::size_t sp = line.find(' ');
    char* end = nullptr;
    errno = 0;
    const std::string number = sp == std::string::npos ? "" : line.substr(sp + 1);
    unsigned long long v = std::strtoull(number.c_str(), &end, 10);
    if (sp == 0 || sp == std::string::npos || errno != 0 || end == number.c_str() || *end != '\0') {
      if (out.problem.empty()) out.problem = path + ":" + std::to_string(line_no) + ": skipped";
      continue;
    }
    auto& g = out.generations[line.substr(0, sp)];
    g = std::max<std::uint64_t>(g, v);
  }
  return out;
}

std::string save_peer_generations(const std::string& dir,
                                  const std::map<std::string, std::uint64_t>& generations) {
  std::string text =
      "# hb-linkd: the highest generation heard from each peer (hbctl forget-generation)\n";
  for (const auto& [node, generation] : generations)
    text += node + " " + std::to_string(generation) + "\n";
  return write_atomically(dir, kPeersFileName, text);
}

namespace {

// The number in an hb_generation file; nullopt when missing or not a number.
std::optional<std::uint64_t> stored_generation(const std::string& dir, std::string& problem) {
  const std::string path = dir + "/" + kFileName;
  const sys::FileRead file = sys::read_file(path, max_generation_size);
  if (file.error == ENOENT) return std::nullopt;
  if (!file.ok()) {
    problem = "cannot read " + path + ": " + file.error_text();
    return std::nullopt;
  }
  const std::string& text = file.text;
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str()) {
    problem = path + " does not hold a number";
    return std::nullopt;
  }
  return v;
}

// Gives `name` in `dir` to the directory's owner (the daemon's user, for StateDirectory=).
std::string give_to_dir_owner(const std::string& dir, const char* name) {
  struct stat st {};
  const std::string path = dir + "/" + name;
  if (::stat(dir.c_str(), &st) != 0 || ::chown(path.c_str(), st.st_uid, st.st_gid) != 0)
    return "cannot give " + path + " to the owner of " + dir + ": " + errno_text(errno);
  return "";
}

}  // namespace

Migration migrate_state(const std::string& from, const std::string& to) {
  Migration m;
  auto failed = [&](std::string why) {
    m.problem = std::move(why) + "; " + from + " is left as it was";
    return m;
  };
  std::string problem;
  const auto old_generation = stored_generation(from, problem);
  if (!problem.empty()) return failed(problem);
  const auto new_generation = stored_generation(to, problem);
  if (!problem.empty()) return failed(problem);
  if (old_generation) {
    const std::uint64_t higher = std::max(*old_generation, new_generation.value_or(0));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%20llu\n", static_cast<unsigned long long>(higher));
    if (auto e = write_atomically(to, kFileName, buf); !e.empty()) return failed(e);
    if (auto e = give_to_dir_owner(to, kFileName); !e.empty()) return failed(e);
    m.moved.push_back(kFileName);
  }
  const std::string old_peers_path = from + "/" + kPeersFileName;
  if (::access(old_peers_path.c_str(), F_OK) == 0) {
    PeerGenerations old_peers = load_peer_generations(from);
    if (!old_peers.problem.empty()) return failed(old_peers.problem);
    PeerGenerations peers = load_peer_generations(to);
    for (const auto& [node, g] : old_peers.generations)
      peers.generations[node] = std::max(peers.generations[node], g);
    if (auto e = save_peer_generations(to, peers.generations); !e.empty()) return failed(e);
    if (auto e = give_to_dir_owner(to, kPeersFileName); !e.empty()) return failed(e);
    m.moved.push_back(kPeersFileName);
  }
  // Only now that `to` holds them durably.
  for (const auto& name : m.moved) ::unlink((from + "/" + name).c_str());
  if (int dfd = ::open(from.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return m;
}

std::string state_directory() {
  const char* env = std::getenv("STATE_DIRECTORY");
  if (env != nullptr && *env != '\0') {
    std::string s(env);
    return s.substr(0, s.find(':'));
  }
  return HB_STATEDIR;
}

GenerationResult next_generation(const std::string& dir, std::int64_t now_unix,
                                 GenerationMethod method) {
  GenerationResult r;
  const std::string path = dir + "/" + kFileName;
  const sys::FileRead file = sys::read_file(path, max_generation_size);
  const std::string& text = file.text;
  std::uint64_t stored = 0;
  bool missing = false;
  if (file.error == ENOENT) {
    missing = true;
  } else if (!file.ok()) {
    r.problem = "cannot read " + path + ": " + file.error_text();
  } else {
    // heartbeat writes "%*lu" padded with blanks; tolerate leading blanks and a newline.
    char* end = nullptr;
    errno = 0;
    unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (errno != 0 || end == text.c_str()) {
      r.problem = path + " does not hold a number; starting over";
    } else {
      stored = v;
    }
  }
  r.generation = stored + 1;
  // A missing or unreadable counter must never make us look older than a run peers remember
  // (they persist our generation and refuse anything older): then the wall clock is the base,
  // as with hbgenmethod time, and it is persisted from here on. Never backwards either way.
  const std::uint64_t by_time = now_unix > 0 ? static_cast<std::uint64_t>(now_unix) : 1;
  const bool read_ok = r.problem.empty();
  const bool use_clock = method == GenerationMethod::time || missing || !read_ok;
  if (use_clock && by_time > r.generation) r.generation = by_time;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%20llu\n", static_cast<unsigned long long>(r.generation));
  const std::string failed = write_atomically(dir, kFileName, buf);
  if (failed.empty()) {
    r.persisted = true;
    if (!read_ok) r.problem += "; using the time as generation";
    if (missing)
      r.note = "no " + path + ": generation " + std::to_string(r.generation) +
               " from the wall clock (a lost disk never restarts it at 1)";
    return r;
  }
  if (!r.problem.empty()) r.problem += "; ";
  r.problem += failed;
  // Not durable: the wall clock still orders our runs for the peers (hbgenmethod time).
  if (by_time > r.generation) r.generation = by_time;
  r.problem += "; using the time as generation (" + std::to_string(r.generation) + ")";
  return r;
}

}  // namespace hb::linkd
