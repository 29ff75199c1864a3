// systemd's manager over D-Bus (org.freedesktop.systemd1), asynchronously: start and stop units
// and wait for each job's result through JobRemoved, create transient units, read and watch
// ActiveState. Never a blocking call: hb-resourced keeps serving its own bus meanwhile.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sys/dbus/bus.hpp"
#include "sys/dbus/follower.hpp"
#include "unit_map.hpp"

namespace hb::resourced {

// How SystemdClient::run_once's unit runs: `timeout` > 0 ends it as failed (result "timeout")
// after that long; `collect`: systemd unloads it once it ended, failed or not (CollectMode=
// inactive-or-failed), so a unique name per run does not pile up units.
struct RunOptions {
  std::chrono::microseconds timeout{0};
  bool collect = false;
  std::vector<std::string> environment;  // Environment= lines
};

class SystemdClient {
 public:
  // ok = the job's result was "done"; result is systemd's word ("done", "failed", "timeout",
  // ...) or the D-Bus error of the call.
  using JobDone = std::function<void(bool ok, const std::string& result)>;
  using StringReply = std::function<void(const std::string& value)>;
  using UnitChanged = std::function<void(const std::string& unit, const std::string& active)>;

  explicit SystemdClient(dbus::Bus& bus);

  // Subscribe() and the signal matches; call once before any job.
  void subscribe(UnitChanged on_active_state);

  // Runs the plan's unit: StartUnit, or StartTransientUnit (after ResetFailedUnit) for a
  // transient plan (with the plan's timeouts, and a script's environment); a transient unit
  // that already exists is started by name.
  void start(const UnitPlan& plan, JobDone done);
  // StopUnit; a unit systemd does not know counts as stopped.
  void stop(const std::string& unit, JobDone done);
  // ReloadUnit (ExecReload=).
  void reload(const std::string& unit, JobDone done);
  // TryRestartUnit (restarts the unit only if it runs), awaited as every job.
  void try_restart(const std::string& unit, JobDone done);
  // Runs `argv` once as a transient oneshot service and reports its result.
  void run_once(const std::string& unit, const std::string& description,
                const std::vector<std::string>& argv, JobDone done, RunOptions options = {});

  // Keeps `unit` loaded while hb-resourced runs (LoadUnit, then the unit's Ref()). systemd
  // unloads an inactive unit nothing refers to, and loading it again from disk when a takeover
  // starts it cost that start ~5-10 ms here; best effort, a failure is only logged.
  void pin(const std::string& unit);

  // Unit properties (an unknown unit reads as LoadState "not-found", ActiveState "inactive").
  void get_unit_property(const std::string& unit, const std::string& property, StringReply done);
  // GetUnitFileState: "enabled", "disabled", "static", ... ("" on error).
  void unit_file_state(const std::string& unit, StringReply done);

  static std::string unit_path(const std::string& unit);

 private:
  void call(dbus::Message& m, dbus::Bus::ReplyHandler handler);
  void start_job(dbus::Message& m, JobDone done);
  // Reads the job path from a StartUnit/StopUnit/StartTransientUnit reply and calls `done` with
  // the job's result, at once if JobRemoved already overtook the reply.
  void await_job(dbus::Message& reply, JobDone done);
  void job_removed(dbus::Message& m);
  void properties_changed(dbus::Message& m);

  dbus::Bus& bus_;
  dbus::Follower systemd1_;
  std::map<std::string, JobDone> jobs_;  // job path -> waiter
  // JobRemoved can overtake the reply that names the job: results seen before their waiter.
  std::map<std::string, std::string> early_;
  std::map<std::string, std::string> watched_;  // unit path -> unit name
  UnitChanged on_active_;
};

}  // namespace hb::resourced
