// SIGTERM/SIGINT (stop) and SIGHUP (reload, as heartbeat and keepalived users send it), handled
// on the io_context thread through asio::signal_set rather than in async-signal context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <functional>

namespace hb::sys {

class Signals {
 public:
  Signals(boost::asio::io_context& io, std::function<void(int signo)> on_stop,
          std::function<void()> on_reload);

 private:
  void wait();
  boost::asio::signal_set set_;
  std::function<void(int)> on_stop_;
  std::function<void()> on_reload_;
};

}  // namespace hb::sys
