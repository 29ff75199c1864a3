// Retransmission (both ends), in-order delivery, and the per-peer receiver that ties them.
#include "core/proto/rexmit.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/proto/ordered.hpp"
#include "core/proto/receiver.hpp"
#include "example.hpp"

namespace hb::proto {
namespace {

using namespace std::chrono_literals;
const TimePoint t0{std::chrono::seconds(1000)};

ReceiverOptions receiver_options() {
  ReceiverOptions o;
  o.local_node = "ha1";
  return o;
}

Message numbered(Seq seq, std::string type = "hbmsg", Generation gen = 9) {
  Message m{{"t", type}, {"body", "m" + std::to_string(seq)}};
  add_control_fields(m, test::control("ha2", gen, 1), seq);
  return m;
}

std::vector<std::string> bodies(const std::vector<Message>& ms) {
  std::vector<std::string> out;
  for (const auto& m : ms) out.emplace_back(m.value_or_empty("body"));
  return out;
}

TEST(SendHistory, ResendsWhatItHoldsOncePerInterval) {
  SendHistory h{HistoryPolicy{}};
  for (Seq s = 1; s <= 10; ++s) h.add(s, numbered(s));
  auto a = h.on_request(3, 5, t0);
  EXPECT_EQ(bodies(a.resend), (std::vector<std::string>{"m3", "m4", "m5"}));
  EXPECT_TRUE(a.naks.empty());
  // Another node asks for the same right away: not resent twice within 240 ms.
  EXPECT_TRUE(h.on_request(3, 5, t0 + 100ms).resend.empty());
  EXPECT_EQ(h.on_request(3, 5, t0 + 240ms).resend.size(), 3u);
  // Seqs never sent are ignored.
  EXPECT_TRUE(h.on_request(11, 20, t0).resend.empty());
}

TEST(SendHistory, TooOldIsNakedAndBatchIsBounded) {
  SendHistory h{HistoryPolicy{}};
  for (Seq s = 1; s <= 600; ++s) h.add(s, numbered(s));
  EXPECT_EQ(h.size(), 500u);
  auto a = h.on_request(99, 102, t0);
  ASSERT_EQ(a.naks.size(), 2u);
  EXPECT_EQ(a.naks[0].seq, 99u);
  EXPECT_EQ(a.naks[0].reason, "seqno too low");
  EXPECT_EQ(bodies(a.resend), (std::vector<std::string>{"m101", "m102"}));
  EXPECT_EQ(h.on_request(101, 600, t0 + 1s).resend.size(), 50u);
  // A hostile range costs at most one batch.
  auto big = h.on_request(1, 1'000'000'000, t0 + 2s);
  EXPECT_EQ(big.naks.size() + big.resend.size(), 50u);
}

TEST(SendHistory, ParsesNsRexmitDecimalFields) {
  SendHistory h{HistoryPolicy{}};
  for (Seq s = 1; s <= 20; ++s) h.add(s, numbered(s));
  Message req = build_rexmit_request("ha2", 16, 17, test::control("ha1"));
  EXPECT_EQ(bodies(h.on_request(req, t0).resend), (std::vector<std::string>{"m16", "m17"}));
  Message bad{{"t", "NS_rexmit"}, {"firstseq", "x"}, {"lastseq", "2"}};
  EXPECT_TRUE(h.on_request(bad, t0).resend.empty());
}

TEST(RexmitScheduler, FirstRequestAfterRandomDelayThenEvery250ms) {
  RexmitScheduler s(RequestPolicy{}, 42);
  s.schedule(11, 13, t0);
  EXPECT_TRUE(s.due(t0 + 49ms, true).empty());
  auto deadline = s.next_deadline();
  ASSERT_TRUE(deadline.has_value());
  EXPECT_GE(*deadline, t0 + 50ms);
  EXPECT_LE(*deadline, t0 + 250ms);
  auto first = s.due(t0 + 250ms, true);
  Seq asked = 0;
  for (auto r : first) asked += r.last - r.first + 1;
  EXPECT_EQ(asked, 3u);
  EXPECT_TRUE(s.due(t0 + 499ms, true).empty());
  s.cancel(12);
  auto again = s.due(t0 + 500ms, true);
  ASSERT_EQ(again.size(), 2u);  // 11 and 13: not one range across the filled 12
  EXPECT_EQ(again[0].first, 11u);
  EXPECT_EQ(again[1].first, 13u);
  // Nobody to ask while the peer is down; the requests are dropped.
  EXPECT_TRUE(s.due(t0 + 2s, false).empty());
  EXPECT_EQ(s.pending(), 0u);
}

TEST(Ordered, HoldsAfterAGapAndDeliversInOrder) {
  OrderedDelivery o;
  EXPECT_EQ(bodies(o.offer(1, numbered(1), true, t0).messages), (std::vector<std::string>{"m1"}));
  EXPECT_TRUE(o.offer(3, numbered(3), true, t0).messages.empty());
  EXPECT_TRUE(o.offer(4, numbered(4), false, t0).messages.empty());  // not for us
  EXPECT_TRUE(o.offer(5, numbered(5), true, t0).messages.empty());
  EXPECT_EQ(bodies(o.offer(2, numbered(2), true, t0).messages),
            (std::vector<std::string>{"m2", "m3", "m5"}));
}

TEST(Ordered, IrretrievableGapReleasesTheRest) {
  OrderedDelivery o(10s);
  o.offer(1, numbered(1), true, t0);
  o.offer(4, numbered(4), true, t0);
  auto d = o.give_up({2});
  EXPECT_TRUE(d.messages.empty());  // 3 still awaited
  d = o.give_up({3});
  EXPECT_EQ(bodies(d.messages), (std::vector<std::string>{"m4"}));
  EXPECT_TRUE(o.offer(2, numbered(2), true, t0).too_late);
  // Held too long: given up by time.
  o.offer(7, numbered(7), true, t0);
  EXPECT_TRUE(o.expire(t0 + 9s).messages.empty());
  d = o.expire(t0 + 10s);
  EXPECT_EQ(bodies(d.messages), (std::vector<std::string>{"m7"}));
  EXPECT_EQ(d.lost, (std::vector<Seq>{5, 6}));
}

TEST(PeerReceiver, GapIsRequestedRepairedAndDeliveredInOrder) {
  PeerReceiver r("ha2", receiver_options(), 7);
  ControlFields us = test::control("ha1", 3, 1);
  EXPECT_EQ(bodies(r.on_message(numbered(1), t0).deliver), (std::vector<std::string>{"m1"}));
  auto in = r.on_message(numbered(4), t0);
  EXPECT_EQ(in.verdict, SeqVerdict::accept_gap);
  EXPECT_TRUE(in.deliver.empty());
  auto reqs = r.due_requests(t0 + 250ms, true, us);
  ASSERT_FALSE(reqs.empty());
  Seq asked = 0;
  for (const auto& q : reqs) {
    EXPECT_EQ(q.get("t"), "NS_rexmit");
    EXPECT_EQ(q.get("dest"), "ha2");
    asked += *parse_decimal(q.value_or_empty("lastseq")) -
             *parse_decimal(q.value_or_empty("firstseq")) + 1;
  }
  EXPECT_EQ(asked, 2u);
  EXPECT_TRUE(r.on_message(numbered(3), t0 + 300ms).deliver.empty());
  in = r.on_message(numbered(2), t0 + 300ms);
  EXPECT_EQ(in.verdict, SeqVerdict::fill);
  EXPECT_EQ(bodies(in.deliver), (std::vector<std::string>{"m2", "m3", "m4"}));
  EXPECT_FALSE(r.next_deadline().has_value());  // nothing left to ask or hold
}

TEST(PeerReceiver, NakGivesUpAndReleases) {
  PeerReceiver r("ha2", receiver_options());
  r.on_message(numbered(1), t0);
  r.on_message(numbered(3), t0);
  Message nak = build_nak("ha1", 2, "seqno too low", test::control("ha2"));
  auto in = r.on_message(nak, t0);
  EXPECT_EQ(in.verdict, SeqVerdict::unsequenced);
  EXPECT_EQ(in.lost, (std::vector<Seq>{2}));
  EXPECT_EQ(bodies(in.deliver), (std::vector<std::string>{"m3"}));
}

TEST(PeerReceiver, ReplayDuplicateRestartAndDest) {
  PeerReceiver r("ha2", receiver_options());
  r.on_message(numbered(5, "status"), t0);
  EXPECT_EQ(r.on_message(numbered(5, "status"), t0).verdict, SeqVerdict::duplicate);
  EXPECT_EQ(r.on_message(numbered(6, "status", 8), t0).verdict, SeqVerdict::replay);
  auto in = r.on_message(numbered(1, "status", 10), t0);
  EXPECT_TRUE(in.restart);
  EXPECT_EQ(bodies(in.deliver), (std::vector<std::string>{"m1"}));
  Message other = numbered(2, "hbmsg", 10);
  other.add("dest", "ha3");
  in = r.on_message(other, t0);
  EXPECT_FALSE(in.for_us);
  EXPECT_TRUE(in.deliver.empty());
  EXPECT_EQ(r.tracker().last_seq(), 2u);  // still tracked
  Message noseq{{"t", "hbmsg"}, {"src", "ha2"}};
  EXPECT_TRUE(r.on_message(noseq, t0).malformed);
  Message req = build_rexmit_request("ha1", 1, 2, test::control("ha2"));
  EXPECT_TRUE(r.on_message(req, t0).requests_for_us.has_value());
}

}  // namespace
}  // namespace hb::proto
