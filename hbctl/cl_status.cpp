// cl_status: heartbeat's status command for admins' scripts, answered from hb's daemons. This
// file is the shell: it reads membership1 (nodes, their states and links; ping nodes as ipfaild
// sees them, mirrored there), resource1 (groups) and whether ipfail1 is on the bus, with
// blocking sd-bus calls, and ha.cf's text for hbparameter ($HB_CONFIG_DIR, default /etc/ha.d);
// common/core/clstatus/cl_status.hpp decides every word and exit code. Like heartbeat's, it
// gives up after 5 s (exit 12) rather than hang on a wedged daemon.
#include "core/clstatus/cl_status.hpp"

#include <signal.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bus_reads.hpp"
#include "core/clstatus/parameters.hpp"
#include "hb_build_config.hpp"
#include "sys/dbus/names.hpp"

namespace {

namespace names = hb::dbus::names;
using hb::clstatus::View;
using hb::hbctl::BusDeleter;
using hb::hbctl::has_owner;
using hb::hbctl::MsgPtr;

// heartbeat's cl_status alarm: a daemon that does not answer must not hang a script.
constexpr unsigned timeout_seconds = 5;
constexpr std::uint64_t call_timeout_usec = 4'000'000;

MsgPtr managed_objects(sd_bus* bus, const char* dest, const char* root) {
  sd_bus_message* call = nullptr;
  if (sd_bus_message_new_method_call(bus, &call, dest, root, "org.freedesktop.DBus.ObjectManager",
                                     "GetManagedObjects") < 0)
    return nullptr;
  MsgPtr owned_call(call);
  sd_bus_message* reply = nullptr;
  if (sd_bus_call(bus, call, call_timeout_usec, nullptr, &reply) < 0) return nullptr;
  return MsgPtr(reply);
}

// One property's variant: a string, or a{ss}; anything else is skipped.
bool read_variant(sd_bus_message* m, std::string* s, std::map<std::string, std::string>* map) {
  const char* contents = nullptr;
  if (sd_bus_message_peek_type(m, nullptr, &contents) < 0 || contents == nullptr) return false;
  if (s != nullptr && std::strcmp(contents, "s") == 0) {
    const char* v = nullptr;
    if (sd_bus_message_read(m, "v", "s", &v) < 0) return false;
    *s = v;
    return true;
  }
  if (map != nullptr && std::strcmp(contents, "a{ss}") == 0) {
    if (sd_bus_message_enter_container(m, 'v', "a{ss}") < 0 ||
        sd_bus_message_enter_container(m, 'a', "{ss}") < 0)
      return false;
    const char *k = nullptr, *v = nullptr;
    while (sd_bus_message_read(m, "{ss}", &k, &v) > 0) (*map)[k] = v;
    sd_bus_message_exit_container(m);
    sd_bus_message_exit_container(m);
    return true;
  }
  return sd_bus_message_skip(m, "v") >= 0;
}

// Every object of a GetManagedObjects reply with `iface`: path -> property -> string value
// (Links as a map, in `links`).
struct Object {
  std::map<std::string, std::string> props;
  std::map<std::string, std::string> links;
};
std::map<std::string, Object> objects_with(sd_bus_message* m, const char* iface) {
  std::map<std::string, Object> out;
  if (m == nullptr || sd_bus_message_enter_container(m, 'a', "{oa{sa{sv}}}") < 0) return out;
  while (sd_bus_message_enter_container(m, 'e', "oa{sa{sv}}") > 0) {
    const char* path = nullptr;
    if (sd_bus_message_read(m, "o", &path) < 0) return out;
    if (sd_bus_message_enter_container(m, 'a', "{sa{sv}}") < 0) return out;
    while (sd_bus_message_enter_container(m, 'e', "sa{sv}") > 0) {
      const char* i = nullptr;
      if (sd_bus_message_read(m, "s", &i) < 0) return out;
      if (std::strcmp(i, iface) != 0) {
        if (sd_bus_message_skip(m, "a{sv}") < 0) return out;
      } else {
        Object& o = out[path];
        if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0) return out;
        while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
          const char* prop = nullptr;
          if (sd_bus_message_read(m, "s", &prop) < 0) return out;
          std::string value;
          const bool links = std::strcmp(prop, "Links") == 0;
          if (!read_variant(m, links ? nullptr : &value, links ? &o.links : nullptr)) return out;
          if (!links) o.props[prop] = value;
          sd_bus_message_exit_container(m);
        }
        sd_bus_message_exit_container(m);
      }
      sd_bus_message_exit_container(m);
    }
    sd_bus_message_exit_container(m);
    sd_bus_message_exit_container(m);
  }
  return out;
}

