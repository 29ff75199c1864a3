#include "media_factory.hpp"

#include "interfaces.hpp"
#include "serial_medium.hpp"
#include "udp_medium.hpp"

namespace hb::linkd {

namespace {

std::string where(const hb::config::Origin& origin) {
  if (origin.file.empty()) return "ha.cf: ";
  return origin.file + ":" + std::to_string(origin.line) + ": ";
}

}  // namespace

std::string medium_key(const hb::config::Medium& line, std::uint16_t udpport) {
  const bool serial = line.kind == hb::config::Medium::Kind::serial;
  const auto port = serial ? 0 : line.port != 0 ? line.port : udpport;
  return std::to_string(static_cast<int>(line.kind)) + "|" + line.interface + "|" + line.address +
         "|" + std::to_string(port) + "|" + std::to_string(line.ttl) + "|" +
         std::to_string(line.loop) + "|" + std::to_string(line.baud);
}

MediaSet make_media(boost::asio::io_context& io, const hb::config::HaCf& ha_cf,
                    const std::vector<std::string>& local_addresses, RetryPolicy retry,
                    const std::string& lock_dir) {
  using Kind = hb::config::Medium::Kind;
  MediaSet set;
  for (const auto& line : ha_cf.media) {
    if (line.kind == Kind::serial) {
      SerialMedium::Options options;
      options.device = line.interface;
      options.baud = line.baud;
      options.lock_dir = lock_dir;
      options.retry = retry;
      set.media.push_back(SerialMedium::create(io, options));
      set.keys.push_back(medium_key(line, ha_cf.udpport));
      continue;
    }
    UdpMedium::Options options;
    options.interface = line.interface;
    options.address = line.address;
    options.port = line.port != 0 ? line.port : ha_cf.udpport;
    options.ttl = line.ttl;
    options.loop = line.loop != 0;
    options.retry = retry;
    options.ipv6 = line.kind == Kind::mcast6 || line.kind == Kind::ucast6;
    switch (line.kind) {
      case Kind::bcast:
        options.kind = UdpMedium::Kind::bcast;
        break;
      case Kind::ucast:
      case Kind::ucast6:
        options.kind = UdpMedium::Kind::ucast;
        if (is_local_address(line.address, local_addresses)) {
          // Every node reads the same ha.cf: the line naming us is the one our peer uses.
          set.skipped.push_back(where(line.origin) + (options.ipv6 ? "ucast6 " : "ucast ") +
                                line.interface + " " + line.address +
                                ": this node's own address; ignored");
          continue;
        }
        break;
      case Kind::mcast:
      case Kind::mcast6:
        options.kind = UdpMedium::Kind::mcast;
        break;
      case Kind::serial:
        break;
    }
    set.media.push_back(UdpMedium::create(io, options));
    set.keys.push_back(medium_key(line, ha_cf.udpport));
  }
  return set;
}

}  // namespace hb::linkd
