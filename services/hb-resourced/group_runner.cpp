// Runs resource groups through systemd, in order, with one restart (see group_runner.hpp).
#include "group_runner.hpp"

#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <set>

#include "core/config/hb_conf.hpp"
#include "core/resource/script_environment.hpp"
#include "sys/log.hpp"

namespace hb::resourced {
namespace {

long ms_since(failover::TimePoint t) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(failover::Clock::now() - t).count());
}

}  // namespace

GroupRunner::GroupRunner(boost::asio::io_context& io, dbus::Bus& bus, const config::Config& config,
                         State& state, Events events)
    : io_(io),
      config_(config),
      state_(state),
      events_(std::move(events)),
      systemd_(bus),
      monitor_(io, systemd_,
               {[this](const std::string& key) {
                  auto it = runs_.find(key);
                  return it != runs_.end() && !it->second.busy && events_.runs_here(key);
                },
                [this](const std::string& key) { return runs_[key].generation; },
                [this](const std::string& key, size_t index, const std::string& why) {
                  resource_failed(key, index, why);
                }}) {}

Group* GroupRunner::group(const std::string& key) {
  for (Group& g : state_.groups)
    if (g.key == key) return &g;
  return nullptr;
}

SystemdClient::JobDone GroupRunner::bounded(std::chrono::milliseconds limit,
                                            SystemdClient::JobDone done) {
  struct Wait {
    boost::asio::steady_timer timer;
    SystemdClient::JobDone done;
    bool finished = false;
  };
  constexpr auto grace = std::chrono::seconds(2);
  auto wait = std::make_shared<Wait>(Wait{boost::asio::steady_timer(io_), std::move(done)});
  wait->timer.expires_after(limit + grace);
  wait->timer.async_wait([wait](const boost::system::error_code& ec) {
    if (ec || wait->finished) return;
    wait->finished = true;
    wait->done(false, "timeout");
  });
  return [wait](bool ok, const std::string& result) {
    if (wait->finished) return;  // hb gave up on it already
    wait->finished = true;
    wait->timer.cancel();
    wait->done(ok, result);
  };
}

std::map<std::string, std::string> GroupRunner::stop_failures() const {
  std::map<std::string, std::string> out;
  for (const auto& [key, run] : runs_)
    if (!run.stop_failure.empty()) out[key] = run.stop_failure;
  return out;
}

std::vector<std::string> GroupRunner::all_active() const {
  std::vector<std::string> out;
  for (const Group& g : state_.groups) {
    bool all = !g.resources.empty();
    for (const auto& row : g.resources) all = all && std::get<2>(row) == "active";
    if (all) out.push_back(g.key);
  }
  return out;
}

std::map<std::string, std::vector<std::string>> GroupRunner::partly_active() const {
  std::map<std::string, std::vector<std::string>> out;
  for (const Group& g : state_.groups) {
    std::vector<std::string> active;
    for (const auto& row : g.resources)
      if (std::get<2>(row) != "inactive" && std::get<2>(row) != "failed" &&
          !std::get<2>(row).empty())
        active.push_back(std::get<1>(row));
    if (!active.empty() && active.size() < g.resources.size()) out[g.key] = active;
  }
  return out;
}

