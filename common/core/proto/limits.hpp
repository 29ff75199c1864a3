// Bounds every decoder enforces before it allocates, so a hostile packet costs little.
#pragma once

#include <cstddef>

namespace hb::proto {

struct Limits {
  // One UDP datagram can never exceed this; heartbeat's own cap is 256 KiB (GLUE MAXMSG) but it
  // never sends more than a datagram holds, and a serial frame is limited by the framer.
  std::size_t max_packet = 64 * 1024;
  std::size_t max_fields = 1024;
  std::size_t max_name = 255;
};

}  // namespace hb::proto
