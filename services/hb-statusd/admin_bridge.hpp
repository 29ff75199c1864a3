// How the admin endpoints' calls reach hb-resourced's Manager (Standby, Takeover, MoveGroup, the
// methods hbctl calls): an HTTP thread hands the call to the Asio thread, which owns the bus
// connection, and waits a bounded time for the reply. The Asio thread itself never waits.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "sys/dbus/bus.hpp"

namespace hb::statusd {

struct AdminReply {
  bool ok = false;
  std::string error_name;  // the D-Bus error (empty when ok), e.g. io.github.hbcluster.Error.Busy
  std::string message;
};

class AdminBridge {
 public:
  AdminBridge(boost::asio::io_context& io, dbus::Bus& bus, std::chrono::milliseconds timeout)
      : io_(io), bus_(bus), timeout_(timeout) {}

  // Any thread but the Asio thread: calls `method` of the Manager with string arguments and
  // waits for its reply, at most the timeout (then an error named ...NoReply).
  AdminReply call(const std::string& method, const std::vector<std::string>& args);

 private:
  boost::asio::io_context& io_;
  dbus::Bus& bus_;
  std::chrono::milliseconds timeout_;
};

}  // namespace hb::statusd
