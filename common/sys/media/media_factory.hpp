// ha.cf media lines -> Medium objects for hb-linkd.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "medium.hpp"

namespace hb::linkd {

struct MediaSet {
  std::vector<std::shared_ptr<Medium>> media;  // in ha.cf order, not yet opened
  // media[i]'s identity (medium_key of its line): a reload keeps the media whose key stays.
  std::vector<std::string> keys;
  // Lines that make no medium here, as "ha.cf:12: ucast eth0 192.0.2.11: ...; ignored".
  std::vector<std::string> skipped;
};

// Everything that makes a media line's medium what it is (kind, interface or device, address,
// port, ttl, loop, baud), as text: two lines with one key open the same medium. `udpport` is
// the port of a UDP line that names none.
std::string medium_key(const hb::config::Medium& line, std::uint16_t udpport);

// `local_addresses` (usually local_addresses()) decides which ucast lines are this node's own.
// Serial lock files go to `lock_dir` (empty: /run/lock, else /var/lock).
MediaSet make_media(boost::asio::io_context& io, const hb::config::HaCf& ha_cf,
                    const std::vector<std::string>& local_addresses, RetryPolicy retry = {},
                    const std::string& lock_dir = {});

}  // namespace hb::linkd
