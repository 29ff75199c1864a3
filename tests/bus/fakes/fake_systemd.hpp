// A test double of systemd's manager on a private bus (org.freedesktop.systemd1), enough for
// hb-resourced: Subscribe, StartUnit, StopUnit, ReloadUnit, StartTransientUnit, ResetFailedUnit,
// GetUnitFileState, and each unit's LoadState/ActiveState/SubState; a transient unit's properties
// are kept for the test to read. Every job finishes at once
// with "done" (or "failed", for units the test says fail): the reply names the job, then JobRemoved
// and the unit's PropertiesChanged follow, in that order, as systemd sends them. Every call is
// recorded, so a test can assert that nothing was started. It stands in for PID 1 where the host
// has none (the bus suite); the cluster suite runs the real systemd.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../membership/harness.hpp"

namespace hb::test {

class FakeSystemd {
 public:
  static constexpr const char* bus_name = "org.freedesktop.systemd1";
  static constexpr const char* path = "/org/freedesktop/systemd1";
  static constexpr const char* manager = "org.freedesktop.systemd1.Manager";
  static constexpr const char* unit_prefix = "/org/freedesktop/systemd1/unit";
  static constexpr const char* unit_iface = "org.freedesktop.systemd1.Unit";

  struct Call {
    std::string method, unit;
  };

  // `loaded`: the unit files that exist (LoadState "loaded"); any other unit is "not-found"
  // until a transient one of that name is started.
  FakeSystemd(const std::string& address, std::set<std::string> loaded)
      : conn_(address), loaded_(std::move(loaded)) {
    Conn::check(sd_bus_add_object_vtable(conn_.get(), nullptr, path, manager, manager_vtable, this),
                "systemd manager vtable");
    Conn::check(sd_bus_add_fallback_vtable(conn_.get(), nullptr, unit_prefix, unit_iface,
                                           unit_vtable, &FakeSystemd::find_unit, this),
                "systemd unit vtable");
    Conn::check(sd_bus_request_name(conn_.get(), bus_name, 0), "request org.freedesktop.systemd1");
  }

  Conn& conn() { return conn_; }
  const std::vector<Call>& calls() const { return calls_; }
  std::size_t count(const std::string& method) const {
    std::size_t n = 0;
    for (const auto& c : calls_) n += c.method == method;
    return n;
  }
  // The properties the last StartTransientUnit of `unit` gave, as text: strings as they are,
  // numbers in decimal, booleans as 0/1, string arrays one per line, Exec* lines as their argv
  // joined by spaces (one command per line). Empty when there was none.
  std::map<std::string, std::string> transient_properties(const std::string& unit) const {
    auto it = transient_.find(unit);
    return it == transient_.end() ? std::map<std::string, std::string>{} : it->second;
  }
  std::string active_state(const std::string& unit) const {
    auto it = units_.find(unit);
    return it == units_.end() ? "inactive" : it->second.active;
  }

  // Jobs of units whose name starts with `prefix` end "failed" from now on ("" = none).
  void fail_units_starting_with(std::string prefix) { fail_prefix_ = std::move(prefix); }
  // Jobs of units whose name starts with `prefix` never end from now on (a hung start or stop;
  // "" = none): the reply names the job, and no JobRemoved follows.
  void hang_units_starting_with(std::string prefix) { hang_prefix_ = std::move(prefix); }
  // Calls of `method` for units whose name starts with `prefix`.
  std::size_t count(const std::string& method, const std::string& prefix) const {
    std::size_t n = 0;
    for (const auto& c : calls_) n += c.method == method && c.unit.rfind(prefix, 0) == 0;
    return n;
  }
  // Where the first call of `method` for a unit starting with `prefix` is in calls(), or npos.
  std::size_t first(const std::string& method, const std::string& prefix) const {
    for (std::size_t i = 0; i < calls_.size(); ++i)
      if (calls_[i].method == method && calls_[i].unit.rfind(prefix, 0) == 0) return i;
    return std::string::npos;
  }

  static std::string unit_path(const std::string& unit) { return encode(unit_prefix, unit); }
  // sd_bus_path_encode
  static std::string encode(const std::string& prefix, const std::string& name) {
    char* p = nullptr;
    sd_bus_path_encode(prefix.c_str(), name.c_str(), &p);
    std::string s = p ? p : "";
    std::free(p);
    return s;
  }

 private:
  struct Unit {
    std::string name, load = "not-found", active = "inactive", sub = "dead";
  };

  Unit& unit(const std::string& name) {
    Unit& u = units_[name];
    if (u.name.empty()) {
      u.name = name;
      if (loaded_.count(name)) u.load = "loaded";
    }
    return u;
  }

