#include "core/config/ha_cf.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include "core/config/ha_cf_grammar.hpp"
#include "core/config/lexical.hpp"
#include "core/config/node_name.hpp"
#include "core/util/enum_names.hpp"

namespace hb::config {
namespace {

bool is_syslog_facility(std::string_view name) {
  static constexpr std::array<std::string_view, 21> names = {
      "auth",   "authpriv", "cron",   "daemon", "ftp",    "kern",   "lpr",
      "mail",   "news",     "syslog", "user",   "uucp",   "local0", "local1",
      "local2", "local3",   "local4", "local5", "local6", "local7", "none"};
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool is_baud_rate(int baud) {
  static constexpr std::array<int, 11> rates = {1200,  2400,   4800,   9600,   19200, 38400,
                                                57600, 115200, 230400, 460800, 600};
  return std::find(rates.begin(), rates.end(), baud) != rates.end();
}

// The rates heartbeat 3.0.6 knows (config.c, StringToBaud); the slower ones are hb's.
bool is_heartbeat_baud_rate(int baud) {
  static constexpr std::array<int, 7> rates = {9600, 19200, 38400, 57600, 115200, 230400, 460800};
  return std::find(rates.begin(), rates.end(), baud) != rates.end();
}

}  // namespace

// One ha.cf being read. Its members are public because the grammar table's parsers, written
// beside each row, call them; it is defined in this file only.
class HaCfParser {
 public:
  HaCfParser(std::string_view text, const std::string& file, const std::string& local_node)
      : text_(text), file_(file), local_node_(local_node) {}

  HaCfResult run() {
    auto lines = lines_of(text_);
    last_line_ = std::max<int>(1, static_cast<int>(lines.size()));
    for (std::size_t i = 0; i < lines.size(); ++i) {
      line_ = static_cast<int>(i) + 1;
      parse_line(strip_comment(lines[i]));
    }
    apply_defaults_and_check();
    return {std::move(cf_), std::move(diagnostics_)};
  }

  Origin here() const { return Origin{file_, line_}; }

  void error(const std::string& message) { error_at(here(), message); }
  void error_at(Origin origin, const std::string& message) {
    diagnostics_.push_back({Diagnostic::Severity::error, std::move(origin), message});
  }
  void warning(const std::string& message) { warning_at(here(), message); }
  // hb reads `word` here, heartbeat 3.0.6 would refuse it (see HeartbeatRefusal).
  void refused_by_heartbeat(const std::string& word, const std::string& reason) {
    cf_.heartbeat_refusals.push_back({here(), word, reason});
  }
  void warning_at(Origin origin, const std::string& message) {
    diagnostics_.push_back({Diagnostic::Severity::warning, std::move(origin), message});
  }

  void parse_line(std::string_view line) {
    auto words = split(line, " \t");
    if (words.empty()) return;
    const std::string directive = words.front();
    const HaCfDirective* d = find_ha_cf_directive(directive);
    if (d == nullptr) {
      error("unknown directive \"" + directive + "\" (heartbeat: Illegal directive)");
      return;
    }
    std::vector<std::string> values;
    if (d->values == Values::whole_line) {
      values.assign(words.begin() + 1, words.end());
    } else {
      auto start = line.find(directive) + directive.size();
      values = split(line.substr(start), ", \t");
    }
    if (values.empty()) {
      error(directive + ": missing value");
      return;
    }
    cf_.origins[directive] = here();
    if (d->support == Support::warned) return ignore(*d);
    d->parse(*this, directive, values);
  }

  // A directive hb accepts without effect: a heartbeat user's ha.cf must load unchanged, so it
  // is a warning, never an error.
  void ignore(const HaCfDirective& d) {
    const std::string name(d.name);
    warning(name + " ignored (" + std::string(d.note) + ")");
    if (std::find(cf_.ignored.begin(), cf_.ignored.end(), name) == cf_.ignored.end()) {
      cf_.ignored.push_back(name);
    }
  }

