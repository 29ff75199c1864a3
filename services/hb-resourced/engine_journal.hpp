// The failover engine's log events (core/failover LogEvent) as journal entries: the level and
// MESSAGE_ID each kind deserves, and the engine's fields (HB_GROUP, HB_NODE, ...) as journal
// fields.
#pragma once

#include "core/failover/engine.hpp"

namespace hb::resourced {

void journal(const failover::LogEvent& event);

}  // namespace hb::resourced
