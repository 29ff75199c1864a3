// The wire rules of docs/wire-rules.md, each attack as a user would see it: what hb-linkd's
// receive pipeline does with forged, replayed and far-ahead packets, the generations it keeps
// across a restart, the advertised deadtime it honours and how much it resends on request.
// With crc keys: anyone can sign, so only the rules (not the digest) stand in the way.
#include "core/proto/wire_rules.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>

#include "core/link/packet_pipeline.hpp"
#include "core/link/reliable_messages.hpp"
#include "core/proto/packet.hpp"
#include "generation_file.hpp"

namespace hb::linkd {
namespace {

using namespace std::chrono_literals;
using liveness::LinkState;

constexpr std::int64_t kNow = 1700000000;  // the receiver's wall clock in these tests
constexpr std::uint64_t kHuge = std::numeric_limits<std::uint64_t>::max() - 1;

config::AuthKeys crc_keys() {
  config::AuthKeys k;
  k.active_index = 1;
  config::AuthKey key;
  key.method = config::AuthKey::Method::crc;
  k.keys[1] = key;
  return k;
}

proto::ControlFields control_of(const std::string& node, proto::Generation g) {
  proto::ControlFields c;
  c.node = node;
  c.generation = g;
  c.unix_time = kNow;
  c.ttl = 3;
  return c;
}

std::string temp_dir() {
  char tmpl[] = "/tmp/hb-wire-test-XXXXXX";
  return ::mkdtemp(tmpl);
}

void remove_dir(const std::string& dir) {
  EXPECT_EQ(std::system(("rm -rf " + dir).c_str()), 0);
}

// ha1 (us) hears ha2 on lan0 and lan1; keepalive 100 ms, deadtime 1 s.
struct WireRules : ::testing::Test {
  TimePoint t0 = TimePoint{} + 100s;

