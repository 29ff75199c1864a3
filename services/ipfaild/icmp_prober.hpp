// Probes ping nodes with ICMP echo: one request to each address every `interval` (ha.cf
// keepalive); an address is up from its first reply and dead once `deadping` passed without one
// (since its last reply, or since probing it started).
//
// The socket is an unprivileged ICMP datagram socket (SOCK_DGRAM/IPPROTO_ICMP) where
// net.ipv4.ping_group_range admits our group, else a raw ICMP socket, which needs CAP_NET_RAW
// (ipfaild.service grants only that). IPv4 only: heartbeat's ping nodes are IPv4 addresses.
#pragma once

#include <netinet/in.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hb::ipfaild {

class IcmpProber {
 public:
  using Clock = std::chrono::steady_clock;
  using Millis = std::chrono::milliseconds;
  // `index` into the addresses given; `up` false = dead.
  using Changed = std::function<void(std::size_t index, bool up)>;

  // Throws std::system_error when neither kind of ICMP socket can be opened.
  IcmpProber(boost::asio::io_context& io, const std::vector<std::string>& addresses,
             Millis interval, Millis deadping, Changed changed);
  ~IcmpProber();
  IcmpProber(const IcmpProber&) = delete;
  IcmpProber& operator=(const IcmpProber&) = delete;

  void start();
  // ha.cf's keepalive and deadping changed by a reload: the next round is paced and judged by
  // them (a target's silence so far counts against the new deadping).
  void set_timing(Millis interval, Millis deadping) {
    interval_ = interval;
    deadping_ = deadping;
  }
  // A reload changed the ping nodes: probe `addresses` from now on (indexes into them from now
  // on too). An address kept keeps its state and its last reply; a new one starts at init, its
  // deadping counted from now; a removed one is no longer probed and reported no more.
  void set_targets(const std::vector<std::string>& addresses);
  // "datagram" (unprivileged ICMP socket) or "raw".
  const char* socket_kind() const { return raw_ ? "raw" : "datagram"; }
  // Addresses that are not IPv4 literals: never probed, reported dead after deadping.
  const std::vector<std::string>& unusable() const { return unusable_; }

 private:
  struct Target {
    std::string name;
    std::optional<in_addr> address;
    enum class State { init, up, dead } state = State::init;
    Clock::time_point last_reply{};
    Clock::time_point probed_since{};  // deadping of a target that never answered counts from here
  };
  Target make_target(const std::string& name, Clock::time_point now);
  void round();
  void send_echo(Target& t);
  void wait_reply();
  void read_replies();
  void reply_from(in_addr source);

  boost::asio::steady_timer timer_;
  boost::asio::posix::stream_descriptor socket_;
  bool raw_ = false;
  std::uint16_t id_ = 0;
  std::uint16_t seq_ = 0;
  Millis interval_;
  Millis deadping_;
  Changed changed_;
  std::vector<Target> targets_;
  std::vector<std::string> unusable_;
};

}  // namespace hb::ipfaild
