// heartbeat's ipfail decision on a fake clock: what each node sends and whether it asks
// hb-resourced to go standby.
#include "core/ipfail/engine.hpp"

#include <gtest/gtest.h>

namespace hb::ipfail {
namespace {

using namespace std::chrono_literals;
using K = Action::Kind;

constexpr Millis settle = 4000ms;
// The ping set hb's ipfaild sends with its counts (the Pair tests are two hb nodes).
const std::string hb_set = "p";

// One node's engine plus a fake clock; `run_until` fires every deadline on the way.
struct Node {
  Engine engine{Settings{settle, true, hb_set}};
  TimePoint now{};
  Actions log;  // every action so far

  Actions take(Actions a) {
    log.insert(log.end(), a.begin(), a.end());
    return a;
  }
  Actions advance(Millis d) {
    Actions out;
    const TimePoint end = now + d;
    while (auto dl = engine.next_deadline()) {
      if (*dl > end) break;
      now = std::max(now, *dl);
      Actions a = take(engine.tick(now));
      out.insert(out.end(), a.begin(), a.end());
    }
    now = end;
    return out;
  }
};

int count(const Actions& a, K kind, const std::string& scope = "") {
  int n = 0;
  for (const auto& x : a)
    if (x.kind == kind && (scope.empty() || x.scope == scope)) ++n;
  return n;
}

// Both nodes up, both reaching one ping node, counts exchanged.
struct Pair : ::testing::Test {
  Node a, b;
  void SetUp() override {
    for (Node* n : {&a, &b}) {
      n->take(n->engine.peer_up(n->now));
      n->take(n->engine.local_count(1, n->now));
      n->advance(settle);
    }
    a.take(a.engine.peer_count(1, a.now, false, hb_set));
    b.take(b.engine.peer_count(1, b.now, false, hb_set));
    a.log.clear();
    b.log.clear();
  }
  // Delivers every send_* in `from_a` to b and vice versa (once; replies are returned).
  Actions deliver(Node& to, const Actions& sent) {
    Actions out;
    for (const auto& x : sent) {
      Actions r;
      if (x.kind == K::send_count) r = to.engine.peer_count(x.count, to.now, false, x.ping_set);
      if (x.kind == K::send_you_are_dead) r = to.engine.peer_you_are_dead(to.now);
      if (x.kind == K::send_abort_giveup) r = to.engine.peer_abort_giveup(to.now);
      to.take(r);
      out.insert(out.end(), r.begin(), r.end());
    }
    return out;
  }
};

TEST_F(Pair, FirstCountIsSentOnlyAfterItSettled) {
  Node n;
  n.take(n.engine.peer_up(n.now));
  EXPECT_EQ(count(n.engine.local_count(1, n.now), K::send_count), 0);
  EXPECT_EQ(count(n.advance(settle - 1ms), K::send_count), 0);
  Actions a = n.advance(1ms);
  ASSERT_EQ(count(a, K::send_count), 1);
  EXPECT_EQ(n.engine.local(), 1u);
}

TEST_F(Pair, OneSidedLossGivesEverythingToThePeer) {
  a.engine.local_count(0, a.now);
  Actions sent = a.advance(settle);
  ASSERT_EQ(count(sent, K::send_count), 1);
  Actions reply = deliver(b, sent);
  EXPECT_EQ(count(reply, K::send_you_are_dead), 1) << "b reaches more and says so";
  EXPECT_EQ(count(b.log, K::standby), 0) << "b keeps what it has";
  deliver(a, reply);
  EXPECT_EQ(a.engine.pending_giveup(), "all");
  EXPECT_EQ(count(a.advance(settle - 1ms), K::standby), 0) << "waits the settle time";
  Actions act = a.advance(1ms);
  ASSERT_EQ(count(act, K::standby, "all"), 1);
  EXPECT_FALSE(act.back().reason.empty());
  EXPECT_EQ(count(a.advance(60s), K::standby), 0) << "asked once, not again";
}

TEST_F(Pair, EqualLossMovesNothing) {
  a.engine.local_count(0, a.now);
  b.engine.local_count(0, b.now);
  Actions from_a = a.advance(settle);
  b.advance(1s);  // b notices a second later
  Actions to_b = deliver(b, from_a);
  deliver(a, to_b);  // you_are_dead: b still reaches 1 for now
  EXPECT_EQ(a.engine.pending_giveup(), "all");
  Actions from_b = b.advance(settle);
  ASSERT_EQ(count(from_b, K::send_count), 1);
  Actions to_b2 = deliver(a, from_b);
  EXPECT_EQ(count(to_b2, K::send_abort_giveup), 1) << "a answers the tie";
  EXPECT_NE(a.engine.pending_giveup(), "all");
  deliver(b, to_b2);
  a.advance(60s);
  b.advance(60s);
  EXPECT_EQ(count(a.log, K::standby, "all"), 0);
  EXPECT_EQ(count(b.log, K::standby, "all"), 0);
}

TEST_F(Pair, BothLoseEverythingAtOnceNothingMoves) {
  a.engine.local_count(0, a.now);
  b.engine.local_count(0, b.now);
  Actions from_a = a.advance(settle);
  Actions from_b = b.advance(settle);
  deliver(a, deliver(b, from_a));
  deliver(b, deliver(a, from_b));
  a.advance(60s);
  b.advance(60s);
  EXPECT_EQ(count(a.log, K::standby, "all") + count(b.log, K::standby, "all"), 0);
}

TEST_F(Pair, FlappingPingNodeIsIgnored) {
  for (int i = 0; i < 10; ++i) {
    a.take(a.engine.local_count(0, a.now));
    a.advance(settle / 2);
    a.take(a.engine.local_count(1, a.now));
    a.advance(settle / 2);
  }
  a.advance(60s);
  EXPECT_EQ(count(a.log, K::send_count), 0) << "no change held for the settle time";
  EXPECT_EQ(count(a.log, K::standby), 0);
  EXPECT_GE(count(a.log, K::note), 1) << "the flap is logged";
}

TEST_F(Pair, PeerDownCancelsAndBlocksGiveup) {
  a.engine.local_count(0, a.now);
  deliver(a, deliver(b, a.advance(settle)));
  ASSERT_EQ(a.engine.pending_giveup(), "all");
  a.take(a.engine.peer_down(a.now));
  EXPECT_FALSE(a.engine.pending_giveup());
  a.advance(60s);
  EXPECT_EQ(count(a.log, K::standby), 0) << "nobody to give the group to";
  // A count from a node that membership reports down changes nothing either.
  a.take(a.engine.peer_count(1, a.now, false, hb_set));
  a.take(a.engine.peer_you_are_dead(a.now));
  a.advance(60s);
  EXPECT_EQ(count(a.log, K::standby), 0);
}

TEST_F(Pair, PeerComingUpLearnsOurCountAndDecides) {
  Node c;  // a node whose peer is not up yet
  c.take(c.engine.local_count(0, c.now));
  c.advance(settle);
  EXPECT_EQ(count(c.log, K::send_count), 0) << "nobody to tell";
  Actions up = c.take(c.engine.peer_up(c.now));
  ASSERT_EQ(count(up, K::send_count), 1);
  EXPECT_EQ(up.front().count, 0u);
  c.take(c.engine.peer_count(1, c.now, false, hb_set));
  c.advance(settle);
  EXPECT_EQ(count(c.log, K::standby, "all"), 1);
}

TEST_F(Pair, RecoveryGivesForeignResourcesBack) {
  a.engine.local_count(0, a.now);
  deliver(a, deliver(b, a.advance(settle)));
  a.advance(settle);
  ASSERT_EQ(count(a.log, K::standby, "all"), 1);
  // a's ping node answers again.
  a.engine.local_count(1, a.now);
  Actions from_a = a.advance(settle);
  Actions to_a = deliver(b, from_a);
  EXPECT_EQ(count(to_a, K::send_abort_giveup), 1);
  EXPECT_EQ(b.engine.pending_giveup(), "foreign");
  b.advance(settle);
  EXPECT_EQ(count(b.log, K::standby, "foreign"), 1) << "b gives a's group back";
  EXPECT_EQ(count(b.log, K::standby, "all"), 0);
}

TEST_F(Pair, RestartedPeerAsksAndLearnsOurCount) {
  // b's ipfaild restarts: it knows nothing, a still remembers b's old count.
  Node fresh;
  fresh.take(fresh.engine.peer_up(fresh.now));
  fresh.take(fresh.engine.local_count(1, fresh.now));
  Actions hello = fresh.advance(settle);
  ASSERT_EQ(count(hello, K::send_count), 1);
  EXPECT_TRUE(hello.back().ask) << "it does not know a's count yet";
  Actions answer = a.take(a.engine.peer_count(1, a.now, hello.back().ask, hb_set));
  ASSERT_EQ(count(answer, K::send_count), 1) << "a answers although it knew b's count";
  EXPECT_FALSE(answer.front().ask) << "a knows b's count: no question back";
  fresh.take(fresh.engine.peer_count(answer.front().count, fresh.now, answer.front().ask, hb_set));
  EXPECT_EQ(fresh.engine.peer(), 1u);
  EXPECT_EQ(count(fresh.log, K::send_count), 1) << "no ping-pong";
}

TEST_F(Pair, RecoveryWithoutAutoFailbackLeavesResourcesWhereTheyAre) {
  Node c;
  c.engine = Engine(Settings{settle, false, hb_set});
  c.take(c.engine.peer_up(c.now));
  c.take(c.engine.local_count(1, c.now));
  c.advance(settle);
  c.take(c.engine.peer_count(0, c.now, false, hb_set));
  c.take(c.engine.peer_count(1, c.now, false, hb_set));
  c.advance(60s);
  EXPECT_EQ(count(c.log, K::standby), 0);
}

TEST_F(Pair, FailedStandbyIsRetried) {
  a.engine.local_count(0, a.now);
  deliver(a, deliver(b, a.advance(settle)));
  a.advance(settle);
  ASSERT_EQ(count(a.log, K::standby, "all"), 1);
  a.take(a.engine.standby_failed("busy", a.now));
  a.advance(settle);
  EXPECT_EQ(count(a.log, K::standby, "all"), 2);
}

TEST_F(Pair, PeerRecoveringFirstCancelsOurPendingGiveup) {
  a.engine.local_count(0, a.now);
  deliver(a, deliver(b, a.advance(settle)));
  ASSERT_EQ(a.engine.pending_giveup(), "all");
  a.take(a.engine.peer_count(0, a.now, false, hb_set));  // the peer lost it too
  EXPECT_NE(a.engine.pending_giveup(), "all");
  a.advance(60s);
  EXPECT_EQ(count(a.log, K::standby, "all"), 0);
}

// `hbctl reload` reaches the nodes one at a time: for a while one counts over the new ping set
// and the other over the old one. Whichever reloads first, and whether the set grows or
// shrinks, no standby is ever asked for, the hold is logged once, and when both count over the
// same set again they decide on counts as before.
struct Reload : ::testing::TestWithParam<std::tuple<bool, std::uint32_t>> {
  Node a, b;
  // Both up, both reaching the 2 ping nodes of set "old", counts exchanged with their sets.
  void SetUp() override {
    for (Node* n : {&a, &b}) n->engine = Engine(Settings{settle, true, "old"});
    Actions from_a, from_b;
    for (Node* n : {&a, &b}) {
      n->take(n->engine.peer_up(n->now));
      n->take(n->engine.local_count(2, n->now));
    }
    from_a = a.advance(settle);
    from_b = b.advance(settle);
    exchange(from_a, from_b);
  }
  Actions deliver(Node& to, const Actions& sent) {
    Actions out;
    for (const auto& x : sent) {
      Actions r;
      if (x.kind == K::send_count) r = to.engine.peer_count(x.count, to.now, x.ask, x.ping_set);
      if (x.kind == K::send_you_are_dead) r = to.engine.peer_you_are_dead(to.now);
      if (x.kind == K::send_abort_giveup) r = to.engine.peer_abort_giveup(to.now);
      to.take(r);
      out.insert(out.end(), r.begin(), r.end());
    }
    return out;
  }
  // Delivers both ways until nobody has anything more to say.
  void exchange(Actions from_a, Actions from_b) {
    for (int round = 0; round < 10 && (!from_a.empty() || !from_b.empty()); ++round) {
      Actions to_a = deliver(b, from_a);
      Actions to_b = deliver(a, from_b);
      from_a = to_b;
      from_b = to_a;
    }
  }
  // `n` reloads to set "new", where it reaches `reached` ping nodes; the count settles and goes
  // to the other node, and both run on for a minute.
  void reload(Node& n, std::uint32_t reached) {
    n.take(n.engine.ping_set_changed("new", n.now));
    n.take(n.engine.local_count(reached, n.now));
    Actions said = n.advance(settle);
    ASSERT_EQ(count(said, K::send_count), 1) << "the new count goes to the peer";
    for (const auto& x : said) {
      if (x.kind == K::send_count) {
        EXPECT_EQ(x.ping_set, "new");
      }
    }
    if (&n == &a)
      exchange(said, {});
    else
      exchange({}, said);
    exchange(a.advance(60s), b.advance(60s));
  }
};

int notes(const Actions& log, const std::string& text) {
  int n = 0;
  for (const auto& x : log) n += x.kind == K::note && x.reason.find(text) != std::string::npos;
  return n;
}

TEST_P(Reload, CountsOverDifferentPingSetsNeverAskForStandby) {
  const auto [a_first, reached] = GetParam();
  Node& first = a_first ? a : b;
  Node& second = a_first ? b : a;
  reload(first, reached);
  EXPECT_TRUE(first.engine.held() && second.engine.held()) << "both hold while the sets differ";
  EXPECT_EQ(notes(second.log, "decisions held"), 1) << "logged once";
  EXPECT_FALSE(a.engine.pending_giveup());
  EXPECT_FALSE(b.engine.pending_giveup());
  reload(second, reached);
  EXPECT_FALSE(a.engine.held() || b.engine.held()) << "the same set again";
  EXPECT_EQ(count(a.log, K::standby), 0);
  EXPECT_EQ(count(b.log, K::standby), 0);
  EXPECT_EQ(count(a.log, K::send_you_are_dead), 0);
  EXPECT_EQ(count(b.log, K::send_you_are_dead), 0);
  EXPECT_EQ(a.engine.local(), reached);
  EXPECT_EQ(a.engine.peer(), reached);

  // Over the same set, a real loss decides as before.
  a.take(a.engine.local_count(reached - 1, a.now));
  exchange(a.advance(settle), {});
  a.advance(settle);
  EXPECT_EQ(count(a.log, K::standby, "all"), 1);
}

// Either node first; the set shrinks to 1 ping node, or grows to 3.
INSTANTIATE_TEST_SUITE_P(EitherOrder, Reload,
                         ::testing::Combine(::testing::Bool(), ::testing::Values(1u, 3u)));

TEST_F(Reload, YouAreDeadOverAnotherSetIsIgnored) {
  b.take(b.engine.ping_set_changed("new", b.now));
  a.take(a.engine.peer_count(1, a.now, false, "new"));
  b.take(b.engine.peer_you_are_dead(b.now));
  b.take(b.engine.local_count(1, b.now));
  b.advance(60s);
  EXPECT_EQ(count(b.log, K::standby), 0);
}

TEST_F(Reload, PeerWithoutPingSetIsComparedAsHeartbeatDoes) {
  // heartbeat's ipfail sends num_ping only: its count is compared whatever our set.
  a.take(a.engine.peer_count(3, a.now));
  EXPECT_FALSE(a.engine.held());
  a.advance(settle);
  EXPECT_EQ(count(a.log, K::standby, "all"), 1);
}

// heartbeat 3.0.6's ipfail (contrib/ipfail/ipfail.c) on the same fake clock, as the peer of an
// hb node. Its count is its ping nodes' state now, sent when a ping node's link goes dead or a
// ping node comes up. A count from its peer is compared with its own: more here answers
// you_are_dead, fewer gives up all 2 x keepalive later, equal answers abort_giveup and cancels
// its own pending give-up or, none pending, gives up foreign resources 2 x keepalive later
// (auto_failback on). you_are_dead gives up all 2 x keepalive later without looking at counts;
// abort_giveup cancels the pending give-up. A give-up is t=ask_resources rsc_hold=<scope>.
struct HeartbeatIpfail {
  std::uint32_t reached = 1;
  TimePoint now{};
  std::optional<std::pair<std::string, TimePoint>> giveup;
  std::vector<std::string> asked;  // the rsc_hold of every ask_resources it sent

