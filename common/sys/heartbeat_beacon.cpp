// The heartbeat beacon's page: created and sealed by the writer, mapped read-only by the reader.
#include "heartbeat_beacon.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <new>
#include <string>
#include <system_error>

namespace hb::sys {

namespace {

[[noreturn]] void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Every seal but F_SEAL_WRITE (the writer keeps writing): the page keeps its size for good.
constexpr int beacon_seals = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL;

}  // namespace

std::uint64_t monotonic_usec() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000u +
         static_cast<std::uint64_t>(ts.tv_nsec) / 1'000u;
}

BeaconWriter::BeaconWriter() {
  fd_ = ::memfd_create("hb-heartbeat-beacon", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd_ < 0) fail("memfd_create heartbeat beacon");
  void* p = MAP_FAILED;
  if (::ftruncate(fd_, beacon_size) != 0 || ::fcntl(fd_, F_ADD_SEALS, beacon_seals) != 0 ||
      (p = ::mmap(nullptr, beacon_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0)) ==
          MAP_FAILED) {
    const int e = errno;
    ::close(fd_);
    errno = e;
    fail("prepare heartbeat beacon");
  }
  word_ = new (p) BeaconWord(0);
}

BeaconWriter::~BeaconWriter() {
  ::munmap(word_, beacon_size);
  ::close(fd_);
}

void BeaconWriter::mark_sent(std::uint64_t usec) {
  word_->store(usec, std::memory_order_release);
}

std::uint64_t BeaconWriter::last_sent_usec() const {
  return word_->load(std::memory_order_acquire);
}

int BeaconWriter::open_read_only() const {
  // A memfd cannot be reopened with fewer rights through fcntl; its /proc link can.
  const std::string path = "/proc/self/fd/" + std::to_string(fd_);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("reopen heartbeat beacon read-only");
  return fd;
}

BeaconReader::BeaconReader(int fd) {
  // A page that could still shrink would let its writer make our reads fault (SIGBUS).
  const int seals = ::fcntl(fd, F_GET_SEALS);
  if (seals < 0) fail("heartbeat beacon seals");
  if ((seals & (F_SEAL_SHRINK | F_SEAL_SEAL)) != (F_SEAL_SHRINK | F_SEAL_SEAL)) {
    errno = EINVAL;
    fail("heartbeat beacon is not sealed");
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail("heartbeat beacon size");
  if (st.st_size < static_cast<off_t>(sizeof(BeaconWord))) {
    errno = EINVAL;
    fail("heartbeat beacon is too small");
  }
  void* p = ::mmap(nullptr, beacon_size, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) fail("map heartbeat beacon");
  word_ = static_cast<const BeaconWord*>(p);
}

BeaconReader::~BeaconReader() {
  ::munmap(const_cast<BeaconWord*>(word_), beacon_size);
}

std::uint64_t BeaconReader::last_sent_usec() const {
  return word_->load(std::memory_order_acquire);
}

}  // namespace hb::sys
