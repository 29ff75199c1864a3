// Drives one sd_bus from a Boost.Asio io_context: waits on the bus fd for what
// sd_bus_get_events() asks, arms a steady_timer at sd_bus_get_timeout(), and processes in
// bounded batches so a flood of bus traffic cannot starve heartbeat timers. Everything runs on
// the io_context's thread; other threads only asio::post.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>

#include "sys/dbus/bus.hpp"

namespace hb::dbus {

class AsioBusDriver {
 public:
  // Called once when the connection is lost or fails; the daemon then exits non-zero and
  // systemd restarts it.
  using DisconnectHandler = std::function<void(int negative_errno)>;

  AsioBusDriver(boost::asio::io_context& io, Bus& bus, DisconnectHandler on_disconnect);
  ~AsioBusDriver();
  AsioBusDriver(const AsioBusDriver&) = delete;
  AsioBusDriver& operator=(const AsioBusDriver&) = delete;

  // Schedules a processing round. Bus calls this itself after send/call_async/emit_*: each may
  // have queued output, added a reply deadline or filled sd-bus' read queue.
  void kick();

 private:
  void process();
  void arm();

  Bus& bus_;
  boost::asio::posix::stream_descriptor fd_;
  boost::asio::steady_timer timer_;
  DisconnectHandler on_disconnect_;
  // Posted work checks this, so a driver destroyed before the loop runs again is never touched.
  std::shared_ptr<char> alive_ = std::make_shared<char>();
  bool kicked_ = false;
  bool dead_ = false;
  unsigned generation_ = 0;
};

}  // namespace hb::dbus
