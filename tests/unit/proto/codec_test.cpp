// Both wire formats: exact bytes, round trips, and each kind of bad input.
#include <gtest/gtest.h>

#include <string>

#include "core/proto/base64.hpp"
#include "core/proto/classic.hpp"
#include "core/proto/netstring.hpp"
#include "example.hpp"

namespace hb::proto {
namespace {

using test::example_status;
using test::kExampleBody;

TEST(Classic, EncodesTheReferenceExampleBodyExactly) {
  auto text = classic_auth_text(example_status());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, kExampleBody);
  EXPECT_EQ(text->size(), 98u);
}

TEST(Classic, ReferencePacketIs123BytesWithItsNul) {
  Message m = example_status();
  m.add("auth", "1 a270e59e");
  auto out = encode_classic(m);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, ">>>\n" + kExampleBody + "auth=1 a270e59e\n<<<\n");
  EXPECT_EQ(out->size() + 1, 123u);
}

TEST(Classic, RoundTripKeepsOrderTypesAndNewlines) {
  Message m{{"t", "resource"},
            {"info", "two\nlines"},
            {"srcuuid", std::string("\x00\x01\xfe\xff\n", 5), FieldType::binary},
            {"t", "repeated"},
            {"empty", ""}};
  auto text = encode_classic(m);
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("(1)srcuuid=AAH+/wo=\n"), std::string::npos);
  EXPECT_NE(text->find("info=two\x13lines\n"), std::string::npos);
  auto back = decode_classic(*text + '\0');
  ASSERT_TRUE(back.ok()) << back.error().detail;
  EXPECT_EQ(*back, m);
  EXPECT_EQ(back->get("t"), "resource");  // first of a repeated name
}

TEST(Classic, ToleratesCrLfAndBlankLines) {
  auto m = decode_classic(">>>\nt=status\r\n\nst=up\n<<<\r\n");
  ASSERT_TRUE(m.ok()) << m.error().detail;
  EXPECT_EQ(m->get("st"), "up");
}

TEST(Classic, RefusesToEncodeWhatItCannotCarry) {
  EXPECT_EQ(encode_classic(Message{{"t", std::string("a\x13"
                                                     "b")}})
                .problem(),
            Problem::unencodable);
  EXPECT_EQ(encode_classic(Message{{"bad=name", "x"}}).problem(), Problem::unencodable);
}

struct Bad {
  std::string bytes;
  Problem problem;
};

TEST(Classic, EachKindOfBadInputHasItsReason) {
  const Bad cases[] = {
      {"", Problem::empty},
      {std::string(1, '\0'), Problem::empty},
      {"GET / HTTP/1.0\r\n\r\n", Problem::garbage},
      {">>", Problem::truncated},
      {">>>\nt=status\n", Problem::truncated},
      {">>>\nt=status", Problem::truncated},
      {">>>\nt=status\n<<<", Problem::truncated},
      {">>>\nno equals sign\n<<<\n", Problem::bad_field},
      {">>>\n=value\n<<<\n", Problem::bad_field},
      {">>>\n(7)x=1\n<<<\n", Problem::bad_field},
      {">>>\n(1)x=not base64!\n<<<\n", Problem::bad_field},
      {">>>\n(1)x=AB==\n<<<\n", Problem::bad_field},  // non-canonical
      {std::string(">>>\nt=st\x01tus\n<<<\n"), Problem::bad_field},
      {std::string(">>>\nt=st\0tus\n<<<\n", 17), Problem::bad_field},
      {">>>\nt=status\n<<<\nextra", Problem::trailing_data},
      {">>>\n<<<\n", Problem::bad_field},
  };
  for (const auto& c : cases) {
    auto r = decode_classic(c.bytes);
    ASSERT_FALSE(r.ok()) << c.bytes;
    EXPECT_EQ(r.problem(), c.problem) << c.bytes << " -> " << r.error().detail;
  }
}

