#include "keepalive.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <string_view>

namespace hb::linkd {

std::string read_load_average() {
  // Opened once and read from offset 0 every time: the kernel writes the line afresh on each
  // read from the start, and a keepalive then costs one system call here instead of an open,
  // reads and a close (ten times a second at keepalive 100 ms).
  static const int fd = ::open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
  char buf[128];
  const ssize_t n = fd < 0 ? -1 : ::pread(fd, buf, sizeof buf, 0);
  if (n <= 0) return "n/a";
  std::string_view text(buf, static_cast<std::size_t>(n));
  text = text.substr(0, text.find('\n'));
  if (text.empty()) return "n/a";
  return std::string(text);
}

KeepaliveTimer::KeepaliveTimer(boost::asio::io_context& io, std::chrono::milliseconds interval,
                               std::function<void()> send)
    : timer_(io), interval_(interval), send_(std::move(send)) {
  next_ = Clock::now();
  boost::asio::post(io, [this] { fire(); });
}

void KeepaliveTimer::fire() {
  const auto now = Clock::now();
  last_sent_ = now;
  send_();
  // A steady rhythm (no drift from the send's own time); after a stall (SIGSTOP, a suspended
  // VM) start over from now instead of sending a burst of catch-up keepalives.
  next_ += interval_;
  if (next_ <= now) next_ = now + interval_;
  arm();
}

void KeepaliveTimer::arm() {
  timer_.expires_at(next_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) fire();
  });
}

void KeepaliveTimer::set_interval(std::chrono::milliseconds interval) {
  interval_ = interval;
  next_ = last_sent_.value_or(Clock::now()) + interval_;
  arm();  // expires_at() cancels the wait armed for the old interval
}

bool KeepaliveTimer::on_time(Clock::time_point now) const {
  return last_sent_ && now - *last_sent_ <= 2 * interval_;
}

}  // namespace hb::linkd
