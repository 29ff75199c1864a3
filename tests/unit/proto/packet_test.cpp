// seal()/open(): what goes on the wire for each format and which packets are refused.
#include "core/proto/packet.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/proto/auth.hpp"
#include "core/proto/control.hpp"
#include "core/proto/netstring.hpp"
#include "example.hpp"

namespace hb::proto {
namespace {

using Method = config::AuthKey::Method;
using test::example_status;
using test::kExampleBody;

TEST(Seal, ClassicIsTheReferencePacket) {
  auto keys = test::keys(1, Method::crc);
  auto bytes = seal(example_status(), keys, test::sealed(WireFormat::classic));
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, ">>>\n" + kExampleBody + "auth=1 a270e59e\n<<<\n" + std::string(1, '\0'));
  auto serial = seal(example_status(), keys, test::sealed(WireFormat::classic, false));
  EXPECT_EQ(serial->back(), '\n');
}

TEST(Seal, NetstringCarriesInnerAuthAndTrailer) {
  auto keys = test::keys(1, Method::crc);
  auto bytes = seal(example_status(), keys);
  ASSERT_TRUE(bytes.ok());
  // heartbeat 3 with msgfmt classic: the classic auth field travels inside...
  EXPECT_NE(bytes->find("18:(0)auth=1 a270e59e,%%%\n"), std::string::npos);
  // ...and the trailer signs the whole payload.
  auto end = bytes->find("%%%\n") + 4;
  std::string payload = bytes->substr(0, end);
  EXPECT_EQ(bytes->substr(end),
            netstring_auth_trailer("1 " + compute_digest(Method::crc, "", payload)));
  auto bare = seal(example_status(), keys, test::sealed(WireFormat::netstring, true, false));
  EXPECT_EQ(bare->find("(0)auth="), std::string::npos);
}

TEST(Open, RoundTripsBothFormatsForEveryMethod) {
  const Method methods[] = {Method::crc, Method::md5, Method::sha1, Method::sha256};
  for (auto method : methods) {
    auto keys = test::keys(3, method, method == Method::crc ? "" : "s3cret");
    for (auto format : {WireFormat::classic, WireFormat::netstring}) {
      auto bytes = seal(example_status(), keys, test::sealed(format));
      ASSERT_TRUE(bytes.ok());
      auto opened = open(*bytes, keys);
      ASSERT_TRUE(opened.ok()) << opened.error().detail;
      EXPECT_EQ(opened->message, example_status());  // auth removed, order kept
      EXPECT_EQ(opened->format, format);
      EXPECT_EQ(opened->auth_index, 3);
    }
  }
}

TEST(Open, AcceptsAHeartbeatClassicPacket) {
  auto keys = test::keys(1, Method::md5, "Hello!");
  std::string packet = ">>>\n" + kExampleBody + "auth=1 bca78c9ef6904b46af90d58314407c92\n<<<\n";
  auto opened = open(packet + '\0', keys);
  ASSERT_TRUE(opened.ok()) << opened.error().detail;
  EXPECT_EQ(opened->message.get("src"), "ha1.haw2.ibm.com");
}

TEST(Open, TamperedFieldIsRejectedInBothFormats) {
  auto keys = test::keys(1, Method::sha1, "HI!");
  for (auto format : {WireFormat::classic, WireFormat::netstring}) {
    std::string bytes = *seal(example_status(), keys, test::sealed(format));
    auto at = bytes.find("active");
    bytes.replace(at, 6, "ACTIVE");
    EXPECT_EQ(open(bytes, keys).problem(), Problem::bad_digest);
  }
}

TEST(Open, WrongKeyUnknownIndexMissingAuth) {
  auto ours = test::keys(1, Method::sha1, "HI!");
  auto theirs = test::keys(1, Method::sha1, "other");
  auto rotated = test::keys(2, Method::sha1, "HI!");
  for (auto format : {WireFormat::classic, WireFormat::netstring}) {
    std::string bytes = *seal(example_status(), theirs, test::sealed(format));
    EXPECT_EQ(open(bytes, ours).problem(), Problem::bad_digest);
    EXPECT_EQ(open(bytes, rotated).problem(), Problem::unknown_key);
  }
  std::string unsigned_classic = ">>>\n" + kExampleBody + "<<<\n";
  EXPECT_EQ(open(unsigned_classic, ours).problem(), Problem::missing_auth);
  std::string unsigned_netstring = "###\n11:(0)t=status,%%%\n";
  EXPECT_EQ(open(unsigned_netstring, ours).problem(), Problem::missing_auth);
  // decode() alone does not judge authentication.
  EXPECT_TRUE(decode(unsigned_netstring).ok());
}

TEST(Open, NetstringInnerAuthIsNotWhatCounts) {
  // A forged inner auth field does not help a packet whose trailer is wrong, and a packet
  // with a valid trailer is fine whatever its inner field says (heartbeat checks the trailer).
  auto keys = test::keys(1, Method::md5, "k");
  Message m = example_status();
  m.add("auth", "1 00000000000000000000000000000000");
  auto bytes = seal(m, keys, test::sealed(WireFormat::netstring, true, false));
  ASSERT_TRUE(bytes.ok());
  EXPECT_TRUE(open(*bytes, keys).ok());
}

TEST(Open, GarbageAndOversizedAreClassified) {
  auto keys = test::keys(1, Method::crc);
  EXPECT_EQ(classify(open("\x01\x02garbage", keys).problem()), ProblemClass::malformed);
  EXPECT_EQ(open(std::string(70000, '#'), keys).problem(), Problem::oversized);
  EXPECT_EQ(open("###\n11:(0)t=stat", keys).problem(), Problem::truncated);
}

TEST(Status, FieldsInHeartbeatsOrder) {
  ControlFields control = test::control("ha1", 4, 0x40a3c5e1, 4, "0.00 0.01 0.00 1/59 1234");
  StatusOptions status;
  status.deadtime = std::chrono::seconds(60);
  Message m = build_status(status, control, 43);
  std::vector<std::string> names;
  for (const auto& f : m.fields()) names.push_back(f.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"t", "st", "dt", "src", "seq", "hg", "ts", "ld", "ttl"}));
  EXPECT_EQ(m.get("dt"), "ea60");
  EXPECT_EQ(m.get("seq"), "2b");
  EXPECT_EQ(m.get("ts"), "40a3c5e1");
  EXPECT_EQ(m.get("ttl"), "4");
  EXPECT_FALSE(m.has("protocol"));
  status.announce_protocol = true;
  Message p = build_status(status, control, 1);
  EXPECT_EQ(p.fields()[3].name, "protocol");
  EXPECT_FALSE(p.has("hb_config"));
}

