// sys::BeaconWriter and BeaconReader in one process through a real descriptor: the reader sees
// every write, the descriptor handed out is read-only for good, and a descriptor that is not a
// sealed beacon is refused with an error instead of a crash.
#include "sys/heartbeat_beacon.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace hb::sys {
namespace {

// Closes a descriptor the test opened.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

TEST(HeartbeatBeacon, TheReaderSeesEveryWrite) {
  BeaconWriter writer;
  Fd ro{writer.open_read_only()};
  BeaconReader reader(ro.fd);
  EXPECT_EQ(reader.last_sent_usec(), 0u) << "no heartbeat yet";
  writer.mark_sent(1234);
  EXPECT_EQ(reader.last_sent_usec(), 1234u);
  const std::uint64_t now = monotonic_usec();
  writer.mark_sent();
  EXPECT_GE(reader.last_sent_usec(), now);
  EXPECT_EQ(reader.last_sent_usec(), writer.last_sent_usec());
}

TEST(HeartbeatBeacon, TheHandedOutDescriptorCannotWrite) {
  BeaconWriter writer;
  writer.mark_sent(42);
  Fd ro{writer.open_read_only()};
  EXPECT_EQ(::fcntl(ro.fd, F_GETFL) & O_ACCMODE, O_RDONLY);
  EXPECT_NE(::fcntl(ro.fd, F_GETFD) & FD_CLOEXEC, 0);
  const std::uint64_t zero = 0;
  EXPECT_EQ(::pwrite(ro.fd, &zero, sizeof zero, 0), -1);
  EXPECT_EQ(errno, EBADF);
  EXPECT_EQ(::mmap(nullptr, beacon_size, PROT_READ | PROT_WRITE, MAP_SHARED, ro.fd, 0), MAP_FAILED);
  EXPECT_EQ(errno, EACCES);
  EXPECT_EQ(::ftruncate(ro.fd, 0), -1) << "nor shrink the page under a reader";
  // What it can do: map it for reading.
  EXPECT_EQ(BeaconReader(ro.fd).last_sent_usec(), 42u);
}

TEST(HeartbeatBeacon, AnythingButASealedBeaconIsRefused) {
  EXPECT_THROW(BeaconReader(-1), std::system_error);
  EXPECT_THROW(BeaconReader(9999), std::system_error) << "not an open descriptor";
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  Fd r{pipe_fds[0]}, w{pipe_fds[1]};
  EXPECT_THROW(BeaconReader(r.fd), std::system_error) << "a pipe";
  // A memfd without seals could shrink under the reader: refused.
  Fd unsealed{::memfd_create("test", MFD_CLOEXEC)};
  ASSERT_GE(unsealed.fd, 0);
  ASSERT_EQ(::ftruncate(unsealed.fd, beacon_size), 0);
  EXPECT_THROW(BeaconReader(unsealed.fd), std::system_error);
  // Sealed, but empty.
  Fd empty{::memfd_create("test", MFD_CLOEXEC | MFD_ALLOW_SEALING)};
  ASSERT_GE(empty.fd, 0);
  ASSERT_EQ(::fcntl(empty.fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL), 0);
  EXPECT_THROW(BeaconReader(empty.fd), std::system_error);
}

}  // namespace
}  // namespace hb::sys
