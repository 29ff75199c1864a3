// hb-linkd's receive pipeline and sending half, without sockets: what a peer's packets do to
// the link states, the deliveries and the counters, including gap repair by NS_rexmit.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/link/packet_pipeline.hpp"
#include "core/link/reliable_messages.hpp"
#include "core/proto/packet.hpp"
#include "generation_file.hpp"

namespace hb::linkd {
namespace {

using namespace std::chrono_literals;
using liveness::LinkState;

config::AuthKeys sha1_keys(const std::string& secret = "secret") {
  config::AuthKeys k;
  k.active_index = 1;
  config::AuthKey key;
  key.method = config::AuthKey::Method::sha1;
  key.secret = secret;
  k.keys[1] = key;
  return k;
}

proto::ControlFields control_of(const std::string& node, proto::Generation g) {
  proto::ControlFields c;
  c.node = node;
  c.generation = g;
  c.unix_time = 1700000000;
  c.ttl = 3;
  return c;
}

struct LinkdPipeline : ::testing::Test {
  TimePoint t0 = TimePoint{} + 100s;
  PacketPipeline make(const std::string& local, const std::string& peer) {
    PipelineOptions o;
    o.local_node = local;
    o.keys = sha1_keys();
    o.timing = liveness::Timing{100ms, 500ms, 1000ms, 2000ms, 0ms};
    o.peers = {liveness::Peer{peer, liveness::PeerKind::node, {"lan0", "lan1"}}};
    return PacketPipeline(o, t0);
  }
  std::string seal(const proto::Message& m, const config::AuthKeys& keys = sha1_keys()) {
    return *proto::seal(m, keys);
  }
  proto::Message status(ReliableSender& s, const std::string& node, proto::Generation g) {
    proto::StatusOptions so;
    so.deadtime = 1000ms;
    return s.status(so, control_of(node, g));
  }
};

TEST_F(LinkdPipeline, FirstPacketBringsTheLinkUpAndDuplicatesOnTheOtherMediumStillCount) {
  auto p = make("ha1", "ha2");
  ReliableSender ha2;
  auto bytes = seal(status(ha2, "ha2", 4));
  auto a = p.on_packet(bytes, "lan0", t0);
  ASSERT_FALSE(a.rejected);
  ASSERT_TRUE(a.transition);
  EXPECT_EQ(a.transition->to, LinkState::up);
  EXPECT_EQ(a.generation, 4u);
  EXPECT_FALSE(a.restarted);
  auto b = p.on_packet(bytes, "lan1", t0);
  EXPECT_FALSE(b.rejected);
  EXPECT_TRUE(b.duplicate);
  ASSERT_TRUE(b.transition);
  EXPECT_EQ(b.transition->medium, "lan1");
}

TEST_F(LinkdPipeline, TheSamePacketTwiceOnOneLinkIsAReplayAndChangesNothing) {
  auto p = make("ha1", "ha2");
  ReliableSender ha2;
  auto bytes = seal(status(ha2, "ha2", 4));
  p.on_packet(bytes, "lan0", t0);
  auto again = p.on_packet(bytes, "lan0", t0 + 900ms);
  ASSERT_TRUE(again.rejected);
  EXPECT_EQ(*again.rejected, Reject::replay);
  // The replay did not refresh the link: it dies 1 s after the genuine packet.
  auto ev = p.advance(t0 + 1000ms, control_of("ha1", 1));
  bool dead = false;
  for (auto& t : ev.transitions) dead = dead || (t.medium == "lan0" && t.to == LinkState::dead);
  EXPECT_TRUE(dead);
}

TEST_F(LinkdPipeline, WrongKeyUnknownNodeOwnPacketsAndGarbage) {
  auto p = make("ha1", "ha2");
  ReliableSender s;
  auto forged = p.on_packet(seal(status(s, "ha2", 9), sha1_keys("wrong")), "lan0", t0);
  ASSERT_TRUE(forged.rejected);
  EXPECT_EQ(*forged.rejected, Reject::auth);
  EXPECT_EQ(forged.peer, "ha2");  // counted on the link of the node it claims
  EXPECT_FALSE(forged.transition);
  auto stranger = p.on_packet(seal(status(s, "ha9", 1)), "lan0", t0);
  ASSERT_TRUE(stranger.rejected);
  EXPECT_EQ(*stranger.rejected, Reject::unknown_node);
  auto own = p.on_packet(seal(status(s, "ha1", 1)), "lan0", t0);
  EXPECT_TRUE(own.own);
  EXPECT_FALSE(own.rejected);
  EXPECT_EQ(own.own_status, 1u);  // for the watchdog: our own heartbeat came back
  // Our own packet under a key we do not have is not our heartbeat.
  auto own_forged = p.on_packet(seal(status(s, "ha1", 1), sha1_keys("wrong")), "lan0", t0);
  EXPECT_TRUE(own_forged.own);
  EXPECT_FALSE(own_forged.own_status);
  auto junk = p.on_packet("hello\n", "lan0", t0);
  ASSERT_TRUE(junk.rejected);
  EXPECT_EQ(*junk.rejected, Reject::malformed);
  auto big = p.on_packet(std::string(70000, '#'), "lan0", t0);
  ASSERT_TRUE(big.rejected);
  EXPECT_EQ(*big.rejected, Reject::oversized);
  EXPECT_EQ(p.liveness().state("ha2", "lan0"), LinkState::init);
}

TEST_F(LinkdPipeline, ANewGenerationIsARestartReportedWithTheTransition) {
  auto p = make("ha1", "ha2");
  ReliableSender old_run;
  p.on_packet(seal(status(old_run, "ha2", 4)), "lan0", t0);
  p.advance(t0 + 1s, control_of("ha1", 1));  // lan0 dead
  ReliableSender new_run;
  auto ev = p.on_packet(seal(status(new_run, "ha2", 5)), "lan0", t0 + 2s);
  ASSERT_TRUE(ev.restarted);
  EXPECT_EQ(*ev.restarted, 5u);
  ASSERT_TRUE(ev.transition);
  EXPECT_EQ(ev.transition->to, LinkState::up);
  // And the old run replayed afterwards is refused.
  ReliableSender replayer;
  auto replay = p.on_packet(seal(status(replayer, "ha2", 4)), "lan1", t0 + 2s);
  ASSERT_TRUE(replay.rejected);
  EXPECT_EQ(*replay.rejected, Reject::old_generation);
}

TEST_F(LinkdPipeline, ClusterMessagesAreDeliveredInOrderAndAGapIsRepairedByRetransmission) {
  auto p = make("ha2", "ha1");
  ReliableSender ha1;
  const auto c1 = control_of("ha1", 3);
  // A status first: it confirms ha1's generation (docs/wire-rules.md).
  ASSERT_FALSE(p.on_packet(seal(status(ha1, "ha1", 3)), "lan0", t0).rejected);
  std::vector<std::string> wire;
  for (int i = 0; i < 5; ++i)
    wire.push_back(seal(ha1.cluster_message("", "hb-test", {{"n", std::to_string(i)}}, c1)));
  std::vector<std::string> got;
  auto collect = [&](const std::vector<proto::Message>& ms) {
    for (auto& m : ms) got.emplace_back(m.value_or_empty("n"));
  };
  collect(p.on_packet(wire[0], "lan0", t0).deliver);
  collect(p.on_packet(wire[1], "lan0", t0).deliver);
  collect(p.on_packet(wire[3], "lan0", t0).deliver);  // #2 lost
  collect(p.on_packet(wire[4], "lan0", t0).deliver);
  EXPECT_EQ(got, (std::vector<std::string>{"0", "1"}));
  // The receiver asks for the gap after its random delay (<= 250 ms).
  auto when = p.next_deadline();
  ASSERT_TRUE(when);
  auto ev = p.advance(t0 + 300ms, control_of("ha2", 8));
  ASSERT_EQ(ev.requests.size(), 1u);
  const auto& request = ev.requests[0];
  EXPECT_EQ(request.type(), "NS_rexmit");
  // ha1 gets the request, answers with #2 as first sent.
  auto sender_side = make("ha1", "ha2");
  ReliableSender ha2;
  ASSERT_FALSE(sender_side.on_packet(seal(status(ha2, "ha2", 8)), "lan0", t0).rejected);
  auto req_ev = sender_side.on_packet(seal(request), "lan0", t0 + 300ms);
  ASSERT_TRUE(req_ev.rexmit_request);
  auto resend = ha1.answer(*req_ev.rexmit_request, t0 + 300ms, c1);
  ASSERT_EQ(resend.size(), 1u);
  collect(p.on_packet(seal(resend[0]), "lan0", t0 + 310ms).deliver);
  EXPECT_EQ(got, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
}

TEST_F(LinkdPipeline, MessagesForAnotherNodeAreNotDeliveredButKeepTheirPlace) {
  auto p = make("ha2", "ha1");
  ReliableSender ha1;
  const auto c1 = control_of("ha1", 3);
  ASSERT_FALSE(p.on_packet(seal(status(ha1, "ha1", 3)), "lan0", t0).rejected);
  auto to_ha3 = seal(ha1.cluster_message("ha3", "x", {}, c1));
  auto to_all = seal(ha1.cluster_message("", "x", {{"k", "v"}}, c1));
  EXPECT_TRUE(p.on_packet(to_ha3, "lan0", t0).deliver.empty());
  auto ev = p.on_packet(to_all, "lan0", t0);
  ASSERT_EQ(ev.deliver.size(), 1u);
  EXPECT_EQ(ev.deliver[0].value_or_empty("k"), "v");
}

std::string temp_dir() {
  char tmpl[] = "/tmp/hb-gen-test-XXXXXX";
  return ::mkdtemp(tmpl);
}

TEST(GenerationFile, StartsAtTheWallClockThenCountsUpAndPersists) {
  auto dir = temp_dir();
  auto a = next_generation(dir, 1700000000);
  EXPECT_TRUE(a.persisted);
  EXPECT_EQ(a.generation, 1700000000u);  // no file: the clock, never 1 (docs/wire-rules.md)
  EXPECT_TRUE(a.problem.empty());
  EXPECT_FALSE(a.note.empty());
  auto b = next_generation(dir, 1700000000);
  EXPECT_EQ(b.generation, 1700000001u);
  std::ifstream in(dir + "/hb_generation");
  unsigned long long v = 0;
  in >> v;
  EXPECT_EQ(v, 1700000001u);
  EXPECT_EQ(std::system(("rm -rf " + dir).c_str()), 0);
}

TEST(GenerationFile, GarbageOrAnUnwritableDirectoryFallsBackToTheClock) {
  auto dir = temp_dir();
  { std::ofstream(dir + "/hb_generation") << "not a number\n"; }
  auto a = next_generation(dir, 1700000000);
  EXPECT_EQ(a.generation, 1700000000u);
  EXPECT_TRUE(a.persisted);
  EXPECT_FALSE(a.problem.empty());
  EXPECT_EQ(next_generation(dir, 1700000000).generation, 1700000001u);
  auto missing = next_generation(dir + "/does-not-exist", 1700000000);
  EXPECT_FALSE(missing.persisted);
  EXPECT_EQ(missing.generation, 1700000000u);
  EXPECT_EQ(std::system(("rm -rf " + dir).c_str()), 0);
}

// hb-linkd's state moved from /var/lib/hb to a directory of its own (it is no longer root): the
// counter and the peers' generations go along, the higher of two wins, nothing is lost.
TEST(GenerationFile, MigrationMovesTheStateAndNeverGoesBackwards) {
  auto from = temp_dir(), to = temp_dir();
  ASSERT_TRUE(next_generation(from, 1700000000).persisted);  // 1700000000 in the old place
  ASSERT_EQ(save_peer_generations(from, {{"ha2", 7}, {"ha3", 9}}), "");
  ASSERT_EQ(save_peer_generations(to, {{"ha2", 8}}), "");  // a newer run already wrote one
  auto m = migrate_state(from, to);
  EXPECT_EQ(m.problem, "");
  EXPECT_EQ(m.moved, (std::vector<std::string>{"hb_generation", "hb_peer_generations"}));
  EXPECT_NE(::access((from + "/hb_generation").c_str(), F_OK), 0);
  EXPECT_NE(::access((from + "/hb_peer_generations").c_str(), F_OK), 0);
  EXPECT_EQ(load_peer_generations(to).generations,
            (std::map<std::string, std::uint64_t>{{"ha2", 8}, {"ha3", 9}}));
  EXPECT_EQ(next_generation(to, 1).generation, 1700000001u);

  // Back in the old place with a lower counter (a downgrade ran once): the higher stays.
  { std::ofstream(from + "/hb_generation") << "5\n"; }
  EXPECT_EQ(migrate_state(from, to).problem, "");
  EXPECT_EQ(next_generation(to, 1).generation, 1700000002u);
  // Nothing left to move: nothing happens.
  EXPECT_TRUE(migrate_state(from, to).moved.empty());
  // An unreadable counter in the old place is not thrown away.
  { std::ofstream(from + "/hb_generation") << "garbage\n"; }
  EXPECT_NE(migrate_state(from, to).problem, "");
  EXPECT_EQ(::access((from + "/hb_generation").c_str(), F_OK), 0);
  EXPECT_EQ(std::system(("rm -rf " + from + " " + to).c_str()), 0);
}

}  // namespace
}  // namespace hb::linkd