// hb's own field rides after heartbeat's, before the control fields; heartbeat looks fields up
// by name and never sees it.
TEST(Status, CarriesTheClusterConfigDigestWhenGiven) {
  StatusOptions status;
  status.config_digest = "0123456789abcdef";
  Message m = build_status(status, test::control("ha1", 4, 1), 1);
  std::vector<std::string> names;
  for (const auto& f : m.fields()) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"t", "st", "dt", "hb_config", "src", "seq", "hg", "ts",
                                             "ld", "ttl"}));
  EXPECT_EQ(m.get("hb_config"), "0123456789abcdef");
}

TEST(Status, UnsequencedTypesGetNoSeqOrLoad) {
  ControlFields control = test::control("ha1", 7, 1);
  Message r = build_rexmit_request("ha2", 10, 12, control);
  EXPECT_EQ(r.get("t"), "NS_rexmit");
  EXPECT_EQ(r.get("dest"), "ha2");
  EXPECT_EQ(r.get("firstseq"), "10");  // decimal
  EXPECT_EQ(r.get("lastseq"), "12");
  EXPECT_FALSE(r.has("seq"));
  EXPECT_FALSE(r.has("ld"));
  EXPECT_EQ(r.get("hg"), "7");
  Message n = build_nak("ha2", 26, "seqno too low", control);
  EXPECT_EQ(n.get("firstseq"), "1a");  // hex
  EXPECT_EQ(n.get("info"), "seqno too low");
}

TEST(Numbers, HexAndDecimalAreStrict) {
  EXPECT_EQ(parse_hex("2b"), 43u);
  EXPECT_EQ(parse_hex("FF"), 255u);
  EXPECT_FALSE(parse_hex("").has_value());
  EXPECT_FALSE(parse_hex("0x2b").has_value());
  EXPECT_FALSE(parse_hex("12345678901234567").has_value());
  EXPECT_EQ(parse_decimal("42"), 42u);
  EXPECT_FALSE(parse_decimal("-1").has_value());
  EXPECT_EQ(to_hex(0x40a3c5e1), "40a3c5e1");
}

}  // namespace
}  // namespace hb::proto
