// The environment heartbeat gives its resource scripts (see script_environment.hpp).
#include "core/resource/script_environment.hpp"

namespace hb::resource {

const Environment& fixed_environment() {
  static const Environment fixed = {
      {"HA_DIR", "/etc/ha.d"},
      {"HA_FUNCS", "/etc/ha.d/shellfuncs"},
      {"HA_RESOURCEDIR", "/etc/ha.d/resource.d"},
      {"HA_RCDIR", "/etc/ha.d/rc.d"},
      // heartbeat's own date format for hadate (its HA_DATEFMT: year/month/day_time and a tab).
      {"HA_DATEFMT", "%Y/%m/%d_%T\t"},
      {"OCF_ROOT", "/usr/lib/ocf"},
      // The wrappers' hto-mapfuncs and the Filesystem agent look here for the agents.
      {"OCF_AGENTS", "/usr/lib/ocf/resource.d/heartbeat/"},
  };
  return fixed;
}

Environment configured_environment(const config::HaCf& ha_cf, const std::string& local_node) {
  Environment env;
  env.emplace_back("HA_CURHOST", local_node);
  if (!ha_cf.logfacility.empty() && ha_cf.logfacility != "none")
    env.emplace_back("HA_LOGFACILITY", ha_cf.logfacility);
  // hb has no logging daemon: ha_log must not wait on one (heartbeat said "yes" with use_logd).
  env.emplace_back("HA_LOGD", "no");
  env.emplace_back("HA_debug", std::to_string(ha_cf.debug));
  return env;
}

const std::pair<std::string, std::string>& no_login_session() {
  // Under hb-resourced's own runtime directory, which only root can write, so no process can
  // put a bus there that pam_systemd would then talk to.
  static const std::pair<std::string, std::string> variable{
      "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/run/hb-resourced/no-login-sessions"};
  return variable;
}

std::vector<std::string> assignments(const Environment& environment) {
  std::vector<std::string> out;
  out.reserve(environment.size());
  for (const auto& [name, value] : environment) out.push_back(name + "=" + value);
  return out;
}

}  // namespace hb::resource
