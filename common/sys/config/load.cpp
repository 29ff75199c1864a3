#include "sys/config/load.hpp"

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/config/authkeys.hpp"
#include "core/config/ha_cf.hpp"
#include "core/config/haresources.hpp"
#include "core/config/hb_conf.hpp"
#include "core/config/timing_advice.hpp"
#include "core/config/watchdog.hpp"
#include "sys/read_file.hpp"

namespace hb::config {
namespace {

void append(std::vector<Diagnostic>& to, std::vector<Diagnostic>&& from) {
  for (auto& d : from) to.push_back(std::move(d));
}

Diagnostic cannot_read(const std::string& path, int err) {
  return Diagnostic{Diagnostic::Severity::error, Origin{path, 0},
                    std::string("cannot read: ") + std::strerror(err)};
}

// A fence device's parameters hold credentials (a BMC's password). A `stonith TYPE FILE` file is
// refused unless root's (or the caller's) and closed to group and others, as authkeys is;
// parameters written on a `stonith_host` line of an ha.cf others can read are said loudly
// (heartbeat's own files put them there, and ha.cf must stay readable by hb's daemons).
std::vector<Diagnostic> check_fence_files(const HaCf& cf, unsigned ha_cf_mode) {
  std::vector<Diagnostic> out;
  for (const auto& d : cf.stonith_devices) {
    if (!d.config_file.empty()) {
      struct stat st {};
      if (::stat(d.config_file.c_str(), &st) != 0) {
        out.push_back({Diagnostic::Severity::error, d.origin,
                       "stonith: cannot read " + d.config_file + ": " + std::strerror(errno)});
      } else if ((st.st_uid != 0 && st.st_uid != ::geteuid()) || (st.st_mode & 0077) != 0) {
        out.push_back({Diagnostic::Severity::error, d.origin,
                       "stonith: " + d.config_file +
                           " holds the fence device's credentials: it must be owned by root and "
                           "closed to group and others (chmod 600)"});
      }
    } else if (!d.params.empty() && (ha_cf_mode & 0044) != 0) {
      out.push_back({Diagnostic::Severity::warning, d.origin,
                     "stonith_host: the fence device's parameters (often a password) are "
                     "readable by other users of this machine; keep them in a root-only file "
                     "with \"stonith TYPE FILE\""});
    }
  }
  return out;
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
  const sys::FileRead ha_cf = sys::read_file(ha_cf_path, max_config_file_size);
  if (!ha_cf.ok()) {
    result.diagnostics.push_back(cannot_read(ha_cf_path, ha_cf.error));
    return result;
  }
  auto parsed = parse_ha_cf(ha_cf.text, ha_cf_path, config.local_node);
  config.ha_cf = std::move(parsed.ha_cf);
  append(result.diagnostics, std::move(parsed.diagnostics));
  append(result.diagnostics, timing_advice(config.ha_cf, ha_cf_path));
  append(result.diagnostics, check_fence_files(config.ha_cf, ha_cf.mode));

  {
    // hb's own settings; a missing file is all defaults.
    const std::string path = dir + "/hb.conf";
    const sys::FileRead file = sys::read_file(path, max_config_file_size);
    if (!file.ok()) {
      if (file.error != ENOENT) result.diagnostics.push_back(cannot_read(path, file.error));
    } else {
      auto parsed_hb = parse_hb_conf(file.text, path);
      config.hb_conf = std::move(parsed_hb.hb_conf);
      append(result.diagnostics, std::move(parsed_hb.diagnostics));
    }
    append(result.diagnostics, check_watchdog(config.ha_cf, config.hb_conf));
  }

  if (options.read_authkeys) {
    const std::string path = dir + "/authkeys";
    const bool handed = options.authkeys_fd >= 0;
    const bool copy = !handed && !options.authkeys_copy.empty();
    const std::string& read_path = copy ? options.authkeys_copy : path;
    const sys::FileRead file = handed
                                   ? sys::read_descriptor(options.authkeys_fd, max_config_file_size)
                                   : sys::read_file(read_path, max_config_file_size);
    if (!file.ok()) {
      result.diagnostics.push_back(cannot_read(read_path, file.error));
    } else {
      auto error = [&](const std::string& where, const std::string& why) {
        result.diagnostics.push_back(
            Diagnostic{Diagnostic::Severity::error, Origin{where, 0}, why});
      };
      unsigned mode = file.mode, owner = file.owner;
      if (copy) {
        // The copy: systemd's own file, which nobody else may be able to change.
        if ((file.mode & 0022) != 0 || (file.owner != 0 && file.owner != ::geteuid()))
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
      auto keys = parse_authkeys(file.text, path, mode);
      config.authkeys = std::move(keys.authkeys);
      append(result.diagnostics, std::move(keys.diagnostics));
      if (auto bad = check_authkeys_owner(path, owner, ::geteuid())) error(path, *bad);
    }
  }

  if (options.read_haresources) {
    const std::string path = dir + "/haresources";
    const sys::FileRead file = sys::read_file(path, max_config_file_size);
    if (!file.ok()) {
      // No haresources is a cluster without resources (heartbeat accepts it too).
      if (file.error != ENOENT) result.diagnostics.push_back(cannot_read(path, file.error));
    } else {
      auto groups = parse_haresources(file.text, path, config.ha_cf.nodes);
      config.groups = std::move(groups.groups);
      append(result.diagnostics, std::move(groups.diagnostics));
    }
    append(result.diagnostics, check_resource_sections(config.hb_conf, config.groups));
  }
  return result;
}

}  // namespace hb::config
