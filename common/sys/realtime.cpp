#include "realtime.hpp"

#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "sys/log.hpp"

namespace hb::membershipd {

void go_realtime(int priority) {
  int prio = priority;
  rlimit rt{};
  if (geteuid() != 0 && getrlimit(RLIMIT_RTPRIO, &rt) == 0 && rt.rlim_cur != RLIM_INFINITY)
    prio = std::min<int>(prio, static_cast<int>(rt.rlim_cur));
  std::string missing;
  if (prio <= 0) {
    missing = "real-time scheduling (RLIMIT_RTPRIO is 0)";
  } else {
    sched_param sp{};
    sp.sched_priority = prio;
    if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) != 0)
      missing = std::string("real-time scheduling (") + std::strerror(errno) + ")";
  }
  if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) {
    if (!missing.empty()) missing += " and ";
    missing += std::string("locked memory (") + std::strerror(errno) + ")";
  }
  if (missing.empty()) {
    log::info("", "running with SCHED_RR priority " + std::to_string(prio) + " and locked memory");
  } else {
    log::notice("", "running without " + missing + ": a loaded machine may delay node verdicts");
  }
}

}  // namespace hb::membershipd
