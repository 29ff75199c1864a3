#include "sys/dbus/asio_driver.hpp"

#include <poll.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdint>

#include "sys/dbus/error.hpp"

namespace hb::dbus {
namespace {
// Enough to drain a burst of signals without holding the loop long enough to delay a keepalive.
constexpr int batch = 64;
}  // namespace

AsioBusDriver::AsioBusDriver(boost::asio::io_context& io, Bus& bus, DisconnectHandler on_disconnect)
    : bus_(bus),
      // A duplicate: asio closes its descriptor on destruction, sd-bus closes its own.
      fd_(io, ::dup(check(sd_bus_get_fd(bus.get()), "sd_bus_get_fd"))),
      timer_(io),
      on_disconnect_(std::move(on_disconnect)) {
  bus_.set_activity_hook([this] { kick(); });
  kick();
}

AsioBusDriver::~AsioBusDriver() {
  bus_.set_activity_hook(nullptr);
}

void AsioBusDriver::kick() {
  if (kicked_ || dead_) return;
  kicked_ = true;
  boost::asio::post(fd_.get_executor(), [this, alive = std::weak_ptr<char>(alive_)] {
    if (alive.expired()) return;
    kicked_ = false;
    process();
  });
}

void AsioBusDriver::process() {
  if (dead_) return;
  for (int n = 0; n < batch; ++n) {
    int r = sd_bus_process(bus_.get(), nullptr);
    if (r < 0) {
      dead_ = true;
      boost::system::error_code ignored;
      fd_.cancel(ignored);
      timer_.cancel();
      if (on_disconnect_) on_disconnect_(r);
      return;
    }
    if (r == 0) return arm();
  }
  kick();  // more is pending: let other handlers run first, then continue
}

void AsioBusDriver::arm() {
  const unsigned gen = ++generation_;
  boost::system::error_code ignored;
  fd_.cancel(ignored);
  timer_.cancel();
  auto ready = [this, gen](boost::system::error_code ec) {
    if (!ec && gen == generation_) process();
  };
  int events = sd_bus_get_events(bus_.get());
  if (events < 0) events = POLLIN;
  if (events & POLLIN) fd_.async_wait(boost::asio::posix::stream_descriptor::wait_read, ready);
  if (events & POLLOUT) fd_.async_wait(boost::asio::posix::stream_descriptor::wait_write, ready);
  std::uint64_t until = 0;  // absolute CLOCK_MONOTONIC µs, which is libstdc++'s steady_clock
  if (sd_bus_get_timeout(bus_.get(), &until) >= 0 && until != UINT64_MAX) {
    timer_.expires_at(std::chrono::steady_clock::time_point(std::chrono::microseconds(until)));
    timer_.async_wait(ready);
  }
}

}  // namespace hb::dbus
