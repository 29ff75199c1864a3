// Counts a noisy event (a forged packet, a replay) and says when to log the total, so a flood
// gives one "dropped N forged packets from X in 10s" line per window instead of one per packet.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace hb::log {

class RateLimitedCounter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimitedCounter(Clock::duration window = std::chrono::seconds(10))
      : window_(window) {}

  // Counts `n` events at `now`. Returns the number to report when this is the first event since
  // the last report (log it at once) or a window has passed since then (log the total).
  std::optional<std::uint64_t> add(Clock::time_point now, std::uint64_t n = 1);
  // Returns what is still unreported once its window has passed (call from a timer).
  std::optional<std::uint64_t> flush(Clock::time_point now);
  Clock::duration window() const { return window_; }

 private:
  Clock::duration window_;
  std::optional<Clock::time_point> last_report_;
  std::uint64_t pending_ = 0;
};

}  // namespace hb::log