  void set_time(const std::string& d, const std::vector<std::string>& v,
                std::optional<Millis>& slot) {
    // heartbeat hands each value to the directive in turn, so the last one wins. A unit written
    // apart from its number ("500 ms") is joined back to it: heartbeat's time syntax allows the
    // space, its value splitting would not.
    std::vector<std::string> joined;
    for (const auto& value : v) {
      bool unit = value == "ms" || value == "msec" || value == "us" || value == "usec";
      if (unit && !joined.empty() && parse_time(joined.back())) {
        refused_by_heartbeat(joined.back() + " " + value,
                             "heartbeat takes \"" + joined.back() + "\" as seconds, then \"" +
                                 value + "\" as a time of its own, which is invalid; write \"" +
                                 joined.back() + value + "\"");
        joined.back() += " " + value;
      } else {
        joined.push_back(value);
      }
    }
    for (const auto& value : joined) {
      auto t = parse_time(value);
      if (!t) {
        error(d + ": invalid time \"" + value +
              "\" (seconds such as 2 or 1.5, or a number followed by ms or us)");
        continue;
      }
      slot = *t;
    }
  }

  void set_int(const std::string& d, const std::string& value, int lo, int hi, int& slot) {
    auto n = parse_int(value);
    if (!n || *n < lo || *n > hi) {
      error(d + ": invalid value \"" + value + "\" (a number from " + std::to_string(lo) + " to " +
            std::to_string(hi) + ")");
      return;
    }
    slot = *n;
  }

  void set_bool(const std::string& d, const std::string& value, bool& slot) {
    auto b = parse_bool(value);
    if (!b) {
      error(d + ": invalid value \"" + value + "\" (on/off, yes/no, true/false, 1/0)");
      return;
    }
    slot = *b;
  }

  void set_port(const std::vector<std::string>& v) {
    int port = 0;
    set_int("udpport", v.back(), 1, 65535, port);
    if (port != 0) cf_.udpport = static_cast<std::uint16_t>(port);
  }

  void set_baud(const std::vector<std::string>& v) {
    // heartbeat checks every value, and takes one in the whole file: media lines after a second
    // baud would not get its speed there anyway.
    for (const auto& value : v) {
      if (baud_values_++ > 0) {
        refused_by_heartbeat("baud " + value,
                             "heartbeat accepts one baud value in the whole file (Baudrate "
                             "multiply specified)");
      }
      auto rate = parse_int(value);
      if (rate && is_baud_rate(*rate) && !is_heartbeat_baud_rate(*rate)) {
        refused_by_heartbeat("baud " + value,
                             "heartbeat's serial speeds are 9600 to 460800 (invalid baudrate)");
      }
    }
    auto n = parse_int(v.back());
    if (!n || !is_baud_rate(*n)) {
      error("baud: unsupported serial speed \"" + v.back() +
            "\" (9600, 19200, 38400, 57600, 115200, 230400 or 460800)");
      return;
    }
    cf_.baud = *n;
  }

  void add_serial(const std::vector<std::string>& v) {
    for (const auto& dev : v) {
      Medium m;
      m.kind = Medium::Kind::serial;
      m.interface = dev;
      m.baud = cf_.baud;
      m.origin = here();
      cf_.media.push_back(m);
    }
  }

  void add_bcast(const std::vector<std::string>& v) {
    for (const auto& ifname : v) {
      Medium m;
      m.kind = Medium::Kind::bcast;
      m.interface = ifname;
      m.port = cf_.udpport;
      m.origin = here();
      cf_.media.push_back(m);
    }
  }

  void add_mcast(const std::string& d, const std::vector<std::string>& v) {
    if (v.size() != 5) {
      error(d + ": expected \"" + d + " interface group port ttl loop\"");
      return;
    }
    Medium m;
    m.kind = d == "mcast" ? Medium::Kind::mcast : Medium::Kind::mcast6;
    m.interface = v[0];
    m.address = v[1];
    m.origin = here();
    auto port = parse_int(v[2]);
    auto ttl = parse_int(v[3]);
    auto loop = parse_int(v[4]);
    bool ok = true;
    if (!port || *port < 1 || *port > 65535) {
      error(d + ": invalid port \"" + v[2] + "\" (1 to 65535)");
      ok = false;
    }
    if (!ttl || *ttl < 1 || *ttl > 255) {
      error(d + ": invalid ttl \"" + v[3] + "\" (1 to 255)");
      ok = false;
    }
    if (!loop || *loop > 1) {
      error(d + ": invalid loop \"" + v[4] + "\" (0 or 1)");
      ok = false;
    }
    if (!ok) return;
    m.port = static_cast<std::uint16_t>(*port);
    m.ttl = *ttl;
    m.loop = *loop;
    cf_.media.push_back(m);
  }

