// Keepalives: the status heartbeat every `keepalive`, on a steady schedule, and whether they are
// going out on time (the watchdog pings only then: a daemon that stopped sending heartbeats must
// be restarted, not kept alive by a timer that still runs).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace hb::linkd {

// The first line of /proc/loadavg without its newline (heartbeat's `ld`), or "n/a".
std::string read_load_average();

class KeepaliveTimer {
 public:
  using Clock = std::chrono::steady_clock;
  // `send` runs every `interval`, the first time right away.
  KeepaliveTimer(boost::asio::io_context& io, std::chrono::milliseconds interval,
                 std::function<void()> send);

  // True while the last keepalive went out no later than two intervals ago.
  bool on_time(Clock::time_point now) const;
  // A new interval (hbctl reload): the next keepalive goes one new interval after the last.
  void set_interval(std::chrono::milliseconds interval);
  void stop() { timer_.cancel(); }

 private:
  void fire();
  void arm();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds interval_;
  std::function<void()> send_;
  Clock::time_point next_;
  std::optional<Clock::time_point> last_sent_;
};

}  // namespace hb::linkd