  // Replies with a job path, then reports the job done and the unit's new state.
  int job(sd_bus_message* m, const std::string& method, const std::string& name, const char* active,
          const char* sub) {
    calls_.push_back({method, name});
    const std::string job_path = std::string(path) + "/job/" + std::to_string(++job_id_);
    Unit& u = unit(name);
    int r = sd_bus_reply_method_return(m, "o", job_path.c_str());
    if (r < 0) return r;
    if (!hang_prefix_.empty() && name.rfind(hang_prefix_, 0) == 0) return 1;
    const bool fails = !fail_prefix_.empty() && name.rfind(fail_prefix_, 0) == 0;
    if (fails) {
      u.active = "failed";
      u.sub = "failed";
    } else if (active != nullptr) {
      u.active = active;
      u.sub = sub;
    }
    sd_bus_emit_signal(conn_.get(), path, manager, "JobRemoved", "uoss", job_id_, job_path.c_str(),
                       name.c_str(), fails ? "failed" : "done");
    const char* props[] = {"ActiveState", "SubState", nullptr};
    sd_bus_emit_properties_changed_strv(conn_.get(), unit_path(name).c_str(), unit_iface,
                                        const_cast<char**>(props));
    return 1;
  }

  static int start_unit(sd_bus_message* m, void* userdata, sd_bus_error*) {
    auto* self = static_cast<FakeSystemd*>(userdata);
    const char *name = nullptr, *mode = nullptr;
    int r = sd_bus_message_read(m, "ss", &name, &mode);
    if (r < 0) return r;
    return self->job(m, sd_bus_message_get_member(m), name, "active", "running");
  }
  static int stop_unit(sd_bus_message* m, void* userdata, sd_bus_error*) {
    auto* self = static_cast<FakeSystemd*>(userdata);
    const char *name = nullptr, *mode = nullptr;
    int r = sd_bus_message_read(m, "ss", &name, &mode);
    if (r < 0) return r;
    return self->job(m, "StopUnit", name, "inactive", "dead");
  }
  static int reload_unit(sd_bus_message* m, void* userdata, sd_bus_error*) {
    auto* self = static_cast<FakeSystemd*>(userdata);
    const char *name = nullptr, *mode = nullptr;
    int r = sd_bus_message_read(m, "ss", &name, &mode);
    if (r < 0) return r;
    return self->job(m, "ReloadUnit", name, nullptr, nullptr);
  }
  static int start_transient(sd_bus_message* m, void* userdata, sd_bus_error*) {
    auto* self = static_cast<FakeSystemd*>(userdata);
    const char *name = nullptr, *mode = nullptr;
    int r = sd_bus_message_read(m, "ss", &name, &mode);
    if (r < 0) return r;
    self->unit(name).load = "loaded";
    self->transient_[name] = read_properties(m);
    return self->job(m, "StartTransientUnit", name, "active", "running");
  }
  // StartTransientUnit's a(sv), as text (see transient_properties); unknown kinds are skipped.
  static std::map<std::string, std::string> read_properties(sd_bus_message* m) {
    std::map<std::string, std::string> out;
    if (sd_bus_message_enter_container(m, 'a', "(sv)") <= 0) return out;
    while (sd_bus_message_enter_container(m, 'r', "sv") > 0) {
      const char* name = nullptr;
      const char* contents = nullptr;
      if (sd_bus_message_read(m, "s", &name) < 0 ||
          sd_bus_message_peek_type(m, nullptr, &contents) < 0 || contents == nullptr)
        break;
      std::string value, type = contents;
      if (type == "s") {
        const char* v = nullptr;
        sd_bus_message_read(m, "v", "s", &v);
        value = v ? v : "";
      } else if (type == "t") {
        std::uint64_t v = 0;
        sd_bus_message_read(m, "v", "t", &v);
        value = std::to_string(v);
      } else if (type == "b") {
        int v = 0;
        sd_bus_message_read(m, "v", "b", &v);
        value = std::to_string(v);
      } else if (type == "as") {
        sd_bus_message_enter_container(m, 'v', "as");
        char** strv = nullptr;
        sd_bus_message_read_strv(m, &strv);
        for (char** p = strv; p && *p; ++p) value += std::string(value.empty() ? "" : "\n") + *p;
        for (char** p = strv; p && *p; ++p) std::free(*p);
        std::free(strv);
        sd_bus_message_exit_container(m);
      } else if (type == "a(sasb)") {
        sd_bus_message_enter_container(m, 'v', "a(sasb)");
        sd_bus_message_enter_container(m, 'a', "(sasb)");
        while (sd_bus_message_enter_container(m, 'r', "sasb") > 0) {
          const char* path = nullptr;
          char** argv = nullptr;
          int ignore = 0;
          sd_bus_message_read(m, "s", &path);
          sd_bus_message_read_strv(m, &argv);
          sd_bus_message_read(m, "b", &ignore);
          std::string line;
          for (char** p = argv; p && *p; ++p) line += std::string(line.empty() ? "" : " ") + *p;
          for (char** p = argv; p && *p; ++p) std::free(*p);
          std::free(argv);
          value += (value.empty() ? "" : "\n") + line;
          sd_bus_message_exit_container(m);
        }
        sd_bus_message_exit_container(m);
        sd_bus_message_exit_container(m);
      } else {
        sd_bus_message_skip(m, "v");
      }
      out[name] = value;
      sd_bus_message_exit_container(m);
    }
    sd_bus_message_exit_container(m);
    return out;
  }