  void add_ucast(const std::string& d, const std::vector<std::string>& v) {
    if (v.size() < 2) {
      error(d + ": expected \"" + d + " interface peer-address\"");
      return;
    }
    for (std::size_t i = 1; i < v.size(); ++i) {
      Medium m;
      m.kind = d == "ucast" ? Medium::Kind::ucast : Medium::Kind::ucast6;
      m.interface = v[0];
      m.address = v[i];
      m.port = cf_.udpport;
      m.origin = here();
      cf_.media.push_back(m);
    }
  }

  void add_nodes(const std::vector<std::string>& names) {
    for (const auto& name : names) add_node(name);
  }

  void add_node(const std::string& name) {
    for (const auto& n : cf_.nodes) {
      if (same_node_name(n, name)) {
        warning("node \"" + name + "\" is listed twice");
        return;
      }
    }
    cf_.nodes.push_back(name);
    if (!first_node_line_) first_node_line_ = line_;
  }

  void add_ping_group(const std::vector<std::string>& v) {
    if (v.size() < 2) {
      error("ping_group: expected \"ping_group name address...\"");
      return;
    }
    PingGroup g;
    g.name = v[0];
    g.addresses.assign(v.begin() + 1, v.end());
    g.origin = here();
    cf_.ping_groups.push_back(std::move(g));
  }

  void add_respawn(const std::vector<std::string>& v) {
    if (v.size() < 2) {
      error("respawn: expected \"respawn user program [arguments...]\"");
      return;
    }
    Respawn r;
    r.user = v[0];
    r.argv.assign(v.begin() + 1, v.end());
    r.origin = here();
    cf_.respawns.push_back(std::move(r));
  }

  // heartbeat: `stonith TYPE CONFIGFILE`, a device every node may use.
  void add_stonith(const std::vector<std::string>& v) {
    if (v.size() != 2) {
      error("stonith: expected \"stonith TYPE CONFIGFILE\"");
      return;
    }
    StonithDevice d;
    d.type = v[0];
    d.config_file = v[1];
    d.origin = here();
    cf_.stonith_devices.push_back(std::move(d));
  }

  // heartbeat: `stonith_host FROM TYPE PARAMETERS...`; FROM is a node or `*`. The parameters
  // are the plugin's, as one string.
  void add_stonith_host(const std::vector<std::string>& v) {
    if (v.size() < 2) {
      error("stonith_host: expected \"stonith_host FROM TYPE PARAMETERS...\"");
      return;
    }
    StonithDevice d;
    d.from = v[0];
    d.type = v[1];
    for (std::size_t i = 2; i < v.size(); ++i) d.params += (i > 2 ? " " : "") + v[i];
    d.origin = here();
    cf_.stonith_devices.push_back(std::move(d));
  }

  void set_auto_failback(const std::string& value) {
    auto_failback_set_ = true;
    if (ascii_iequals(value, "legacy")) {
      cf_.auto_failback = AutoFailback::legacy;
      warning(legacy_warning());
      return;
    }
    auto b = parse_bool(value);
    if (!b) {
      error("auto_failback: invalid value \"" + value + "\" (on, off or legacy)");
      return;
    }
    cf_.auto_failback = *b ? AutoFailback::on : AutoFailback::off;
  }

  void set_nice_failback(const std::string& value) {
    auto b = parse_bool(value);
    if (!b) {
      error("nice_failback: invalid value \"" + value + "\" (on or off)");
      return;
    }
    auto_failback_set_ = true;
    // heartbeat's own mapping of the obsolete directive.
    if (*b) {
      cf_.auto_failback = AutoFailback::off;
      warning("nice_failback is obsolete: taken as \"auto_failback off\"; write that instead");
    } else {
      cf_.auto_failback = AutoFailback::legacy;
      warning(
          "nice_failback is obsolete: \"nice_failback off\" is taken as \"auto_failback "
          "legacy\", which is deprecated; write \"auto_failback on\" or \"auto_failback off\"");
    }
  }