void GroupRunner::begin(std::function<void()> ready) {
  systemd_.subscribe(
      [this](const std::string& unit, const std::string& active) { on_unit_active(unit, active); });
  std::set<std::string> ask;
  for (const auto& g : config_.groups)
    for (const auto& r : g.resources)
      if (r.kind == config::Resource::Kind::service)
        for (const auto& u : service_candidates(r.name)) ask.insert(u);
  auto finish = [this, ready] {
    Lookup lookup{[this](const std::string& u) { return unit_loaded_[u]; },
                  [](const std::string& p) { return access(p.c_str(), X_OK) == 0; }};
    resource::Environment environment =
        resource::configured_environment(config_.ha_cf, config_.local_node);
    environment.push_back(resource::no_login_session());
    const std::vector<std::string> script_environment = resource::assignments(environment);
    for (const auto& g : config_.groups) {
      if (g.resources.empty()) continue;
      Run& run = runs_[g.key()];
      Group* bus_group = group(g.key());
      for (size_t i = 0; i < g.resources.size(); ++i) {
        UnitPlan p = plan_resource(g.resources[i], lookup);
        p.settings = config::resource_settings(config_.hb_conf, g.resources[i].token);
        if (p.kind == UnitPlan::Kind::transient_service) p.environment = script_environment;
        if (!p.warning.empty())
          log::warning(log::msgid::resource_unresolved,
                       "resource " + g.resources[i].token + ": " + p.warning,
                       {{"HB_GROUP", g.key()}, {"HB_RESOURCE", g.resources[i].token}});
        monitor_.watch(g.key(), i, p);
        if (bus_group && i < bus_group->resources.size())
          std::get<1>(bus_group->resources[i]) = p.unit;
        if (p.kind == UnitPlan::Kind::existing) systemd_.pin(p.unit);
        if (p.kind == UnitPlan::Kind::existing &&
            g.resources[i].kind == config::Resource::Kind::service) {
          std::string unit = p.unit;
          systemd_.unit_file_state(unit, [unit, key = g.key()](const std::string& s) {
            if (s == "enabled")
              log::warning(log::msgid::unit_enabled,
                           unit +
                               " is enabled: systemd starts it on its own at boot, outside "
                               "the cluster's control; run `systemctl disable " +
                               unit + "`",
                           {{"HB_GROUP", key}, {"UNIT", unit}});
          });
        }
        run.plans.push_back(std::move(p));
      }
      order_group(run.plans);
    }
    query_active_states(ready);
  };
  if (ask.empty()) return finish();
  pending_queries_ = static_cast<int>(ask.size());
  for (const auto& u : ask)
    systemd_.get_unit_property(u, "LoadState", [this, u, finish](const std::string& s) {
      unit_loaded_[u] = s == "loaded";
      if (--pending_queries_ == 0) finish();
    });
}

void GroupRunner::query_active_states(std::function<void()> ready) {
  pending_queries_ = 0;
  for (auto& [key, run] : runs_) pending_queries_ += static_cast<int>(run.plans.size());
  if (pending_queries_ == 0) return ready();
  for (auto& [key, run] : runs_)
    for (const auto& p : run.plans)
      systemd_.get_unit_property(p.unit, "ActiveState",
                                 [this, unit = p.unit, ready](const std::string& s) {
                                   set_row(unit, s);
                                   if (--pending_queries_ == 0) ready();
                                 });
}

bool GroupRunner::busy() const {
  for (const auto& [key, run] : runs_)
    if (run.busy) return true;
  return false;
}

void GroupRunner::start(const std::string& key) {
  Run& run = runs_[key];
  run.busy = true;
  run.restarted = false;
  ++run.generation;
  run.since = failover::Clock::now();
  start_from(key, 0);
}

void GroupRunner::stop(const std::string& key) {
  Run& run = runs_[key];
  run.busy = true;
  ++run.generation;
  run.stop_failure.clear();
  run.since = failover::Clock::now();
  stop_from(key, run.plans.size(), false);
}

void GroupRunner::start_from(const std::string& key, size_t index) {
  Run& run = runs_[key];
  if (index >= run.plans.size()) {
    run.busy = false;
    run.stop_failure.clear();  // all of it runs again: what was left over is ours again
    // Timing only: the catalogued entry is the engine's "acquired" (engine_journal.cpp).
    log::notice("", "group " + key + " started in " + std::to_string(ms_since(run.since)) + " ms",
                {{"HB_GROUP", key}, {"HB_DURATION_MS", std::to_string(ms_since(run.since))}});
    return events_.result(key, failover::Result::started);
  }
  const UnitPlan& p = run.plans[index];
  auto t = failover::Clock::now();
  systemd_.start(
      p, bounded(p.settings.start_timeout, [this, key, index, t, unit = p.unit](
                                               bool ok, const std::string& result) {
        std::string token = std::get<0>(group(key)->resources[index]);
        if (!ok) {
          log::error(log::msgid::unit_start_failed,
                     "start of " + unit + " (" + token + ") failed: " + result,
                     {{"HB_GROUP", key},
                      {"HB_RESOURCE", token},
                      {"UNIT", unit},
                      {"HB_DURATION_MS", std::to_string(ms_since(t))}});
          runs_[key].busy = false;
          return events_.result(key, failover::Result::start_failed);
        }
        runs_[key].unstoppable.erase(index);
        log::info("",
                  "started " + unit + " (" + token + ") in " + std::to_string(ms_since(t)) + " ms",
                  {{"HB_GROUP", key},
                   {"HB_RESOURCE", token},
                   {"UNIT", unit},
                   {"HB_DURATION_MS", std::to_string(ms_since(t))}});
        start_from(key, index + 1);
      }));
}

