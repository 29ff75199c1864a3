// Runs resource groups through systemd: resolves each haresources resource to its unit, reads
// which are active (for adoption), starts a group's units left to right and stops them right to
// left (each step waiting for its systemd job; a busy mount's users are killed once), starts once
// more a resource that failed behind hb's back or whose status check failed (resource_monitor),
// and keeps the Group rows' unit states current. Each resource's unit gets its hb.conf timeouts,
// and a script's unit heartbeat's environment.
// It decides nothing: hb-resourced (resourced.hpp) tells it what to run and hears how it went.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/failover/engine.hpp"
#include "resource_monitor.hpp"
#include "resourced_bus.hpp"
#include "systemd_client.hpp"
#include "unit_map.hpp"

namespace hb::resourced {

class GroupRunner {
 public:
  struct Events {
    // A start or stop asked for finished (started, start_failed, stopped, stop_failed).
    std::function<void(const std::string& key, failover::Result result)> result;
    // Whether this node runs `key` now (its units are then watched for failures).
    std::function<bool(const std::string& key)> runs_here;
    // A resource of a running group failed again, or could not be started once more: the
    // group has to go elsewhere.
    std::function<void(const std::string& key, const std::string& why)> gave_up;
  };

  GroupRunner(boost::asio::io_context& io, dbus::Bus& bus, const config::Config& config,
              State& state, Events events);

  void set_bus_objects(BusObjects* objects) { objects_ = objects; }
  // Follows systemd's unit states, resolves every unit and reads its state; then `ready`.
  void begin(std::function<void()> ready);
  // Groups whose every unit is active already: running here, to adopt rather than restart.
  std::vector<std::string> all_active() const;
  // Groups only some of whose units are active (a crash mid-start or mid-stop, a unit started by
  // hand or enabled at boot), with those units: to be stopped before the cluster decides.
  std::map<std::string, std::vector<std::string>> partly_active() const;
  // Groups whose last stop failed, with the resources that did not stop (a later successful
  // start clears it): what may still run here.
  std::map<std::string, std::string> stop_failures() const;

  void start(const std::string& key);
  void stop(const std::string& key);
  // Whether a start or stop of ours is under way.
  bool busy() const;
  // Gratuitous ARPs again for each address of the group (hb-ipaddr@'s reload).
  void announce(const std::string& key);

  // The systemd client it runs units with, for other one-off units (fencing).
  SystemdClient& systemd() { return systemd_; }

 private:
  struct Run {
    std::vector<UnitPlan> plans;
    bool busy = false;        // a start or stop of ours is under way
    bool restarted = false;   // a failed resource was started once more already
    unsigned generation = 0;  // counts our starts and stops: older monitor answers are stale
    // Resources whose stop failed while restarting them: their unit is "failed" now, so a later
    // StopUnit would not run their stop again; until a start succeeds, their stop is a failure.
    std::set<size_t> unstoppable;
    std::string stop_failure;  // the resources of the last stop that failed ("" = none)
    failover::TimePoint since{};
  };

  Group* group(const std::string& key);
  // `done`, called with (false, "timeout") if systemd has not ended the job `limit` (plus a
  // grace, so that systemd's own timeout on a transient unit shows first) after now: the bound
  // hb keeps on every resource's job, units of their own included.
  SystemdClient::JobDone bounded(std::chrono::milliseconds limit, SystemdClient::JobDone done);
  void query_active_states(std::function<void()> ready);
  void start_from(const std::string& key, size_t index);
  void stop_from(const std::string& key, size_t index, bool any_failed);
  void stop_one(const std::string& key, size_t index, bool retried,
                std::function<void(bool ok)> done);
  void set_row(const std::string& unit, const std::string& active);
  void on_unit_active(const std::string& unit, const std::string& active);
  void resource_failed(const std::string& key, size_t index, const std::string& why);
  void start_again(const std::string& key, size_t index);

  boost::asio::io_context& io_;
  const config::Config& config_;
  State& state_;
  Events events_;
  BusObjects* objects_ = nullptr;
  SystemdClient systemd_;
  ResourceMonitor monitor_;
  std::map<std::string, Run> runs_;
  std::map<std::string, bool> unit_loaded_;
  int pending_queries_ = 0;
};

}  // namespace hb::resourced
