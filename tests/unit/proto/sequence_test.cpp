// heartbeat's should_drop_message rules, one peer at a time.
#include "core/proto/sequence.hpp"

#include <gtest/gtest.h>

namespace hb::proto {
namespace {

SeqFields msg(Seq seq, Generation gen = 5, bool status = false) {
  SeqFields f;
  f.sequenced = true;
  f.seq = seq;
  f.generation = gen;
  f.is_status = status;
  return f;
}

TEST(Sequence, InOrderAcceptedRepeatIsDuplicate) {
  SequenceTracker t;
  EXPECT_EQ(t.on_message(msg(7)).verdict, SeqVerdict::accept);  // first contact: any seq
  EXPECT_EQ(t.on_message(msg(8)).verdict, SeqVerdict::accept);
  EXPECT_EQ(t.on_message(msg(8)).verdict, SeqVerdict::duplicate);  // same packet, 2nd medium
  EXPECT_EQ(t.on_message(msg(3)).verdict, SeqVerdict::duplicate);  // old, never missing
  EXPECT_EQ(t.last_seq(), 8u);
}

TEST(Sequence, OlderGenerationIsAReplay) {
  SequenceTracker t;
  t.on_message(msg(100, 5));
  auto out = t.on_message(msg(101, 4));
  EXPECT_EQ(out.verdict, SeqVerdict::replay);
  EXPECT_FALSE(accepted(out.verdict));
  EXPECT_EQ(t.last_seq(), 100u);
}

TEST(Sequence, NewerGenerationIsARestart) {
  SequenceTracker t;
  auto first = t.on_message(msg(1, 5, true));
  EXPECT_FALSE(first.restart);  // first contact is not a restart
  t.on_message(msg(2, 5));
  t.on_message(msg(6, 5));  // leaves 3..5 missing
  auto out = t.on_message(msg(1, 6, true));
  EXPECT_TRUE(out.restart);
  EXPECT_EQ(out.verdict, SeqVerdict::accept);
  EXPECT_EQ(out.forgotten, (std::vector<Seq>{3, 4, 5}));
  EXPECT_TRUE(t.missing().empty());
  EXPECT_EQ(t.generation(), 6u);
  EXPECT_EQ(t.on_message(msg(2, 6)).verdict, SeqVerdict::accept);
}

TEST(Sequence, GapIsAcceptedRecordedAndFilled) {
  SequenceTracker t;
  t.on_message(msg(10));
  auto out = t.on_message(msg(14));
  EXPECT_EQ(out.verdict, SeqVerdict::accept_gap);
  EXPECT_EQ(out.missing_first, 11u);
  EXPECT_EQ(out.missing_last, 13u);
  EXPECT_EQ(t.missing(), (std::set<Seq>{11, 12, 13}));
  EXPECT_EQ(t.on_message(msg(12)).verdict, SeqVerdict::fill);
  EXPECT_EQ(t.on_message(msg(12)).verdict, SeqVerdict::duplicate);  // only once
  EXPECT_EQ(t.missing(), (std::set<Seq>{11, 13}));
  EXPECT_TRUE(t.on_nak(11));
  EXPECT_FALSE(t.on_nak(11));
  EXPECT_EQ(t.missing(), (std::set<Seq>{13}));
}

TEST(Sequence, HugeGapLosesALotAndResets) {
  SequenceTracker t;
  t.on_message(msg(10));
  t.on_message(msg(12));  // 11 missing
  auto out = t.on_message(msg(10 + 2 + 251 + 1));
  EXPECT_TRUE(out.lost_a_lot);
  EXPECT_EQ(out.verdict, SeqVerdict::accept);
  EXPECT_EQ(out.forgotten, (std::vector<Seq>{11}));
  EXPECT_TRUE(t.missing().empty());
  // Exactly 250 lost is still a gap to repair.
  SequenceTracker u;
  u.on_message(msg(1));
  EXPECT_EQ(u.on_message(msg(252)).verdict, SeqVerdict::accept_gap);
}

TEST(Sequence, MissingListIsBounded) {
  SeqLimits limits;
  limits.max_missing = 5;
  SequenceTracker t(limits);
  t.on_message(msg(1));
  auto out = t.on_message(msg(9));  // 2..8 missing, only 5 kept
  EXPECT_EQ(out.forgotten, (std::vector<Seq>{2, 3}));
  EXPECT_EQ(t.missing(), (std::set<Seq>{4, 5, 6, 7, 8}));
  EXPECT_EQ(t.on_message(msg(2)).verdict, SeqVerdict::duplicate);
}

TEST(Sequence, DeadPeerBackWithSameGenerationIsAHealedPartition) {
  SequenceTracker t;
  t.on_message(msg(20, 5, true));
  t.on_peer_dead();
  EXPECT_EQ(t.on_message(msg(20, 5, true)).verdict, SeqVerdict::stale);
  auto out = t.on_message(msg(30, 5, true));
  EXPECT_TRUE(out.healed_partition);
  EXPECT_TRUE(accepted(out.verdict));
  EXPECT_FALSE(out.restart);
}

TEST(Sequence, UnsequencedBypassesOrdering) {
  SequenceTracker t;
  t.on_message(msg(20));
  EXPECT_EQ(t.on_message(SeqFields{}).verdict, SeqVerdict::unsequenced);
  EXPECT_EQ(t.last_seq(), 20u);
}

}  // namespace
}  // namespace hb::proto