  static std::string legacy_warning() {
    return "auto_failback legacy is deprecated (heartbeat: Deprecated 'legacy' auto_failback "
           "option selected); standby, takeover and ipfail need \"auto_failback on\" or "
           "\"auto_failback off\"";
  }

  void set_facility(const std::string& value) {
    if (!is_syslog_facility(value)) {
      error("logfacility: unknown syslog facility \"" + value +
            "\" (e.g. daemon, local0 ... local7, or none)");
      return;
    }
    cf_.logfacility = value;
  }

  void set_hbgenmethod(const std::string& value) {
    if (value != "file" && value != "time") {
      error("hbgenmethod: invalid value \"" + value + "\" (file or time)");
      return;
    }
    cf_.hbgenmethod = value;
  }

  void set_watchdogs(const std::vector<std::string>& v) {
    for (const auto& value : v) {
      if (watchdog_values_++ > 0) {
        refused_by_heartbeat("watchdog " + value,
                             "heartbeat accepts one watchdog device in the whole file (Watchdog "
                             "device multiply specified)");
      }
    }
    set_watchdog(v.back());
  }

  void set_watchdog(const std::string& value) {
    if (value.empty() || value.front() != '/') {
      error("watchdog: \"" + value + "\" is not an absolute path (e.g. /dev/watchdog)");
      return;
    }
    cf_.watchdog = value;
  }

  // heartbeat feeds its watchdog when it hears one of its own heartbeats come back, which only
  // bcast (always) and mcast with loop on do; on ucast and serial alone the watchdog would never
  // be fed and would reset the node over and over.
  void check_watchdog_medium() {
    if (cf_.watchdog.empty()) return;
    for (const auto& m : cf_.media) {
      if (m.kind == Medium::Kind::bcast) return;
      if ((m.kind == Medium::Kind::mcast || m.kind == Medium::Kind::mcast6) && m.loop != 0) return;
    }
    error_at(origin_of("watchdog"),
             "watchdog: it is fed when this node hears its own heartbeats come back, which needs "
             "a bcast line or an mcast line with loop 1 (ucast and serial do not echo them)");
  }

  void set_msgfmt(const std::string& value) {
    if (value != "classic" && value != "netstring") {
      error("msgfmt: invalid value \"" + value + "\" (classic or netstring)");
      return;
    }
    cf_.msgfmt = value;
  }

  void check_crm(const std::string& d, const std::string& value) {
    auto b = parse_bool(value);
    if (b && !*b) return;
    error(d + " " + value + ": not supported: hb runs only heartbeat's classic haresources mode (" +
          d + " off); a CRM cluster needs Pacemaker");
  }

  Origin origin_of(const std::string& directive) const {
    auto it = cf_.origins.find(directive);
    if (it != cf_.origins.end()) return it->second;
    return Origin{file_, last_line_};
  }

