#include "core/proto/wire_rules.hpp"

#include <algorithm>
#include <limits>

namespace hb::proto {
namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > kMax - b ? kMax : a + b;
}

}  // namespace

Generation generation_bound(Generation current, std::int64_t unix_now, const WireRules& rules) {
  const Generation by_count = saturating_add(current, rules.generation_step);
  const std::int64_t clock = std::max<std::int64_t>(unix_now, 0);
  const Generation by_clock = saturating_add(static_cast<std::uint64_t>(clock),
                                             static_cast<std::uint64_t>(rules.clock_slack_seconds));
  return std::max(by_count, by_clock);
}

Seq seq_allowance(std::chrono::nanoseconds elapsed, const WireRules& rules) {
  const auto ka = std::chrono::duration_cast<std::chrono::nanoseconds>(rules.keepalive).count();
  const auto ns = std::max<std::int64_t>(elapsed.count(), 0);
  std::uint64_t intervals = ka > 0 ? static_cast<std::uint64_t>(ns / ka) : 0;
  std::uint64_t scaled =
      rules.seq_rate != 0 && intervals > kMax / rules.seq_rate ? kMax : intervals * rules.seq_rate;
  return saturating_add(scaled, rules.seq_slack);
}

std::chrono::milliseconds clamp_peer_deadtime(std::chrono::milliseconds advertised,
                                              std::chrono::milliseconds ours) {
  const auto lo = ours / 2;
  const auto hi = ours * 4;
  return std::clamp(advertised, lo, hi);
}

std::size_t RexmitBudget::take(std::string_view peer, std::size_t wanted, TimePoint now) {
  auto it = buckets_.find(peer);
  if (it == buckets_.end()) {
    it = buckets_.emplace(std::string(peer), Bucket{static_cast<double>(per_second_), now}).first;
  }
  Bucket& b = it->second;
  const double seconds = std::chrono::duration<double>(now - b.refilled).count();
  if (seconds > 0) {
    b.tokens = std::min(static_cast<double>(per_second_),
                        b.tokens + seconds * static_cast<double>(per_second_));
    b.refilled = now;
  }
  const auto granted = std::min(wanted, static_cast<std::size_t>(b.tokens));
  b.tokens -= static_cast<double>(granted);
  return granted;
}

void RexmitBudget::give_back(std::string_view peer, std::size_t unused) {
  auto it = buckets_.find(peer);
  if (it == buckets_.end()) return;
  it->second.tokens =
      std::min(static_cast<double>(per_second_), it->second.tokens + static_cast<double>(unused));
}

}  // namespace hb::proto
