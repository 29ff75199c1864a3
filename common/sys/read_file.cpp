// Reading a whole small file (sys/read_file.hpp): open without blocking, check that it is a
// regular file, read to its end or the limit.
#include "sys/read_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hb::sys {
namespace {

// Closes the descriptor on every way out of read_file.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

FileRead failed(int error) {
  FileRead r;
  r.error = error;
  return r;
}

}  // namespace

std::string FileRead::error_text() const {
  return std::strerror(error);
}

FileRead read_file(const std::string& path, std::size_t max_size, Symlinks symlinks) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (symlinks == Symlinks::refuse) flags |= O_NOFOLLOW;
  const Descriptor file{::open(path.c_str(), flags)};
  if (file.fd < 0) return failed(errno);
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return failed(errno);
  if (S_ISDIR(st.st_mode)) return failed(EISDIR);
  if (!S_ISREG(st.st_mode)) return failed(EINVAL);

  FileRead r;
  r.mode = static_cast<unsigned>(st.st_mode & 07777);
  r.owner = static_cast<unsigned>(st.st_uid);
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(file.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed(errno);
    if (n == 0) return r;
    r.text.append(buf, static_cast<std::size_t>(n));
    if (r.text.size() > max_size) return failed(EFBIG);
  }
}

FileRead read_descriptor(int fd, std::size_t max_size) {
  struct stat st {};
  if (fd < 0) return failed(EBADF);
  if (::fstat(fd, &st) != 0) return failed(errno);
  if (S_ISDIR(st.st_mode)) return failed(EISDIR);
  if (!S_ISREG(st.st_mode)) return failed(EINVAL);
  FileRead r;
  r.mode = static_cast<unsigned>(st.st_mode & 07777);
  r.owner = static_cast<unsigned>(st.st_uid);
  char buf[8192];
  for (off_t at = 0;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return failed(errno);
    if (n == 0) return r;
    r.text.append(buf, static_cast<std::size_t>(n));
    at += n;
    if (r.text.size() > max_size) return failed(EFBIG);
  }
}

}  // namespace hb::sys
