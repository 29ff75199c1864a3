#include "core/config/lexical.hpp"

#include <gtest/gtest.h>

namespace hb::config {
namespace {

using std::chrono::milliseconds;

TEST(TimeSyntax, PlainNumbersAreSeconds) {
  EXPECT_EQ(parse_time("2"), milliseconds(2000));
  EXPECT_EQ(parse_time("60"), milliseconds(60000));
  EXPECT_EQ(parse_time("1.7"), milliseconds(1700));
  EXPECT_EQ(parse_time(".5"), milliseconds(500));
  EXPECT_EQ(parse_time("0"), milliseconds(0));
}

TEST(TimeSyntax, MillisecondAndMicrosecondSuffixes) {
  EXPECT_EQ(parse_time("500ms"), milliseconds(500));
  EXPECT_EQ(parse_time("500msec"), milliseconds(500));
  EXPECT_EQ(parse_time("500 ms"), milliseconds(500));
  EXPECT_EQ(parse_time("1500us"), milliseconds(1));
  EXPECT_EQ(parse_time("250000 usec"), milliseconds(250));
  EXPECT_EQ(parse_time("2500\tus"), milliseconds(2));
}

TEST(TimeSyntax, AnythingElseIsInvalid) {
  for (const char* bad : {"", "s", "2s", "2 sec", "2min", "-1", "abc", "1.2.3", "ms", "2 m s"}) {
    EXPECT_FALSE(parse_time(bad).has_value()) << bad;
  }
}

TEST(Booleans, HeartbeatSpellings) {
  for (const char* t : {"true", "on", "yes", "y", "1", "ON", "Yes", "TRUE"}) {
    EXPECT_EQ(parse_bool(t), true) << t;
  }
  for (const char* f : {"false", "off", "no", "n", "0", "OFF", "No"}) {
    EXPECT_EQ(parse_bool(f), false) << f;
  }
  EXPECT_FALSE(parse_bool("maybe").has_value());
  EXPECT_FALSE(parse_bool("2").has_value());
}

TEST(Diagnostics, RenderAsFileLineMessage) {
  Diagnostic e{Diagnostic::Severity::error, Origin{"ha.cf", 12}, "bad"};
  Diagnostic w{Diagnostic::Severity::warning, Origin{"ha.cf", 3}, "careful"};
  Diagnostic whole{Diagnostic::Severity::error, Origin{"authkeys", 0}, "mode"};
  EXPECT_EQ(e.str(), "ha.cf:12: bad");
  EXPECT_EQ(w.str(), "ha.cf:3: warning: careful");
  EXPECT_EQ(whole.str(), "authkeys: mode");
}

}  // namespace
}  // namespace hb::config
