#include "garp.hpp"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <system_error>

namespace hb::ipaddr {
namespace {

// ARP over Ethernet for IPv4 (RFC 826), as laid out on the wire after the Ethernet header.
struct [[gnu::packed]] ArpPacket {
  std::uint16_t htype, ptype;
  std::uint8_t hlen, plen;
  std::uint16_t oper;
  std::uint8_t sha[6];
  std::uint8_t spa[4];
  std::uint8_t tha[6];
  std::uint8_t tpa[4];
};

}  // namespace

GarpSocket::GarpSocket() {
  // SOCK_DGRAM: the kernel builds the Ethernet header from sockaddr_ll.
  fd_ = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_ARP));
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "packet socket");
}

GarpSocket::~GarpSocket() {
  if (fd_ >= 0) close(fd_);
}

void GarpSocket::send(int ifindex, const std::array<std::uint8_t, 6>& mac,
                      std::uint32_t address) const {
  ArpPacket p{};
  p.htype = htons(ARPHRD_ETHER);
  p.ptype = htons(ETH_P_IP);
  p.hlen = 6;
  p.plen = 4;
  p.oper = htons(ARPOP_REQUEST);
  std::memcpy(p.sha, mac.data(), 6);
  std::memcpy(p.spa, &address, 4);
  std::memset(p.tha, 0, 6);
  std::memcpy(p.tpa, &address, 4);
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_ARP);
  to.sll_ifindex = ifindex;
  to.sll_halen = 6;
  std::memset(to.sll_addr, 0xff, 6);
  if (sendto(fd_, &p, sizeof p, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0)
    throw std::system_error(errno, std::generic_category(), "send gratuitous ARP");
}

}  // namespace hb::ipaddr
