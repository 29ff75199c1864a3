#include "prepare_start.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "generation_file.hpp"
#include "sys/credentials.hpp"
#include "sys/log.hpp"

namespace hb::linkd {
namespace {

// The whole (small) file, or nullopt with errno set.
std::optional<std::string> bytes_of(const std::string& path, int extra_flags = 0) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | extra_flags);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0 && out.size() < (1u << 20))
    out.append(buf, static_cast<std::size_t>(n));
  const int e = errno;
  ::close(fd);
  if (n < 0) {
    errno = e;
    return std::nullopt;
  }
  return out;
}

}  // namespace

int prepare_start(const std::string& config_dir, const std::string& old_state_dir) {
  const std::string original = config_dir + "/authkeys";
  const std::string copy = sys::credential_path("authkeys");
  if (!copy.empty()) {
    const auto a = bytes_of(original);
    const auto b = bytes_of(copy, O_NOFOLLOW);  // systemd's own file, never a link
    if (!a || !b || *a != *b) {
      log::error("", "the copy of " + original +
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
        log::error("", "cannot move hb-linkd's state from " + old_state_dir + " to " + to + ": " +
                           m.problem + "; not starting");
        return 1;
      }
      for (const auto& name : m.moved)
        log::notice("", "moved " + old_state_dir + "/" + name + " to " + to +
                            " (hb-linkd runs as its own user now)");
    }
  }
  return 0;
}

}  // namespace hb::linkd
