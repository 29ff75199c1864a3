// What the kernel says about this node's network interfaces, read fresh whenever a medium opens
// or checks itself: addresses change and interfaces come and go while hb-linkd runs.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace hb::linkd {

// Every address configured on this node (all interfaces, IPv4 and IPv6), as text.
std::vector<std::string> local_addresses();

// Whether `address` is one of `local` (compared as addresses, so "::1" equals "0::1"). ha.cf is
// shared by all nodes, so a ucast line naming one of ours is the line meant for the peer to use.
// Unparsable text is never local.
bool is_local_address(std::string_view address, const std::vector<std::string>& local);

struct InterfaceState {
  unsigned index = 0;
  std::optional<boost::asio::ip::address_v4> broadcast;  // IPv4 broadcast address, if any
};

// ENODEV when the interface does not exist.
std::error_code read_interface(const std::string& name, InterfaceState& state);

}  // namespace hb::linkd
