// Per-link liveness on a fake clock: time is a plain steady_clock time point the test moves.
#include "core/liveness/tracker.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/liveness/peers.hpp"

namespace hb::liveness {

// gtest prints failures with this (found by argument-dependent lookup).
void PrintTo(const Transition& t, std::ostream* os) {
  *os << t.peer << ":" << t.medium << " " << to_string(t.from) << "->" << to_string(t.to)
      << " after " << t.silence.count() << "ms";
}

namespace {

using namespace std::chrono_literals;

const TimePoint t0 = TimePoint{} + 1000h;  // any point: the tracker never reads a clock

// ha.cf: keepalive 1, warntime 5, deadtime 10, initdead 20; bcast eth0 + serial /dev/ttyS0.
Timing timing() {
  return Timing{.keepalive = 1s, .warntime = 5s, .deadtime = 10s, .initdead = 20s, .deadping = 0s};
}

std::vector<Peer> two_peers() {
  return {Peer{"ha2", PeerKind::node, {"eth0", "/dev/ttyS0"}},
          Peer{"ha3", PeerKind::node, {"eth0", "/dev/ttyS0"}}};
}

Transition tr(std::string peer, std::string medium, LinkState from, LinkState to, Millis silence) {
  return Transition{std::move(peer), std::move(medium), from, to, silence};
}

using Transitions = std::vector<Transition>;

TEST(LivenessTracker, LinksStartInitAndTheFirstPacketBringsOneUp) {
  auto peers = two_peers();
  Tracker t(timing(), peers, t0);
  EXPECT_EQ(t.state("ha2", "eth0"), LinkState::init);
  EXPECT_EQ(t.on_packet("ha2", "eth0", t0 + 1500ms),
            tr("ha2", "eth0", LinkState::init, LinkState::up, 1500ms));
  EXPECT_EQ(t.state("ha2", "eth0"), LinkState::up);
  EXPECT_EQ(t.state("ha2", "/dev/ttyS0"), LinkState::init);
  // Further keepalives change nothing.
  EXPECT_EQ(t.on_packet("ha2", "eth0", t0 + 2500ms), std::nullopt);
  EXPECT_EQ(t.last_heard("ha2"), t0 + 2500ms);
}

TEST(LivenessTracker, LateAfterWarntimeIsReportedOncePerSilence) {
  Peer p{"ha2", PeerKind::node, {"eth0"}};
  Tracker t(timing(), std::span(&p, 1), t0);
  t.on_packet("ha2", "eth0", t0);
  EXPECT_EQ(t.advance(t0 + 5s - 1ms), Transitions{});
  EXPECT_EQ(t.advance(t0 + 5s),
            (Transitions{tr("ha2", "eth0", LinkState::up, LinkState::late, 5s)}));
  EXPECT_EQ(t.advance(t0 + 6s), Transitions{});
  EXPECT_EQ(t.advance(t0 + 9s), Transitions{});
  EXPECT_EQ(t.state("ha2", "eth0"), LinkState::late);
}

TEST(LivenessTracker, DeadExactlyAtDeadtimeNotBefore) {
  Peer p{"ha2", PeerKind::node, {"eth0"}};
  Tracker t(timing(), std::span(&p, 1), t0);
  t.on_packet("ha2", "eth0", t0);
  t.advance(t0 + 5s);
  EXPECT_EQ(t.advance(t0 + 10s - 1ms), Transitions{});
  EXPECT_EQ(t.advance(t0 + 10s),
            (Transitions{tr("ha2", "eth0", LinkState::late, LinkState::dead, 10s)}));
  EXPECT_EQ(t.advance(t0 + 100s), Transitions{});
  EXPECT_EQ(t.next_deadline(), std::nullopt);
}

// hbctl reload: new timings count from when each link was last heard, so a shorter deadtime
// can make a silent link due at once, and a longer one keeps it up past the old deadtime.
TEST(LivenessTracker, NewTimingsApplyFromEachLinksLastPacket) {
  Peer p{"ha2", PeerKind::node, {"eth0"}};
  Tracker t(timing(), std::span(&p, 1), t0);
  t.on_packet("ha2", "eth0", t0);
  Timing longer = timing();
  longer.warntime = 8s;
  longer.deadtime = 20s;
  t.set_timing(longer);
  EXPECT_EQ(t.next_deadline(), t0 + 8s);
  EXPECT_EQ(t.advance(t0 + 10s),
            (Transitions{tr("ha2", "eth0", LinkState::up, LinkState::late, 8s)}));
  Timing shorter = timing();
  shorter.warntime = 2s;
  shorter.deadtime = 4s;
  t.set_timing(shorter);
  EXPECT_EQ(t.next_deadline(), t0 + 4s);
  EXPECT_EQ(t.advance(t0 + 10s),
            (Transitions{tr("ha2", "eth0", LinkState::late, LinkState::dead, 4s)}));
}

TEST(LivenessTracker, LateLinkThatHearsAgainRecoversAndSaysAfterHowLong) {
  Peer p{"ha2", PeerKind::node, {"eth0"}};
  Tracker t(timing(), std::span(&p, 1), t0);
  t.on_packet("ha2", "eth0", t0);
  t.advance(t0 + 5s);
  EXPECT_EQ(t.on_packet("ha2", "eth0", t0 + 7200ms),
            tr("ha2", "eth0", LinkState::late, LinkState::up, 7200ms));
  // A new silence is a new "late".
  EXPECT_EQ(t.advance(t0 + 12200ms),
            (Transitions{tr("ha2", "eth0", LinkState::up, LinkState::late, 5s)}));
}

TEST(LivenessTracker, DeadLinkComesBackUpOnItsNextPacket) {
  Peer p{"ha2", PeerKind::node, {"eth0"}};
  Tracker t(timing(), std::span(&p, 1), t0);
  t.on_packet("ha2", "eth0", t0);
  t.advance(t0 + 5s);
  t.advance(t0 + 10s);
  EXPECT_EQ(t.on_packet("ha2", "eth0", t0 + 42s),
            tr("ha2", "eth0", LinkState::dead, LinkState::up, 42s));
}

TEST(LivenessTracker, ShellThatWakesLateGetsEveryStepInOrder) {
  Peer p{"ha2", PeerKind::node, {"eth0"}};
  Tracker t(timing(), std::span(&p, 1), t0);
  t.on_packet("ha2", "eth0", t0);
  EXPECT_EQ(t.advance(t0 + 30s),
            (Transitions{tr("ha2", "eth0", LinkState::up, LinkState::late, 5s),
                         tr("ha2", "eth0", LinkState::late, LinkState::dead, 10s)}));
}

TEST(LivenessTracker, NeverHeardPeerIsDeclaredDeadAtInitdeadNotDeadtime) {
  auto peers = two_peers();
  Tracker t(timing(), peers, t0);
  EXPECT_EQ(t.advance(t0 + 10s), Transitions{});  // deadtime means nothing before first contact
  EXPECT_EQ(t.advance(t0 + 20s - 1ms), Transitions{});
  EXPECT_EQ(t.advance(t0 + 20s),
            (Transitions{tr("ha2", "eth0", LinkState::init, LinkState::dead, 20s),
                         tr("ha2", "/dev/ttyS0", LinkState::init, LinkState::dead, 20s),
                         tr("ha3", "eth0", LinkState::init, LinkState::dead, 20s),
                         tr("ha3", "/dev/ttyS0", LinkState::init, LinkState::dead, 20s)}));
}

TEST(LivenessTracker, AfterFirstContactASilentLinkGetsOneDeadtimeFromThatContact) {
  auto peers = two_peers();
  Tracker t(timing(), peers, t0);
  for (auto at = t0 + 1s; at <= t0 + 30s; at += 1s) {
    t.on_packet("ha2", "eth0", at);
    t.on_packet("ha3", "eth0", at);
    t.on_packet("ha3", "/dev/ttyS0", at);
    for (const Transition& x : t.advance(at)) {
      // ha2's serial link (cable unplugged) dies 10 s after ha2 was first heard, not at initdead.
      EXPECT_EQ(x, tr("ha2", "/dev/ttyS0", LinkState::init, LinkState::dead, 10s));
      EXPECT_EQ(at, t0 + 11s);
    }
  }
  EXPECT_EQ(t.state("ha2", "/dev/ttyS0"), LinkState::dead);
  EXPECT_EQ(t.state("ha2", "eth0"), LinkState::up);
}

TEST(LivenessTracker, PeerAdvertisedDeadtimeReplacesOurs) {
  Peer p{"ha2", PeerKind::node, {"eth0"}};
  Tracker t(timing(), std::span(&p, 1), t0);
  t.on_packet("ha2", "eth0", t0);
  EXPECT_TRUE(t.set_peer_deadtime("ha2", 20s));
  EXPECT_TRUE(t.set_peer_deadtime("HA2", 0s));  // zero is ignored
  EXPECT_FALSE(t.set_peer_deadtime("ha9", 20s));
  EXPECT_EQ(t.advance(t0 + 5s),
            (Transitions{tr("ha2", "eth0", LinkState::up, LinkState::late, 5s)}));
  EXPECT_EQ(t.advance(t0 + 19s), Transitions{});
  EXPECT_EQ(t.advance(t0 + 20s),
            (Transitions{tr("ha2", "eth0", LinkState::late, LinkState::dead, 20s)}));
}

TEST(LivenessTracker, AdvertisedDeadtimeShorterThanWarntimeSkipsLate) {
  Peer p{"ha2", PeerKind::node, {"eth0"}};
  Tracker t(timing(), std::span(&p, 1), t0);
  t.on_packet("ha2", "eth0", t0);
  t.set_peer_deadtime("ha2", 3s);
  EXPECT_EQ(t.advance(t0 + 3s),
            (Transitions{tr("ha2", "eth0", LinkState::up, LinkState::dead, 3s)}));
}

TEST(LivenessTracker, PingNodesUseDeadping) {
  Timing tm = timing();
  tm.deadping = 7s;
  Peer ping{"192.0.2.254", PeerKind::ping, {"192.0.2.254"}};
  Tracker t(tm, std::span(&ping, 1), t0);
  t.on_packet("192.0.2.254", "192.0.2.254", t0);
  t.advance(t0 + 5s);
  EXPECT_EQ(t.advance(t0 + 7s),
            (Transitions{tr("192.0.2.254", "192.0.2.254", LinkState::late, LinkState::dead, 7s)}));
}

TEST(LivenessTracker, UnknownPeersAreIgnoredNamesMatchWithoutCaseNewMediaAreAdded) {
  auto peers = two_peers();
  Tracker t(timing(), peers, t0);
  EXPECT_EQ(t.on_packet("intruder", "eth0", t0), std::nullopt);
  EXPECT_FALSE(t.knows("intruder"));
  EXPECT_EQ(t.on_packet("HA2", "eth1", t0 + 1s),
            tr("ha2", "eth1", LinkState::init, LinkState::up, 1s));
  EXPECT_EQ(t.state("ha2", "eth1"), LinkState::up);
  EXPECT_EQ(t.links().size(), 5u);
}

// hbctl reload adds and removes media: a link added starts as at a fresh start, with a dead
// timer of its own from when it was added; a link removed is forgotten without a transition.
TEST(LivenessTracker, LinksAddedStartFreshAndLinksRemovedLeaveWithoutATransition) {
  auto peers = two_peers();
  Tracker t(timing(), peers, t0);
  t.on_packet("ha2", "eth0", t0 + 1s);
  t.on_packet("ha3", "eth0", t0 + 1s);
  // Long after first contact: the new link is not due at once.
  EXPECT_TRUE(t.add_link("ha2", "eth1", t0 + 60s));
  EXPECT_FALSE(t.add_link("ha2", "eth1", t0 + 60s));
  EXPECT_FALSE(t.add_link("nobody", "eth1", t0 + 60s));
  EXPECT_EQ(t.state("ha2", "eth1"), LinkState::init);
  for (auto at = t0 + 2s; at <= t0 + 69s; at += 1s) {
    t.on_packet("ha2", "eth0", at);
    t.on_packet("ha3", "eth0", at);
    t.on_packet("ha2", "/dev/ttyS0", at);
    t.on_packet("ha3", "/dev/ttyS0", at);
    EXPECT_EQ(t.advance(at), Transitions{}) << "at +" << (at - t0) / 1s << "s";
  }
  // Up at its first packet; the silence counts from when it was added.
  EXPECT_EQ(t.on_packet("ha2", "eth1", t0 + 69s),
            tr("ha2", "eth1", LinkState::init, LinkState::up, 9s));
  EXPECT_EQ(t.state("ha2", "eth1"), LinkState::up);
  // Removed: gone from links(), and time passing says nothing about it.
  EXPECT_TRUE(t.remove_link("ha2", "eth1"));
  EXPECT_FALSE(t.remove_link("ha2", "eth1"));
  EXPECT_EQ(t.state("ha2", "eth1"), std::nullopt);
  t.on_packet("ha2", "eth0", t0 + 75s);
  t.on_packet("ha2", "/dev/ttyS0", t0 + 75s);
  EXPECT_EQ(t.advance(t0 + 75s),
            (Transitions{tr("ha3", "eth0", LinkState::up, LinkState::late, 5s),
                         tr("ha3", "/dev/ttyS0", LinkState::up, LinkState::late, 5s)}));
}

TEST(LivenessTracker, CommIsUpWhenEveryPeerWasHeardOrDeclaredDead) {
  auto peers = two_peers();
  Tracker t(timing(), peers, t0);
  EXPECT_FALSE(t.comm_up());
  t.on_packet("ha2", "eth0", t0 + 1s);
  EXPECT_FALSE(t.comm_up());  // ha3 still unknown: a node started alone waits initdead
  t.advance(t0 + 19s);
  EXPECT_FALSE(t.comm_up());
  t.advance(t0 + 20s);  // ha3 declared dead (never heard)
  EXPECT_TRUE(t.comm_up());

  Tracker all_heard(timing(), peers, t0);
  all_heard.on_packet("ha2", "/dev/ttyS0", t0 + 1s);
  all_heard.on_packet("ha3", "eth0", t0 + 2s);
  EXPECT_TRUE(all_heard.comm_up());

  Tracker alone(timing(), {}, t0);  // a one-node cluster has nobody to wait for
  EXPECT_TRUE(alone.comm_up());
  EXPECT_EQ(alone.next_deadline(), std::nullopt);
}

TEST(LivenessTracker, ThirtyTwoNodesTwoMediaOnlyTheSilentNodeChanges) {
  std::vector<Peer> peers;
  for (int i = 2; i <= 32; ++i) {
    peers.push_back(Peer{"node" + std::to_string(i), PeerKind::node, {"eth0", "eth1"}});
  }
  Tracker t(timing(), peers, t0);
  Transitions ups;
  for (const Peer& p : peers) {
    for (const std::string& m : p.media) {
      if (auto x = t.on_packet(p.name, m, t0 + 1s)) ups.push_back(*x);
    }
  }
  EXPECT_EQ(ups.size(), 62u);
  EXPECT_TRUE(t.comm_up());
  Transitions seen;
  for (auto at = t0 + 2s; at <= t0 + 30s; at += 1s) {
    for (const Peer& p : peers) {
      if (p.name == "node17") continue;  // node17 stops at t0+1s
      for (const std::string& m : p.media) EXPECT_EQ(t.on_packet(p.name, m, at), std::nullopt);
    }
    for (auto& x : t.advance(at)) seen.push_back(x);
  }
  EXPECT_EQ(seen, (Transitions{tr("node17", "eth0", LinkState::up, LinkState::late, 5s),
                               tr("node17", "eth1", LinkState::up, LinkState::late, 5s),
                               tr("node17", "eth0", LinkState::late, LinkState::dead, 10s),
                               tr("node17", "eth1", LinkState::late, LinkState::dead, 10s)}));
}

// next_deadline() is the one timer the shell arms: after advance(now) it is never in the past,
// and it is never later than the first transition that becomes due (checked 1 ms before it).
TEST(LivenessTracker, NextDeadlineIsNeverInThePastNorLaterThanTheFirstDueTransition) {
  auto peers = two_peers();
  peers.push_back(Peer{"192.0.2.254", PeerKind::ping, {"192.0.2.254"}});
  Tracker t(timing(), peers, t0);
  std::uint32_t rng = 12345;  // fixed LCG: a reproducible, irregular packet pattern
  auto next = [&] { return rng = rng * 1103515245u + 12345u, (rng >> 16) % 1000; };
  int timer_fires = 0;
  TimePoint now = t0;
  while (now < t0 + 600s) {
    const auto deadline = t.next_deadline();
    const TimePoint packet_at = now + Millis(1 + next() * 15);  // gaps from 1 ms to ~15 s
    if (deadline && *deadline <= packet_at) {
      ASSERT_GT(*deadline, now) << "deadline in the past";
      EXPECT_EQ(t.advance(*deadline - 1ms), Transitions{}) << "deadline later than due";
      EXPECT_FALSE(t.advance(*deadline).empty()) << "timer fired for nothing";
      ++timer_fires;
      now = *deadline;
      continue;
    }
    now = packet_at;
    ASSERT_EQ(t.advance(now), Transitions{}) << "transition due before the armed deadline";
    const auto& p = peers[next() % peers.size()];
    t.on_packet(p.name, p.media[next() % p.media.size()], now);
    if (next() % 7 == 0) t.set_peer_deadtime("ha3", Millis(2000 + next() * 20));
  }
  EXPECT_GT(timer_fires, 50);
}

TEST(LivenessPeers, FromHaCfEveryOtherNodeOnEveryInterfaceAndPingNodes) {
  config::HaCf cf;
  auto medium = [](config::Medium::Kind kind, std::string interface, std::string address) {
    config::Medium m;
    m.kind = kind;
    m.interface = std::move(interface);
    m.address = std::move(address);
    return m;
  };
  using Kind = config::Medium::Kind;
  cf.media = {medium(Kind::bcast, "eth0", ""), medium(Kind::ucast, "eth1", "192.0.2.1"),
              medium(Kind::ucast, "eth1", "192.0.2.2"), medium(Kind::serial, "/dev/ttyS0", "")};
  cf.nodes = {"ha1.haw2.ibm.com", "ha2.haw2.ibm.com"};
  cf.ping_nodes = {"192.0.2.254"};
  config::PingGroup routers;
  routers.name = "routers";
  routers.addresses = {"192.0.2.253", "192.0.2.252"};
  cf.ping_groups = {routers};
  auto peers = peers_from_config(cf, "HA1.haw2.ibm.com");
  ASSERT_EQ(peers.size(), 3u);
  EXPECT_EQ(peers[0].name, "ha2.haw2.ibm.com");
  EXPECT_EQ(peers[0].media, (std::vector<std::string>{"eth0", "eth1", "/dev/ttyS0"}));
  EXPECT_EQ(peers[1].kind, PeerKind::ping);
  EXPECT_EQ(peers[1].media, (std::vector<std::string>{"192.0.2.254"}));
  EXPECT_EQ(peers[2].name, "routers");
  EXPECT_EQ(peers[2].media.size(), 2u);
  cf.deadping = 4s;
  EXPECT_EQ(timing_from_config(cf).deadping, 4s);
}

}  // namespace
}  // namespace hb::liveness
