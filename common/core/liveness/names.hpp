// How node names compare in liveness and membership: config::same_node_name, the one rule
// (ASCII case folding, no locale) that all of hb uses. This name is kept for the daemons in
// services/ that still call it; new code calls config::same_node_name.
#pragma once

#include <string_view>

#include "core/config/node_name.hpp"

namespace hb::liveness {

constexpr bool same_name(std::string_view a, std::string_view b) {
  return config::same_node_name(a, b);
}

}  // namespace hb::liveness
