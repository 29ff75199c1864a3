// hb-statusd's event hub: streams get the history they missed (or a reset with the cluster
// document) and then live events; a stream that stops reading is dropped while the others and
// the publisher go on; the stream limit; keep-alives; close() ends a waiting stream at once.
#include "event_hub.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace hb::statusd {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::vector<std::pair<std::string, json>> one(int i) {
  return {{"node", json{{"i", i}}}};
}

struct Hub {
  explicit Hub(EventHub::Limits limits) : hub(77, limits, store) {
    auto v = std::make_shared<View>();
    v->cluster_body = R"({"nodes":[]})";
    store.publish(v);
  }
  SnapshotStore store;
  EventHub hub;
};

EventHub::Limits limits(std::size_t streams = 4, std::size_t queue = 8) {
  EventHub::Limits l;
  l.max_streams = streams;
  l.queue = queue;
  l.history = 16;
  l.keepalive = 50ms;
  return l;
}

TEST(EventHub, NewStreamGetsLiveEventsOnly) {
  Hub h(limits());
  h.hub.publish(one(1));
  auto s = h.hub.open("");
  ASSERT_TRUE(s);
  std::string out;
  ASSERT_TRUE(s->next(out));
  EXPECT_EQ(out, "retry: 2000\n\n");
  h.hub.publish(one(2));
  ASSERT_TRUE(s->next(out));
  EXPECT_EQ(out, "id: 77-2\nevent: node\ndata: {\"i\":2}\n\n");
  // Nothing for a while: a keep-alive comment.
  ASSERT_TRUE(s->next(out));
  EXPECT_EQ(out, ": ping\n\n");
}

TEST(EventHub, ResumeRepeatsTheMissedAndResetSendsTheDocument) {
  Hub h(limits());
  for (int i = 1; i <= 5; ++i) h.hub.publish(one(i));
  std::string out;
  auto resumed = h.hub.open("77-3");
  ASSERT_TRUE(resumed->next(out));
  EXPECT_EQ(out,
            "retry: 2000\n\nid: 77-4\nevent: node\ndata: {\"i\":4}\n\n"
            "id: 77-5\nevent: node\ndata: {\"i\":5}\n\n");
  auto reset = h.hub.open("76-3");
  ASSERT_TRUE(reset->next(out));
  EXPECT_EQ(out, "retry: 2000\n\nid: 77-5\nevent: reset\ndata: {\"nodes\":[]}\n\n");
}

TEST(EventHub, AStalledStreamIsDroppedAndHoldsNobodyUp) {
  Hub h(limits(4, 8));
  auto stalled = h.hub.open("");
  auto reader = h.hub.open("");
  std::string got, out;
  for (int i = 1; i <= 30; ++i) {
    h.hub.publish(one(i));  // never waits for either client
    ASSERT_TRUE(reader->next(out));
    got += out;
  }
  EXPECT_NE(got.find("id: 77-30\n"), std::string::npos);
  EXPECT_NE(got.find("id: 77-1\n"), std::string::npos);
  EXPECT_FALSE(stalled->next(out));  // fell further behind than queue + history: over
  stalled.reset();
  EXPECT_EQ(h.hub.open_streams(), 1u);
}

TEST(EventHub, LimitsTheStreamsAndFreesAPlaceWhenOneEnds) {
  Hub h(limits(2));
  auto a = h.hub.open("");
  auto b = h.hub.open("");
  EXPECT_TRUE(a && b);
  EXPECT_FALSE(h.hub.open(""));
  a->end();
  EXPECT_TRUE(h.hub.open(""));
}

TEST(EventHub, CloseEndsAWaitingStreamAtOnce) {
  EventHub::Limits l = limits();
  l.keepalive = 60s;
  Hub h(l);
  auto s = h.hub.open("");
  std::string out;
  ASSERT_TRUE(s->next(out));  // the retry line
  auto waiting = std::async(std::launch::async, [&] { return s->next(out); });
  h.hub.close();
  ASSERT_EQ(waiting.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(waiting.get());
  EXPECT_FALSE(h.hub.open(""));
}

TEST(EventHub, AClientThatLeftEndsItsStream) {
  EventHub::Limits l = limits();
  l.keepalive = 60s;
  Hub h(l);
  auto s = h.hub.open("");
  std::string out;
  ASSERT_TRUE(s->next(out));
  const auto before = std::chrono::steady_clock::now();
  EXPECT_FALSE(s->next(out, [] { return true; }));
  EXPECT_LT(std::chrono::steady_clock::now() - before, 3s);
}

}  // namespace
}  // namespace hb::statusd
