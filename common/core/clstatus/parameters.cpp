// cl_status hbparameter's values, with heartbeat 3.0.6's defaults (parameters.hpp).
#include "core/clstatus/parameters.hpp"

#include <array>
#include <optional>

#include "core/config/lexical.hpp"

namespace hb::clstatus {
namespace {

struct Recorded {
  const char* name;
  const char* fixed_default;  // nullptr: none (some are derived below)
};

// heartbeat 3.0.6's directives whose value it records (config.c's Directives[] with
// record_value), with their fixed defaults.
constexpr std::array<Recorded, 37> recorded = {{
    {"cluster", "linux-ha"},
    {"hopfudge", "1"},
    {"keepalive", "1000ms"},
    {"deadtime", "30000ms"},
    {"deadping", nullptr},
    {"initdead", nullptr},
    {"warntime", nullptr},
    {"watchdog", nullptr},
    {"baud", "19200"},
    {"udpport", nullptr},
    {"logfacility", nullptr},
    {"logfile", nullptr},
    {"debugfile", nullptr},
    {"auto_failback", "legacy"},
    {"rtprio", nullptr},
    {"hbgenmethod", "file"},
    {"realtime", "true"},
    {"debug", nullptr},
    {"msgfmt", "classic"},
    {"use_logd", nullptr},
    {"conn_logd_time", "60"},
    {"log_badpack", "true"},
    {"syslogmsgfmt", "true"},
    {"coredumps", "true"},
    {"coreroot", nullptr},
    {"crm_daemon_dir", nullptr},
    {"crmd_spawns_pengine", nullptr},
    {"pacemaker", "false"},
    {"autojoin", "none"},
    {"uuidfrom", "file"},
    {"compression", "zlib"},
    {"compression_threshold", "2"},
    {"traditional_compression", "no"},
    {"max_rexmit_delay", "250"},
    {"record_config_changes", "on"},
    {"record_pengine_inputs", "on"},
    {"enable_config_writes", "on"},
}};

std::optional<long> millis(const std::map<std::string, std::string>& p, const char* name) {
  auto it = p.find(name);
  if (it == p.end()) return std::nullopt;
  auto t = config::parse_time(it->second);
  if (!t) return std::nullopt;
  return static_cast<long>(t->count());
}

std::string ms(long v) {
  return std::to_string(v) + "ms";
}

}  // namespace

std::map<std::string, std::string> parameters_from_ha_cf(std::string_view ha_cf,
                                                         const std::string& version) {
  std::map<std::string, std::string> p;
  for (std::string_view line : config::lines_of(ha_cf)) {
    auto words = config::split(config::strip_comment(line), " \t");
    if (words.size() < 2) continue;
    for (const auto& r : recorded) {
      // Each word after the directive is one value; the last one is what heartbeat keeps.
      if (words[0] == r.name) p[r.name] = words.back();
    }
    // "crm" is heartbeat's old name for "pacemaker".
    if (words[0] == "crm") p["pacemaker"] = words.back();
  }
  for (const auto& r : recorded)
    if (r.fixed_default != nullptr && !p.count(r.name)) p[r.name] = r.fixed_default;
  if (!p.count("debug")) p["debug"] = "0";

  const long deadtime = millis(p, "deadtime").value_or(30000);
  if (!p.count("warntime")) p["warntime"] = ms(deadtime / 2);
  if (!p.count("initdead"))
    p["initdead"] = ms(deadtime > 10000 ? deadtime : deadtime < 6000 ? 12000 : 2 * deadtime);
  if (!p.count("deadping")) p["deadping"] = ms(deadtime);
  if (!p.count("udpport")) p["udpport"] = "694";  // ha-cluster in /etc/services
  // Logging to syslog without log files: heartbeat sets them to /dev/null.
  auto facility = p.find("logfacility");
  if (facility != p.end() && facility->second != "none") {
    if (!p.count("logfile")) p["logfile"] = "/dev/null";
    if (!p.count("debugfile")) p["debugfile"] = "/dev/null";
  }
  p["hbversion"] = version;
  return p;
}

}  // namespace hb::clstatus