  PipelineOptions options(std::map<std::string, proto::Generation> known = {}) {
    PipelineOptions o;
    o.local_node = "ha1";
    o.keys = crc_keys();
    o.timing = liveness::Timing{100ms, 500ms, 1000ms, 2000ms, 0ms};
    o.peers = {liveness::Peer{"ha2", liveness::PeerKind::node, {"lan0", "lan1"}}};
    o.known_generations = std::move(known);
    o.unix_clock = [] { return kNow; };
    return o;
  }
  PacketPipeline make(std::map<std::string, proto::Generation> known = {}) {
    return PacketPipeline(options(std::move(known)), t0);
  }
  static std::string seal(const proto::Message& m) { return *proto::seal(m, crc_keys()); }
  // A status as the genuine ha2 sends it (the next seq of `s`).
  static std::string status(ReliableSender& s, proto::Generation g,
                            std::chrono::milliseconds dt = 1000ms) {
    proto::StatusOptions so;
    so.deadtime = dt;
    return seal(s.status(so, control_of("ha2", g)));
  }
  // A status with any generation and seq: what a forger with the crc "key" sends.
  static std::string forged_status(proto::Generation g, proto::Seq seq) {
    proto::StatusOptions so;
    so.deadtime = 1000ms;
    return seal(proto::build_status(so, control_of("ha2", g), seq));
  }
  static Reject rejected(const PacketEvents& ev) {
    EXPECT_TRUE(ev.rejected) << "accepted";
    return ev.rejected.value_or(Reject::malformed);
  }
  static bool died(const TimerEvents& ev, const std::string& medium) {
    for (const auto& t : ev.transitions)
      if (t.medium == medium && t.to == LinkState::dead) return true;
    return false;
  }
};

// Attack 1: one forged status with a generation near 2^64 used to make every genuine packet
// after it an "old generation": the links died and the standby took over.
TEST_F(WireRules, AForgedFarAheadGenerationIsDroppedAndTheGenuinePeerStaysAccepted) {
  auto p = make();
  ReliableSender ha2;
  ASSERT_FALSE(p.on_packet(status(ha2, 4), "lan0", t0).rejected);
  EXPECT_EQ(rejected(p.on_packet(forged_status(kHuge, 1), "lan0", t0 + 10ms)),
            Reject::generation_out_of_bound);
  // Beyond current + 1000 and beyond the wall clock + 1 day: out of bound too.
  EXPECT_EQ(rejected(p.on_packet(forged_status(kNow + 86400 + 1, 1), "lan0", t0 + 20ms)),
            Reject::generation_out_of_bound);
  for (int i = 1; i <= 20; ++i) {
    auto ev = p.on_packet(status(ha2, 4), "lan0", t0 + i * 100ms);
    ASSERT_FALSE(ev.rejected) << "genuine status " << i << ": " << ev.detail;
    EXPECT_FALSE(ev.restarted);
  }
  EXPECT_EQ(p.liveness().state("ha2", "lan0"), LinkState::up);
  EXPECT_EQ(p.known_generations().at("ha2"), 4u);
}

TEST_F(WireRules, AForgedFarAheadSeqIsDroppedWithoutMovingTheWindow) {
  auto p = make();
  ReliableSender ha2;
  ASSERT_FALSE(p.on_packet(status(ha2, 4), "lan0", t0).rejected);
  EXPECT_EQ(rejected(p.on_packet(forged_status(4, kHuge), "lan0", t0 + 10ms)),
            Reject::seq_too_far_ahead);
  // 2 x 0 keepalives + 500: seq 1 + 502 is too far right after the last one.
  EXPECT_EQ(rejected(p.on_packet(forged_status(4, 1 + 502), "lan1", t0 + 10ms)),
            Reject::seq_too_far_ahead);
  auto ev = p.on_packet(status(ha2, 4), "lan0", t0 + 100ms);
  ASSERT_FALSE(ev.rejected) << ev.detail;
  EXPECT_FALSE(ev.duplicate);
  EXPECT_EQ(p.last_seq("ha2"), 2u);
  // A genuine peer after a long silence (100 s: 1000 keepalives lost) is still accepted: the
  // allowance grows with the silence (2 x 1000 + 500).
  proto::Message m;
  for (int i = 0; i < 1003; ++i) m = ha2.status(proto::StatusOptions{}, control_of("ha2", 4));
  auto back = p.on_packet(seal(m), "lan0", t0 + 100s);
  EXPECT_FALSE(back.rejected) << back.detail;
}

TEST_F(WireRules, ANewGenerationIsAdoptedOnlyFromAStatusPacket) {
  auto p = make();
  ReliableSender old_run;
  ASSERT_FALSE(p.on_packet(status(old_run, 4), "lan0", t0).rejected);
  ReliableSender new_run;
  proto::Message msg = new_run.cluster_message("", "shutdone", {}, control_of("ha2", 5));
  EXPECT_EQ(rejected(p.on_packet(seal(msg), "lan0", t0 + 50ms)), Reject::unconfirmed_generation);
  EXPECT_EQ(p.known_generations().at("ha2"), 4u);
  auto ev = p.on_packet(status(new_run, 5), "lan0", t0 + 100ms);
  ASSERT_FALSE(ev.rejected) << ev.detail;
  ASSERT_TRUE(ev.restarted);
  EXPECT_EQ(*ev.adopted, 5u);
  // A restart counts from seq 1: a "new run" that starts 10^6 seqs in is forged.
  EXPECT_EQ(rejected(p.on_packet(forged_status(6, 1000000), "lan0", t0 + 200ms)),
            Reject::seq_too_far_ahead);
  // hbgenmethod time peers: a clock generation is within the bound on first contact.
  auto q = make();
  ReliableSender clocked;
  EXPECT_FALSE(q.on_packet(status(clocked, kNow + 5), "lan0", t0).rejected);
}

// Attack 2: NS_rexmit refreshed link liveness: one captured packet replayed kept a dead peer up.
TEST_F(WireRules, AReplayedNsRexmitDoesNotKeepADeadPeerAlive) {
  auto p = make();
  ReliableSender ha2;
  ASSERT_FALSE(p.on_packet(status(ha2, 4), "lan0", t0).rejected);
  const std::string captured = seal(proto::build_rexmit_request("ha1", 1, 1, control_of("ha2", 4)));
  bool dead = false;
  for (auto t = t0 + 100ms; t <= t0 + 3s; t += 100ms) {
    auto ev = p.on_packet(captured, "lan0", t);  // processed (a request for us) ...
    EXPECT_FALSE(ev.status);
    EXPECT_FALSE(ev.transition);
    dead = dead || died(p.advance(t, control_of("ha1", 1)), "lan0");
  }
  // ... but ha2 said nothing else: dead one deadtime after its last status.
  EXPECT_TRUE(dead);
  EXPECT_EQ(p.liveness().state("ha2", "lan0"), LinkState::dead);
  // An NS_* of an older generation, or before any status confirmed the peer, counts nothing.
  auto fresh = make({{"ha2", 4}});
  EXPECT_EQ(rejected(fresh.on_packet(captured, "lan0", t0)), Reject::unconfirmed_generation);
  EXPECT_EQ(rejected(fresh.on_packet(
                seal(proto::build_rexmit_request("ha1", 1, 1, control_of("ha2", 3))), "lan0", t0)),
            Reject::old_generation);
}

// Attack 2: after hb-linkd restarted, a recorded t=shutdone of an old generation was accepted.
TEST_F(WireRules, AnOldGenerationShutdoneIsRefusedAfterARestartWithThePersistedGenerations) {
  const std::string dir = temp_dir();
  std::string recorded;
  {
    auto before = make();
    ReliableSender run5;
    ASSERT_FALSE(before.on_packet(status(run5, 5), "lan0", t0).rejected);
    recorded = seal(run5.cluster_message("", "shutdone", {}, control_of("ha2", 5)));
    ASSERT_FALSE(before.on_packet(recorded, "lan0", t0 + 10ms).rejected);
    ReliableSender run6;  // ha2 restarts
    auto ev = before.on_packet(status(run6, 6), "lan0", t0 + 1s);
    ASSERT_TRUE(ev.adopted);
    ASSERT_EQ(save_peer_generations(dir, before.known_generations()), "");
  }
  // hb-linkd restarts: it reads hb_peer_generations back.
  PeerGenerations loaded = load_peer_generations(dir);
  EXPECT_EQ(loaded.problem, "");
  EXPECT_EQ(loaded.generations.at("ha2"), 6u);
  auto after = make(loaded.generations);
  EXPECT_EQ(rejected(after.on_packet(recorded, "lan0", t0)), Reject::old_generation);
  ReliableSender replayer;
  EXPECT_EQ(rejected(after.on_packet(status(replayer, 5), "lan0", t0)), Reject::old_generation);
  EXPECT_EQ(after.liveness().state("ha2", "lan0"), LinkState::init);
  // The genuine run 6 is heard as before.
  ReliableSender run6;
  EXPECT_FALSE(after.on_packet(status(run6, 6), "lan0", t0 + 10ms).rejected);
  remove_dir(dir);
}

// hbctl forget-generation: a peer whose disk was replaced starts over below what we persisted.
TEST_F(WireRules, ForgetGenerationLetsAPeerStartOver) {
  auto p = make({{"ha2", 40}});
  ReliableSender reborn;
  EXPECT_EQ(rejected(p.on_packet(status(reborn, 1), "lan0", t0)), Reject::old_generation);
  EXPECT_TRUE(p.forget_generation("HA2"));  // names match as heartbeat matches them
  EXPECT_FALSE(p.forget_generation("ha9"));
  EXPECT_TRUE(p.known_generations().empty());
  auto ev = p.on_packet(status(reborn, 1), "lan0", t0 + 100ms);
  ASSERT_FALSE(ev.rejected) << ev.detail;
  EXPECT_EQ(*ev.adopted, 1u);
}

// Attack 1: dt=10^9 kept a dead peer "up" for days; dt=1 made it flap.
TEST_F(WireRules, TheAdvertisedDeadtimeIsClampedAroundOurs) {
  auto p = make();
  auto forged_dt = [&](std::uint64_t dt, proto::Seq seq) {
    proto::StatusOptions so;
    so.deadtime = std::chrono::milliseconds(dt);
    return seal(proto::build_status(so, control_of("ha2", 4), seq));
  };
  auto huge = p.on_packet(forged_dt(1000000000, 1), "lan0", t0);
  ASSERT_FALSE(huge.rejected);
  EXPECT_EQ(huge.deadtime_clamped_from, 1000000000u);
  EXPECT_FALSE(died(p.advance(t0 + 3900ms, control_of("ha1", 1)), "lan0"));
  EXPECT_TRUE(died(p.advance(t0 + 4000ms, control_of("ha1", 1)), "lan0"));  // 4 x ours
  auto tiny = p.on_packet(forged_dt(1, 2), "lan0", t0 + 4100ms);
  ASSERT_FALSE(tiny.rejected);
  EXPECT_EQ(tiny.deadtime_clamped_from, 1u);
  EXPECT_FALSE(died(p.advance(t0 + 4100ms + 499ms, control_of("ha1", 1)), "lan0"));
  EXPECT_TRUE(died(p.advance(t0 + 4100ms + 500ms, control_of("ha1", 1)), "lan0"));  // ours / 2
  // Within the range it is honoured as heartbeat does.
  auto fine = p.on_packet(forged_dt(2000, 3), "lan0", t0 + 5s);
  EXPECT_FALSE(fine.deadtime_clamped_from);
}

// A status packet's hb_config reaches the shell, which compares it with this node's digest; a
// status without one (a heartbeat peer) says nothing.
TEST_F(WireRules, AStatusHandsOnThePeersConfigDigest) {
  auto p = make();
  proto::StatusOptions so;
  so.config_digest = "0123456789abcdef";
  auto with = p.on_packet(seal(proto::build_status(so, control_of("ha2", 4), 1)), "lan0", t0);
  ASSERT_FALSE(with.rejected) << with.detail;
  EXPECT_EQ(with.config_digest, "0123456789abcdef");
  auto without =
      p.on_packet(seal(proto::build_status({}, control_of("ha2", 4), 2)), "lan0", t0 + 100ms);
  ASSERT_FALSE(without.rejected) << without.detail;
  EXPECT_FALSE(without.config_digest);
}

// Attack 3: ten identical NS_rexmit made a node send 500 signed packets.
TEST_F(WireRules, RetransmissionAnswersAreBounded) {
  ReliableSender ha1;
  for (int i = 0; i < 60; ++i) ha1.cluster_message("", "x", {}, control_of("ha1", 3));
  const proto::Message request = proto::build_rexmit_request("ha1", 1, 50, control_of("ha2", 8));
  std::size_t sent = 0;
  std::size_t limited = 0;
  auto ask = [&](TimePoint when) {
    bool held_back = false;
    sent += ha1.answer(request, when, control_of("ha1", 3), &held_back).size();
    limited += held_back;
  };
  for (int i = 0; i < 10; ++i) ask(t0 + i * 50ms);
  EXPECT_EQ(sent, 50u);    // each seq once a second: the nine repeats get nothing
  EXPECT_EQ(limited, 0u);  // (skipped as heartbeat skips them: not counted)
  // Replayed every 1.1 s for a minute: each message is resent at most 3 times in all, and
  // what is held back is counted (Rejected "rexmit-rate").
  for (int i = 1; i <= 55; ++i) ask(t0 + i * 1100ms);
  EXPECT_EQ(sent, 150u);
  EXPECT_EQ(limited, 53u);
  // Different ranges from one peer: at most 50 packets a second to it.
  ReliableSender busy;
  for (int i = 0; i < 400; ++i) busy.cluster_message("", "x", {}, control_of("ha1", 3));
  std::size_t burst = 0;
  for (proto::Seq first = 1; first < 400; first += 50)
    burst +=
        busy.answer(proto::build_rexmit_request("ha1", first, first + 49, control_of("ha2", 8)), t0,
                    control_of("ha1", 3))
            .size();
  EXPECT_EQ(burst, 50u);
}

// hbgenmethod time, and the wall clock when hb_generation is missing (a lost disk).
TEST(GenerationMethod, TimeAndAMissingFileNeverGoBelowTheWallClock) {
  const std::string dir = temp_dir();
  EXPECT_GE(next_generation(dir, kNow).generation, static_cast<std::uint64_t>(kNow));
  { std::ofstream(dir + "/hb_generation") << "5\n"; }
  EXPECT_EQ(next_generation(dir, kNow, GenerationMethod::file).generation, 6u);
  EXPECT_EQ(next_generation(dir, kNow, GenerationMethod::time).generation,
            static_cast<std::uint64_t>(kNow));
  // The clock went back: still never below the last generation.
  EXPECT_EQ(next_generation(dir, kNow - 100, GenerationMethod::time).generation,
            static_cast<std::uint64_t>(kNow) + 1);
  ::unlink((dir + "/hb_generation").c_str());
  auto lost = next_generation(dir, kNow, GenerationMethod::file);
  EXPECT_EQ(lost.generation, static_cast<std::uint64_t>(kNow));
  EXPECT_TRUE(lost.persisted);
  EXPECT_EQ(generation_method("time"), GenerationMethod::time);
  EXPECT_EQ(generation_method("file"), GenerationMethod::file);
  remove_dir(dir);
}

TEST(PeerGenerationsFile, RoundTripsAndSkipsGarbage) {
  const std::string dir = temp_dir();
  EXPECT_TRUE(load_peer_generations(dir).generations.empty());
  EXPECT_EQ(save_peer_generations(dir, {{"ha2", 7}, {"ha3.example.com", 1700000000}}), "");
  auto back = load_peer_generations(dir);
  EXPECT_EQ(back.generations,
            (std::map<std::string, std::uint64_t>{{"ha2", 7}, {"ha3.example.com", 1700000000}}));
  { std::ofstream(dir + "/hb_peer_generations", std::ios::app) << "ha4 lots\nha5\n"; }
  auto partial = load_peer_generations(dir);
  EXPECT_EQ(partial.generations.size(), 2u);
  EXPECT_NE(partial.problem, "");
  EXPECT_NE(save_peer_generations(dir + "/missing", {{"ha2", 1}}), "");
  remove_dir(dir);
}

TEST(WireRuleBounds, TheNumbersOfDocsWireRules) {
  proto::WireRules r;
  EXPECT_EQ(proto::generation_bound(4, kNow, r), static_cast<std::uint64_t>(kNow) + 86400);
  EXPECT_EQ(proto::generation_bound(kNow + 86400, 0, r),
            static_cast<std::uint64_t>(kNow) + 86400 + 1000);
  EXPECT_EQ(proto::generation_bound(kHuge, kNow, r), std::numeric_limits<std::uint64_t>::max());
  r.keepalive = 100ms;
  EXPECT_EQ(proto::seq_allowance(0ms, r), 500u);
  EXPECT_EQ(proto::seq_allowance(10s, r), 2u * 100u + 500u);
  EXPECT_EQ(proto::seq_allowance(std::chrono::nanoseconds::max(), r), 2u * 92233720368u + 500u);
  EXPECT_EQ(proto::clamp_peer_deadtime(1ms, 1000ms), 500ms);
  EXPECT_EQ(proto::clamp_peer_deadtime(1000000000ms, 1000ms), 4000ms);
  EXPECT_EQ(proto::clamp_peer_deadtime(2000ms, 1000ms), 2000ms);
}

}  // namespace
}  // namespace hb::linkd
