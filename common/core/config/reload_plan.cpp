// The running configuration against the files now: which settings differ, and what a daemon
// refuses of them (reload_plan.hpp).
#include "core/config/reload_plan.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "core/config/authkeys.hpp"
#include "core/config/ha_cf.hpp"
#include "core/config/ha_cf_grammar.hpp"
#include "core/config/hb_conf.hpp"
#include "core/config/node_name.hpp"

namespace hb::config {
namespace {

// A setting's value as text: two configurations differ in it exactly when these differ.
using ValueOf = std::function<std::string(const Config&)>;

std::string ms(Millis m) {
  return std::to_string(m.count());
}

// A time heartbeat derives from deadtime unless it is written: "derived" while it is not, so
// a change of deadtime alone is that change only (the derived value follows it wherever
// deadtime is applied); written on one side, the values compare.
std::string derivable(const Config& c, const char* directive, Millis value) {
  return c.ha_cf.origins.count(directive) ? ms(value) : "derived";
}

std::string lower(std::string s) {
  for (char& c : s) c = ascii_lower(c);
  return s;
}

std::string media_of(const HaCf& cf, Medium::Kind kind) {
  std::string out;
  for (const auto& m : cf.media) {
    if (m.kind != kind) continue;
    out += m.interface + "|" + m.address + "|" + std::to_string(m.port) + "|" +
           std::to_string(m.ttl) + "|" + std::to_string(m.loop) + "|" + std::to_string(m.baud) +
           "\n";
  }
  return out;
}

std::string stonith_of(const HaCf& cf, bool host_lines) {
  std::string out;
  for (const auto& d : cf.stonith_devices) {
    // `stonith` lines name a configuration file, `stonith_host` lines carry parameters.
    if (d.config_file.empty() != host_lines) continue;
    out += lower(d.from) + "|" + d.type + "|" + d.params + "|" + d.config_file + "\n";
  }
  return out;
}

// ha.cf: each directive hb implements. An alias (udp, nice_failback) or a directive with one
// possible value (crm, pacemaker) compares as nothing: the directive it stands for says it.
const std::map<std::string, ValueOf, std::less<>>& ha_cf_values() {
  using K = Medium::Kind;
  static const std::map<std::string, ValueOf, std::less<>> values{
      {"keepalive", [](const Config& c) { return ms(c.ha_cf.keepalive); }},
      {"deadtime", [](const Config& c) { return ms(c.ha_cf.deadtime); }},
      {"warntime", [](const Config& c) { return derivable(c, "warntime", c.ha_cf.warntime); }},
      {"initdead", [](const Config& c) { return derivable(c, "initdead", c.ha_cf.initdead); }},
      {"deadping", [](const Config& c) { return derivable(c, "deadping", c.ha_cf.deadping); }},
      {"udpport", [](const Config& c) { return std::to_string(c.ha_cf.udpport); }},
      {"baud", [](const Config& c) { return std::to_string(c.ha_cf.baud); }},
      {"serial", [](const Config& c) { return media_of(c.ha_cf, K::serial); }},
      {"bcast", [](const Config& c) { return media_of(c.ha_cf, K::bcast); }},
      {"udp", [](const Config&) { return std::string(); }},
      {"mcast", [](const Config& c) { return media_of(c.ha_cf, K::mcast); }},
      {"mcast6", [](const Config& c) { return media_of(c.ha_cf, K::mcast6); }},
      {"ucast", [](const Config& c) { return media_of(c.ha_cf, K::ucast); }},
      {"ucast6", [](const Config& c) { return media_of(c.ha_cf, K::ucast6); }},
      {"node",
       [](const Config& c) {
         std::string out;
         for (const auto& n : c.ha_cf.nodes) out += lower(n) + "\n";
         return out;
       }},
      {"ping",
       [](const Config& c) {
         auto pings = c.ha_cf.ping_nodes;
         std::sort(pings.begin(), pings.end());
         std::string out;
         for (const auto& p : pings) out += p + "\n";
         return out;
       }},
      {"ping_group",
       [](const Config& c) {
         std::vector<std::string> groups;
         for (const auto& g : c.ha_cf.ping_groups) {
           auto addresses = g.addresses;
           std::sort(addresses.begin(), addresses.end());
           std::string line = g.name;
           for (const auto& a : addresses) line += " " + a;
           groups.push_back(line);
         }
         std::sort(groups.begin(), groups.end());
         std::string out;
         for (const auto& g : groups) out += g + "\n";
         return out;
       }},
      {"respawn",
       [](const Config& c) {
         std::string out;
         for (const auto& r : c.ha_cf.respawns) {
           out += r.user;
           for (const auto& a : r.argv) out += "|" + a;
           out += "\n";
         }
         return out;
       }},
      {"stonith", [](const Config& c) { return stonith_of(c.ha_cf, false); }},
      {"stonith_host", [](const Config& c) { return stonith_of(c.ha_cf, true); }},
      {"watchdog", [](const Config& c) { return c.ha_cf.watchdog; }},
      {"auto_failback",
       [](const Config& c) { return std::string(to_string(c.ha_cf.auto_failback)); }},
      {"nice_failback", [](const Config&) { return std::string(); }},
      {"crm", [](const Config&) { return std::string(); }},
      {"pacemaker", [](const Config&) { return std::string(); }},
      {"logfile", [](const Config& c) { return c.ha_cf.logfile; }},
      {"debugfile", [](const Config& c) { return c.ha_cf.debugfile; }},
      {"logfacility", [](const Config& c) { return c.ha_cf.logfacility; }},
      {"use_logd", [](const Config& c) { return std::to_string(c.ha_cf.use_logd); }},
      {"debug", [](const Config& c) { return std::to_string(c.ha_cf.debug); }},
      {"hopfudge", [](const Config& c) { return std::to_string(c.ha_cf.hopfudge); }},
      {"realtime", [](const Config& c) { return std::to_string(c.ha_cf.realtime); }},
      {"msgfmt", [](const Config& c) { return c.ha_cf.msgfmt; }},
      {"hbgenmethod", [](const Config& c) { return c.ha_cf.hbgenmethod; }},
  };
  return values;
}

// hb.conf: each setting, as "[section] key".
const std::map<std::string, ValueOf, std::less<>>& hb_conf_values() {
  static const std::map<std::string, ValueOf, std::less<>> values{
      {"[status] listen",
       [](const Config& c) {
         std::string out;
         for (const auto& a : c.hb_conf.status.listen) out += to_string(a) + " ";
         return out;
       }},
      {"[status] max_event_streams",
       [](const Config& c) { return std::to_string(c.hb_conf.status.max_event_streams); }},
      {"[status] request_workers",
       [](const Config& c) { return std::to_string(c.hb_conf.status.request_workers); }},
      {"[status] read_timeout", [](const Config& c) { return ms(c.hb_conf.status.read_timeout); }},
      {"[status] write_timeout",
       [](const Config& c) { return ms(c.hb_conf.status.write_timeout); }},
      {"[status] max_request_bytes",
       [](const Config& c) { return std::to_string(c.hb_conf.status.max_request_bytes); }},
      {"[status] healthz_max_age",
       [](const Config& c) { return ms(c.hb_conf.status.healthz_max_age); }},
      {"[status] refresh_interval",
       [](const Config& c) { return ms(c.hb_conf.status.refresh_interval); }},
      {"[status] tls_certificate",
       [](const Config& c) { return c.hb_conf.status.tls_certificate; }},
      {"[status] tls_key", [](const Config& c) { return c.hb_conf.status.tls_key; }},
      {"[status] admin", [](const Config& c) { return std::to_string(c.hb_conf.status.admin); }},
      {"[fencing] race_delay", [](const Config& c) { return ms(c.hb_conf.fencing.race_delay); }},
      {"[fencing] retry", [](const Config& c) { return ms(c.hb_conf.fencing.retry); }},
      {"[fencing] timeout", [](const Config& c) { return ms(c.hb_conf.fencing.timeout); }},
      {"[watchdog] timeout",
       [](const Config& c) {
         return c.hb_conf.watchdog.timeout ? ms(*c.hb_conf.watchdog.timeout) : std::string();
       }},
  };
  return values;
}

std::string derived_value(const Config& c, std::string_view directive) {
  if (directive == "warntime") return ms(c.ha_cf.warntime);
  if (directive == "initdead") return ms(c.ha_cf.initdead);
  return ms(c.ha_cf.deadping);
}

std::string groups_of(const Config& c) {
  std::string out;
  for (const auto& g : c.groups) {
    out += lower(g.preferred_node);
    for (const auto& r : g.resources) out += " " + r.token;
    out += "\n";
  }
  return out;
}

std::string keys_of(const AuthKeys& k) {
  std::string out = std::to_string(k.active_index) + "\n";
  for (const auto& [index, key] : k.keys) {
    out += std::to_string(index) + " " + to_string(key.method) + " " +
           std::to_string(key.secret.size()) + ":" + key.secret + "\n";
  }
  return out;
}

}  // namespace

std::vector<ConfigChange> config_changes(const Config& running, const Config& next) {
  std::vector<ConfigChange> changes;
  for (const auto& d : ha_cf_grammar()) {
    if (d.support == Support::warned) continue;
    auto it = ha_cf_values().find(d.name);
    if (it == ha_cf_values().end()) continue;  // compares_setting() is tested for every row
    std::string before = it->second(running), after = it->second(next);
    // One side derived, the other written: the derived one's value.
    if ((before == "derived") != (after == "derived")) {
      if (before == "derived") before = derived_value(running, d.name);
      if (after == "derived") after = derived_value(next, d.name);
    }
    if (before != after) changes.push_back({std::string(d.name), d.reload});
  }
  // haresources: which groups run where is decided again at the next hand-over.
  if (groups_of(running) != groups_of(next)) changes.push_back({"haresources", Reload::handover});
  // authkeys: heartbeat's rotation (add a key, switch `auth`, remove the old key) is live.
  if (running.authkeys && next.authkeys && keys_of(*running.authkeys) != keys_of(*next.authkeys))
    changes.push_back({"authkeys", Reload::live});
  for (const auto& s : hb_conf_settings()) {
    const std::string name = "[" + s.section + "] " + s.key;
    auto it = hb_conf_values().find(name);
    if (it == hb_conf_values().end()) continue;
    if (it->second(running) != it->second(next)) changes.push_back({name, s.reload});
  }
  return changes;
}

bool compares_setting(std::string_view setting) {
  return ha_cf_values().count(setting) > 0 || hb_conf_values().count(setting) > 0;
}

std::vector<std::string_view> users_of(std::string_view setting) {
  static constexpr std::string_view linkd = "hb-linkd", membershipd = "hb-membershipd",
                                    resourced = "hb-resourced", ipfaild = "ipfaild",
                                    statusd = "hb-statusd", log = "hb-log";
  using Users = std::vector<std::string_view>;
  static const std::map<std::string_view, Users, std::less<>> users{
      // hb-resourced's self-release and fencing deadlines follow keepalive and deadtime;
      // ipfaild pings every keepalive, and its deadping follows deadtime unless written.
      {"keepalive", {linkd, resourced, ipfaild}},
      {"deadtime", {linkd, resourced, ipfaild}},
      {"warntime", {linkd}},
      {"initdead", {linkd, resourced}},
      {"deadping", {ipfaild}},
      {"udpport", {linkd}},
      {"baud", {linkd}},
      {"serial", {linkd}},
      {"bcast", {linkd}},
      {"udp", {linkd}},
      {"mcast", {linkd}},
      {"mcast6", {linkd}},
      {"ucast", {linkd}},
      {"ucast6", {linkd}},
      {"node", {linkd, membershipd, resourced, ipfaild}},
      // hb-linkd counts ping nodes in its packets' ttl; hb-membershipd mirrors them.
      {"ping", {linkd, membershipd, ipfaild}},
      {"ping_group", {linkd, membershipd, ipfaild}},
      {"stonith", {resourced}},
      {"stonith_host", {resourced}},
      {"watchdog", {linkd}},
      {"auto_failback", {resourced}},
      {"nice_failback", {resourced}},
      {"logfile", {log}},
      {"debugfile", {log}},
      {"logfacility", {linkd, membershipd, resourced, ipfaild, statusd}},
      {"use_logd", {}},
      {"debug", {linkd, membershipd, resourced, ipfaild, statusd}},
      {"hopfudge", {linkd}},
      {"realtime", {linkd, membershipd}},
      {"msgfmt", {linkd}},
      {"hbgenmethod", {linkd}},
      {"haresources", {resourced}},
      {"authkeys", {linkd}},
      {"[fencing] race_delay", {resourced}},
      {"[fencing] retry", {resourced}},
      {"[fencing] timeout", {resourced}},
      {"[watchdog] timeout", {linkd}},
  };
  if (auto it = users.find(setting); it != users.end()) return it->second;
  if (setting.rfind("[status] ", 0) == 0) return {statusd};
  // Not known here: every daemon, so it is refused rather than half applied.
  return {linkd, membershipd, resourced, ipfaild, statusd};
}

const std::set<std::string, std::less<>>& applied_live_by(std::string_view daemon) {
  using Settings = std::set<std::string, std::less<>>;
  static const std::map<std::string_view, Settings, std::less<>> live{
      // authkeys: the keys hbctl reload hands over, applied by index (heartbeat's rotation).
      // The media: the new ones opened, the removed ones closed, the others kept as they are
      // (udpport and baud reopen the media whose port or speed they change); ping and
      // ping_group: the ttl its packets carry counts them.
      {"hb-linkd",
       {"keepalive", "deadtime", "warntime", "authkeys", "bcast", "mcast", "mcast6", "ucast",
        "ucast6", "serial", "udpport", "baud", "ping", "ping_group"}},
      // The engine's deadlines and the link watch's grace.
      {"hb-resourced", {"keepalive", "deadtime"}},
      // The ping Nodes, added and removed (their states stay ipfaild's).
      {"hb-membershipd", {"ping", "ping_group"}},
      // The ping interval, the settle (2 x keepalive), deadping (deadtime unless written) and
      // the probe targets, with decisions held while the two nodes' ping sets differ.
      {"ipfaild", {"keepalive", "deadtime", "deadping", "ping", "ping_group"}},
  };
  static const Settings none;
  auto it = live.find(daemon);
  return it == live.end() ? none : it->second;
}

const std::set<std::string, std::less<>>& pending_with(std::string_view daemon) {
  static const std::set<std::string, std::less<>> resourced{"haresources", "auto_failback",
                                                            "nice_failback", "node"};
  static const std::set<std::string, std::less<>> others{"node"};
  static const std::set<std::string, std::less<>> none;
  if (daemon == "hb-resourced") return resourced;
  if (daemon == "hb-linkd" || daemon == "hb-membershipd" || daemon == "ipfaild") return others;
  return none;
}

Config keep_pending_as_running(Config next, const Config& in_force, std::string_view daemon) {
  const auto& pending = pending_with(daemon);
  if (pending.count("node")) next.ha_cf.nodes = in_force.ha_cf.nodes;
  if (pending.count("haresources")) next.groups = in_force.groups;
  if (pending.count("auto_failback")) next.ha_cf.auto_failback = in_force.ha_cf.auto_failback;
  return next;
}

bool is_pending(std::string_view daemon, const ConfigChange& change) {
  return change.reload == Reload::handover && pending_with(daemon).count(change.setting) > 0;
}

std::string answer_line(std::string_view daemon, const ConfigChange& change) {
  return change.setting + std::string(is_pending(daemon, change) ? pending_answer : "");
}

std::vector<Refusal> refusals(const std::vector<ConfigChange>& changes) {
  std::vector<Refusal> out;
  for (const auto& c : changes) {
    if (c.reload == Reload::restart) {
      out.push_back({c.setting, "needs a restart of hb.target"});
      continue;
    }
    std::string lagging;
    for (auto daemon : users_of(c.setting)) {
      if (applied_live_by(daemon).count(c.setting) == 0 && !is_pending(daemon, c))
        lagging += (lagging.empty() ? "" : ", ") + std::string(daemon);
    }
    if (!lagging.empty()) out.push_back({c.setting, "not applied live by " + lagging + " yet"});
  }
  return out;
}

std::string to_string(const std::vector<Refusal>& refusals) {
  std::string out;
  for (const auto& r : refusals) out += (out.empty() ? "" : "; ") + r.setting + ": " + r.why;
  return out;
}

}  // namespace hb::config