TEST(Classic, OversizedAndTooManyFields) {
  EXPECT_EQ(decode_classic(">>>\nx=" + std::string(70000, 'a') + "\n<<<\n").problem(),
            Problem::oversized);
  std::string many = ">>>\n";
  for (int i = 0; i < 2000; ++i) many += "f=1\n";
  many += "<<<\n";
  EXPECT_EQ(decode_classic(many).problem(), Problem::oversized);
}

TEST(Netstring, EncodesHeartbeatsLayout) {
  Message m{{"t", "status"}, {"st", "active"}, {"dt", "ea60"}, {"protocol", "1"}};
  auto out = encode_netstring_payload(m);
  ASSERT_TRUE(out.ok());
  // The reference's literal 3.0 prefix.
  EXPECT_EQ(*out, "###\n11:(0)t=status,12:(0)st=active,10:(0)dt=ea60,13:(0)protocol=1,%%%\n");
  EXPECT_EQ(netstring_auth_trailer("1 a270e59e"), "10:1 a270e59e,");
}

TEST(Netstring, RoundTripCarriesRawBytes) {
  Message m{{"t", "x"},
            {"multi", "a\nb,c:d"},
            {"uuid", std::string("\x00\x01\x02,\n", 5), FieldType::binary},
            {"nested", "###\n5:(0)a=,%%%\n", FieldType::structure}};
  auto payload = encode_netstring_payload(m);
  ASSERT_TRUE(payload.ok());
  std::string bytes = *payload + netstring_auth_trailer("1 abc");
  auto back = decode_netstring(bytes);
  ASSERT_TRUE(back.ok()) << back.error().detail;
  EXPECT_EQ(back->message, m);
  EXPECT_EQ(back->payload_size, payload->size());
  EXPECT_EQ(back->auth, "1 abc");
  // Without a trailer: decodes, no auth.
  auto bare = decode_netstring(*payload);
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare->auth.has_value());
}

TEST(Netstring, EachKindOfBadInputHasItsReason) {
  const Bad cases[] = {
      {"##", Problem::truncated},
      {"###x", Problem::garbage},
      {"###\n", Problem::truncated},
      {"###\n11:(0)t=status,", Problem::truncated},
      {"###\n11:(0)t=status,%%", Problem::truncated},
      {"###\n11:(0)t=sta", Problem::truncated},
      {"###\n99:(0)t=status,%%%\n", Problem::truncated},  // runs past the end
      {"###\n5:(0)t=status,%%%\n", Problem::bad_length},  // no ',' where it should be
      {"###\n:(0)t=status,%%%\n", Problem::bad_length},
      {"###\n1x:(0)t=status,%%%\n", Problem::bad_length},
      {"###\n9999999999:(0)t=x,%%%\n", Problem::bad_length},
      {"###\n999999:(0)t=x,%%%\n", Problem::bad_length},  // beyond max_packet
      {"###\n7:(0)t=x,y,%%%\n", Problem::bad_length},
      {"###\n8:t=status,%%%\n", Problem::bad_field},
      {"###\n6:(9)t=x,%%%\n", Problem::bad_field},
      {"###\n5:(0)tx,%%%\n", Problem::bad_field},
      {std::string("###\n6:(0)t=\0,%%%\n", 17), Problem::bad_field},
      {"###\n%%%\n", Problem::bad_field},
      {"###\n6:(0)t=x,%%%\n3:1 a,junk", Problem::trailing_data},
      {"###\n6:(0)t=x,%%%\n9:1 a,", Problem::truncated},
  };
  for (const auto& c : cases) {
    auto r = decode_netstring(c.bytes);
    ASSERT_FALSE(r.ok()) << c.bytes;
    EXPECT_EQ(r.problem(), c.problem) << c.bytes << " -> " << r.error().detail;
  }
}

TEST(Base64, MatchesRfc4648) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_decode("Zm9vYg=="), "foob");
  EXPECT_FALSE(base64_decode("Zm9vYg=").has_value());
  EXPECT_FALSE(base64_decode("Zg==Zg==").has_value());
}

}  // namespace
}  // namespace hb::proto
