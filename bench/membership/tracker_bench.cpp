// How much CPU the pure trackers cost per packet and per timer tick for the largest cluster hb
// supports (32 nodes, 2 media each), so hb-linkd's per-packet path can be judged against the
// network and crypto work around it. Prints one line per operation: ns per call.
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "core/liveness/tracker.hpp"
#include "core/membership/tracker.hpp"

namespace {

using namespace std::chrono_literals;
using hb::liveness::Peer;
using hb::liveness::PeerKind;
using hb::liveness::TimePoint;
using Wall = std::chrono::steady_clock;  // measuring the benchmark itself, not fed to a tracker

volatile std::size_t sink = 0;  // keeps results alive so the optimiser cannot drop the work

template <typename F>
void measure(const char* what, long iterations, F&& body) {
  const auto begin = Wall::now();
  for (long i = 0; i < iterations; ++i) body(i);
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Wall::now() - begin);
  std::printf("%-48s %10.1f ns/call  (%ld calls)\n", what,
              static_cast<double>(ns.count()) / static_cast<double>(iterations), iterations);
}

}  // namespace

int main() {
  const hb::liveness::Timing timing{
      .keepalive = 100ms, .warntime = 300ms, .deadtime = 500ms, .initdead = 12s, .deadping = 0ms};
  std::vector<Peer> peers;
  for (int i = 2; i <= 32; ++i) {
    peers.push_back(Peer{"node" + std::to_string(i), PeerKind::node, {"eth0", "eth1"}});
  }
  const TimePoint start{};
  hb::liveness::Tracker links(timing, peers, start);
  hb::membership::Tracker members("node1", peers, start);
  for (const Peer& p : peers) {
    for (const auto& m : p.media) {
      if (auto t = links.on_packet(p.name, m, start + 1ms)) members.on_link(*t, start + 1ms);
    }
  }
  const long n = 2'000'000;
  const std::size_t links_count = peers.size() * 2;

  // Steady state: every link up, each keepalive changes nothing.
  measure("liveness on_packet (steady, 31 peers x 2)", n, [&](long i) {
    const Peer& p = peers[static_cast<std::size_t>(i) % peers.size()];
    const TimePoint now = start + 2ms + std::chrono::microseconds(i);
    sink = sink +
           links.on_packet(p.name, p.media[static_cast<std::size_t>(i / 31) % 2], now).has_value();
  });
  measure("liveness on_packet (last peer, case differs)", n, [&](long i) {
    const TimePoint now = start + 2s + std::chrono::microseconds(i);
    sink = sink + links.on_packet("NODE32", "eth1", now).has_value();
  });
  const TimePoint later = start + 5s;
  for (const Peer& p : peers) {
    for (const auto& m : p.media) links.on_packet(p.name, m, later);
  }
  measure("liveness next_deadline (62 links)", n / 4,
          [&](long) { sink = sink + links.next_deadline().has_value(); });
  measure("liveness advance, nothing due (62 links)", n / 4,
          [&](long) { sink = sink + links.advance(later + 1ms).size(); });

  // A whole cycle: every link goes late, then dead, then comes back; all through membership.
  const long cycles = 20'000;
  long events = 0;
  measure("full cycle: 62 links up->late->dead->up + members", cycles, [&](long i) {
    const TimePoint base = later + std::chrono::seconds(1 + i);
    for (const auto& t : links.advance(base + 300ms))
      events += members.on_link(t, base).has_value();
    for (const auto& t : links.advance(base + 500ms))
      events += members.on_link(t, base).has_value();
    for (const Peer& p : peers) {
      for (const auto& m : p.media) {
        if (auto t = links.on_packet(p.name, m, base + 500ms)) {
          events += members.on_link(*t, base + 500ms).has_value();
        }
      }
    }
  });
  std::printf("  (per cycle: %zu links, %ld node events in total)\n", links_count, events);
  return sink == static_cast<std::size_t>(-1) ? 1 : 0;
}
