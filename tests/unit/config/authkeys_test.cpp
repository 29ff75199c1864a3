#include "core/config/authkeys.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "sys/config/load.hpp"
#include "temp_dir.hpp"

namespace hb::config {
namespace {

using Lines = std::vector<std::string>;

Lines errors(const std::vector<Diagnostic>& diagnostics) {
  Lines out;
  for (const auto& d : diagnostics) {
    if (d.severity == Diagnostic::Severity::error) out.push_back(d.str());
  }
  return out;
}

TEST(AuthKeys, SeveralKeysOneActive) {
  auto r = parse_authkeys("# keys\nauth 2\n1 md5 Hello!\n2 sha1 HI!\n3 crc\n15 sha256 k\n",
                          "authkeys", 0600);
  EXPECT_EQ(errors(r.diagnostics), Lines{});
  EXPECT_EQ(r.authkeys.active_index, 2);
  ASSERT_EQ(r.authkeys.keys.size(), 4u);
  EXPECT_EQ(r.authkeys.keys.at(1).method, AuthKey::Method::md5);
  EXPECT_EQ(r.authkeys.keys.at(1).secret, "Hello!");
  EXPECT_EQ(r.authkeys.keys.at(2).method, AuthKey::Method::sha1);
  EXPECT_EQ(r.authkeys.keys.at(3).method, AuthKey::Method::crc);
  EXPECT_EQ(r.authkeys.keys.at(3).secret, "");
  EXPECT_EQ(r.authkeys.keys.at(15).method, AuthKey::Method::sha256);
}

TEST(AuthKeys, KeyIsOneWordAsInHeartbeat) {
  auto r = parse_authkeys("auth 2\n2 sha1 HI! there\n", "authkeys", 0600);
  EXPECT_EQ(errors(r.diagnostics), Lines{});
  EXPECT_EQ(r.authkeys.keys.at(2).secret, "HI!");
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].str(),
            "authkeys:2: warning: only the first word after sha1 is the key (as in heartbeat); "
            "the rest of the line is ignored");
}

struct Case {
  std::string name;
  std::string text;
  Lines expected;
};

class AuthKeysErrors : public ::testing::TestWithParam<Case> {};

