// The event stream's pure parts: SSE framing, event ids, what each event says, the bounded
// history Last-Event-ID resumes from (exact replay, or a reset), and one client's bounded queue.
#include "core/status/events.hpp"

#include <gtest/gtest.h>

namespace hb::status {
namespace {

using nlohmann::json;

constexpr std::int64_t wall_now = 1'764'763'200'000;  // 2025-12-03T12:00:00.000Z

// The data line of a frame, parsed.
json data_of(const Event& e) {
  const auto at = e.frame.find("data: ");
  return json::parse(e.frame.substr(at + 6, e.frame.find('\n', at) - at - 6));
}

std::vector<std::uint64_t> seqs(const std::vector<Event>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e.seq);
  return out;
}

TEST(SseFrame, HasIdEventDataAndABlankLine) {
  EXPECT_EQ(sse_frame("7-1", "node", R"({"a":1})"), "id: 7-1\nevent: node\ndata: {\"a\":1}\n\n");
  // Line breaks in the data never end the event early: one data line per line.
  EXPECT_EQ(sse_frame("7-2", "reset", "a\nb"), "id: 7-2\nevent: reset\ndata: a\ndata: b\n\n");
  EXPECT_EQ(sse_comment("ping"), ": ping\n\n");
  EXPECT_EQ(sse_retry(2000), "retry: 2000\n\n");
}

TEST(EventIds, RoundTripAndRejectAnythingElse) {
  EXPECT_EQ(format_event_id({1764763200000000, 42}), "1764763200000000-42");
  const auto id = parse_event_id("1764763200000000-42");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->epoch, 1764763200000000u);
  EXPECT_EQ(id->seq, 42u);
  for (const char* bad : {"", "-", "12", "12-", "-3", "a-1", "1-b", "1-2-3", " 1-2", "1-2 ", "1--2",
                          "99999999999999999999999-1", "+1-2"})
    EXPECT_FALSE(parse_event_id(bad)) << bad;
}

TEST(EventData, SaysWhatChangedAndWhen) {
  EXPECT_EQ(node_event("ha2", "up", "dead", 3, wall_now),
            (json{{"node", "ha2"},
                  {"old_state", "up"},
                  {"new_state", "dead"},
                  {"incarnation", 3},
                  {"time", "2025-12-03T12:00:00.000Z"}}));
  EXPECT_EQ(link_event("ha2", "eth0", "up", "late", wall_now)["medium"], "eth0");
  const json g = group_event("192.0.2.10", "ha1", "", "running", "stopping", wall_now);
  EXPECT_EQ(g["group"], "192.0.2.10");
  EXPECT_EQ(g["old_owner"], "ha1");
  EXPECT_TRUE(g["new_owner"].is_null());  // nobody holds it: null, as in the cluster document
  EXPECT_EQ(g["new_state"], "stopping");
  EXPECT_EQ(pingnode_event("192.0.2.1", "up", "dead", wall_now)["address"], "192.0.2.1");
}

TEST(EventData, WarningsOnlyWhenTheSetChanged) {
  const Warning a{"no-fencing", "no fence device"}, b{"crc", "crc on UDP"};
  EXPECT_FALSE(warnings_event("hb-linkd", {a, b}, {b, a}, wall_now));
  const auto w = warnings_event("hb-linkd", {a}, {b}, wall_now);
  ASSERT_TRUE(w);
  EXPECT_EQ((*w)["daemon"], "hb-linkd");
  EXPECT_EQ((*w)["warnings"], (json{{{"code", "crc"}, {"text", "crc on UDP"}}}));
  EXPECT_EQ((*w)["added"][0]["code"], "crc");
  EXPECT_EQ((*w)["removed"][0]["code"], "no-fencing");
}

TEST(EventLog, NumbersEventsFromOneWithTheEpoch) {
  EventLog log(77, 8);
  EXPECT_EQ(log.current_id(), "77-0");
  const Event& e = log.append("node", json{{"node", "ha2"}});
  EXPECT_EQ(e.seq, 1u);
  EXPECT_EQ(e.frame.rfind("id: 77-1\nevent: node\ndata: ", 0), 0u) << e.frame;
  EXPECT_EQ(data_of(e)["node"], "ha2");
  EXPECT_EQ(log.current_id(), "77-1");
}

TEST(EventLog, ResumesWithExactlyTheMissedEvents) {
  EventLog log(77, 8);
  for (int i = 0; i < 5; ++i) log.append("link", json{{"i", i}});
  EXPECT_EQ(seqs(log.resume("77-2").missed), (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_FALSE(log.resume("77-2").reset);
  // Up to date: nothing missed, no reset.
  const auto now = log.resume("77-5");
  EXPECT_FALSE(now.reset);
  EXPECT_TRUE(now.missed.empty());
  // Connected before the first event of this start.
  EXPECT_EQ(seqs(log.resume("77-0").missed), (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  // No id: live events only.
  const auto fresh = log.resume("");
  EXPECT_FALSE(fresh.reset);
  EXPECT_TRUE(fresh.missed.empty());
}

TEST(EventLog, ResetsForAnotherStartAForgottenOrAnImpossibleId) {
  EventLog log(77, 3);
  for (int i = 0; i < 6; ++i) log.append("group", json{{"i", i}});  // keeps 4, 5, 6
  EXPECT_EQ(seqs(log.resume("77-3").missed), (std::vector<std::uint64_t>{4, 5, 6}));
  EXPECT_TRUE(log.resume("77-2").reset);  // 3 was forgotten: the client would miss it
  EXPECT_TRUE(log.resume("76-5").reset);  // an earlier start of hb-statusd
  EXPECT_TRUE(log.resume("77-9").reset);  // not given out yet
  EXPECT_TRUE(log.resume("garbage").reset);
  EXPECT_TRUE(log.resume("77-2").missed.empty());
}

TEST(OutboundQueue, KeepsOrderAndOverflowsOnce) {
  OutboundQueue q(2);
  EXPECT_TRUE(q.push("a"));
  EXPECT_TRUE(q.push("b"));
  EXPECT_EQ(q.take_all(), "ab");
  EXPECT_TRUE(q.empty());
  EXPECT_TRUE(q.push("c"));
  EXPECT_TRUE(q.push("d"));
  // A client that falls this far behind is dropped: nothing more is queued for it.
  EXPECT_FALSE(q.push("e"));
  EXPECT_TRUE(q.overflowed());
  EXPECT_TRUE(q.empty());
  EXPECT_FALSE(q.push("f"));
}

}  // namespace
}  // namespace hb::status
