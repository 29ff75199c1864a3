// /healthz's rule: which followed daemons are missing or stale (health.hpp).
#include "core/status/health.hpp"

namespace hb::status {

Health check_health(const Snapshot& s, std::uint64_t now_usec, std::chrono::milliseconds max_age) {
  Health h;
  const auto max_usec = static_cast<std::uint64_t>(max_age.count()) * 1000;
  for (const auto& d : s.daemons) {
    if (!d.expected) continue;
    if (!d.up) {
      h.problems.push_back(d.name + ": not on the bus");
    } else if (!d.read) {
      h.problems.push_back(d.name + ": not read yet" +
                           (d.error.empty() ? "" : " (" + d.error + ")"));
    } else if (now_usec > d.read_at_usec && now_usec - d.read_at_usec > max_usec) {
      h.problems.push_back(d.name + ": last read " +
                           std::to_string((now_usec - d.read_at_usec) / 1000) + " ms ago (limit " +
                           std::to_string(max_age.count()) + " ms)");
    }
  }
  h.ok = h.problems.empty();
  return h;
}

}  // namespace hb::status
