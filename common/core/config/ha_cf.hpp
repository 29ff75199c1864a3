// ha.cf, parsed as heartbeat parses it: directive by directive, in file order (udpport and baud
// apply to the media lines after them), then heartbeat's derived defaults and cross-checks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"

namespace hb::config {

struct HaCfResult {
  HaCf ha_cf;
  std::vector<Diagnostic> diagnostics;  // errors and warnings, in file order
};

// `file` is the name used in diagnostics (e.g. "/etc/ha.d/ha.cf"). `local_node` is the name this
// node goes by (uname -n or --node); empty skips the "local node is listed" check.
HaCfResult parse_ha_cf(std::string_view text, const std::string& file,
                       const std::string& local_node);

const char* to_string(AutoFailback value);
const char* to_string(Medium::Kind kind);

}  // namespace hb::config
