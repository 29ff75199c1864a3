// bcast, ucast, mcast (and their IPv6 forms): one UDP socket tied to one interface.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "interfaces.hpp"
#include "medium.hpp"

namespace hb::linkd {

class UdpMedium : public Medium, public std::enable_shared_from_this<UdpMedium> {
 public:
  enum class Kind { bcast, ucast, mcast };
  struct Options {
    Kind kind = Kind::bcast;
    bool ipv6 = false;      // ucast6 / mcast6
    std::string interface;  // eth0
    std::string address;    // ucast: the peer; mcast: the group; bcast: unused
    std::uint16_t port = 694;
    int ttl = 1;        // mcast: IP_MULTICAST_TTL / hop limit
    bool loop = false;  // mcast: IP_MULTICAST_LOOP
    RetryPolicy retry;
  };

  // Always through shared_ptr: pending I/O holds only a weak reference, so dropping the last
  // shared_ptr closes the medium.
  static std::shared_ptr<UdpMedium> create(boost::asio::io_context& io, Options options);
  ~UdpMedium() override;

  const std::string& name() const override { return name_; }
  std::error_code open() override;
  void send(std::string_view packet) override;
  void close() override;
  bool is_open() const override { return socket_.is_open(); }

 private:
  UdpMedium(boost::asio::io_context& io, Options options);

  std::error_code open_socket();
  void close_socket();
  void start_receive();
  void arm_check();
  void check();  // every retry interval: reopen if closed, follow interface/address changes
  boost::asio::ip::address address() const;

  Options options_;
  std::string name_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer check_timer_;
  boost::asio::ip::udp::endpoint destination_;
  boost::asio::ip::udp::endpoint sender_;
  InterfaceState interface_;  // as it was when the socket opened
  std::array<char, 65536> buffer_{};
  unsigned generation_ = 0;  // bumped on every close, so stale completions are ignored
  bool started_ = false;     // between open() and close()
};

}  // namespace hb::linkd