TEST_P(AuthKeysErrors, NameFileLineAndWhy) {
  EXPECT_EQ(errors(parse_authkeys(GetParam().text, "authkeys", 0600).diagnostics),
            GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    EveryError, AuthKeysErrors,
    ::testing::Values(
        Case{"no_auth_line",
             "1 crc\n",
             {"authkeys:1: no \"auth N\" line: no authentication method selected (heartbeat: "
              "No authentication specified)"}},
        Case{"auth_without_key",
             "auth 3\n1 crc\n",
             {"authkeys:1: auth 3: no key 3 defined (add a line \"3 crc|md5|sha1 [key]\")"}},
        Case{"auth_index_range",
             "auth 16\n",
             {"authkeys:1: expected \"auth N\" with N from 0 to 15",
              "authkeys:1: no \"auth N\" line: no authentication method selected (heartbeat: "
              "No authentication specified)"}},
        Case{"key_index_range",
             "auth 1\n1 crc\n16 crc\n",
             {"authkeys:3: invalid line (expected \"auth N\" or \"N crc|md5|sha1 [key]\", N "
              "from 0 to 15)"}},
        Case{"crc_refuses_key",
             "auth 1\n1 crc secret\n",
             {"authkeys:2: crc does not use a key; remove the word after crc or choose md5 or sha1",
              "authkeys:1: auth 1: no key 1 defined (add a line \"1 crc|md5|sha1 [key]\")"}},
        Case{"md5_needs_key",
             "auth 1\n1 md5\n",
             {"authkeys:2: md5 requires a key: \"1 md5 SECRET\"",
              "authkeys:1: auth 1: no key 1 defined (add a line \"1 crc|md5|sha1 [key]\")"}},
        Case{"sha1_needs_key",
             "auth 1\n1 sha1\n1 crc\n",
             {"authkeys:2: sha1 requires a key: \"1 sha1 SECRET\""}},
        Case{"unknown_method",
             "auth 1\n1 rot13 x\n1 crc\n",
             {"authkeys:2: unknown authentication method \"rot13\" (crc, md5 or sha1)"}}),
    [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(AuthKeysMode, HeartbeatsRuleOnTheModeBits) {
  for (unsigned ok : {0600u, 0400u, 0700u, 0200u, 0100600u}) {
    EXPECT_FALSE(check_authkeys_mode("authkeys", ok).has_value()) << std::oct << ok;
  }
  for (unsigned bad : {0640u, 0644u, 0604u, 0660u, 0444u, 0620u, 0602u, 0610u, 0601u}) {
    EXPECT_TRUE(check_authkeys_mode("authkeys", bad).has_value()) << std::oct << bad;
  }
}

TEST(AuthKeysOwner, RootsFileOrTheReadersOwnCopy) {
  EXPECT_FALSE(check_authkeys_owner("authkeys", 0, 0).has_value());
  EXPECT_FALSE(check_authkeys_owner("authkeys", 0, 1000).has_value());
  EXPECT_FALSE(check_authkeys_owner("authkeys", 1000, 1000).has_value());
  auto bad = check_authkeys_owner("/etc/ha.d/authkeys", 65534, 0);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(*bad,
            "owned by uid 65534: the key file must be owned by root (its owner can change the "
            "cluster key); fix with: chown root:root /etc/ha.d/authkeys");
}

TEST(AuthKeysSecrets, NoMessageRepeatsAKey) {
  for (const char* text : {"auth 1\n1 crc s3cr3t-one\n", "auth 1\n1 sha1 s3cr3t-two extra\n1 crc\n",
                           "auth 1\n1 md5 s3cr3t-three\n2 crc s3cr3t-four\n"}) {
    auto r = parse_authkeys(text, "authkeys", 0600);
    for (const auto& d : r.diagnostics)
      EXPECT_EQ(d.str().find("s3cr3t"), std::string::npos) << d.str();
  }
}

// The loader checks the file it opened: a key file open to group or others is refused, and so is
// one owned by someone else than root (as root; the reader's own copy is accepted).
class AuthKeysFileMode : public ::testing::TestWithParam<std::pair<unsigned, bool>> {};

TEST_P(AuthKeysFileMode, LoaderStatsTheFile) {
  auto [mode, accepted] = GetParam();
  testing::TempDir dir;
  dir.copy_seed();
  auto file = dir.write("authkeys", "auth 2\n2 crc\n", mode);
  auto r = load({dir.path(), "ha1.haw2.ibm.com", true, true});
  if (accepted) {
    EXPECT_TRUE(r.ok());
    ASSERT_TRUE(r.config.authkeys.has_value());
    EXPECT_EQ(r.config.authkeys->active_index, 2);
  } else {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(errors(r.diagnostics),
              Lines{file + ": bad permissions " + octal +
                    ": the key file must be mode 600 or stricter, with no access for group or "
                    "others (heartbeat refuses it readable by them; hb also refuses it writable, "
                    "since whoever can write it chooses the cluster key); fix with: chmod 600 " +
                    file});
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, AuthKeysFileMode,
                         ::testing::Values(std::pair{0600u, true}, std::pair{0400u, true},
                                           std::pair{0700u, true}, std::pair{0640u, false},
                                           std::pair{0644u, false}, std::pair{0620u, false}),
                         [](const auto& info) {
                           char name[8];
                           std::snprintf(name, sizeof name, "mode%o", info.param.first);
                           return std::string(name);
                         });

}  // namespace
}  // namespace hb::config

namespace hb::config {
namespace {

TEST(AuthKeysFileOwner, AKeyFileOwnedBySomeoneElseIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "chown to another user needs root";
  testing::TempDir dir;
  dir.copy_seed();
  auto file = dir.write("authkeys", "auth 2\n2 crc\n", 0600);
  ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);
  auto r = load({dir.path(), "ha1.haw2.ibm.com", true, true});
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(errors(r.diagnostics),
            Lines{file +
                  ": owned by uid 65534: the key file must be owned by root (its owner can "
                  "change the cluster key); fix with: chown root:root " +
                  file});
}

TEST(LoadFiles, ANonRegularFileIsRefusedNotWaitedOn) {
  testing::TempDir dir;
  dir.copy_seed();
  const std::string fifo = dir.path() + "/haresources";
  std::filesystem::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  auto r = load({dir.path(), "ha1.haw2.ibm.com", true, true});  // must not block on the FIFO
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace hb::config
