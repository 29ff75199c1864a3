#include "interfaces.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <boost/asio/ip/address_v6.hpp>
#include <cerrno>
#include <memory>

namespace hb::linkd {

namespace {

using Ifaddrs = std::unique_ptr<ifaddrs, decltype(&freeifaddrs)>;

Ifaddrs read_ifaddrs() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return Ifaddrs(nullptr, freeifaddrs);
  return Ifaddrs(list, freeifaddrs);
}

std::optional<boost::asio::ip::address> to_address(const sockaddr* sa) {
  if (sa == nullptr) return std::nullopt;
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return boost::asio::ip::address_v4(ntohl(in->sin_addr.s_addr));
  }
  if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    boost::asio::ip::address_v6::bytes_type bytes;
    std::copy(std::begin(in6->sin6_addr.s6_addr), std::end(in6->sin6_addr.s6_addr), bytes.begin());
    return boost::asio::ip::address_v6(bytes);  // scope dropped: ha.cf names bare addresses
  }
  return std::nullopt;
}

std::optional<boost::asio::ip::address> parse(std::string_view text) {
  // A scope suffix ("fe80::1%eth0") does not make a different address for this purpose.
  const auto percent = text.find('%');
  if (percent != std::string_view::npos) text = text.substr(0, percent);
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  return address;
}

}  // namespace

std::vector<std::string> local_addresses() {
  std::vector<std::string> result;
  const auto list = read_ifaddrs();
  for (const ifaddrs* it = list.get(); it != nullptr; it = it->ifa_next) {
    if (const auto address = to_address(it->ifa_addr)) result.push_back(address->to_string());
  }
  return result;
}

bool is_local_address(std::string_view address, const std::vector<std::string>& local) {
  const auto wanted = parse(address);
  if (!wanted) return false;
  for (const auto& candidate : local) {
    const auto parsed = parse(candidate);
    if (parsed && *parsed == *wanted) return true;
  }
  return false;
}

std::error_code read_interface(const std::string& name, InterfaceState& state) {
  state = InterfaceState{};
  state.index = if_nametoindex(name.c_str());
  if (state.index == 0) return {ENODEV, std::system_category()};
  const auto list = read_ifaddrs();
  if (!list) return {errno, std::system_category()};
  for (const ifaddrs* it = list.get(); it != nullptr; it = it->ifa_next) {
    if (name != it->ifa_name || it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET)
      continue;
    if ((it->ifa_flags & IFF_BROADCAST) == 0) continue;
    const auto broadcast = to_address(it->ifa_broadaddr);
    if (broadcast && broadcast->is_v4()) {
      state.broadcast = broadcast->to_v4();
      break;
    }
  }
  return {};
}

}  // namespace hb::linkd
