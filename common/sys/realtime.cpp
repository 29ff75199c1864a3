#include "sys/realtime.hpp"

#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "sys/log.hpp"

namespace hb::sys {
namespace {

// 0 on success, else errno of the last attempt.
int set_round_robin(int priority, int& got) {
  sched_param sp{};
  sp.sched_priority = priority;
  if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) == 0) {
    got = priority;
    return 0;
  }
  int err = errno;
  // Without CAP_SYS_NICE the kernel allows up to RLIMIT_RTPRIO.
  rlimit rt{};
  if (err == EPERM && getrlimit(RLIMIT_RTPRIO, &rt) == 0 && rt.rlim_cur != RLIM_INFINITY &&
      rt.rlim_cur > 0 && static_cast<int>(rt.rlim_cur) < priority) {
    sp.sched_priority = static_cast<int>(rt.rlim_cur);
    if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) == 0) {
      got = sp.sched_priority;
      return 0;
    }
    err = errno;
  }
  return err;
}

}  // namespace

bool go_realtime(int priority, std::string_view why) {
  int got = 0;
  std::string missing;
  if (int err = set_round_robin(priority, got); err != 0)
    missing = std::string("real-time scheduling (") + std::strerror(err) +
              "; CAP_SYS_NICE or LimitRTPRIO= in the unit?)";
  // MCL_ONFAULT: lock each page once it is first touched, not every page of every mapped
  // library up front (see realtime.hpp). Kernels before 4.4 refuse the flag with EINVAL: they
  // get the old, eager lock.
  int locked = mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
  if (locked != 0 && errno == EINVAL) locked = mlockall(MCL_CURRENT | MCL_FUTURE);
  if (locked != 0) {
    if (!missing.empty()) missing += " and ";
    missing += std::string("locked memory (") + std::strerror(errno) +
               "; CAP_IPC_LOCK or LimitMEMLOCK= in the unit?)";
  }
  if (missing.empty()) {
    log::info("", "running with SCHED_RR priority " + std::to_string(got) + " and locked memory");
    return true;
  }
  log::warning(log::msgid::realtime_unavailable,
               "running without " + missing + ": " + std::string(why));
  return false;
}

}  // namespace hb::sys