  static Action message(K kind, std::uint32_t n = 0) {
    Action a;
    a.kind = kind;
    a.count = n;
    return a;
  }
  void delay_giveup(const std::string& scope) { giveup = {scope, now + settle}; }
  Actions ping_nodes_now(std::uint32_t n) {
    reached = n;
    return {message(K::send_count, n)};
  }
  Actions on_count(std::uint32_t theirs) {
    if (reached > theirs) return {message(K::send_you_are_dead)};
    if (reached < theirs) {
      delay_giveup("all");
      return {};
    }
    if (giveup)
      giveup.reset();
    else
      delay_giveup("foreign");
    return {message(K::send_abort_giveup)};
  }
  void advance(Millis d) {
    now += d;
    if (giveup && now >= giveup->second) {
      asked.push_back(giveup->first);
      giveup.reset();
    }
  }
};

// An hb node `h` beside a heartbeat node `b`, both reaching their one ping node, both up.
struct Mixed : ::testing::Test {
  Node h;
  HeartbeatIpfail b;
  void SetUp() override {
    h.take(h.engine.peer_up(h.now));
    h.take(h.engine.local_count(1, h.now));
    to_b(h.advance(settle));  // h's first count; b answers abort_giveup and offers foreign
    b.advance(settle);
    b.asked.clear();
    h.log.clear();
  }
  Actions to_b(const Actions& sent) {
    Actions out;
    for (const auto& x : sent) {
      Actions r;
      if (x.kind == K::send_count) r = b.on_count(x.count);
      if (x.kind == K::send_you_are_dead) b.delay_giveup("all");
      if (x.kind == K::send_abort_giveup) b.giveup.reset();
      out.insert(out.end(), r.begin(), r.end());
    }
    return out;
  }
  // heartbeat's messages carry no hb_ping_set.
  Actions to_h(const Actions& sent) {
    Actions out;
    for (const auto& x : sent) {
      Actions r;
      if (x.kind == K::send_count) r = h.engine.peer_count(x.count, h.now);
      if (x.kind == K::send_you_are_dead) r = h.engine.peer_you_are_dead(h.now);
      if (x.kind == K::send_abort_giveup) r = h.engine.peer_abort_giveup(h.now);
      h.take(r);
      out.insert(out.end(), r.begin(), r.end());
    }
    return out;
  }
  void run(Millis d) {
    for (Millis t{0}; t < d; t += 500ms) {
      to_b(h.advance(500ms));
      b.advance(500ms);
    }
  }
};

TEST_F(Mixed, HbNodeThatLostItsPingNodesGivesAllToHeartbeat) {
  h.take(h.engine.local_count(0, h.now));
  Actions said = h.advance(settle);
  ASSERT_EQ(count(said, K::send_count), 1);
  to_h(to_b(said));  // b reaches more: you_are_dead
  EXPECT_EQ(h.engine.pending_giveup(), "all");
  run(settle);
  EXPECT_EQ(count(h.log, K::standby, "all"), 1);
  EXPECT_TRUE(b.asked.empty()) << "b keeps what it has";
}

TEST_F(Mixed, HeartbeatNodeThatLostItsPingNodesGivesAllToHb) {
  to_b(to_h(b.ping_nodes_now(0)));  // its ping node's link died
  EXPECT_EQ(count(h.log, K::send_you_are_dead), 1);
  run(settle);
  EXPECT_EQ(b.asked, std::vector<std::string>{"all"});
  EXPECT_EQ(count(h.log, K::standby), 0);

  // Its ping node answers again: counts are equal, and the group goes home (auto_failback).
  to_b(to_h(b.ping_nodes_now(1)));
  run(2 * settle);
  EXPECT_EQ(count(h.log, K::standby, "foreign"), 1);
  EXPECT_EQ(count(h.log, K::standby, "all"), 0);
}

TEST_F(Mixed, BothLosingAtOnceMovesNothing) {
  // heartbeat reports its loss at deadping; hb measures the same loss then, but its count
  // settles only 2 x keepalive later, when heartbeat's give-up would be due.
  h.take(h.engine.local_count(0, h.now));
  Actions answer = to_h(b.ping_nodes_now(0));
  EXPECT_EQ(count(answer, K::send_you_are_dead), 0) << "our own count is falling: no answer yet";
  EXPECT_EQ(count(answer, K::send_count), 0);
  b.advance(settle);              // a you_are_dead would have made b give all up by now
  to_h(to_b(h.advance(settle)));  // h's settled count: a tie
  run(4 * settle);
  for (const auto& scope : b.asked) EXPECT_NE(scope, "all");
  EXPECT_EQ(count(h.log, K::standby, "all"), 0);
}

TEST_F(Mixed, WithheldAnswerIsSentWhenOurLossWasAFlap) {
  h.take(h.engine.local_count(0, h.now));
  to_b(to_h(b.ping_nodes_now(0)));
  h.advance(1s);
  Actions back = h.take(h.engine.local_count(1, h.now));  // our ping node answers again
  EXPECT_EQ(count(back, K::send_you_are_dead), 1);
  to_b(back);
  run(settle);
  EXPECT_EQ(b.asked, std::vector<std::string>{"all"});
}

TEST_F(Mixed, HeartbeatIpfailSigningOnLearnsOurCount) {
  // h lost its ping nodes while b's ipfail was not running: h's count reached nobody.
  h.take(h.engine.local_count(0, h.now));
  h.advance(settle);
  h.advance(settle);
  EXPECT_EQ(count(h.log, K::standby), 0) << "nobody told h anything";
  // b's ipfail signs on (t=apiclistat st=join from_id=ipfail): h tells it its count.
  Actions said = h.take(h.engine.peer_ipfail_joined(h.now));
  ASSERT_EQ(count(said, K::send_count), 1);
  EXPECT_EQ(said.front().count, 0u);
  to_h(to_b(said));
  run(settle);
  EXPECT_EQ(count(h.log, K::standby, "all"), 1);
}

TEST(IpfailJoin, OnlyIpfailsSignOnCounts) {
  EXPECT_TRUE(is_ipfail_join("apiclistat", "join", "ipfail"));
  EXPECT_FALSE(is_ipfail_join("apiclistat", "leave", "ipfail"));
  EXPECT_FALSE(is_ipfail_join("apiclistat", "join", "crmd"));
  EXPECT_FALSE(is_ipfail_join("num_ping_nodes", "join", "ipfail"));
}

}  // namespace
}  // namespace hb::ipfail