  void apply_defaults_and_check() {
    if (keepalive_) cf_.keepalive = *keepalive_;
    if (keepalive_ && *keepalive_ == Millis(0)) {
      // heartbeat's set_keepalive_ms wants more than 0 ms; hb's only rule is deadtime's.
      cf_.heartbeat_refusals.push_back(
          {origin_of("keepalive"), "keepalive", "it is 0 ms, and heartbeat needs at least 1 ms"});
    }
    if (deadtime_) cf_.deadtime = *deadtime_;
    // heartbeat's derived defaults.
    cf_.warntime = warntime_ ? *warntime_ : cf_.deadtime / 2;
    if (initdead_) {
      cf_.initdead = *initdead_;
    } else if (cf_.deadtime > Millis(10000)) {
      cf_.initdead = cf_.deadtime;
    } else if (cf_.deadtime < Millis(6000)) {
      cf_.initdead = Millis(12000);
    } else {
      cf_.initdead = 2 * cf_.deadtime;
    }
    cf_.deadping = deadping_ ? *deadping_ : cf_.deadtime;

    if (cf_.deadtime <= 2 * cf_.keepalive) {
      error_at(origin_of(deadtime_ ? "deadtime" : "keepalive"),
               "deadtime (" + format_time(cf_.deadtime) + ") must be more than twice keepalive (" +
                   format_time(cf_.keepalive) + ")");
    }
    if (cf_.initdead < cf_.deadtime) {
      error_at(origin_of("initdead"), "initdead (" + format_time(cf_.initdead) +
                                          ") must not be less than deadtime (" +
                                          format_time(cf_.deadtime) + ")");
    } else if (cf_.initdead < Millis(10000)) {
      warning_at(origin_of("initdead"),
                 "initdead (" + format_time(cf_.initdead) +
                     ") is under 10 s: a node may declare its peer dead while the peer boots");
    }
    if (deadping_ && cf_.deadping <= 2 * cf_.keepalive) {
      error_at(origin_of("deadping"), "deadping (" + format_time(cf_.deadping) +
                                          ") must be more than twice keepalive (" +
                                          format_time(cf_.keepalive) + ")");
    }
    if (warntime_ && cf_.warntime >= cf_.deadtime) {
      warning_at(origin_of("warntime"), "warntime (" + format_time(cf_.warntime) +
                                            ") is not less than deadtime (" +
                                            format_time(cf_.deadtime) +
                                            "): no late-heartbeat warning will ever be logged");
    }
    if (!auto_failback_set_) {
      // heartbeat warns the same way when the directive is absent.
      warning_at(Origin{file_, 0}, "auto_failback not set, so it is legacy: " + legacy_warning());
    }

    const Origin end{file_, last_line_};
    if (!cf_.media.empty()) check_watchdog_medium();
    if (cf_.media.empty()) {
      error_at(end,
               "no heartbeat medium: add a serial, bcast, mcast or ucast line (heartbeat: No "
               "heartbeat media defined)");
    }
    if (cf_.nodes.empty()) {
      error_at(end, "no node: list every cluster node with \"node NAME\" (its uname -n)");
    } else if (!local_node_.empty()) {
      bool listed = std::any_of(cf_.nodes.begin(), cf_.nodes.end(), [&](const std::string& n) {
        return same_node_name(n, local_node_);
      });
      if (!listed) {
        error_at(Origin{file_, first_node_line_.value_or(last_line_)},
                 "this node \"" + local_node_ +
                     "\" is not listed in any node line (heartbeat: Current node not in "
                     "configuration); add \"node " +
                     local_node_ + "\" or give the node's name with --node");
      }
    }
    std::stable_sort(
        diagnostics_.begin(), diagnostics_.end(),
        [](const Diagnostic& a, const Diagnostic& b) { return a.origin.line < b.origin.line; });
  }

