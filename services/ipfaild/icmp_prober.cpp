#include "icmp_prober.hpp"

#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <system_error>

namespace hb::ipfaild {

namespace {

int open_icmp_socket(bool& raw) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd >= 0) {
    raw = false;
    return fd;
  }
  const int dgram_errno = errno;
  fd = ::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd >= 0) {
    raw = true;
    return fd;
  }
  throw std::system_error(errno, std::generic_category(),
                          std::string("cannot open an ICMP socket (datagram: ") +
                              std::strerror(dgram_errno) +
                              "; raw needs CAP_NET_RAW or net.ipv4.ping_group_range)");
}

std::uint16_t checksum(const unsigned char* data, std::size_t len) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < len; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (len % 2) sum += data[len - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<std::uint16_t>(~sum));
}

}  // namespace

IcmpProber::IcmpProber(boost::asio::io_context& io, const std::vector<std::string>& addresses,
                       Millis interval, Millis deadping, Changed changed)
    : timer_(io),
      socket_(io),
      interval_(interval),
      deadping_(deadping),
      changed_(std::move(changed)) {
  socket_.assign(open_icmp_socket(raw_));
  // The datagram socket's identifier is the kernel's (its "port"); a raw socket sees every
  // ICMP reply on the host, so ours carry a random identifier to tell them apart.
  id_ = static_cast<std::uint16_t>(std::random_device{}());
  for (const auto& a : addresses) targets_.push_back(make_target(a, Clock::now()));
}

IcmpProber::~IcmpProber() = default;

IcmpProber::Target IcmpProber::make_target(const std::string& name, Clock::time_point now) {
  Target t;
  t.name = name;
  t.probed_since = now;
  in_addr addr{};
  if (::inet_pton(AF_INET, name.c_str(), &addr) == 1)
    t.address = addr;
  else
    unusable_.push_back(name);
  return t;
}

void IcmpProber::start() {
  const auto now = Clock::now();
  for (Target& t : targets_) t.probed_since = now;
  wait_reply();
  round();
}

void IcmpProber::set_targets(const std::vector<std::string>& addresses) {
  const auto now = Clock::now();
  std::vector<Target> next;
  unusable_.clear();
  for (const auto& a : addresses) {
    auto kept = std::find_if(targets_.begin(), targets_.end(),
                             [&](const Target& t) { return t.name == a; });
    if (kept == targets_.end()) {
      next.push_back(make_target(a, now));
    } else {
      if (!kept->address) unusable_.push_back(a);
      next.push_back(*kept);
    }
  }
  // The next round (within one interval) sends the new targets their first echo.
  targets_ = std::move(next);
}

void IcmpProber::round() {
  const auto now = Clock::now();
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    Target& t = targets_[i];
    const auto since = t.state == Target::State::up ? t.last_reply : t.probed_since;
    if (t.state != Target::State::dead && now - since >= deadping_) {
      t.state = Target::State::dead;
      changed_(i, false);
    }
    if (t.address) send_echo(t);
  }
  timer_.expires_after(interval_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) round();
  });
}

void IcmpProber::send_echo(Target& t) {
  unsigned char packet[sizeof(icmphdr) + 8] = {};
  auto* h = reinterpret_cast<icmphdr*>(packet);
  h->type = ICMP_ECHO;
  h->code = 0;
  h->un.echo.id = htons(id_);
  h->un.echo.sequence = htons(++seq_);
  std::memcpy(packet + sizeof(icmphdr), "hb-ipfl", 8);
  h->checksum = 0;
  h->checksum = checksum(packet, sizeof packet);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr = *t.address;
  // A failed send (no route while the network is cut) is just a missing reply.
  (void)::sendto(socket_.native_handle(), packet, sizeof packet, MSG_DONTWAIT,
                 reinterpret_cast<sockaddr*>(&to), sizeof to);
}

void IcmpProber::wait_reply() {
  socket_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                     [this](const boost::system::error_code& ec) {
                       if (ec) return;
                       read_replies();
                       wait_reply();
                     });
}

void IcmpProber::read_replies() {
  unsigned char buf[1500];
  for (;;) {
    sockaddr_in from{};
    socklen_t from_len = sizeof from;
    const ssize_t n = ::recvfrom(socket_.native_handle(), buf, sizeof buf, MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) return;  // EAGAIN: drained (errors such as ICMP unreachable are no reply either)
    const unsigned char* p = buf;
    std::size_t len = static_cast<std::size_t>(n);
    if (raw_) {  // a raw socket gets the IP header too
      if (len < sizeof(iphdr)) continue;
      const std::size_t ihl = static_cast<std::size_t>(reinterpret_cast<const iphdr*>(p)->ihl) * 4;
      if (len < ihl) continue;
      p += ihl;
      len -= ihl;
    }
    if (len < sizeof(icmphdr)) continue;
    const auto* h = reinterpret_cast<const icmphdr*>(p);
    if (h->type != ICMP_ECHOREPLY) continue;
    if (raw_ && ntohs(h->un.echo.id) != id_) continue;  // another program's ping
    reply_from(from.sin_addr);
  }
}

void IcmpProber::reply_from(in_addr source) {
  const auto now = Clock::now();
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    Target& t = targets_[i];
    if (!t.address || t.address->s_addr != source.s_addr) continue;
    t.last_reply = now;
    if (t.state != Target::State::up) {
      t.state = Target::State::up;
      changed_(i, true);
    }
  }
}

}  // namespace hb::ipfaild
