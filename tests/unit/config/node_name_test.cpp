#include "core/config/node_name.hpp"

#include <gtest/gtest.h>

#include <clocale>
#include <string>

#include "core/liveness/names.hpp"

namespace hb::config {
namespace {

// Evaluated by the compiler: a constant expression cannot call std::tolower or strcasecmp, so
// no locale can take part.
static_assert(same_node_name("HA1.haw2.IBM.com", "ha1.HAW2.ibm.COM"));
static_assert(!same_node_name("ha1", "ha2"));
static_assert(!same_node_name("ha1", "ha1 "));

TEST(NodeName, AsciiLettersFold) {
  EXPECT_TRUE(same_node_name("ha1.haw2.ibm.com", "HA1.HAW2.IBM.COM"));
  EXPECT_TRUE(same_node_name("Node-A_7", "nODE-a_7"));
  EXPECT_TRUE(same_node_name("", ""));
  for (char c = 'A'; c <= 'Z'; ++c) {
    const char lower = static_cast<char>(c - 'A' + 'a');
    EXPECT_TRUE(same_node_name(std::string(1, c), std::string(1, lower))) << c;
  }
}

TEST(NodeName, DifferentNamesDiffer) {
  EXPECT_FALSE(same_node_name("ha1", "ha2"));
  EXPECT_FALSE(same_node_name("ha1", "ha10"));
  EXPECT_FALSE(same_node_name("ha1", ""));
  // Only letters fold: '@' (0x40) and '`' (0x60) sit next to 'A' and 'a' but are not letters.
  EXPECT_FALSE(same_node_name("@", "`"));
  EXPECT_FALSE(same_node_name("[", "{"));
}

// Bytes outside ASCII compare as they are: Latin-1 Ä (0xC4) is not ä (0xE4), the UTF-8 forms of
// Ä and ä differ, and the Turkish dotless/dotted i are not folded to ASCII i.
void expect_non_ascii_bytes_are_compared_as_they_are() {
  EXPECT_FALSE(same_node_name("\xC4", "\xE4"));
  EXPECT_FALSE(same_node_name("n\xC3\x84", "n\xC3\xA4"));
  EXPECT_FALSE(same_node_name("\xC4\xB0", "i"));  // U+0130 İ
  EXPECT_FALSE(same_node_name("\xC4\xB1", "i"));  // U+0131 ı
  EXPECT_FALSE(same_node_name("\xDD", "i"));      // İ in ISO-8859-9
  EXPECT_FALSE(same_node_name("\xFD", "I"));      // ı in ISO-8859-9
  EXPECT_TRUE(same_node_name("n\xC3\x84X", "n\xC3\x84x"));
  EXPECT_TRUE(same_node_name("I", "i"));
}

TEST(NodeName, NonAsciiBytesCompareAsTheyAre) {
  expect_non_ascii_bytes_are_compared_as_they_are();
}

// The same answers under every locale this machine has of those that fold differently (where
// std::tolower would turn 0xC4 into 0xE4, or 'I' into a dotless i). Locales that are not
// installed are skipped; the C locale always runs.
TEST(NodeName, NoLocaleTakesPart) {
  const std::string saved = std::setlocale(LC_ALL, nullptr);
  int ran = 0;
  for (const char* name :
       {"C", "C.UTF-8", "de_DE.ISO-8859-1", "de_DE.UTF-8", "tr_TR.ISO-8859-9", "tr_TR.UTF-8"}) {
    if (std::setlocale(LC_ALL, name) == nullptr) continue;
    SCOPED_TRACE(name);
    ++ran;
    expect_non_ascii_bytes_are_compared_as_they_are();
    EXPECT_TRUE(same_node_name("HA1", "ha1"));
  }
  std::setlocale(LC_ALL, saved.c_str());
  EXPECT_GE(ran, 1);
}

TEST(NodeName, KeywordsUseTheSameFolding) {
  EXPECT_TRUE(ascii_iequals("LEGACY", "legacy"));
  EXPECT_FALSE(ascii_iequals("legacy\xC4", "LEGACY\xE4"));
  EXPECT_EQ(ascii_lower('Q'), 'q');
  EXPECT_EQ(ascii_lower('\xC4'), '\xC4');
}

// liveness::same_name, which the daemons call, is the same rule.
TEST(NodeName, LivenessUsesTheSameRule) {
  EXPECT_TRUE(liveness::same_name("HA2", "ha2"));
  EXPECT_FALSE(liveness::same_name("\xC4", "\xE4"));
}

}  // namespace
}  // namespace hb::config