  static int reset_failed(sd_bus_message* m, void* userdata, sd_bus_error*) {
    auto* self = static_cast<FakeSystemd*>(userdata);
    const char* name = nullptr;
    int r = sd_bus_message_read(m, "s", &name);
    if (r < 0) return r;
    self->calls_.push_back({"ResetFailedUnit", name});
    return sd_bus_reply_method_return(m, "");
  }
  static int subscribe(sd_bus_message* m, void* userdata, sd_bus_error*) {
    static_cast<FakeSystemd*>(userdata)->calls_.push_back({"Subscribe", ""});
    return sd_bus_reply_method_return(m, "");
  }
  static int unit_file_state(sd_bus_message* m, void* userdata, sd_bus_error*) {
    auto* self = static_cast<FakeSystemd*>(userdata);
    const char* name = nullptr;
    int r = sd_bus_message_read(m, "s", &name);
    if (r < 0) return r;
    return sd_bus_reply_method_return(m, "s", self->loaded_.count(name) ? "disabled" : "");
  }

  static int find_unit(sd_bus*, const char* object_path, const char*, void* userdata, void** found,
                       sd_bus_error*) {
    auto* self = static_cast<FakeSystemd*>(userdata);
    char* name = nullptr;
    if (sd_bus_path_decode(object_path, unit_prefix, &name) <= 0 || name == nullptr) return 0;
    *found = &self->unit(name);
    std::free(name);
    return 1;
  }
  static int unit_prop(sd_bus*, const char*, const char*, const char* property,
                       sd_bus_message* reply, void* userdata, sd_bus_error*) {
    const Unit& u = *static_cast<const Unit*>(userdata);
    const std::string p = property;
    const std::string& v = p == "LoadState" ? u.load : p == "ActiveState" ? u.active : u.sub;
    return sd_bus_message_append(reply, "s", v.c_str());
  }

  static inline const sd_bus_vtable manager_vtable[] = {
      SD_BUS_VTABLE_START(0),
      SD_BUS_METHOD("Subscribe", "", "", subscribe, 0),
      SD_BUS_METHOD("StartUnit", "ss", "o", start_unit, 0),
      SD_BUS_METHOD("StopUnit", "ss", "o", stop_unit, 0),
      SD_BUS_METHOD("ReloadUnit", "ss", "o", reload_unit, 0),
      SD_BUS_METHOD("StartTransientUnit", "ssa(sv)a(sa(sv))", "o", start_transient, 0),
      SD_BUS_METHOD("ResetFailedUnit", "s", "", reset_failed, 0),
      SD_BUS_METHOD("GetUnitFileState", "s", "s", unit_file_state, 0),
      SD_BUS_SIGNAL("JobRemoved", "uoss", 0),
      SD_BUS_VTABLE_END};
  static inline const sd_bus_vtable unit_vtable[] = {
      SD_BUS_VTABLE_START(0), SD_BUS_PROPERTY("LoadState", "s", unit_prop, 0, 0),
      SD_BUS_PROPERTY("ActiveState", "s", unit_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_PROPERTY("SubState", "s", unit_prop, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
      SD_BUS_VTABLE_END};

  Conn conn_;
  std::set<std::string> loaded_;
  std::string fail_prefix_, hang_prefix_;
  std::map<std::string, Unit> units_;  // std::map: stable addresses for the vtable's userdata
  std::map<std::string, std::map<std::string, std::string>> transient_;
  std::vector<Call> calls_;
  std::uint32_t job_id_ = 0;
};

}  // namespace hb::test
