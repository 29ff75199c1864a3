// The watchdog's timeout in force and its check against deadtime (watchdog.hpp).
#include "core/config/watchdog.hpp"

#include "core/config/lexical.hpp"

namespace hb::config {

Millis watchdog_timeout(const HaCf& ha_cf, const HbConf& hb_conf) {
  return hb_conf.watchdog.timeout.value_or(2 * ha_cf.deadtime);
}

std::vector<Diagnostic> check_watchdog(const HaCf& ha_cf, const HbConf& hb_conf) {
  std::vector<Diagnostic> out;
  if (ha_cf.watchdog.empty() || !hb_conf.watchdog.timeout) return out;
  if (*hb_conf.watchdog.timeout > ha_cf.deadtime) return out;
  Origin where;
  if (auto it = hb_conf.origins.find("watchdog.timeout"); it != hb_conf.origins.end())
    where = it->second;
  out.push_back({Diagnostic::Severity::error, where,
                 "timeout (" + format_time(*hb_conf.watchdog.timeout) +
                     ") must be longer than ha.cf's deadtime (" + format_time(ha_cf.deadtime) +
                     "): a node its peers still see alive would be reset (default: twice "
                     "deadtime)"});
  return out;
}

}  // namespace hb::config
