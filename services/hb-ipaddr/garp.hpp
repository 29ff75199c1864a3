// Gratuitous ARP: an ARP request for our own address (sender = target = the cluster IP), sent to
// the broadcast MAC through an AF_PACKET socket, so neighbours and switches learn the new owner
// at once instead of waiting for their cache to expire.
#pragma once

#include <array>
#include <cstdint>

namespace hb::ipaddr {

// Sends one gratuitous ARP on `ifindex`; `address` in network byte order. Throws on failure.
void send_gratuitous_arp(int ifindex, const std::array<std::uint8_t, 6>& mac,
                         std::uint32_t address);

}  // namespace hb::ipaddr
