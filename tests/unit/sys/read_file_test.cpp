// sys::read_file on real files: the whole text with its mode and owner, and an errno for each
// way it refuses (missing, a directory, a FIFO without blocking, too large, a refused link).
#include "sys/read_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "../config/temp_dir.hpp"

namespace hb::sys {
namespace {

using config::testing::TempDir;

TEST(ReadFile, ReadsTheWholeFileWithItsModeAndOwner) {
  TempDir dir;
  const std::string text(20000, 'x');  // more than one read(2)
  const auto path = dir.write("a", text, 0640);
  const FileRead r = read_file(path, 1 << 20);
  EXPECT_TRUE(r.ok()) << r.error_text();
  EXPECT_EQ(r.text, text);
  EXPECT_EQ(r.mode, 0640u);
  EXPECT_EQ(r.owner, static_cast<unsigned>(::geteuid()));
  EXPECT_TRUE(read_file(dir.write("empty", ""), 10).ok());
}

TEST(ReadFile, AMissingFileIsENOENT) {
  TempDir dir;
  const FileRead r = read_file(dir.path() + "/none", 100);
  EXPECT_EQ(r.error, ENOENT);
  EXPECT_EQ(r.error_text(), "No such file or directory");
  EXPECT_EQ(r.text, "");
}

TEST(ReadFile, OnlyRegularFilesAreRead) {
  TempDir dir;
  EXPECT_EQ(read_file(dir.path(), 100).error, EISDIR);
  const std::string fifo = dir.path() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(read_file(fifo, 100).error, EINVAL);  // returns at once: no writer is awaited
}

TEST(ReadFile, AFileOverTheLimitIsEFBIG) {
  TempDir dir;
  const auto path = dir.write("a", "12345");
  EXPECT_EQ(read_file(path, 5).text, "12345");
  const FileRead r = read_file(path, 4);
  EXPECT_EQ(r.error, EFBIG);
  EXPECT_EQ(r.text, "");
}

TEST(ReadFile, ASymbolicLinkIsFollowedUnlessRefused) {
  TempDir dir;
  const auto target = dir.write("target", "key");
  const std::string link = dir.path() + "/link";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  EXPECT_EQ(read_file(link, 100).text, "key");
  EXPECT_EQ(read_file(link, 100, Symlinks::refuse).error, ELOOP);
  EXPECT_EQ(read_file(target, 100, Symlinks::refuse).text, "key");
}

}  // namespace
}  // namespace hb::sys
