// Node membership on a fake clock. Most tests drive the two layers together, as hb-linkd and
// hb-membershipd do over the bus: packets go into a liveness tracker, its link transitions into
// the membership tracker, and the test looks only at the node events a user would see.
#include "core/membership/tracker.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/liveness/tracker.hpp"

namespace hb::membership {

void PrintTo(const Event& e, std::ostream* os) {
  *os << e.node << " " << to_string(e.from) << "->" << to_string(e.to) << " inc " << e.incarnation
      << " (" << to_string(e.reason) << (e.medium.empty() ? "" : ", " + e.medium) << ")";
}

namespace {

using namespace std::chrono_literals;
using liveness::Millis;
using liveness::Peer;

const TimePoint t0 = TimePoint{} + 1000h;

liveness::Timing timing() {
  return liveness::Timing{
      .keepalive = 1s, .warntime = 5s, .deadtime = 10s, .initdead = 20s, .deadping = 15s};
}

// What a user sees of one event: node, from, to, incarnation, reason.
struct Seen {
  std::string node;
  NodeState from, to;
  std::uint64_t incarnation;
  Reason reason;
  bool operator==(const Seen&) const = default;
};

void PrintTo(const Seen& s, std::ostream* os) {
  *os << s.node << " " << to_string(s.from) << "->" << to_string(s.to) << " inc " << s.incarnation
      << " (" << to_string(s.reason) << ")";
}

using Seens = std::vector<Seen>;

// hb-linkd + hb-membershipd, minus the bus.
class Cluster {
 public:
  Cluster(std::vector<Peer> peers, std::string local = "ha1")
      : peers_(std::move(peers)), links_(timing(), peers_, t0), members_(local, peers_, t0) {}

  // One authenticated packet; `generation` as hb-linkd's replay check saw it (0 = none).
  void packet(const std::string& node, const std::string& medium, TimePoint at,
              std::uint64_t generation = 0) {
    run_until(at);
    if (generation != 0) record(members_.on_generation(node, generation, at));
    if (auto t = links_.on_packet(node, medium, at)) record(members_.on_link(*t, at));
  }
  // Every node keeps sending on every medium each keepalive from `from` to `to`, except `quiet`.
  void keepalives(TimePoint from, TimePoint to, const std::vector<std::string>& quiet = {}) {
    for (TimePoint at = from; at <= to; at += 1s) {
      for (const Peer& p : peers_) {
        if (std::find(quiet.begin(), quiet.end(), p.name) != quiet.end()) continue;
        for (const auto& m : p.media) packet(p.name, m, at, 1);
      }
    }
  }
  // hb-linkd's PeerRestarted signal.
  void restart(const std::string& node, std::uint64_t generation, TimePoint at) {
    run_until(at);
    record(members_.on_restart(node, generation, at));
  }
  void shutdown(const std::string& node, TimePoint at) {
    run_until(at);
    record(members_.on_shutdown(node, at));
  }
  // The shell's timer: fire at every deadline up to `at`.
  void run_until(TimePoint at) {
    for (auto d = links_.next_deadline(); d && *d <= at; d = links_.next_deadline()) {
      for (const auto& t : links_.advance(*d)) {
        link_events_.push_back(t);
        record(members_.on_link(t, *d));
      }
    }
  }
  Seens take() { return std::exchange(seen_, {}); }
  std::vector<liveness::Transition> take_links() { return std::exchange(link_events_, {}); }
  Tracker& members() { return members_; }
  const Node& node(const std::string& n) { return *members_.find(n); }
  std::vector<TimePoint> event_times;

