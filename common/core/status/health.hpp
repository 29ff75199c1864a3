// /healthz's rule: healthy while every daemon this node runs is on the bus and was read within
// the configured age; otherwise, which are not and why.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status/snapshot.hpp"

namespace hb::status {

struct Health {
  bool ok = true;
  std::vector<std::string> problems;  // "hb-linkd: not on the bus"
};

Health check_health(const Snapshot& snapshot, std::uint64_t now_monotonic_usec,
                    std::chrono::milliseconds max_age);

}  // namespace hb::status
