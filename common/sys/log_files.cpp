#include "sys/log_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/log/ha_log_line.hpp"

namespace hb::log {

AppendFile::~AppendFile() {
  if (fd_ >= 0) ::close(fd_);
}

void AppendFile::check_rotation() {
  if (fd_ < 0) return;
  struct stat by_name {
  }, by_fd{};
  if (::stat(path_.c_str(), &by_name) != 0 || ::fstat(fd_, &by_fd) != 0 ||
      by_name.st_dev != by_fd.st_dev || by_name.st_ino != by_fd.st_ino) {
    ::close(fd_);
    fd_ = -1;
  }
}

int AppendFile::append(std::string_view data) {
  if (fd_ < 0) {
    // O_NOFOLLOW: /var/log is not writable by others, but a planted symlink must not make root
    // append to another file.
    fd_ = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (fd_ < 0) return errno;
  }
  while (!data.empty()) {
    const ssize_t r = ::write(fd_, data.data(), data.size());
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return errno;
    data.remove_prefix(static_cast<std::size_t>(r));
  }
  return 0;
}

LogFiles::LogFiles(const std::string& logfile, const std::string& debugfile) {
  if (!logfile.empty()) logfile_.emplace(logfile);
  if (!debugfile.empty()) debugfile_.emplace(debugfile);
}

void LogFiles::add(int priority, std::string_view lines) {
  if (logfile_ && for_logfile(priority)) logfile_lines_ += lines;
  if (debugfile_) debugfile_lines_ += lines;
}

std::string LogFiles::write_batch() {
  std::string errors;
  auto write = [&](std::optional<AppendFile>& file, std::string& lines) {
    if (!file || lines.empty()) return;
    file->check_rotation();
    if (int e = file->append(lines)) {
      if (!errors.empty()) errors += "; ";
      errors += file->path() + ": " + std::strerror(e);
    }
    lines.clear();
  };
  write(logfile_, logfile_lines_);
  write(debugfile_, debugfile_lines_);
  return errors;
}

}  // namespace hb::log
