// heartbeat's `realtime` (on unless ha.cf says `realtime off`): SCHED_RR and locked memory, so a
// loaded or swapping machine still sends and judges heartbeats on time instead of declaring a
// live peer dead. hb-linkd and hb-membershipd do it themselves, as far as they are allowed, so
// `realtime off` is honoured and a node where real-time is forbidden (a container without
// CAP_SYS_NICE) still runs: their units grant CAP_SYS_NICE and CAP_IPC_LOCK and also raise
// LimitRTPRIO=/LimitMEMLOCK= (either suffices; the capabilities also work where systemd cannot
// raise hard limits, e.g. in a container without CAP_SYS_RESOURCE), rather than
// CPUSchedulingPolicy=, which would fail the start where real-time is refused.
// Memory is locked on fault (MCL_ONFAULT): a page is locked the first time it is touched and
// stays resident from then on, so the heartbeat path, which runs every keepalive, never waits on
// paging after its first run, while the code and data a daemon never touches (most of libcrypto,
// libstdc++, libsystemd) are neither resident nor counted in its memory. The price: the first
// run of a rare path (a reload, a link dying) may take minor faults from the page cache, or a
// read from disk if the page was evicted before; heartbeat's eager lock paid that price in
// memory instead: 4 to 5 MiB more resident in each of hb-linkd and hb-membershipd.
#pragma once

#include <string_view>

namespace hb::sys {

// Tries SCHED_RR at `priority` (then at RLIMIT_RTPRIO, if that is lower and not 0) and
// mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) (without MCL_ONFAULT where the kernel is
// older than 4.4); logs what it got, or what it could not get, once.
// Returns true when both took effect.
bool go_realtime(int priority, std::string_view why);

}  // namespace hb::sys