  std::string_view text_;
  const std::string& file_;
  const std::string& local_node_;
  int line_ = 0;
  int last_line_ = 1;
  std::optional<int> first_node_line_;
  int baud_values_ = 0;      // every value of every baud line so far
  int watchdog_values_ = 0;  // likewise for watchdog
  HaCf cf_;
  std::vector<Diagnostic> diagnostics_;
  std::optional<Millis> keepalive_, deadtime_, warntime_, initdead_, deadping_;
  bool auto_failback_set_ = false;
};

namespace {

using P = HaCfParser;
using Name = const std::string&;
using Args = const std::vector<std::string>&;
using enum HeartbeatVersion;
using enum Support;
using enum Reload;
// (Values is not opened: its `split` would hide lexical.hpp's split().)

// ha.cf's grammar (ha_cf_grammar.hpp): the one place to add a directive. Versions from
// heartbeat's own history (config.c's Directives and WLdirectives tables, the HBcomm media
// plugins): 1.2 is what 1.2.0 read, 2.x what the 2.0/2.1 line added, 3.0 what came after.
// `reload` follows issue 17: timings, media, ping nodes and logging live; the node list and
// group ownership at the next hand-over; what is read once at start (initdead, the generation,
// the watchdog, respawned programs) or changes what peers must agree on (msgfmt) at a restart.
constexpr auto grammar = std::to_array<HaCfDirective>({
    // Timing. keepalive and deadtime spelled as heartbeat's table spells their defaults.
    {.name = "keepalive",
     .reload = live,
     .default_value = "1000ms",
     .parse = [](P& p, Name d, Args v) { p.set_time(d, v, p.keepalive_); }},
    {.name = "deadtime",
     .reload = live,
     .default_value = "30000ms",
     .parse = [](P& p, Name d, Args v) { p.set_time(d, v, p.deadtime_); }},
    {.name = "warntime",
     .reload = live,
     .note = "default: half of deadtime",
     .parse = [](P& p, Name d, Args v) { p.set_time(d, v, p.warntime_); }},
    {.name = "initdead",
     .note = "default: deadtime when over 10 s, 12 s when under 6 s, else twice deadtime",
     .parse = [](P& p, Name d, Args v) { p.set_time(d, v, p.initdead_); }},
    {.name = "deadping",
     .reload = live,
     .note = "default: deadtime",
     .parse = [](P& p, Name d, Args v) { p.set_time(d, v, p.deadping_); }},

    // Media. udpport and baud apply to the media lines after them.
    {.name = "udpport",
     .reload = live,
     .default_value = "694",
     .parse = [](P& p, Name, Args v) { p.set_port(v); }},
    {.name = "baud",
     .reload = live,
     .default_value = "19200",
     .parse = [](P& p, Name, Args v) { p.set_baud(v); }},
    {.name = "serial", .reload = live, .parse = [](P& p, Name, Args v) { p.add_serial(v); }},
    {.name = "bcast", .reload = live, .parse = [](P& p, Name, Args v) { p.add_bcast(v); }},
    {.name = "udp",
     .reload = live,
     .note = "heartbeat's old name for bcast",
     .parse = [](P& p, Name, Args v) { p.add_bcast(v); }},
    {.name = "mcast",
     .reload = live,
     .values = Values::whole_line,
     .parse = [](P& p, Name d, Args v) { p.add_mcast(d, v); }},
    {.name = "mcast6",
     .since = v3_0,
     .reload = live,
     .values = Values::whole_line,
     .parse = [](P& p, Name d, Args v) { p.add_mcast(d, v); }},
    {.name = "ucast",
     .reload = live,
     .values = Values::whole_line,
     .parse = [](P& p, Name d, Args v) { p.add_ucast(d, v); }},
    {.name = "ucast6",
     .since = v3_0,
     .reload = live,
     .values = Values::whole_line,
     .parse = [](P& p, Name d, Args v) { p.add_ucast(d, v); }},

    // Nodes, ping nodes and programs.
    {.name = "node", .reload = handover, .parse = [](P& p, Name, Args v) { p.add_nodes(v); }},
    {.name = "ping",
     .reload = live,
     .parse = [](P& p, Name,
                 Args v) { p.cf_.ping_nodes.insert(p.cf_.ping_nodes.end(), v.begin(), v.end()); }},
    {.name = "ping_group",
     .reload = live,
     .values = Values::whole_line,
     .parse = [](P& p, Name, Args v) { p.add_ping_group(v); }},
    {.name = "respawn",
     .values = Values::whole_line,
     .parse = [](P& p, Name, Args v) { p.add_respawn(v); }},

    // Fencing (docs/handover.md): a dead peer is fenced before its groups start elsewhere.
    {.name = "stonith",
     .note = "the file must be root's and not readable by others",
     .values = Values::whole_line,
     .parse = [](P& p, Name, Args v) { p.add_stonith(v); }},
    {.name = "stonith_host",
     .values = Values::whole_line,
     .parse = [](P& p, Name, Args v) { p.add_stonith_host(v); }},
    {.name = "watchdog",
     .note = "hb-linkd feeds it while it hears its own heartbeats and hb-resourced answers; "
             "hb.conf's [watchdog] timeout sets its timeout (twice deadtime by default)",
     .parse = [](P& p, Name, Args v) { p.set_watchdogs(v); }},

    // Resource ownership.
    {.name = "auto_failback",
     .reload = handover,
     .default_value = "legacy",
     .note = "legacy, the default, is deprecated (a warning, as in heartbeat)",
     .parse = [](P& p, Name, Args v) { p.set_auto_failback(v.back()); }},
    {.name = "nice_failback",
     .reload = handover,
     .note = "obsolete: on is taken as auto_failback off, off as auto_failback legacy",
     .parse = [](P& p, Name, Args v) { p.set_nice_failback(v.back()); }},
    {.name = "crm",
     .since = v2,
     .default_value = "off",
     .note = "only off: hb runs heartbeat's classic haresources mode",
     .parse = [](P& p, Name d, Args v) { p.check_crm(d, v.back()); }},
    {.name = "pacemaker",
     .since = v3_0,
     .default_value = "off",
     .note = "only off: hb runs heartbeat's classic haresources mode",
     .parse = [](P& p, Name d, Args v) { p.check_crm(d, v.back()); }},

    // Logging.
    {.name = "logfile",
     .reload = live,
     .parse = [](P& p, Name, Args v) { p.cf_.logfile = v.back(); }},
    {.name = "debugfile",
     .reload = live,
     .parse = [](P& p, Name, Args v) { p.cf_.debugfile = v.back(); }},
    {.name = "logfacility",
     .reload = live,
     .parse = [](P& p, Name, Args v) { p.set_facility(v.back()); }},
    {.name = "use_logd",
     .since = v2,
     .reload = live,
     .default_value = "off",
     .note = "heartbeat turns it on when no logfile, debugfile or logfacility is set; hb logs "
             "to the journal either way",
     .parse = [](P& p, Name d, Args v) { p.set_bool(d, v.back(), p.cf_.use_logd); }},
    {.name = "debug",
     .reload = live,
     .default_value = "0",
     .parse = [](P& p, Name d, Args v) { p.set_int(d, v.back(), 0, 255, p.cf_.debug); }},

    // The rest hb implements.
    {.name = "hopfudge",
     .default_value = "1",
     .parse = [](P& p, Name d, Args v) { p.set_int(d, v.back(), 0, 255, p.cf_.hopfudge); }},
    {.name = "realtime",
     .default_value = "true",
     .parse = [](P& p, Name d, Args v) { p.set_bool(d, v.back(), p.cf_.realtime); }},
    {.name = "msgfmt",
     .since = v2,
     .default_value = "classic",
     .parse = [](P& p, Name, Args v) { p.set_msgfmt(v.back()); }},
    {.name = "hbgenmethod",
     .default_value = "file",
     .parse = [](P& p, Name, Args v) { p.set_hbgenmethod(v.back()); }},

    // Accepted with a warning: heartbeat reads them, hb deliberately does not implement them.
    {.name = "use_apphbd",
     .since = v2,
     .support = warned,
     .note = "hb does not register with apphbd; the systemd units' WatchdogSec= supervises hb"},
    {.name = "apiauth",
     .support = warned,
     .note = "hb has no heartbeat API; the D-Bus policy controls access",
     .values = Values::whole_line},
    {.name = "rtprio",
     .support = warned,
     .note = "scheduling priority is set in the systemd units"},
    {.name = "compression",
     .since = v2,
     .support = warned,
     .default_value = "zlib",
     .note = "hb does not compress messages"},
    {.name = "compression_threshold",
     .since = v2,
     .support = warned,
     .default_value = "2",
     .note = "hb does not compress messages"},
    {.name = "traditional_compression",
     .since = v2,
     .support = warned,
     .default_value = "no",
     .note = "hb does not compress messages"},
    {.name = "coredumps",
     .since = v2,
     .support = warned,
     .default_value = "true",
     .note = "systemd-coredump handles core dumps"},
    {.name = "coreroot",
     .since = v2,
     .support = warned,
     .note = "systemd-coredump handles core dumps"},
    {.name = "autojoin",
     .since = v2,
     .support = warned,
     .default_value = "none",
     .note = "hb's membership is exactly the node lines"},
    {.name = "uuidfrom",
     .since = v2,
     .support = warned,
     .default_value = "file",
     .note = "hb identifies nodes by name"},
    {.name = "cluster",
     .since = v2,
     .support = warned,
     .default_value = "linux-ha",
     .note = "hb has no cluster name"},
    {.name = "conn_logd_time",
     .since = v2,
     .support = warned,
     .default_value = "60",
     .note = "hb logs to the journal, not to ha_logd"},
    {.name = "syslogmsgfmt",
     .since = v2,
     .support = warned,
     .default_value = "true",
     .note = "hb writes logfile and debugfile lines in heartbeat's own ha-log format"},
    {.name = "memreserve",
     .since = v2,
     .support = warned,
     .default_value = "6500",
     .note = "hb does not pre-reserve memory"},
    {.name = "max_rexmit_delay",
     .since = v2,
     .support = warned,
     .default_value = "250",
     .note = "hb has its own retransmission timing"},
    {.name = "log_badpack",
     .since = v2,
     .support = warned,
     .default_value = "true",
     .note = "hb always counts bad packets"},
    {.name = "env",
     .since = v2,
     .support = warned,
     .note = "set environment variables in a systemd drop-in instead",
     .values = Values::whole_line},
    {.name = "failfast", .since = v2, .support = warned, .note = "hb does not implement failfast"},
    {.name = "quorum_server", .since = v2, .support = warned, .note = "hb has no quorum server"},
    {.name = "record_config_changes",
     .since = v2,
     .support = warned,
     .default_value = "on",
     .note = "it is for the CRM's CIB; hb runs heartbeat's classic haresources mode"},
    {.name = "record_pengine_inputs",
     .since = v2,
     .support = warned,
     .default_value = "on",
     .note = "it is for the CRM's policy engine; hb runs heartbeat's classic haresources mode"},
    {.name = "enable_config_writes",
     .since = v2,
     .support = warned,
     .default_value = "on",
     .note = "it is for the CRM's CIB; hb runs heartbeat's classic haresources mode"},
    {.name = "normalpoll",
     .support = warned,
     .default_value = "true",
     .note = "hb always uses the system's poll(2)"},
});

constexpr bool well_formed(const decltype(grammar)& rows) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    // A parser exactly for implemented rows; a warning needs its reason.
    if ((rows[i].parse == nullptr) != (rows[i].support == warned)) return false;
    if (rows[i].support == warned && rows[i].note.empty()) return false;
    // hb ignores a warned directive, so there is no change to apply: it keeps the default.
    if (rows[i].support == warned && rows[i].reload != restart) return false;
    for (std::size_t j = i + 1; j < rows.size(); ++j) {
      if (rows[i].name == rows[j].name) return false;
    }
  }
  return true;
}
static_assert(well_formed(grammar));

constexpr auto version_names = std::to_array<util::EnumName<HeartbeatVersion>>({
    {v1_2, "1.2"},
    {v2, "2.x"},
    {v3_0, "3.0"},
});
static_assert(util::names_are_complete(version_names));

constexpr auto support_names = std::to_array<util::EnumName<Support>>({
    {implemented, "implemented"},
    {warned, "warned"},
});
static_assert(util::names_are_complete(support_names));

}  // namespace

