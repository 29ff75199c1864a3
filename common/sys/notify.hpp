// The service manager protocol (Type=notify): READY=1 once the name is owned, STATUS= sentences
// for `systemctl status`, STOPPING=1, ERRNO= on fatal errors, and WATCHDOG=1 pings. All are
// no-ops when NOTIFY_SOCKET is unset, so tests point it at their own datagram socket.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <string_view>

namespace hb::notify {

void ready(std::string_view status);
void status(std::string_view status);
void reloading();
void stopping();
// A fatal error: STATUS= and ERRNO= together, before the process exits.
void failed(int errno_value, std::string_view status);

// Pings WATCHDOG=1 at half the interval systemd asked for (WatchdogSec=), but only while
// `healthy` says the daemon's real work is on time (hb-linkd: the last keepalive went out), so a
// wedged daemon gets restarted instead of being kept alive by its timer.
class Watchdog {
 public:
  explicit Watchdog(boost::asio::io_context& io, std::function<bool()> healthy = {});
  bool enabled() const { return interval_.count() > 0; }
  std::chrono::microseconds interval() const { return interval_; }

 private:
  void schedule();
  boost::asio::steady_timer timer_;
  std::function<bool()> healthy_;
  std::chrono::microseconds interval_{0};
};

}  // namespace hb::notify
