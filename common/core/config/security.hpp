// What in a valid configuration still lets someone on the LAN forge cluster packets, said
// loudly rather than refused (heartbeat's own sample files use crc, and they must keep loading):
// `hbctl config check` prints these and hb-linkd publishes them in its Warnings property.
//   weak-auth-crc-udp       a crc key while a UDP medium is configured: crc is a checksum, not a
//                           signature; anyone on the LAN can compute it.
//   crc-beside-strong-keys  a crc key beside md5/sha1/sha256 keys: a packet names the index it
//                           is verified with, so a forger picks the crc one and the strong keys
//                           protect nothing.
#pragma once

#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace hb::config {

struct SecurityWarning {
  std::string code;  // stable word for scripts and tests
  std::string text;  // for a person: what is wrong, what it costs, what to do
  Origin origin;     // the authkeys line of the (first) crc key
};

// Empty without authkeys (a loader not asked to read it).
std::vector<SecurityWarning> security_warnings(const Config& config);

}  // namespace hb::config
