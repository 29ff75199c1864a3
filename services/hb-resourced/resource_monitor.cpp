// Resource monitoring: a periodic status check of each script resource (see
// resource_monitor.hpp).
#include "resource_monitor.hpp"

#include <unistd.h>

#include "sys/log.hpp"

namespace hb::resourced {

ResourceMonitor::ResourceMonitor(boost::asio::io_context& io, SystemdClient& systemd, Events events)
    : io_(io), systemd_(systemd), events_(std::move(events)) {}

void ResourceMonitor::watch(const std::string& key, std::size_t index, const UnitPlan& plan) {
  if (plan.exec_status.empty() || plan.settings.monitor_interval.count() <= 0) return;
  Watched& w = watched_[{key, index}];
  w.key = key;
  w.index = index;
  w.plan = plan;
  // hb-monitor-<the resource unit's name without .service>-<pid>-<n>.service: unique per check
  // (each is collected when it ends), and recognizable in the journal.
  w.unit_stem = "hb-monitor-" + plan.unit.substr(0, plan.unit.rfind(".service")) + "-" +
                std::to_string(::getpid()) + "-";
  w.timer = std::make_unique<boost::asio::steady_timer>(io_);
  arm(w);
}

void ResourceMonitor::arm(Watched& w) {
  w.timer->expires_after(w.plan.settings.monitor_interval);
  w.timer->async_wait([this, &w](const boost::system::error_code& ec) {
    if (ec) return;
    check(w);
    arm(w);
  });
}

void ResourceMonitor::check(Watched& w) {
  // One check at a time; none while the group is not here or is being started or stopped.
  if (w.checking || !events_.checkable(w.key)) return;
  w.checking = true;
  const unsigned generation = events_.generation(w.key);
  const std::string unit = w.unit_stem + std::to_string(++checks_) + ".service";
  RunOptions options{w.plan.settings.monitor_timeout, true, w.plan.environment};
  systemd_.run_once(
      unit, "hb: is " + w.plan.unit + " still running?", w.plan.exec_status,
      [this, &w, generation, unit](bool ok, const std::string& result) {
        w.checking = false;
        if (ok || !events_.checkable(w.key) || events_.generation(w.key) != generation) return;
        events_.failed(w.key, w.index,
                       "failed its status check (" + unit + " ended " + result +
                           (result == "timeout" ? "" : ": not running") + "; journalctl -u " +
                           unit + ")");
      },
      options);
}

}  // namespace hb::resourced
