#include "udp_medium.hpp"

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <cerrno>
#include <cstring>

namespace hb::linkd {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

std::string kind_word(const UdpMedium::Options& o) {
  switch (o.kind) {
    case UdpMedium::Kind::bcast:
      return "bcast";
    case UdpMedium::Kind::ucast:
      return o.ipv6 ? "ucast6" : "ucast";
    case UdpMedium::Kind::mcast:
      return o.ipv6 ? "mcast6" : "mcast";
  }
  return "udp";
}

std::error_code from(const boost::system::error_code& ec) {
  return {ec.value(), std::system_category()};
}

std::error_code set_option(int fd, int level, int option, const void* value, socklen_t size) {
  if (setsockopt(fd, level, option, value, size) != 0) return {errno, std::system_category()};
  return {};
}

// Errors meaning "this socket is tied to an interface that no longer exists": reopen.
bool interface_gone(const boost::system::error_code& ec) {
  return ec.value() == ENODEV || ec.value() == ENXIO || ec.value() == EBADF;
}

}  // namespace

std::shared_ptr<UdpMedium> UdpMedium::create(asio::io_context& io, Options options) {
  return std::shared_ptr<UdpMedium>(new UdpMedium(io, std::move(options)));
}

UdpMedium::UdpMedium(asio::io_context& io, Options options)
    : options_(std::move(options)), socket_(io), check_timer_(io) {
  name_ = kind_word(options_) + " " + options_.interface;
  if (options_.kind != Kind::bcast) name_ += " " + options_.address;
}

UdpMedium::~UdpMedium() {
  close();
}

asio::ip::address UdpMedium::address() const {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(options_.address, ec);
  return ec ? asio::ip::address() : address;
}

std::error_code UdpMedium::open() {
  started_ = true;
  const auto ec = open_socket();
  if (ec) {
    report(Report::Kind::open_failed, "cannot open " + name_ + ": " + ec.message(), ec);
  } else {
    report_recovered("open");
  }
  arm_check();
  return ec;
}

std::error_code UdpMedium::open_socket() {
  close_socket();
  InterfaceState iface;
  if (auto ec = read_interface(options_.interface, iface)) return ec;

  boost::system::error_code bec;
  const auto peer = address();
  if (options_.kind != Kind::bcast) {
    if (peer.is_unspecified() || peer.is_v6() != options_.ipv6)
      return {EINVAL, std::system_category()};
    if (options_.kind == Kind::mcast && !peer.is_multicast())
      return {EINVAL, std::system_category()};
  }
  if (options_.kind == Kind::bcast && !iface.broadcast)
    return {EADDRNOTAVAIL, std::system_category()};

  socket_.open(options_.ipv6 ? udp::v6() : udp::v4(), bec);
  if (bec) return from(bec);
  const int fd = socket_.native_handle();
  auto fail = [this](std::error_code ec) {
    close_socket();
    return ec;
  };

  // Several media may share udpport (bcast and ucast on different interfaces) as heartbeat allows.
  socket_.set_option(udp::socket::reuse_address(true), bec);
  if (bec) return fail(from(bec));
  if (auto ec = set_option(fd, SOL_SOCKET, SO_BINDTODEVICE, options_.interface.c_str(),
                           static_cast<socklen_t>(options_.interface.size())))
    return fail(ec);
  if (options_.ipv6) {
    socket_.set_option(asio::ip::v6_only(true), bec);
    if (bec) return fail(from(bec));
  }

  udp::endpoint local;
  switch (options_.kind) {
    case Kind::bcast:
      socket_.set_option(asio::socket_base::broadcast(true), bec);
      if (bec) return fail(from(bec));
      local = udp::endpoint(asio::ip::address_v4::any(), options_.port);
      destination_ = udp::endpoint(*iface.broadcast, options_.port);
      break;
    case Kind::ucast: {
      local = udp::endpoint(options_.ipv6 ? udp::v6() : udp::v4(), options_.port);
      auto to = peer;
      if (to.is_v6() && to.to_v6().is_link_local()) {
        auto v6 = to.to_v6();
        v6.scope_id(iface.index);
        to = v6;
      }
      destination_ = udp::endpoint(to, options_.port);
      break;
    }
    case Kind::mcast:
      if (options_.ipv6) {
        auto group = peer.to_v6();
        group.scope_id(iface.index);
        local = udp::endpoint(group, options_.port);
        destination_ = local;
        ipv6_mreq mreq{};
        const auto bytes = group.to_bytes();
        std::memcpy(&mreq.ipv6mr_multiaddr, bytes.data(), bytes.size());
        mreq.ipv6mr_interface = iface.index;
        const unsigned index = iface.index;
        const int hops = options_.ttl, loop = options_.loop ? 1 : 0;
        for (auto ec : {set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &index, sizeof index),
                        set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops),
                        set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof loop),
                        set_option(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq, sizeof mreq)})
          if (ec) return fail(ec);
      } else {
        const auto group = peer.to_v4();
        // Bound to the group so a bcast/ucast socket on the same port does not see these.
        local = udp::endpoint(group, options_.port);
        destination_ = local;
        ip_mreqn mreq{};
        mreq.imr_multiaddr.s_addr = htonl(group.to_uint());
        mreq.imr_address.s_addr = htonl(INADDR_ANY);
        mreq.imr_ifindex = static_cast<int>(iface.index);
        const int ttl = options_.ttl, loop = options_.loop ? 1 : 0;
        for (auto ec : {set_option(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof mreq),
                        set_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl),
                        set_option(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop),
                        set_option(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq)})
          if (ec) return fail(ec);
      }
      break;
  }
  socket_.bind(local, bec);
  if (bec) return fail(from(bec));
  socket_.non_blocking(true, bec);
  if (bec) return fail(from(bec));
  interface_ = iface;
  start_receive();
  return {};
}

