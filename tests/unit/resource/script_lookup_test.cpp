// Where hb looks for a heartbeat resource script, and which names it refuses to look up.
#include "core/resource/script_lookup.hpp"

#include <gtest/gtest.h>

namespace hb::resource {
namespace {

using Paths = std::vector<std::string>;

TEST(ScriptLookup, HeartbeatsOrder) {
  EXPECT_EQ(script_candidates("db2", default_script_directories()),
            (Paths{"/etc/ha.d/resource.d/db2", "/etc/init.d/db2"}));
  EXPECT_EQ(script_candidates("x", {"/tmp/a/", "/tmp/b"}), (Paths{"/tmp/a/x", "/tmp/b/x"}));
}

TEST(ScriptLookup, NamesThatWouldLeaveTheDirectoriesAreRefused) {
  for (std::string_view bad : {"", ".", "..", "../../bin/sh", "a/b", "/bin/sh"}) {
    EXPECT_FALSE(valid_script_name(bad)) << bad;
    EXPECT_TRUE(script_candidates(bad, default_script_directories()).empty()) << bad;
  }
  EXPECT_FALSE(valid_script_name(std::string_view("a\0b", 3)));
  EXPECT_TRUE(valid_script_name("..hidden"));
  EXPECT_TRUE(valid_script_name("IPaddr2"));
}

TEST(ScriptLookup, DirectoryOverride) {
  EXPECT_EQ(parse_directories("/a:/b"), (Paths{"/a", "/b"}));
  EXPECT_EQ(parse_directories("::/a::"), (Paths{"/a"}));
  EXPECT_TRUE(parse_directories("").empty());
}

}  // namespace
}  // namespace hb::resource