std::vector<std::string> strv_property(sd_bus* bus, const char* dest, const char* path,
                                       const char* iface, const char* name) {
  std::vector<std::string> out;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  char** v = nullptr;
  if (sd_bus_get_property_strv(bus, dest, path, iface, name, &e, &v) >= 0) {
    for (char** p = v; p && *p; ++p) {
      out.emplace_back(*p);
      std::free(*p);
    }
    std::free(v);
  }
  sd_bus_error_free(&e);
  return out;
}

View read_view(sd_bus* bus) {
  View v;
  v.version = HB_VERSION " (hb)";
  const char* dir = std::getenv("HB_CONFIG_DIR");
  std::ifstream ha_cf(std::string(dir && *dir ? dir : HB_HA_D) + "/ha.cf");
  std::stringstream text;
  if (ha_cf) {
    text << ha_cf.rdbuf();
    v.parameters = hb::clstatus::parameters_from_ha_cf(text.str(), HB_VERSION);
  }
  if (bus == nullptr) {
    v.failure = "cannot connect to the system bus";
    return v;
  }
  sd_bus_error e = SD_BUS_ERROR_NULL;
  char* local = nullptr;
  if (sd_bus_get_property_string(bus, names::membership1::bus, names::membership1::root,
                                 names::membership1::manager, "LocalNode", &e, &local) < 0) {
    v.failure =
        std::string("hb-membershipd is not running (") + (e.message ? e.message : "no reply") + ")";
    sd_bus_error_free(&e);
    v.partly_running = has_owner(bus, names::link1::bus) || has_owner(bus, names::resource1::bus);
    return v;
  }
  sd_bus_error_free(&e);
  v.running = true;
  v.local_node = local;
  std::free(local);

  MsgPtr nodes = managed_objects(bus, names::membership1::bus, names::membership1::root);
  std::vector<hb::clstatus::Node> by_path;
  for (auto& [path, o] : objects_with(nodes.get(), names::membership1::node)) {
    hb::clstatus::Node n;
    n.name = o.props["Name"];
    n.type = o.props["Type"].empty() ? "normal" : o.props["Type"];
    n.state = o.props["State"];
    n.links = o.links;
    if (!n.name.empty()) by_path.push_back(std::move(n));
  }
  // ha.cf order, as the Manager lists it.
  for (const auto& name : strv_property(bus, names::membership1::bus, names::membership1::root,
                                        names::membership1::manager, "Nodes"))
    for (const auto& n : by_path)
      if (n.name == name) v.nodes.push_back(n);
  for (const auto& n : by_path) {
    bool listed = false;
    for (const auto& x : v.nodes) listed = listed || x.name == n.name;
    if (!listed) v.nodes.push_back(n);
  }

  if (MsgPtr groups = managed_objects(bus, names::resource1::bus, names::resource1::root)) {
    v.resourced = true;
    for (auto& [path, o] : objects_with(groups.get(), names::resource1::group))
      v.groups.push_back(
          {o.props["Key"], o.props["PreferredNode"], o.props["Owner"], o.props["State"]});
  }
  v.ipfaild = has_owner(bus, names::ipfail1::bus);
  return v;
}

// "Dec 03 16:16:13 ha1 cl_status: [765]: ", the prefix of each line heartbeat 3.0.6's cl_status
// logs on stderr (as Debian's build prints it: syslog's time stamp, host, name and pid).
std::string log_prefix() {
  const time_t t = ::time(nullptr);
  tm local{};
  ::localtime_r(&t, &local);
  char when[32];
  ::strftime(when, sizeof when, "%b %d %H:%M:%S", &local);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(when) + " " + host + " cl_status: [" + std::to_string(::getpid()) + "]: ";
}

void on_alarm(int) {
  ::_exit(hb::clstatus::exit_timeout);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  ::signal(SIGALRM, on_alarm);
  ::alarm(timeout_seconds);

  View view;
  // The help screen and an unknown sub-command need no daemon.
  if (!args.empty() && args[0].rfind("-h", 0) != 0) {
    sd_bus* raw = nullptr;
    std::unique_ptr<sd_bus, BusDeleter> bus(sd_bus_open_system(&raw) >= 0 ? raw : nullptr);
    view = read_view(bus.get());
  }
  const auto answer = hb::clstatus::run(args, view, log_prefix());
  std::fputs(answer.out.c_str(), stdout);
  std::fputs(answer.err.c_str(), stderr);
  return answer.code;
}
