// The watchdog's feeding rule on a fake clock: fed only when an own heartbeat comes back while
// hb-resourced's last answer is fresh; starving, and why, once either stops.
#include "core/watchdog/feed_rule.hpp"

#include <gtest/gtest.h>

namespace hb::watchdog {
namespace {

using std::chrono::milliseconds;

const TimePoint t0{std::chrono::seconds(1000)};
const FeedTiming timing{milliseconds(500), milliseconds(2000)};  // deadtime 1 s

TEST(FeedRule, NoFeedBeforeHbResourcedHasAnswered) {
  FeedRule r(timing);
  EXPECT_FALSE(r.own_status_heard(t0));
  EXPECT_FALSE(r.last_feed());
  EXPECT_FALSE(r.reset_at());
  EXPECT_FALSE(r.starving(t0 + milliseconds(5000)));  // never armed: nothing to starve
  EXPECT_EQ(r.why_withheld(t0), "hb-resourced has not answered yet");
}

TEST(FeedRule, EachOwnHeartbeatFeedsWhileHbResourcedAnswers) {
  FeedRule r(timing);
  r.resourced_answered(t0);
  EXPECT_TRUE(r.own_status_heard(t0 + milliseconds(100)));
  for (int i = 2; i <= 20; ++i) {
    const TimePoint now = t0 + milliseconds(100 * i);
    r.resourced_answered(now - milliseconds(50));  // a Ping every keepalive, answered
    EXPECT_TRUE(r.own_status_heard(now)) << i;
    EXPECT_FALSE(r.starving(now));
    EXPECT_EQ(r.why_withheld(now), "");
  }
  EXPECT_EQ(r.reset_at(), t0 + milliseconds(2000 + 2000));
}

TEST(FeedRule, AHungHbResourcedStopsTheFeedsAfterTheAnswerBound) {
  FeedRule r(timing);
  r.resourced_answered(t0);
  EXPECT_TRUE(r.own_status_heard(t0 + milliseconds(100)));
  EXPECT_TRUE(r.own_status_heard(t0 + milliseconds(500)));   // exactly the bound: still fresh
  EXPECT_FALSE(r.own_status_heard(t0 + milliseconds(600)));  // no answer since t0
  EXPECT_FALSE(r.starving(t0 + milliseconds(1000)));         // last feed 500 ms ago
  EXPECT_TRUE(r.starving(t0 + milliseconds(1001)));
  EXPECT_EQ(r.why_withheld(t0 + milliseconds(700)), "hb-resourced has not answered for 700 ms");
  EXPECT_EQ(r.reset_at(), t0 + milliseconds(500 + 2000));
  // It answers again: the next own heartbeat feeds.
  r.resourced_answered(t0 + milliseconds(1100));
  EXPECT_TRUE(r.own_status_heard(t0 + milliseconds(1150)));
  EXPECT_FALSE(r.starving(t0 + milliseconds(1200)));
}

TEST(FeedRule, NoOwnHeartbeatMeansNoFeedWhateverHbResourcedSays) {
  FeedRule r(timing);
  r.resourced_answered(t0);
  EXPECT_TRUE(r.own_status_heard(t0));
  for (int i = 1; i <= 10; ++i) r.resourced_answered(t0 + milliseconds(100 * i));
  const TimePoint now = t0 + milliseconds(1000);
  EXPECT_TRUE(r.starving(now));
  EXPECT_EQ(r.why_withheld(now), "no own heartbeat heard back for 1000 ms");
}

TEST(FeedRule, BothMissingAreBothSaid) {
  FeedRule r(timing);
  r.resourced_answered(t0);
  EXPECT_TRUE(r.own_status_heard(t0));
  EXPECT_EQ(r.why_withheld(t0 + milliseconds(800)),
            "hb-resourced has not answered for 800 ms; no own heartbeat heard back for 800 ms");
}

TEST(FeedRule, AnOlderAnswerArrivingLateDoesNotGoBackInTime) {
  FeedRule r(timing);
  r.resourced_answered(t0 + milliseconds(400));
  r.resourced_answered(t0);
  EXPECT_TRUE(r.own_status_heard(t0 + milliseconds(850)));
}

TEST(FeedRule, StatesHaveTheirPropertyNames) {
  EXPECT_STREQ(to_string(State::off), "off");
  EXPECT_STREQ(to_string(State::held_by_pid1), "held-by-pid1");
  EXPECT_STREQ(to_string(State::held_elsewhere), "held-elsewhere");
  EXPECT_STREQ(to_string(State::starving), "starving");
}

}  // namespace
}  // namespace hb::watchdog