void GroupRunner::stop_from(const std::string& key, size_t index, bool any_failed) {
  Run& run = runs_[key];
  if (index == 0) {
    run.busy = false;
    // Timing only: the catalogued entries are the engine's "released" and "stop failed".
    log::notice("",
                "group " + key + (any_failed ? " did not stop cleanly" : " stopped") + " in " +
                    std::to_string(ms_since(run.since)) + " ms",
                {{"HB_GROUP", key}, {"HB_DURATION_MS", std::to_string(ms_since(run.since))}});
    return events_.result(key,
                          any_failed ? failover::Result::stop_failed : failover::Result::stopped);
  }
  stop_one(key, index - 1, false, [this, key, index, any_failed](bool ok) {
    if (!ok) {
      std::string& failure = runs_[key].stop_failure;
      failure += (failure.empty() ? "" : ", ") + runs_[key].plans[index - 1].unit;
    }
    stop_from(key, index - 1, any_failed || !ok);
  });
}

void GroupRunner::stop_one(const std::string& key, size_t index, bool retried,
                           std::function<void(bool ok)> done) {
  const UnitPlan& p = runs_[key].plans[index];
  auto t = failover::Clock::now();
  // A unit that had failed before (a crash) stays "failed" after its stop; one that was running
  // and ends "failed" had its stop command fail or time out (a resource script saying it cannot
  // stop, a service that would not end): systemd then killed what it knew of, but what it did
  // not know of may still run and hold the data. That is a failed stop, as Pacemaker takes it.
  // (Not for a mount: its unmount job's result is the truth, and a first unmount that failed on
  // a busy mount point leaves the unit "failed" after the retry's success.)
  const bool failed_before = std::get<2>(group(key)->resources[index]) == "failed" || retried ||
                             p.kind == UnitPlan::Kind::transient_mount;
  if (runs_[key].unstoppable.count(index)) {
    // Its stop already failed (restarting it): systemd would not run it again.
    log::error(log::msgid::unit_stop_failed,
               "stop of " + p.unit + " (" + std::get<0>(group(key)->resources[index]) +
                   ") failed before: something of it may still run",
               {{"HB_GROUP", key}, {"UNIT", p.unit}});
    return done(false);
  }
  auto stopped = [this, key, index, retried, t, p, failed_before, done = std::move(done)](
                     bool ok, const std::string& result) mutable {
    std::string token = std::get<0>(group(key)->resources[index]);
    if (ok) {
      return systemd_.get_unit_property(
          p.unit, "ActiveState",
          [this, key, token, t, p, failed_before,
           done = std::move(done)](const std::string& active) mutable {
            if (active == "failed" && !failed_before) {
              log::error(log::msgid::unit_stop_failed,
                         "stop of " + p.unit + " (" + token +
                             ") ended with the unit failed: its stop command failed or timed "
                             "out, and something of it may still run",
                         {{"HB_GROUP", key}, {"HB_RESOURCE", token}, {"UNIT", p.unit}});
              return done(false);
            }
            log::info(
                "",
                "stopped " + p.unit + " (" + token + ") in " + std::to_string(ms_since(t)) + " ms",
                {{"HB_GROUP", key},
                 {"HB_RESOURCE", token},
                 {"UNIT", p.unit},
                 {"HB_DURATION_MS", std::to_string(ms_since(t))}});
            done(true);
          });
    }
    log::error(log::msgid::unit_stop_failed,
               "stop of " + p.unit + " (" + token + ") failed: " + result,
               {{"HB_GROUP", key}, {"HB_RESOURCE", token}, {"UNIT", p.unit}});
    if (retried || p.kind != UnitPlan::Kind::transient_mount) return done(false);
    if (is_network_filesystem(p.fstype)) {
      // A server that is gone (a hard NFS mount, a stopped FUSE daemon): the unmount failed busy
      // with requests that will never end, or hung on it until stop_timeout, and fuser would
      // hang on the mount too. Force it (abort the requests in flight) and detach it from the
      // tree; what still has a file open there gets errors. Whether that was enough, the unit's
      // state then says: a mount that is still there is a failed stop, and the fencing rule
      // takes over (docs/resources.md).
      log::warning(
          log::msgid::mount_forced,
          "forcing the unmount of " + p.where + " (" + p.fstype + "): its server does not answer",
          {{"HB_GROUP", key}, {"HB_RESOURCE", token}});
      return systemd_.run_once(
          "hb-umount-" + escape_path(p.where) + ".service", "hb: force the unmount of " + p.where,
          {"/bin/umount", "-f", "-l", p.where},
          [this, key, index, p, token, done = std::move(done)](bool ok,
                                                               const std::string& result) mutable {
            if (!ok) {
              log::error(log::msgid::unit_stop_failed,
                         "forced unmount of " + p.where + " failed: " + result,
                         {{"HB_GROUP", key}, {"HB_RESOURCE", token}, {"UNIT", p.unit}});
              return done(false);
            }
            // The mount unit follows the mount table; its failed state is reset at its next start.
            log::warning(log::msgid::mount_forced,
                         "unmounted " + p.where + " by force (detached): the peer may mount it",
                         {{"HB_GROUP", key}, {"HB_RESOURCE", token}, {"UNIT", p.unit}});
            done(true);
          },
          RunOptions{p.settings.stop_timeout, true, {}});
    }
    // Busy mount point: kill what holds it, then try once more.
    log::warning(log::msgid::mount_users_killed,
                 "killing the processes that keep " + p.where + " busy",
                 {{"HB_GROUP", key}, {"HB_RESOURCE", token}});
    systemd_.run_once(
        "hb-fuser-" + escape_path(p.where) + ".service", "hb: kill the users of " + p.where,
        {"/usr/bin/fuser", "-k", "-M", "-m", p.where},
        [this, key, index, done = std::move(done)](bool, const std::string&) mutable {
          stop_one(key, index, true, std::move(done));
        },
        RunOptions{p.settings.stop_timeout, true, {}});
  };
  // std::function needs a copyable callable: the bound wait holds it behind a shared_ptr.
  auto shared = std::make_shared<decltype(stopped)>(std::move(stopped));
  systemd_.stop(p.unit, bounded(p.settings.stop_timeout,
                                [shared](bool ok, const std::string& result) mutable {
                                  (*shared)(ok, result);
                                }));
}

