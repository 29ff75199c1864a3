// hb-linkd's admission bounds beyond heartbeat's replay rules (docs/wire-rules.md): how far a
// peer's generation may jump, how far its seq may run ahead of the last one, which range of
// advertised deadtimes (dt) is honoured, and how fast retransmission requests are answered.
// Pure: time and the wall clock are passed in.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/proto/control.hpp"

namespace hb::proto {

struct WireRules {
  // A new generation is adopted only up to max(current + generation_step,
  // wall clock seconds + clock_slack): `file` peers count restarts, `time` peers use the clock.
  Generation generation_step = 1000;
  std::int64_t clock_slack_seconds = 86400;
  // A seq may run ahead of the last accepted one by at most
  // seq_rate * (time since then) / keepalive + seq_slack.
  std::chrono::milliseconds keepalive{1000};
  std::uint64_t seq_rate = 2;
  Seq seq_slack = 500;
};

// The highest generation adopted when the current one is `current` and the wall clock reads
// `unix_now` (seconds).
Generation generation_bound(Generation current, std::int64_t unix_now, const WireRules& rules);

// How far ahead of the last accepted seq a seq may be after `elapsed` of silence (saturating).
Seq seq_allowance(std::chrono::nanoseconds elapsed, const WireRules& rules);

// The peer's advertised deadtime, clamped to [ours / 2, ours * 4].
std::chrono::milliseconds clamp_peer_deadtime(std::chrono::milliseconds advertised,
                                              std::chrono::milliseconds ours);

// Packets a node sends to answer one peer's retransmission requests: a token bucket per peer,
// `per_second` tokens a second, at most `per_second` held.
class RexmitBudget {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  explicit RexmitBudget(std::size_t per_second = 50) : per_second_(per_second) {}

  // How many of `wanted` packets may be sent to answer `peer` now (they are taken).
  std::size_t take(std::string_view peer, std::size_t wanted, TimePoint now);
  // Puts back what was taken but not used.
  void give_back(std::string_view peer, std::size_t unused);

 private:
  struct Bucket {
    double tokens = 0;
    TimePoint refilled{};
  };
  std::size_t per_second_;
  std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace hb::proto
