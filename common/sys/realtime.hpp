// heartbeat's `realtime` (on by default): SCHED_RR and locked memory, so a loaded machine does not
// delay the node verdicts into false deaths. Done by the daemon itself, only as far as it is
// allowed: the unit grants LimitRTPRIO= and LimitMEMLOCK= to the unprivileged user rather than
// CPUSchedulingPolicy=, which would make the start fail where real-time is forbidden (containers
// without CAP_SYS_NICE).
#pragma once

namespace hb::membershipd {

// Tries SCHED_RR at `priority` (capped by RLIMIT_RTPRIO for unprivileged users) and
// mlockall(MCL_CURRENT | MCL_FUTURE); logs once what it could not get and carries on.
void go_realtime(int priority);

}  // namespace hb::membershipd