void GroupRunner::announce(const std::string& key) {
  for (const auto& p : runs_[key].plans) {
    if (p.unit.rfind(ip_unit_prefix, 0) != 0) continue;
    log::notice(log::msgid::addresses_announced,
                "announcing " + p.unit + " again: clients may still know the other holder",
                {{"HB_GROUP", key}, {"UNIT", p.unit}});
    systemd_.reload(p.unit, [key, unit = p.unit](bool ok, const std::string& result) {
      if (!ok)
        log::warning(log::msgid::addresses_announced, "announcing " + unit + " failed: " + result,
                     {{"HB_GROUP", key}, {"UNIT", unit}});
    });
  }
}

void GroupRunner::set_row(const std::string& unit, const std::string& active) {
  for (Group& g : state_.groups)
    for (auto& row : g.resources)
      if (std::get<1>(row) == unit && std::get<2>(row) != active) {
        std::get<2>(row) = active;
        if (objects_) objects_->resources_changed(g);
      }
}

void GroupRunner::on_unit_active(const std::string& unit, const std::string& active) {
  set_row(unit, active);
  for (auto& [key, run] : runs_) {
    if (run.busy || !events_.runs_here(key)) continue;
    for (size_t i = 0; i < run.plans.size(); ++i)
      if (run.plans[i].unit == unit && (active == "failed" || active == "inactive") &&
          !run.unstoppable.count(i))  // its failed stop was reported already
        resource_failed(key, i, "stopped behind hb's back");
  }
}

void GroupRunner::resource_failed(const std::string& key, size_t index, const std::string& why) {
  Run& run = runs_[key];
  const UnitPlan& p = run.plans[index];
  if (run.restarted) return events_.gave_up(key, p.unit + " failed again (" + why + ")");
  run.restarted = true;
  log::warning(log::msgid::resource_restarting,
               p.unit + " of group " + key + " " + why + "; starting it once more",
               {{"HB_GROUP", key}, {"UNIT", p.unit}});
  run.busy = true;
  ++run.generation;
  // A script's oneshot unit stays "active" when its product died: stop it first (the runner's
  // stop, retried and confirmed) so that its start runs again.
  if (std::get<2>(group(key)->resources[index]) != "active") return start_again(key, index);
  stop_one(key, index, false, [this, key, index, unit = p.unit](bool ok) {
    if (ok) return start_again(key, index);
    runs_[key].unstoppable.insert(index);
    runs_[key].busy = false;
    events_.gave_up(key, unit + " could not be stopped to start it again");
  });
}

void GroupRunner::start_again(const std::string& key, size_t index) {
  const UnitPlan& p = runs_[key].plans[index];
  systemd_.start(p, bounded(p.settings.start_timeout, [this, key, index, unit = p.unit](
                                                          bool ok, const std::string& result) {
                   runs_[key].busy = false;
                   if (ok) runs_[key].unstoppable.erase(index);
                   if (!ok) events_.gave_up(key, unit + " could not be restarted (" + result + ")");
                 }));
}

}  // namespace hb::resourced
