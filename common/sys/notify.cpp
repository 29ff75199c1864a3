#include "sys/notify.hpp"

#include <systemd/sd-daemon.h>

#include <cstdint>
#include <string>

namespace hb::notify {
namespace {
void send(const std::string& text) {
  sd_notify(0, text.c_str());
}
}  // namespace

void ready(std::string_view s) {
  send("READY=1\nSTATUS=" + std::string(s));
}
void status(std::string_view s) {
  send("STATUS=" + std::string(s));
}
void reloading() {
  send("RELOADING=1");
}
void stopping() {
  send("STOPPING=1\nSTATUS=Shutting down");
}
void failed(int errno_value, std::string_view s) {
  send("STATUS=" + std::string(s) + "\nERRNO=" + std::to_string(errno_value));
}

Watchdog::Watchdog(boost::asio::io_context& io, std::function<bool()> healthy)
    : timer_(io), healthy_(std::move(healthy)) {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    interval_ = std::chrono::microseconds(usec / 2);
    schedule();
  }
}

void Watchdog::schedule() {
  timer_.expires_after(interval_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    if (!healthy_ || healthy_()) sd_notify(0, "WATCHDOG=1");
    schedule();
  });
}

}  // namespace hb::notify