std::span<const HaCfDirective> ha_cf_grammar() {
  return grammar;
}

const HaCfDirective* find_ha_cf_directive(std::string_view name) {
  for (const auto& d : grammar) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

const char* to_string(HeartbeatVersion version) {
  return util::to_string(version_names, version);
}

const char* to_string(Support support) {
  return util::to_string(support_names, support);
}

HaCfResult parse_ha_cf(std::string_view text, const std::string& file,
                       const std::string& local_node) {
  return HaCfParser(text, file, local_node).run();
}

namespace {

constexpr auto auto_failback_names = std::to_array<util::EnumName<AutoFailback>>({
    {AutoFailback::on, "on"},
    {AutoFailback::off, "off"},
    {AutoFailback::legacy, "legacy"},
});
static_assert(util::names_are_complete(auto_failback_names));

constexpr auto medium_kind_names = std::to_array<util::EnumName<Medium::Kind>>({
    {Medium::Kind::bcast, "bcast"},
    {Medium::Kind::mcast, "mcast"},
    {Medium::Kind::mcast6, "mcast6"},
    {Medium::Kind::ucast, "ucast"},
    {Medium::Kind::ucast6, "ucast6"},
    {Medium::Kind::serial, "serial"},
});
static_assert(util::names_are_complete(medium_kind_names));

}  // namespace

const char* to_string(AutoFailback value) {
  return util::to_string(auto_failback_names, value, "legacy");
}

const char* to_string(Medium::Kind kind) {
  return util::to_string(medium_kind_names, kind, "bcast");
}

}  // namespace hb::config