void UdpMedium::close_socket() {
  ++generation_;
  boost::system::error_code ignored;
  socket_.close(ignored);
}

void UdpMedium::close() {
  started_ = false;
  check_timer_.cancel();
  close_socket();
}

void UdpMedium::start_receive() {
  socket_.async_receive_from(
      asio::buffer(buffer_), sender_,
      [weak = weak_from_this(), generation = generation_](const boost::system::error_code& ec,
                                                          std::size_t size) {
        auto self = weak.lock();
        if (!self || generation != self->generation_ || ec == asio::error::operation_aborted)
          return;
        if (ec) {
          self->report(Report::Kind::receive_failed,
                       "receive on " + self->name_ + " failed: " + ec.message(), from(ec));
          // A socket whose device vanished is reopened by the next check; others keep going.
          if (interface_gone(ec)) return self->close_socket();
        } else {
          std::string source =
              self->sender_.address().to_string() + ":" + std::to_string(self->sender_.port());
          self->deliver(std::string_view(self->buffer_.data(), size), source);
          if (generation != self->generation_) return;  // the handler closed us
        }
        self->start_receive();
      });
}

void UdpMedium::send(std::string_view packet) {
  if (!socket_.is_open()) return;  // already reported as open_failed; the check reopens it
  boost::system::error_code ec;
  socket_.send_to(asio::buffer(packet.data(), packet.size()), destination_, 0, ec);
  if (!ec) return report_recovered("sending again");
  if (ec == asio::error::would_block) return;  // a full socket buffer drops this keepalive
  report(Report::Kind::send_failed, "send on " + name_ + " failed: " + ec.message(), from(ec));
  if (interface_gone(ec)) close_socket();
}

void UdpMedium::arm_check() {
  check_timer_.expires_after(options_.retry.interval);
  check_timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec || !self->started_) return;
    self->check();
    self->arm_check();
  });
}

void UdpMedium::check() {
  InterfaceState now;
  const auto ec = read_interface(options_.interface, now);
  if (socket_.is_open()) {
    // The interface was recreated (new index) or its broadcast address changed: rebind.
    const bool same = !ec && now.index == interface_.index &&
                      (options_.kind != Kind::bcast || now.broadcast == interface_.broadcast);
    if (same) return;
    close_socket();
  }
  if (const auto open_ec = open_socket()) {
    report(Report::Kind::open_failed, "cannot open " + name_ + ": " + open_ec.message(), open_ec);
  }
  // `recovered` is reported by the first send that goes through.
}

}  // namespace hb::linkd
