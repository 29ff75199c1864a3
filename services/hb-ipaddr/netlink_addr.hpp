// The cluster address on an interface, through rtnetlink (libnl-route-3): find the interface
// whose subnet holds it, add it with its broadcast, remove it, test for it. IPv4 only, as
// heartbeat's IPaddr shorthand.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "core/config/config.hpp"

namespace hb::ipaddr {

// What `start` puts on the interface, resolved from the spec and the interfaces' addresses.
struct Placement {
  std::string interface;
  int ifindex = 0;
  std::uint32_t address = 0;  // network byte order
  int prefix_length = 32;
  std::uint32_t broadcast = 0;  // network byte order; 0 = none (/31, /32)
  std::string label;            // "eth0:web" or empty
  std::array<std::uint8_t, 6> mac{};
};

// Resolves the spec: the named interface, or the one with an IPv4 address whose subnet holds
// the cluster address; prefix and broadcast default to that subnet's. Throws std::runtime_error
// saying why when no interface fits.
Placement resolve(const config::IpSpec& spec);

// Adds the address (already present counts as success). Throws on failure.
void add(const Placement& p);
// Removes the address from whichever interface holds it; absent counts as success.
void remove(const config::IpSpec& spec);
// The interface that holds the address, or "" when none does.
std::string holder(const config::IpSpec& spec);

}  // namespace hb::ipaddr
