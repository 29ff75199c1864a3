#include "sys/config/load.hpp"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/config/authkeys.hpp"
#include "core/config/ha_cf.hpp"
#include "core/config/haresources.hpp"

namespace hb::config {
namespace {

struct FileText {
  std::string text;
  unsigned mode = 0;
};

// nullopt with `err` = errno when the file cannot be read.
std::optional<FileText> read_file(const std::string& path, int& err) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    err = errno;
    return std::nullopt;
  }
  if (S_ISDIR(st.st_mode)) {
    err = EISDIR;
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err = errno ? errno : EACCES;
    return std::nullopt;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return FileText{buffer.str(), static_cast<unsigned>(st.st_mode & 07777)};
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

  if (options.read_authkeys) {
    const std::string path = dir + "/authkeys";
    auto file = read_file(path, err);
    if (!file) {
      result.diagnostics.push_back(cannot_read(path, err));
    } else {
      auto keys = parse_authkeys(file->text, path, file->mode);
      config.authkeys = std::move(keys.authkeys);
      append(result.diagnostics, std::move(keys.diagnostics));
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
