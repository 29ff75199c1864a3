// The media layer's pieces that need no network: serial framing, ucast self-detection, the UUCP
// tty lock.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "interfaces.hpp"
#include "serial_framer.hpp"
#include "tty_lock.hpp"

namespace hb::linkd {
namespace {

TEST(SerialFramer, DeliversFramesAndSkipsGarbageBetweenThem) {
  SerialFramer framer;
  auto frames =
      framer.feed("line noise\n\x01\x02\n>>>\nt=status\r\nsrc=ha1\n<<<\nmore noise\n>>>\n");
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], ">>>\nt=status\nsrc=ha1\n<<<\n");
  // The second frame arrives in pieces.
  EXPECT_TRUE(framer.feed("t=stat").empty());
  frames = framer.feed("us\nsrc=ha2\n<<");
  EXPECT_TRUE(frames.empty());
  frames = framer.feed("<\n");
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], ">>>\nt=status\nsrc=ha2\n<<<\n");
}

TEST(SerialFramer, RestartsOnANewStartMarker) {
  SerialFramer framer;
  const auto frames = framer.feed(">>>\nt=cut\n>>>\nt=whole\n<<<\n");
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], ">>>\nt=whole\n<<<\n");
}

TEST(SerialFramer, DropsOversizedFramesAndRecovers) {
  SerialFramer framer(64);
  std::string big = ">>>\n";
  for (int i = 0; i < 20; ++i) big += "field=0123456789\n";
  big += "<<<\n";
  EXPECT_TRUE(framer.feed(big).empty());
  EXPECT_EQ(framer.oversized(), 1u);
  // A huge line without newline is bounded too.
  EXPECT_TRUE(framer.feed(std::string(10000, 'x')).empty());
  const auto frames = framer.feed("\n>>>\nt=ok\n<<<\n");
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], ">>>\nt=ok\n<<<\n");
}

TEST(IsLocalAddress, ComparesAddressesNotText) {
  const std::vector<std::string> local = {"127.0.0.1", "192.0.2.11", "::1", "2001:db8::11"};
  EXPECT_TRUE(is_local_address("192.0.2.11", local));
  EXPECT_FALSE(is_local_address("192.0.2.12", local));
  EXPECT_TRUE(is_local_address("2001:db8:0::11", local));
  EXPECT_TRUE(is_local_address("::ffff:192.0.2.11", local));
  EXPECT_FALSE(is_local_address("ha1", local));
  EXPECT_FALSE(is_local_address("", local));
}

TEST(LocalAddresses, IncludesLoopback) {
  const auto local = local_addresses();
  EXPECT_TRUE(is_local_address("127.0.0.1", local));
}

class TtyLockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/hb-lock-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string read(const std::string& name) {
    std::ifstream in(dir_ + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  bool exists(const std::string& name) {
    struct stat st {};
    return ::stat((dir_ + "/" + name).c_str(), &st) == 0;
  }
  std::string dir_;
};

TEST_F(TtyLockTest, WritesTheUucpLockFileAndRemovesItOnRelease) {
  TtyLock lock;
  ASSERT_FALSE(lock.acquire("/dev/ttyS0", dir_));
  char expected[16];
  std::snprintf(expected, sizeof expected, "%10d\n", static_cast<int>(::getpid()));
  EXPECT_EQ(read("LCK..ttyS0"), expected);
  lock.release();
  EXPECT_FALSE(exists("LCK..ttyS0"));
}

TEST_F(TtyLockTest, ASecondLockOnTheSameDeviceIsRefused) {
  TtyLock first, second;
  ASSERT_FALSE(first.acquire("/dev/ttyS0", dir_));
  EXPECT_EQ(second.acquire("/dev/ttyS0", dir_), std::error_code(EBUSY, std::system_category()));
  EXPECT_EQ(second.holder(), static_cast<long>(::getpid()));
  EXPECT_FALSE(second.acquire("/dev/ttyS1", dir_));
}

TEST_F(TtyLockTest, AStaleLockIsTakenOver) {
  // A pid that cannot be running: above the kernel's pid_max limit.
  { std::ofstream(dir_ + "/LCK..ttyS0") << "   4194305\n"; }
  TtyLock lock;
  ASSERT_FALSE(lock.acquire("/dev/ttyS0", dir_));
  EXPECT_NE(read("LCK..ttyS0").find(std::to_string(::getpid())), std::string::npos);
}

TEST_F(TtyLockTest, ALockHeldByAnotherLiveProcessIsRespected) {
  // A live process with the device open (here /dev/null stands for the tty).
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int fd = ::open("/dev/null", O_RDONLY);
    (void)fd;
    ::pause();
    ::_exit(0);
  }
  for (int i = 0; i < 200; ++i) {  // until the child has opened it
    char link[256] = {};
    if (::readlink(("/proc/" + std::to_string(child) + "/fd/3").c_str(), link, sizeof link - 1) > 0)
      break;
    ::usleep(10000);
  }
  { std::ofstream(dir_ + "/LCK..null") << std::setw(10) << child << "\n"; }
  TtyLock lock;
  EXPECT_EQ(lock.acquire("/dev/null", dir_), std::error_code(EBUSY, std::system_category()));
  EXPECT_EQ(lock.holder(), child);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
}

TEST_F(TtyLockTest, APlantedLockNamingALiveProcessWithoutTheDeviceIsTakenOver) {
  // /run/lock is writable by every user: a lock naming init (alive, but not holding the tty)
  // must not keep the serial heartbeat off for good.
  { std::ofstream(dir_ + "/LCK..ttyS0") << "         1\n"; }
  TtyLock lock;
  ASSERT_FALSE(lock.acquire("/dev/ttyS0", dir_));
  EXPECT_NE(read("LCK..ttyS0").find(std::to_string(::getpid())), std::string::npos);
}

TEST_F(TtyLockTest, APlantedSymlinkIsNotWrittenThrough) {
  // Names planted in the shared lock directory (symlinks to a file worth keeping, at the names
  // an older hb used) are never written through, and do not keep the lock from being taken.
  const std::string target = dir_ + "/precious";
  { std::ofstream(target) << "keep\n"; }
  for (int n = 1; n <= 64; ++n)
    ::symlink(target.c_str(),
              (dir_ + "/LTMP." + std::to_string(::getpid()) + "." + std::to_string(n)).c_str());
  TtyLock lock;
  EXPECT_FALSE(lock.acquire("/dev/ttyS0", dir_));
  EXPECT_EQ(read("precious"), "keep\n");
}

}  // namespace
}  // namespace hb::linkd