 private:
  void record(const std::optional<Event>& e) {
    if (!e) return;
    seen_.push_back(Seen{e->node, e->from, e->to, e->incarnation, e->reason});
    event_times.push_back(e->at);
  }
  std::vector<Peer> peers_;
  liveness::Tracker links_;
  Tracker members_;
  Seens seen_;
  std::vector<liveness::Transition> link_events_;
};

std::vector<Peer> ha2_two_media() {
  return {Peer{"ha2", PeerKind::node, {"eth0", "/dev/ttyS0"}}};
}

TEST(MembershipTracker, LocalNodeIsAlwaysUpAndIgnoresInput) {
  Cluster c(ha2_two_media());
  EXPECT_EQ(c.node("ha1").state, NodeState::up);
  EXPECT_EQ(c.node("ha1").incarnation, 1u);
  EXPECT_TRUE(c.node("ha1").local);
  EXPECT_EQ(c.members().on_shutdown("ha1", t0), std::nullopt);
  EXPECT_EQ(c.members().on_link("HA1", "eth0", LinkState::dead, t0), std::nullopt);
  EXPECT_EQ(c.node("ha1").state, NodeState::up);
  EXPECT_EQ(c.node("ha2").state, NodeState::init);
  EXPECT_EQ(c.members().count(NodeState::init), 1u);
}

TEST(MembershipTracker, FirstPacketOnAnyLinkBringsTheNodeUpOnce) {
  Cluster c(ha2_two_media());
  c.keepalives(t0 + 1s, t0 + 30s);
  EXPECT_EQ(c.take(), (Seens{{"ha2", NodeState::init, NodeState::up, 1, Reason::first_contact}}));
  EXPECT_TRUE(c.node("ha2").ever_heard);
  EXPECT_EQ(c.node("ha2").generation, 1u);
}

TEST(MembershipTracker, NeverHeardNodeStaysInitUntilInitdeadThenIsDeadNeverHeard) {
  Cluster c(ha2_two_media());
  c.run_until(t0 + 20s - 1ms);
  EXPECT_EQ(c.node("ha2").state, NodeState::init);
  EXPECT_EQ(c.take(), Seens{});
  EXPECT_FALSE(c.members().comm_up());
  c.run_until(t0 + 20s);
  EXPECT_EQ(c.take(), (Seens{{"ha2", NodeState::init, NodeState::dead, 0, Reason::never_heard}}));
  EXPECT_TRUE(c.members().comm_up());
  EXPECT_EQ(c.event_times.back(), t0 + 20s);
  EXPECT_FALSE(c.node("ha2").ever_heard);
  // It shows up later: a normal first contact.
  c.packet("ha2", "eth0", t0 + 25s, 1);
  EXPECT_EQ(c.take(), (Seens{{"ha2", NodeState::dead, NodeState::up, 1, Reason::returned}}));
}

TEST(MembershipTracker, WarnThenRecoverNeverChangesTheNode) {
  Cluster c(ha2_two_media());
  c.keepalives(t0 + 1s, t0 + 3s);
  c.take();
  c.run_until(t0 + 9s);  // both links late (silence 6 s > warntime 5 s)
  EXPECT_EQ(c.node("ha2").links[0].second, LinkState::late);
  c.keepalives(t0 + 9s, t0 + 20s);
  EXPECT_EQ(c.take(), Seens{});
  EXPECT_EQ(c.node("ha2").state, NodeState::up);
  EXPECT_EQ(c.node("ha2").incarnation, 1u);
}

TEST(MembershipTracker, OneOfTwoLinksLostNodeStaysUpLinkReportedDead) {
  Cluster c(ha2_two_media());
  c.keepalives(t0 + 1s, t0 + 3s);
  c.take();
  c.take_links();
  for (TimePoint at = t0 + 4s; at <= t0 + 30s; at += 1s) c.packet("ha2", "eth0", at, 1);
  EXPECT_EQ(c.take(), Seens{});
  EXPECT_EQ(c.node("ha2").state, NodeState::up);
  EXPECT_EQ(c.node("ha2").links[1],
            (std::pair<std::string, LinkState>{"/dev/ttyS0", LinkState::dead}));
  const auto links = c.take_links();
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[1].medium, "/dev/ttyS0");
  EXPECT_EQ(links[1].to, LinkState::dead);
}

TEST(MembershipTracker, AllLinksLostNodeDeadExactlyDeadtimeAfterItsLastPacket) {
  Cluster c(ha2_two_media());
  c.keepalives(t0 + 1s, t0 + 3s);
  c.packet("ha2", "eth0", t0 + 4s, 1);  // last packet of all, on eth0
  c.take();
  c.run_until(t0 + 14s - 1ms);
  EXPECT_EQ(c.node("ha2").state, NodeState::up);  // ttyS0 is dead already, eth0 only late
  c.run_until(t0 + 60s);
  EXPECT_EQ(c.take(), (Seens{{"ha2", NodeState::up, NodeState::dead, 1, Reason::links_dead}}));
  EXPECT_EQ(c.event_times.back(), t0 + 14s);
  // It comes back with the same generation: a partition healed, a new incarnation.
  c.packet("ha2", "/dev/ttyS0", t0 + 61s, 1);
  EXPECT_EQ(c.take(), (Seens{{"ha2", NodeState::dead, NodeState::up, 2, Reason::returned}}));
}

TEST(MembershipTracker, CleanShutdownIsDeadAtOnceAndLatePacketsDoNotRevive) {
  Cluster c(ha2_two_media());
  c.keepalives(t0 + 1s, t0 + 5s);
  c.take();
  c.shutdown("ha2", t0 + 5500ms);
  EXPECT_EQ(c.take(), (Seens{{"ha2", NodeState::up, NodeState::dead, 1, Reason::shutdown}}));
  EXPECT_EQ(c.event_times.back(), t0 + 5500ms);
  // A straggler on a late link, then silence: no further node event.
  c.run_until(t0 + 10s + 500ms);
  c.packet("ha2", "eth0", t0 + 10s + 600ms, 1);
  c.run_until(t0 + 40s);
  EXPECT_EQ(c.take(), Seens{});
  EXPECT_EQ(c.node("ha2").reason, Reason::shutdown);
  // Started again later, with the next generation.
  c.packet("ha2", "eth0", t0 + 50s, 2);
  EXPECT_EQ(c.take(), (Seens{{"ha2", NodeState::dead, NodeState::up, 2, Reason::restarted}}));
}

TEST(MembershipTracker, ShutdownThenRestartBeforeLinksGoSilentIsARestart) {
  Cluster c(ha2_two_media());
  c.keepalives(t0 + 1s, t0 + 5s);
  c.take();
  c.shutdown("ha2", t0 + 5500ms);
  c.packet("ha2", "eth0", t0 + 7s, 2);  // hb restarted: generation 2
  EXPECT_EQ(c.take(), (Seens{{"ha2", NodeState::up, NodeState::dead, 1, Reason::shutdown},
                             {"ha2", NodeState::dead, NodeState::up, 2, Reason::restarted}}));
}

// hb-membershipd read hb-linkd's peers before ha2 was first heard, so it never learned ha2's
// first generation (only a restart is signalled). ha2 announces shutdown and is back at once:
// hb-linkd's restart signal must bring it up, and its later power loss must kill it. Seen on
// the rig: ha2 stayed dead here while it served, and its power-off was never taken over.
TEST(MembershipTracker, RestartSignalWithoutAKnownFirstGenerationIsARestart) {
  Cluster c(ha2_two_media());
  for (TimePoint at = t0 + 1s; at <= t0 + 5s; at += 1s) {
    c.packet("ha2", "eth0", at);  // generation 0: not told
    c.packet("ha2", "/dev/ttyS0", at);
  }
  c.take();
  c.shutdown("ha2", t0 + 5500ms);
  c.restart("ha2", 2, t0 + 5700ms);
  EXPECT_EQ(c.take(), (Seens{{"ha2", NodeState::up, NodeState::dead, 1, Reason::shutdown},
                             {"ha2", NodeState::dead, NodeState::up, 2, Reason::restarted}}));
  for (TimePoint at = t0 + 6s; at <= t0 + 8s; at += 1s) {
    c.packet("ha2", "eth0", at);
    c.packet("ha2", "/dev/ttyS0", at);
  }
  c.run_until(t0 + 30s);  // power loss after t0 + 8 s
  EXPECT_EQ(c.take(), (Seens{{"ha2", NodeState::up, NodeState::dead, 2, Reason::links_dead}}));
}

TEST(MembershipTracker, RestartWithinDeadtimeIsANewIncarnation) {
  Cluster c(ha2_two_media());
  c.keepalives(t0 + 1s, t0 + 5s);
  c.take();
  // ha2 restarts in 2 s: its links never even went late.
  c.packet("ha2", "eth0", t0 + 7s, 2);
  c.packet("ha2", "/dev/ttyS0", t0 + 7s, 2);
  EXPECT_EQ(c.take(), (Seens{{"ha2", NodeState::up, NodeState::up, 2, Reason::restarted}}));
  EXPECT_EQ(c.node("ha2").generation, 2u);
  // A replayed older generation never gets this far (hb-linkd drops it); if it did, nothing.
  EXPECT_EQ(c.members().on_generation("ha2", 1, t0 + 8s), std::nullopt);
  EXPECT_EQ(c.members().on_generation("ha2", 2, t0 + 8s), std::nullopt);
}

TEST(MembershipTracker, RestartAfterDeathIsOneEventWhenGenerationComesFirst) {
  Cluster c(ha2_two_media());
  c.keepalives(t0 + 1s, t0 + 5s);
  c.run_until(t0 + 30s);
  c.take();
  c.packet("ha2", "eth0", t0 + 31s, 2);
  EXPECT_EQ(c.take(), (Seens{{"ha2", NodeState::dead, NodeState::up, 2, Reason::restarted}}));
}

TEST(MembershipTracker, PingNodesAreMembersWithDeadping) {
  std::vector<Peer> peers = ha2_two_media();
  peers.push_back(Peer{"192.0.2.254", PeerKind::ping, {"192.0.2.254"}});
  Cluster c(peers);
  c.keepalives(t0 + 1s, t0 + 5s);
  EXPECT_EQ(c.node("192.0.2.254").kind, PeerKind::ping);
  c.take();
  c.keepalives(t0 + 6s, t0 + 40s, {"192.0.2.254"});
  EXPECT_EQ(c.take(),
            (Seens{{"192.0.2.254", NodeState::up, NodeState::dead, 1, Reason::links_dead}}));
  EXPECT_EQ(c.event_times.back(), t0 + 20s);  // deadping 15 s after its last answer
}

TEST(MembershipTracker, ThirtyTwoNodesOneDiesOnlyItsEvents) {
  std::vector<Peer> peers;
  for (int i = 2; i <= 32; ++i) {
    peers.push_back(Peer{"node" + std::to_string(i), PeerKind::node, {"eth0", "eth1"}});
  }
  Cluster c(peers, "node1");
  c.keepalives(t0 + 1s, t0 + 5s);
  EXPECT_EQ(c.take().size(), 31u);
  EXPECT_EQ(c.members().count(NodeState::up), 32u);
  c.keepalives(t0 + 6s, t0 + 60s, {"node9"});
  EXPECT_EQ(c.take(), (Seens{{"node9", NodeState::up, NodeState::dead, 1, Reason::links_dead}}));
  EXPECT_EQ(c.event_times.back(), t0 + 15s);
  EXPECT_EQ(c.members().count(NodeState::up), 31u);
}

TEST(MembershipTracker, ShutdownHoldEndsWhenAllLinksWentSilent) {
  Tracker m("ha1", std::vector<Peer>{Peer{"ha2", PeerKind::node, {"eth0", "eth1"}}}, t0);
  m.on_link("ha2", "eth0", LinkState::up, t0 + 1s);
  m.on_link("ha2", "eth1", LinkState::up, t0 + 1s);
  ASSERT_TRUE(m.on_shutdown("ha2", t0 + 2s));
  EXPECT_EQ(m.on_shutdown("ha2", t0 + 2s), std::nullopt);  // announced twice: one event
  EXPECT_EQ(m.find("ha2")->since, t0 + 2s);
  EXPECT_EQ(m.on_link("ha2", "eth0", LinkState::dead, t0 + 11s), std::nullopt);
  EXPECT_EQ(m.on_link("ha2", "eth0", LinkState::up, t0 + 11s), std::nullopt);  // held
  EXPECT_EQ(m.on_link("ha2", "eth0", LinkState::dead, t0 + 21s), std::nullopt);
  EXPECT_EQ(m.on_link("ha2", "eth1", LinkState::dead, t0 + 21s), std::nullopt);
  // All silent: the announcement is spent, what comes back is an ordinary return.
  const auto e = m.on_link("ha2", "eth1", LinkState::up, t0 + 30s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->from, NodeState::dead);
  EXPECT_EQ(e->to, NodeState::up);
  EXPECT_EQ(e->incarnation, 2u);
  EXPECT_EQ(e->reason, Reason::returned);
  EXPECT_EQ(e->at, t0 + 30s);
}

// A link whose medium a reload removed is not a dead link: the node stays up while another is.
TEST(MembershipTracker, RemovedLinkLeavesTheNodeUpWhileAnotherIsUp) {
  Tracker m("ha1", std::vector<Peer>{Peer{"ha2", PeerKind::node, {"eth0", "eth1"}}}, t0);
  m.on_link("ha2", "eth0", LinkState::up, t0 + 1s);
  m.on_link("ha2", "eth1", LinkState::up, t0 + 1s);
  EXPECT_EQ(m.on_link_removed("ha2", "eth1", t0 + 2s), std::nullopt);
  EXPECT_EQ(m.on_link_removed("ha2", "eth1", t0 + 2s), std::nullopt);  // already gone
  EXPECT_EQ(m.on_link_removed("ha9", "eth0", t0 + 2s), std::nullopt);
  EXPECT_EQ(m.find("ha2")->state, NodeState::up);
  EXPECT_EQ(m.find("ha2")->links.size(), 1u);
  // The medium back: followed again, and the node dies only when its links do.
  m.on_link("ha2", "eth1", LinkState::up, t0 + 3s);
  EXPECT_EQ(m.on_link("ha2", "eth0", LinkState::dead, t0 + 13s), std::nullopt);
  // The one live link removed leaves only dead ones: that node is unreachable.
  const auto e = m.on_link_removed("ha2", "eth1", t0 + 14s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->to, NodeState::dead);
  EXPECT_EQ(e->reason, Reason::links_dead);
}

TEST(MembershipTracker, UnknownNodesAndZeroGenerationsChangeNothing) {
  Tracker m("ha1", std::vector<Peer>{Peer{"ha2", PeerKind::node, {"eth0"}}}, t0);
  EXPECT_EQ(m.on_link("ha9", "eth0", LinkState::up, t0), std::nullopt);
  EXPECT_EQ(m.on_generation("ha9", 5, t0), std::nullopt);
  EXPECT_EQ(m.on_shutdown("ha9", t0), std::nullopt);
  EXPECT_EQ(m.on_generation("ha2", 0, t0), std::nullopt);
  EXPECT_EQ(m.find("ha9"), nullptr);
  EXPECT_EQ(m.nodes().size(), 2u);
  // The first generation learnt is not a restart, even while up.
  m.on_link("ha2", "eth0", LinkState::up, t0 + 1s);
  EXPECT_EQ(m.on_generation("ha2", 7, t0 + 1s), std::nullopt);
  EXPECT_EQ(m.find("ha2")->incarnation, 1u);
}

TEST(MembershipTracker, NeverHeardNodeIsDeadOnlyWhenItsLastLinkIsReported) {
  // hb-linkd reports ha2's links one signal at a time: the first dead link must not make ha2
  // dead while the other (known from the peer list, not yet reported) is still pending.
  Tracker m("ha1", std::vector<Peer>{Peer{"ha2", PeerKind::node, {"eth0", "eth1"}}}, t0);
  EXPECT_EQ(m.on_link("ha2", "eth0", LinkState::dead, t0 + 20s), std::nullopt);
  const auto e = m.on_link("ha2", "eth1", LinkState::dead, t0 + 20s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->reason, Reason::never_heard);
  EXPECT_EQ(e->medium, "eth1");
  EXPECT_EQ(to_string(NodeState::init), "init");
  EXPECT_EQ(to_string(Reason::never_heard), "never-heard");
}

}  // namespace
}  // namespace hb::membership
