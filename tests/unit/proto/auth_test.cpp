// Digests: the reference's three vectors over the 98-byte example body, RFC 2202 HMAC vectors,
// and the verify rules (named index, unknown index, tampering).
#include "core/proto/auth.hpp"

#include <gtest/gtest.h>

#include <string>

#include "example.hpp"

namespace hb::proto {
namespace {

using test::kExampleBody;
using Method = config::AuthKey::Method;

TEST(Digest, ReferenceVectors) {
  EXPECT_EQ(compute_digest(Method::crc, "", kExampleBody), "a270e59e");
  EXPECT_EQ(compute_digest(Method::md5, "Hello!", kExampleBody),
            "bca78c9ef6904b46af90d58314407c92");
  EXPECT_EQ(compute_digest(Method::sha1, "HI!", kExampleBody),
            "94020610bae31d5ff718c17543670e87ef32d891");
}

TEST(Digest, CrcPrintsNoLeadingZeros) {
  // "%lx": a CRC below 0x10000000 has fewer than 8 digits.
  for (int i = 0; i < 4096; ++i) {
    std::string data = "x" + std::to_string(i);
    std::uint32_t crc = heartbeat_crc32(data);
    if (crc < 0x10000000u) {
      std::string d = compute_digest(Method::crc, "", data);
      EXPECT_LT(d.size(), 8u);
      EXPECT_NE(d.front(), '0');
      return;
    }
  }
  FAIL() << "no small CRC found";
}

TEST(Digest, CrcIsNotPosixCksum) {
  // Non-reflected, init 0, no length: the empty string hashes to ~0.
  EXPECT_EQ(heartbeat_crc32(""), 0xffffffffu);
}

TEST(Digest, Rfc2202HmacMd5) {
  EXPECT_EQ(compute_digest(Method::md5, std::string(16, '\x0b'), "Hi There"),
            "9294727a3638bb1c13f48ef8158bfc9d");
  EXPECT_EQ(compute_digest(Method::md5, "Jefe", "what do ya want for nothing?"),
            "750c783e6ab0b503eaa86e310a5db738");
  EXPECT_EQ(compute_digest(Method::md5, std::string(80, '\xaa'),
                           "Test Using Larger Than Block-Size Key - Hash Key First"),
            "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd");
}

TEST(Digest, Rfc2202HmacSha1) {
  EXPECT_EQ(compute_digest(Method::sha1, std::string(20, '\x0b'), "Hi There"),
            "b617318655057264e28bc0b6fb378c8ef146be00");
  EXPECT_EQ(compute_digest(Method::sha1, "Jefe", "what do ya want for nothing?"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  EXPECT_EQ(compute_digest(Method::sha1, std::string(80, '\xaa'),
                           "Test Using Larger Than Block-Size Key - Hash Key First"),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

TEST(Digest, Rfc4231HmacSha256) {
  EXPECT_EQ(compute_digest(Method::sha256, "Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Digest, EmptySecretIsAKeyOfNoBytes) {
  EXPECT_EQ(compute_digest(Method::md5, "", ""), "74e6f7298a9c2d168935f58c001bad88");
  EXPECT_EQ(compute_digest(Method::sha1, "", ""), "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
}

TEST(Digest, KeysTakenInTurnEachGiveTheirOwnDigestEveryTime) {
  // More keys than a node keeps ready, interleaved and repeated: no digest borrows another
  // key's state or its previous message.
  struct Case {
    Method method;
    std::string secret, data, digest;
  };
  const Case cases[] = {
      {Method::md5, "Jefe", "what do ya want for nothing?", "750c783e6ab0b503eaa86e310a5db738"},
      {Method::sha1, "Jefe", "what do ya want for nothing?",
       "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
      {Method::md5, "Hello!", std::string(kExampleBody), "bca78c9ef6904b46af90d58314407c92"},
      {Method::sha1, "HI!", std::string(kExampleBody), "94020610bae31d5ff718c17543670e87ef32d891"},
      {Method::sha256, "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {Method::md5, std::string(16, '\x0b'), "Hi There", "9294727a3638bb1c13f48ef8158bfc9d"},
      {Method::sha1, "", "", "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d"},
  };
  for (int round = 0; round < 3; ++round) {
    for (const auto& c : cases) {
      EXPECT_EQ(compute_digest(c.method, c.secret, c.data), c.digest) << c.secret;
      EXPECT_EQ(compute_digest(c.method, c.secret, c.data), c.digest) << c.secret;
    }
  }
}

TEST(AuthValue, ParsesHeartbeatsForm) {
  auto v = parse_auth_value("1 a270e59e");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->index, 1);
  EXPECT_EQ(v->digest, "a270e59e");
  EXPECT_EQ(format_auth_value(*v), "1 a270e59e");
  EXPECT_FALSE(parse_auth_value("").has_value());
  EXPECT_FALSE(parse_auth_value("1").has_value());
  EXPECT_FALSE(parse_auth_value("x a270e59e").has_value());
  EXPECT_FALSE(parse_auth_value("1 ").has_value());
}

TEST(Verify, SignedByUsVerifies) {
  auto keys = test::keys(2, Method::sha1, "HI!");
  auto value = sign(keys, kExampleBody);
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->index, 2);
  auto index = verify(keys, kExampleBody, format_auth_value(*value));
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(*index, 2);
}

TEST(Verify, UsesTheIndexThePacketNames) {
  // Key rotation: we sign with 2 now, a peer still signs with 1.
  auto keys = test::keys(2, Method::sha1, "new");
  keys.keys[1] = config::AuthKey{Method::md5, "Hello!", {}};
  auto index = verify(keys, kExampleBody, "1 bca78c9ef6904b46af90d58314407c92");
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(*index, 1);
}

TEST(Verify, RejectionsHaveTheirReasons) {
  auto keys = test::keys(1, Method::md5, "Hello!");
  EXPECT_EQ(verify(keys, kExampleBody, std::nullopt).problem(), Problem::missing_auth);
  EXPECT_EQ(verify(keys, kExampleBody, "garbage").problem(), Problem::bad_auth);
  EXPECT_EQ(verify(keys, kExampleBody, "3 bca78c9ef6904b46af90d58314407c92").problem(),
            Problem::unknown_key);
  EXPECT_EQ(verify(keys, kExampleBody + "x", "1 bca78c9ef6904b46af90d58314407c92").problem(),
            Problem::bad_digest);
  auto other = test::keys(1, Method::md5, "Goodbye");
  EXPECT_EQ(verify(other, kExampleBody, "1 bca78c9ef6904b46af90d58314407c92").problem(),
            Problem::bad_digest);
  EXPECT_EQ(classify(Problem::bad_digest), ProblemClass::bad_auth);
}

TEST(Sign, WithoutAnActiveKeyIsAnError) {
  config::AuthKeys none;
  EXPECT_EQ(sign(none, "x").problem(), Problem::no_signing_key);
}

}  // namespace
}  // namespace hb::proto
