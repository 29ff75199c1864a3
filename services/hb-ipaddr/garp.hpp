// Gratuitous ARP: an ARP request for our own address (sender = target = the cluster IP), sent to
// the broadcast MAC through an AF_PACKET socket, so neighbours and switches learn the new owner
// at once instead of waiting for their cache to expire.
//
// Closing the last reference to a packet socket waits for an RCU grace period in the kernel
// (packet_release → synchronize_net: 7–12 ms measured here), so hb-ipaddr opens one socket, sends
// the first ARP, and leaves the socket to the child that sends the rest: the start job then
// finishes without that wait (see main.cpp).
#pragma once

#include <array>
#include <cstdint>

namespace hb::ipaddr {

class GarpSocket {
 public:
  // Opens the packet socket. Throws on failure (no CAP_NET_RAW, no AF_PACKET).
  GarpSocket();
  ~GarpSocket();
  GarpSocket(const GarpSocket&) = delete;
  GarpSocket& operator=(const GarpSocket&) = delete;

  // Sends one gratuitous ARP on `ifindex`; `address` in network byte order. Throws on failure.
  void send(int ifindex, const std::array<std::uint8_t, 6>& mac, std::uint32_t address) const;

  // Forgets the descriptor without closing it: the process's exit, or a child that inherited it,
  // lets it go.
  void release() { fd_ = -1; }

 private:
  int fd_ = -1;
};

}  // namespace hb::ipaddr
