// How node names compare. heartbeat matches node names case-insensitively (uname -n may differ
// in case from the `node` line), so every lookup in liveness and membership goes through here.
#pragma once

#include <string_view>

namespace hb::liveness {

bool same_name(std::string_view a, std::string_view b);

}  // namespace hb::liveness
