// Which ping nodes a node's ipfail count is over, as a short digest the two ipfails compare
// (engine.hpp, field_ping_set): equal exactly when both probe the same addresses grouped the
// same way, whatever the order of ha.cf's lines or of a group's members.
#pragma once

#include <string>

#include "core/config/config.hpp"

namespace hb::ipfail {

// The ping set as canonical text: "ping ADDRESS" lines, then "ping_group ADDRESS..." lines
// (members sorted, the group's name left out: it changes nothing that is counted), each sorted.
std::string ping_set_text(const config::HaCf& ha_cf);

// 16 hex digits of FNV-1a over ping_set_text(): short enough for every count message. Not a
// security measure: the messages are already authenticated by hb-linkd.
std::string ping_set_digest(const config::HaCf& ha_cf);

}  // namespace hb::ipfail
