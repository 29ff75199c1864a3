#include "sys/config/load.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/config/authkeys.hpp"
#include "core/config/ha_cf.hpp"
#include "core/config/haresources.hpp"
#include "core/config/hb_conf.hpp"
#include "core/config/timing_advice.hpp"

namespace hb::config {
namespace {

struct FileText {
  std::string text;
  unsigned mode = 0;
  unsigned owner = 0;
};

// Opens, then checks the file it opened (fstat: no window between the check and the read), and
// reads it. nullopt with `err` = errno when the file cannot be read; EINVAL when it is not a
// regular file (a FIFO would block the daemon, a directory is a mistake).
std::optional<FileText> read_file(const std::string& path, int& err) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    err = errno;
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    err = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    ::close(fd);
    return std::nullopt;
  }
  FileText out{{}, static_cast<unsigned>(st.st_mode & 07777), static_cast<unsigned>(st.st_uid)};
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = errno;
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.text.append(buf, static_cast<std::size_t>(n));
    if (out.text.size() > (16u << 20)) {  // no configuration file is 16 MiB
      err = EFBIG;
      ::close(fd);
      return std::nullopt;
    }
  }
  ::close(fd);
  return out;
}

void append(std::vector<Diagnostic>& to, std::vector<Diagnostic>&& from) {
  for (auto& d : from) to.push_back(std::move(d));
}

Diagnostic cannot_read(const std::string& path, int err) {
  return Diagnostic{Diagnostic::Severity::error, Origin{path, 0},
                    std::string("cannot read: ") + std::strerror(err)};
}

}  // namespace

bool LoadResult::ok() const {
  return !has_errors(diagnostics);
}

std::string local_node_name() {
  struct utsname u {};
  if (::uname(&u) != 0) return {};
  return u.nodename;
}

LoadResult load(const LoadOptions& options) {
  LoadResult result;
  Config& config = result.config;
  config.local_node = options.local_node.empty() ? local_node_name() : options.local_node;
  const std::string dir = options.dir.empty() ? std::string(".") : options.dir;

  const std::string ha_cf_path = dir + "/ha.cf";
  int err = 0;
  auto ha_cf = read_file(ha_cf_path, err);
  if (!ha_cf) {
    result.diagnostics.push_back(cannot_read(ha_cf_path, err));
    return result;
  }
  auto parsed = parse_ha_cf(ha_cf->text, ha_cf_path, config.local_node);
  config.ha_cf = std::move(parsed.ha_cf);
  append(result.diagnostics, std::move(parsed.diagnostics));
  append(result.diagnostics, timing_advice(config.ha_cf, ha_cf_path));

  {
    // hb's own settings; a missing file is all defaults.
    const std::string path = dir + "/hb.conf";
    auto file = read_file(path, err);
    if (!file) {
      if (err != ENOENT) result.diagnostics.push_back(cannot_read(path, err));
    } else {
      auto parsed_hb = parse_hb_conf(file->text, path);
      config.hb_conf = std::move(parsed_hb.hb_conf);
      append(result.diagnostics, std::move(parsed_hb.diagnostics));
    }
  }

  if (options.read_authkeys) {
    const std::string path = dir + "/authkeys";
    const bool copy = !options.authkeys_copy.empty();
    const std::string& read_path = copy ? options.authkeys_copy : path;
    auto file = read_file(read_path, err);
    if (!file) {
      result.diagnostics.push_back(cannot_read(read_path, err));
    } else {
      auto error = [&](const std::string& where, const std::string& why) {
        result.diagnostics.push_back(
            Diagnostic{Diagnostic::Severity::error, Origin{where, 0}, why});
      };
      unsigned mode = file->mode, owner = file->owner;
      if (copy) {
        // The copy: systemd's own file, which nobody else may be able to change.
        if ((file->mode & 0022) != 0 || (file->owner != 0 && file->owner != ::geteuid()))
          error(read_path, "the copy of the key file is writable by others: not used");
        // Heartbeat's rule applies to the original, whose mode and owner anyone may stat.
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0) {
          result.diagnostics.push_back(cannot_read(path, errno));
        } else {
          mode = static_cast<unsigned>(st.st_mode & 07777);
          owner = static_cast<unsigned>(st.st_uid);
        }
      }
      auto keys = parse_authkeys(file->text, path, mode);
      config.authkeys = std::move(keys.authkeys);
      append(result.diagnostics, std::move(keys.diagnostics));
      if (auto bad = check_authkeys_owner(path, owner, ::geteuid())) error(path, *bad);
    }
  }

  if (options.read_haresources) {
    const std::string path = dir + "/haresources";
    auto file = read_file(path, err);
    if (!file) {
      // No haresources is a cluster without resources (heartbeat accepts it too).
      if (err != ENOENT) result.diagnostics.push_back(cannot_read(path, err));
    } else {
      auto groups = parse_haresources(file->text, path, config.ha_cf.nodes);
      config.groups = std::move(groups.groups);
      append(result.diagnostics, std::move(groups.diagnostics));
    }
  }
  return result;
}

}  // namespace hb::config
