// Every node transition as a structured journal entry: heartbeat's ha-log sentence
// (`node ha2: is dead`), but with fields, so that
// `journalctl MESSAGE_ID=<node_dead>` or `journalctl HB_NODE=ha2` finds them. The fields and ids
// are documented in docs/architecture.md and explained by units/catalog/hb.catalog.
#pragma once

#include <cstdint>
#include <string>

#include "core/membership/tracker.hpp"
#include "sys/log.hpp"

namespace hb::membershipd {

namespace msgid = log::msgid;  // node_*, linkd_absent

// One entry per node transition (HB_NODE, HB_OLD_STATE, HB_NEW_STATE, HB_INCARNATION,
// HB_REASON, and HB_LINK when a link's transition caused it).
void log_node_event(const membership::Event& event);

}  // namespace hb::membershipd
