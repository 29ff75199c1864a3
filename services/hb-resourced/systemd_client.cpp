// systemd's manager over D-Bus, asynchronously: jobs, transient units, unit states (see
// systemd_client.hpp).
#include "systemd_client.hpp"

#include <algorithm>
#include <cstring>

#include "sys/dbus/error.hpp"
#include "sys/log.hpp"

namespace hb::resourced {
namespace {

constexpr const char* sd_bus_name = "org.freedesktop.systemd1";
constexpr const char* sd_path = "/org/freedesktop/systemd1";
constexpr const char* sd_manager = "org.freedesktop.systemd1.Manager";
constexpr const char* sd_unit = "org.freedesktop.systemd1.Unit";
constexpr std::uint64_t job_call_timeout = 30'000'000;  // µs: queuing a job, not running it

std::string error_text(const sd_bus_error* e) {
  return std::string(e->name ? e->name : "error") + (e->message ? ": " : "") +
         (e->message ? e->message : "");
}

bool is_error(const sd_bus_error* e, const char* name) {
  return e && e->name && std::strcmp(e->name, name) == 0;
}

void append_sv(sd_bus_message* m, const char* name, const std::string& value) {
  dbus::check(sd_bus_message_append(m, "(sv)", name, "s", value.c_str()), "append property");
}

void append_exec(sd_bus_message* m, const char* name, const std::vector<std::string>& argv) {
  using dbus::check;
  check(sd_bus_message_open_container(m, 'r', "sv"), "open");
  check(sd_bus_message_append(m, "s", name), "append");
  check(sd_bus_message_open_container(m, 'v', "a(sasb)"), "open v");
  check(sd_bus_message_open_container(m, 'a', "(sasb)"), "open a");
  check(sd_bus_message_open_container(m, 'r', "sasb"), "open r");
  check(sd_bus_message_append(m, "s", argv.front().c_str()), "append path");
  check(sd_bus_message_open_container(m, 'a', "s"), "open argv");
  for (const auto& a : argv) check(sd_bus_message_append(m, "s", a.c_str()), "append arg");
  check(sd_bus_message_close_container(m), "close argv");
  check(sd_bus_message_append(m, "b", 0), "append b");
  check(sd_bus_message_close_container(m), "close r");
  check(sd_bus_message_close_container(m), "close a");
  check(sd_bus_message_close_container(m), "close v");
  check(sd_bus_message_close_container(m), "close");
}

void append_usec(sd_bus_message* m, const char* name, std::chrono::microseconds value) {
  dbus::check(
      sd_bus_message_append(m, "(sv)", name, "t", static_cast<std::uint64_t>(value.count())),
      "append timeout");
}

void append_strv(sd_bus_message* m, const char* name, const std::vector<std::string>& values) {
  using dbus::check;
  check(sd_bus_message_open_container(m, 'r', "sv"), "open");
  check(sd_bus_message_append(m, "s", name), "append");
  check(sd_bus_message_open_container(m, 'v', "as"), "open v");
  check(sd_bus_message_open_container(m, 'a', "s"), "open as");
  for (const auto& v : values) check(sd_bus_message_append(m, "s", v.c_str()), "append string");
  check(sd_bus_message_close_container(m), "close as");
  check(sd_bus_message_close_container(m), "close v");
  check(sd_bus_message_close_container(m), "close");
}

}  // namespace

SystemdClient::SystemdClient(dbus::Bus& bus) : bus_(bus), systemd1_(bus, sd_bus_name, "systemd") {}

std::string SystemdClient::unit_path(const std::string& unit) {
  return dbus::object_path("/org/freedesktop/systemd1/unit", unit);
}

void SystemdClient::call(dbus::Message& m, dbus::Bus::ReplyHandler handler) {
  // A floating slot: the bus keeps it until the reply came, so callers need not hold it.
  dbus::Slot s = bus_.call_async(m, std::move(handler), job_call_timeout);
  sd_bus_slot_set_floating(s.get(), 1);
}

void SystemdClient::subscribe(UnitChanged on_active_state) {
  on_active_ = std::move(on_active_state);
  // Only from systemd's own connection (sys/dbus/follower.hpp): a forged JobRemoved would make
  // a stop that never happened count as done, and a forged PropertiesChanged would fail a
  // running resource.
  systemd1_.on_signal(sd_path, sd_manager, "JobRemoved",
                      [this](dbus::Message& m) { job_removed(m); });
  systemd1_.on_signal(
      "/org/freedesktop/systemd1/unit/", "org.freedesktop.DBus.Properties", "PropertiesChanged",
      [this](dbus::Message& m) { properties_changed(m); }, sd_unit);
  // Without Subscribe, systemd emits no job or unit signals to us; a re-executed systemd is a
  // new connection that must be asked again.
  systemd1_.on_owner([this](const std::string& owner) {
    if (owner.empty()) return;
    auto m = bus_.new_method_call(sd_bus_name, sd_path, sd_manager, "Subscribe");
    call(m, [](dbus::Message& r) {
      if (const sd_bus_error* e = r.error())
        log::warning(log::msgid::systemd_subscribe_failed,
                     "systemd Subscribe failed: " + error_text(e));
    });
  });
  systemd1_.start();
}

void SystemdClient::job_removed(dbus::Message& m) {
  std::uint32_t id = 0;
  const char *job = nullptr, *unit = nullptr, *result = nullptr;
  if (sd_bus_message_read(m.get(), "uoss", &id, &job, &unit, &result) < 0) return;
  auto it = jobs_.find(job);
  if (it == jobs_.end()) {
    early_[job] = result;
    if (early_.size() > 512) early_.erase(early_.begin());
    return;
  }
  JobDone done = std::move(it->second);
  jobs_.erase(it);
  done(std::strcmp(result, "done") == 0, result);
}

void SystemdClient::properties_changed(dbus::Message& m) {
  auto w = watched_.find(m.path() ? m.path() : "");
  sd_bus_message* msg = m.get();
  const char* iface = nullptr;
  if (sd_bus_message_read(msg, "s", &iface) < 0) return;
  if (sd_bus_message_enter_container(msg, 'a', "{sv}") < 0) return;
  while (sd_bus_message_enter_container(msg, 'e', "sv") > 0) {
    const char* name = nullptr;
    if (sd_bus_message_read(msg, "s", &name) < 0) return;
    if (std::strcmp(name, "ActiveState") == 0) {
      const char* v = nullptr;
      if (sd_bus_message_read(msg, "v", "s", &v) < 0) return;
      if (on_active_) {
        std::string unit = w != watched_.end() ? w->second : "";
        if (unit.empty()) {
          // Decode the last path element (sd_bus_path_decode) to the unit's name.
          char* decoded = nullptr;
          if (sd_bus_path_decode(m.path(), "/org/freedesktop/systemd1/unit", &decoded) > 0) {
            unit = decoded;
            free(decoded);
          }
        }
        if (!unit.empty()) on_active_(unit, v);
      }
    } else if (sd_bus_message_skip(msg, "v") < 0) {
      return;
    }
    sd_bus_message_exit_container(msg);
  }
}

void SystemdClient::await_job(dbus::Message& reply, JobDone done) {
  const char* job = nullptr;
  if (sd_bus_message_read(reply.get(), "o", &job) < 0) return done(false, "bad reply");
  auto early = early_.find(job);
  if (early != early_.end()) {
    std::string result = early->second;
    early_.erase(early);
    return done(result == "done", result);
  }
  jobs_[job] = std::move(done);
}

void SystemdClient::start_job(dbus::Message& m, JobDone done) {
  call(m, [this, done = std::move(done)](dbus::Message& r) mutable {
    if (const sd_bus_error* e = r.error()) return done(false, error_text(e));
    await_job(r, std::move(done));
  });
}

void SystemdClient::start(const UnitPlan& plan, JobDone done) {
  if (plan.kind == UnitPlan::Kind::existing) {
    auto m = bus_.new_method_call(sd_bus_name, sd_path, sd_manager, "StartUnit");
    m.append_all(plan.unit, std::string("replace"));
    return start_job(m, std::move(done));
  }
  // A transient unit left failed by an earlier run would refuse a new one of the same name.
  auto reset = bus_.new_method_call(sd_bus_name, sd_path, sd_manager, "ResetFailedUnit");
  reset.append(plan.unit);
  call(reset, [](dbus::Message&) {});

  auto m = bus_.new_method_call(sd_bus_name, sd_path, sd_manager, "StartTransientUnit");
  sd_bus_message* msg = m.get();
  m.append_all(plan.unit, std::string("replace"));
  dbus::check(sd_bus_message_open_container(msg, 'a', "(sv)"), "open properties");
  append_sv(msg, "Description", plan.description);
  const config::ResourceSettings& limits = plan.settings;
  if (plan.kind == UnitPlan::Kind::transient_mount) {
    append_sv(msg, "What", plan.what);
    append_sv(msg, "Where", plan.where);
    if (!plan.fstype.empty()) append_sv(msg, "Type", plan.fstype);
    if (!plan.options.empty()) append_sv(msg, "Options", plan.options);
    // A mount unit has one timeout, for mounting and unmounting alike.
    append_usec(msg, "TimeoutUSec", std::max(limits.start_timeout, limits.stop_timeout));
    // systemd's default dependencies would order the mount before local-fs.target, which every
    // service is ordered after, hb-resourced included: at system shutdown the unmount would
    // then wait for hb-resourced to have stopped, while hb-resourced's release waits for the
    // unmount. Without them the mount keeps what matters of them: unmounted before
    // umount.target, and a network file system before the network goes down.
    dbus::check(sd_bus_message_append(msg, "(sv)", "DefaultDependencies", "b", 0), "append");
    append_strv(msg, "Conflicts", {"umount.target"});
    std::vector<std::string> before = plan.before, after = plan.after;
    before.push_back("umount.target");
    if (is_network_filesystem(plan.fstype)) after.push_back("network.target");
    append_strv(msg, "Before", before);
    if (!after.empty()) append_strv(msg, "After", after);
  } else {
    append_sv(msg, "Type", "oneshot");
    dbus::check(sd_bus_message_append(msg, "(sv)", "RemainAfterExit", "b", 1), "append");
    append_exec(msg, "ExecStart", plan.exec_start);
    append_exec(msg, "ExecStop", plan.exec_stop);
    // A oneshot's start has no timeout unless given one: a hung script would hold the group.
    append_usec(msg, "TimeoutStartUSec", limits.start_timeout);
    append_usec(msg, "TimeoutStopUSec", limits.stop_timeout);
    if (!plan.environment.empty()) append_strv(msg, "Environment", plan.environment);
    if (!plan.after.empty()) append_strv(msg, "After", plan.after);
    if (!plan.before.empty()) append_strv(msg, "Before", plan.before);
  }
  dbus::check(sd_bus_message_close_container(msg), "close properties");
  dbus::check(sd_bus_message_append(msg, "a(sa(sv))", 0), "append aux");
  std::string unit = plan.unit;
  call(m, [this, unit, done = std::move(done)](dbus::Message& r) mutable {
    if (is_error(r.error(), "org.freedesktop.systemd1.UnitExists")) {
      // Still loaded (e.g. adopted, or running from before our restart): start it by name.
      auto s = bus_.new_method_call(sd_bus_name, sd_path, sd_manager, "StartUnit");
      s.append_all(unit, std::string("replace"));
      return start_job(s, std::move(done));
    }
    if (const sd_bus_error* e = r.error()) return done(false, error_text(e));
    await_job(r, std::move(done));
  });
}

void SystemdClient::stop(const std::string& unit, JobDone done) {
  auto m = bus_.new_method_call(sd_bus_name, sd_path, sd_manager, "StopUnit");
  m.append_all(unit, std::string("replace"));
  call(m, [this, done = std::move(done)](dbus::Message& r) mutable {
    if (is_error(r.error(), "org.freedesktop.systemd1.NoSuchUnit")) return done(true, "done");
    if (const sd_bus_error* e = r.error()) return done(false, error_text(e));
    await_job(r, std::move(done));
  });
}

void SystemdClient::reload(const std::string& unit, JobDone done) {
  auto m = bus_.new_method_call(sd_bus_name, sd_path, sd_manager, "ReloadUnit");
  m.append_all(unit, std::string("replace"));
  start_job(m, std::move(done));
}

void SystemdClient::try_restart(const std::string& unit, JobDone done) {
  auto m = bus_.new_method_call(sd_bus_name, sd_path, sd_manager, "TryRestartUnit");
  m.append_all(unit, std::string("replace"));
  start_job(m, std::move(done));
}

void SystemdClient::run_once(const std::string& unit, const std::string& description,
                             const std::vector<std::string>& argv, JobDone done,
                             RunOptions options) {
  auto m = bus_.new_method_call(sd_bus_name, sd_path, sd_manager, "StartTransientUnit");
  sd_bus_message* msg = m.get();
  m.append_all(unit, std::string("replace"));
  dbus::check(sd_bus_message_open_container(msg, 'a', "(sv)"), "open properties");
  append_sv(msg, "Description", description);
  append_sv(msg, "Type", "oneshot");
  append_exec(msg, "ExecStart", argv);
  if (options.timeout.count() > 0) append_usec(msg, "TimeoutStartUSec", options.timeout);
  if (!options.environment.empty()) append_strv(msg, "Environment", options.environment);
  if (options.collect) append_sv(msg, "CollectMode", "inactive-or-failed");
  dbus::check(sd_bus_message_close_container(msg), "close properties");
  dbus::check(sd_bus_message_append(msg, "a(sa(sv))", 0), "append aux");
  start_job(m, std::move(done));
}

void SystemdClient::pin(const std::string& unit) {
  auto load = bus_.new_method_call(sd_bus_name, sd_path, sd_manager, "LoadUnit");
  load.append(unit);
  call(load, [this, unit](dbus::Message& r) {
    const char* path = nullptr;
    if (r.error() || sd_bus_message_read(r.get(), "o", &path) < 0) {
      log::debug("", "cannot keep " + unit + " loaded: " +
                         (r.error() ? error_text(r.error()) : std::string("bad reply")));
      return;
    }
    auto ref = bus_.new_method_call(sd_bus_name, path, sd_unit, "Ref");
    call(ref, [unit](dbus::Message& reply) {
      if (reply.error())
        log::debug("", "cannot keep " + unit + " loaded: " + error_text(reply.error()));
    });
  });
}

void SystemdClient::get_unit_property(const std::string& unit, const std::string& property,
                                      StringReply done) {
  watched_[unit_path(unit)] = unit;
  auto m =
      bus_.new_method_call(sd_bus_name, unit_path(unit), "org.freedesktop.DBus.Properties", "Get");
  m.append_all(std::string(sd_unit), property);
  call(m, [done = std::move(done)](dbus::Message& r) {
    const char* v = nullptr;
    if (r.error() || sd_bus_message_read(r.get(), "v", "s", &v) < 0) return done("");
    done(v);
  });
}

void SystemdClient::unit_file_state(const std::string& unit, StringReply done) {
  auto m = bus_.new_method_call(sd_bus_name, sd_path, sd_manager, "GetUnitFileState");
  m.append(unit);
  call(m, [done = std::move(done)](dbus::Message& r) {
    const char* v = nullptr;
    if (r.error() || sd_bus_message_read(r.get(), "s", &v) < 0) return done("");
    done(v);
  });
}

}  // namespace hb::resourced
