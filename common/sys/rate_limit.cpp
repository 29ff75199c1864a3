#include "sys/rate_limit.hpp"

#include <utility>

namespace hb::log {

std::optional<std::uint64_t> RateLimitedCounter::add(Clock::time_point now, std::uint64_t n) {
  pending_ += n;
  if (!last_report_ || now - *last_report_ >= window_) {
    last_report_ = now;
    return std::exchange(pending_, 0);
  }
  return std::nullopt;
}

std::optional<std::uint64_t> RateLimitedCounter::flush(Clock::time_point now) {
  if (pending_ == 0 || !last_report_ || now - *last_report_ < window_) return std::nullopt;
  last_report_ = now;
  return std::exchange(pending_, 0);
}

}  // namespace hb::log
