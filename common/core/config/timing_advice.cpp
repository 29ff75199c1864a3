#include "core/config/timing_advice.hpp"

#include <chrono>
#include <string>

namespace hb::config {

std::vector<Diagnostic> timing_advice(const HaCf& cf, const std::string& file) {
  std::vector<Diagnostic> out;
  // The time a group is assumed to need at least to stop (the rig's takes about 60 ms).
  constexpr Millis stop_margin{100};
  if (cf.deadtime / 2 < cf.keepalive + stop_margin) {
    auto it = cf.origins.find("deadtime");
    const Origin where = it != cf.origins.end() ? it->second : Origin{file, 0};
    out.push_back(Diagnostic{
        Diagnostic::Severity::warning, where,
        "deadtime " + std::to_string(cf.deadtime.count()) + " ms is short for keepalive " +
            std::to_string(cf.keepalive.count()) +
            " ms: if hb-linkd hangs, the peers may take the groups before this node has stopped "
            "them; use deadtime >= 2 x (keepalive + the time a group takes to stop)"});
  }
  return out;
}

}  // namespace hb::config
