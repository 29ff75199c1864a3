// heartbeat's `realtime` (on unless ha.cf says `realtime off`): SCHED_RR and locked memory, so a
// loaded or swapping machine still sends and judges heartbeats on time instead of declaring a
// live peer dead. hb-linkd and hb-membershipd do it themselves, as far as they are allowed, so
// `realtime off` is honoured and a node where real-time is forbidden (a container without
// CAP_SYS_NICE) still runs: their units grant CAP_SYS_NICE and CAP_IPC_LOCK and also raise
// LimitRTPRIO=/LimitMEMLOCK= (either suffices; the capabilities also work where systemd cannot
// raise hard limits, e.g. in a container without CAP_SYS_RESOURCE), rather than
// CPUSchedulingPolicy=, which would fail the start where real-time is refused.
#pragma once

#include <string_view>

namespace hb::sys {

// Tries SCHED_RR at `priority` (then at RLIMIT_RTPRIO, if that is lower and not 0) and
// mlockall(MCL_CURRENT | MCL_FUTURE); logs what it got, or what it could not get, once.
// Returns true when both took effect.
bool go_realtime(int priority, std::string_view why);

}  // namespace hb::sys
