#include "sys/signals.hpp"

#include <csignal>

namespace hb::sys {

Signals::Signals(boost::asio::io_context& io, std::function<void(int)> on_stop,
                 std::function<void()> on_reload)
    : set_(io, SIGTERM, SIGINT, SIGHUP),
      on_stop_(std::move(on_stop)),
      on_reload_(std::move(on_reload)) {
  wait();
}

void Signals::wait() {
  set_.async_wait([this](boost::system::error_code ec, int signo) {
    if (ec) return;
    if (signo == SIGHUP) {
      if (on_reload_) on_reload_();
    } else if (on_stop_) {
      on_stop_(signo);
    }
    wait();
  });
}

}  // namespace hb::sys
