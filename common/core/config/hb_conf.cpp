// hb.conf's parser: sections, keys and values, each problem a file:line diagnostic (hb_conf.hpp).
#include "core/config/hb_conf.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <functional>
#include <map>

#include "core/config/lexical.hpp"

namespace hb::config {
namespace {

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

// A key's parser stores the value into `conf` and returns "" or what is wrong with it.
using KeyParser = std::function<std::string(std::string_view value, HbConf& conf)>;

// One key of the grammar: when a change takes effect on a running node, and its parser.
struct Setting {
  Reload reload = Reload::restart;
  KeyParser parse;
};

std::string parse_int_in(std::string_view value, int low, int high, int& out) {
  auto v = parse_int(value);
  if (!v || *v < low || *v > high)
    return "must be a whole number from " + std::to_string(low) + " to " + std::to_string(high);
  out = *v;
  return {};
}

// heartbeat's time syntax, plus an explicit seconds suffix ("5s", "5 sec"), which hb.conf's
// documentation and examples use.
std::optional<Millis> parse_hb_time(std::string_view value) {
  if (auto v = parse_time(value)) return v;
  for (std::string_view suffix : {"sec", "s"}) {
    if (value.size() <= suffix.size() || value.substr(value.size() - suffix.size()) != suffix)
      continue;
    const std::string_view number = trim(value.substr(0, value.size() - suffix.size()));
    if (!number.empty() && number.back() >= '0' && number.back() <= '9') return parse_time(number);
  }
  return std::nullopt;
}

std::string parse_time_in(std::string_view value, Millis low, Millis high, Millis& out) {
  auto v = parse_hb_time(value);
  if (!v) return "is not a time (e.g. 5s, 500ms)";
  if (*v < low || *v > high) return "must be from " + format_time(low) + " to " + format_time(high);
  out = *v;
  return {};
}

std::string parse_listen(std::string_view value, std::vector<ListenAddress>& out) {
  std::vector<ListenAddress> addresses;
  for (const auto& word : split(value, " \t,")) {
    auto a = parse_listen_address(word);
    if (!a) return "\"" + word + "\" is not an address:port (e.g. 127.0.0.1:9694 or [::1]:9694)";
    for (const auto& seen : addresses)
      if (seen == *a) return "lists " + word + " twice";
    addresses.push_back(*a);
  }
  if (addresses.empty()) return "needs at least one address:port";
  out = std::move(addresses);
  return {};
}

// A file named by its absolute path (the daemon may run in another working directory).
std::string parse_path(std::string_view value, std::string& out) {
  if (value.front() != '/') return "must be an absolute path";
  out = std::string(value);
  return {};
}

// The grammar: section -> key -> when a change takes effect, and the parser. A new setting is
// one entry here, its field in config.hpp, its JSON in json.cpp and its entry in hb.conf(5)
// (man/hb.conf.5.scd, with its reload line). Reload::live where the value is used only when
// something happens (hb-statusd's next refresh or /healthz answer, hb-resourced's next fence),
// so a new one can simply take over; restart where it is set once on a socket, a thread pool,
// the TLS context or the watchdog device.
const std::map<std::string, std::map<std::string, Setting>>& grammar() {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  static const std::map<std::string, std::map<std::string, Setting>> g{
      {"status",
       {
           {"listen",
            {Reload::restart,
             [](std::string_view v, HbConf& c) { return parse_listen(v, c.status.listen); }}},
           {"max_event_streams",
            {Reload::restart,
             [](std::string_view v, HbConf& c) {
               return parse_int_in(v, 0, 1024, c.status.max_event_streams);
             }}},
           {"request_workers",
            {Reload::restart,
             [](std::string_view v, HbConf& c) {
               return parse_int_in(v, 1, 256, c.status.request_workers);
             }}},
           {"read_timeout",
            {Reload::restart,
             [](std::string_view v, HbConf& c) {
               return parse_time_in(v, milliseconds(100), hours(1), c.status.read_timeout);
             }}},
           {"write_timeout",
            {Reload::restart,
             [](std::string_view v, HbConf& c) {
               return parse_time_in(v, milliseconds(100), hours(1), c.status.write_timeout);
             }}},
           {"max_request_bytes",
            {Reload::restart,
             [](std::string_view v, HbConf& c) {
               return parse_int_in(v, 1024, 16 << 20, c.status.max_request_bytes);
             }}},
           {"healthz_max_age",
            {Reload::live,
             [](std::string_view v, HbConf& c) {
               return parse_time_in(v, milliseconds(100), hours(24), c.status.healthz_max_age);
             }}},
           {"refresh_interval",
            {Reload::live,
             [](std::string_view v, HbConf& c) {
               return parse_time_in(v, milliseconds(100), hours(1), c.status.refresh_interval);
             }}},
           {"tls_certificate",
            {Reload::restart, [](std::string_view v,
                                 HbConf& c) { return parse_path(v, c.status.tls_certificate); }}},
           {"tls_key",
            {Reload::restart,
             [](std::string_view v, HbConf& c) { return parse_path(v, c.status.tls_key); }}},
           {"admin",
            {Reload::restart,
             [](std::string_view v, HbConf& c) {
               auto b = parse_bool(v);
               if (!b) return std::string("must be yes or no");
               c.status.admin = *b;
               return std::string();
             }}},
       }},
      {"fencing",
       {
           {"race_delay",
            {Reload::live,
             [](std::string_view v, HbConf& c) {
               return parse_time_in(v, milliseconds(0), hours(1), c.fencing.race_delay);
             }}},
           {"retry",
            {Reload::live,
             [](std::string_view v, HbConf& c) {
               return parse_time_in(v, milliseconds(100), hours(1), c.fencing.retry);
             }}},
           {"timeout",
            {Reload::live,
             [](std::string_view v, HbConf& c) {
               return parse_time_in(v, milliseconds(1000), hours(1), c.fencing.timeout);
             }}},
       }},
      {"watchdog",
       {
           {"timeout",
            {Reload::restart,
             [](std::string_view v, HbConf& c) {
               Millis t{};
               std::string why = parse_time_in(v, milliseconds(1000), hours(1), t);
               if (why.empty()) c.watchdog.timeout = t;
               return why;
             }}},
       }},
  };
  return g;
}

// The keys of [resources] and of each [resource TOKEN] section: the same four times.
struct ResourceKey {
  Millis ResourceSettings::*field;
  std::optional<Millis> ResourceOverride::*override_field;
  Millis low, high;
};

const std::map<std::string, ResourceKey>& resource_keys() {
  using std::chrono::hours;
  using std::chrono::seconds;
  static const std::map<std::string, ResourceKey> keys{
      {"start_timeout",
       {&ResourceSettings::start_timeout, &ResourceOverride::start_timeout, seconds(1), hours(24)}},
      {"stop_timeout",
       {&ResourceSettings::stop_timeout, &ResourceOverride::stop_timeout, seconds(1), hours(24)}},
      {"monitor_interval",
       {&ResourceSettings::monitor_interval, &ResourceOverride::monitor_interval, seconds(0),
        hours(24)}},
      {"monitor_timeout",
       {&ResourceSettings::monitor_timeout, &ResourceOverride::monitor_timeout, seconds(1),
        hours(24)}},
  };
  return keys;
}

constexpr std::string_view resource_prefix = "resource ";

}  // namespace

std::vector<HbConfSetting> hb_conf_settings() {
  std::vector<HbConfSetting> settings;
  for (const auto& [section, keys] : grammar()) {
    for (const auto& [key, setting] : keys) settings.push_back({section, key, setting.reload});
  }
  return settings;
}

ResourceSettings resource_settings(const HbConf& hb_conf, const std::string& token) {
  ResourceSettings s = hb_conf.resources;
  auto it = hb_conf.resource_overrides.find(token);
  if (it == hb_conf.resource_overrides.end()) return s;
  for (const auto& [name, key] : resource_keys())
    if (const auto& value = it->second.*key.override_field) s.*key.field = *value;
  return s;
}

std::vector<Diagnostic> check_resource_sections(const HbConf& hb_conf,
                                                const std::vector<ResourceGroup>& groups) {
  std::vector<Diagnostic> out;
  for (const auto& [token, o] : hb_conf.resource_overrides) {
    bool known = false;
    for (const auto& g : groups)
      for (const auto& r : g.resources) known = known || r.token == token;
    if (!known)
      out.push_back(Diagnostic{Diagnostic::Severity::warning, o.origin,
                               "[resource " + token +
                                   "]: no haresources line has this word; its settings apply "
                                   "to nothing"});
  }
  return out;
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    in6_addr a6{};
    if (::inet_pton(AF_INET6, std::string(host).c_str(), &a6) != 1) return std::nullopt;
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    in_addr a4{};
    if (::inet_pton(AF_INET, std::string(host).c_str(), &a4) != 1) return std::nullopt;
  }
  auto p = parse_int(port);
  if (!p || *p < 1 || *p > 65535) return std::nullopt;
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(*p)};
}

std::string to_string(const ListenAddress& a) {
  const bool v6 = a.host.find(':') != std::string::npos;
  return (v6 ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

HbConfResult parse_hb_conf(std::string_view text, const std::string& file) {
  HbConfResult result;
  result.hb_conf.present = true;
  auto error = [&](int line, std::string message) {
    result.diagnostics.push_back(
        Diagnostic{Diagnostic::Severity::error, Origin{file, line}, std::move(message)});
  };
  const std::map<std::string, Setting>* section = nullptr;
  std::string section_name;
  // [resources] (resource_token empty) or [resource TOKEN]: keys from resource_keys().
  bool resource_section = false;
  std::string resource_token;
  bool in_unknown_section = false;  // its keys are not reported again, one by one
  const auto lines = lines_of(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    const std::string_view line = trim(strip_comment(lines[i]));
    if (line.empty()) continue;
    if (line.front() == '[') {
      resource_section = false;
      if (line.back() != ']') {
        error(n, "a section header is [name]");
        section = nullptr;
        section_name.clear();
        in_unknown_section = true;
        continue;
      }
      section_name = std::string(trim(line.substr(1, line.size() - 2)));
      if (section_name == "resources" || section_name.starts_with(resource_prefix) ||
          section_name == trim(resource_prefix)) {
        resource_token =
            section_name == "resources"
                ? ""
                : std::string(
                      trim(std::string_view(section_name)
                               .substr(std::min(section_name.size(), resource_prefix.size()))));
        if (section_name != "resources" && resource_token.empty()) {
          error(n, "[resource] names a haresources word, e.g. [resource db2::db2inst1]");
          section = nullptr;
          section_name.clear();
          in_unknown_section = true;
          continue;
        }
        if (!resource_token.empty()) {
          section_name = std::string(resource_prefix) + resource_token;
          auto& o = result.hb_conf.resource_overrides[resource_token];
          if (o.origin.line == 0) o.origin = Origin{file, n};
        }
        resource_section = true;
        section = nullptr;
        in_unknown_section = false;
        continue;
      }
      auto it = grammar().find(section_name);
      if (it == grammar().end()) {
        error(n, "unknown section [" + section_name + "]");
        section = nullptr;
        section_name.clear();
        in_unknown_section = true;
      } else {
        section = &it->second;
        in_unknown_section = false;
      }
      continue;
    }
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      error(n, "expected key = value");
      continue;
    }
    const std::string key(trim(line.substr(0, eq)));
    const std::string_view value = trim(line.substr(eq + 1));
    // The key's parser: a resource timing ([resources], [resource WORD]) or a section's setting.
    const ResourceKey* resource_key = nullptr;
    const Setting* setting = nullptr;
    if (resource_section) {
      auto it = resource_keys().find(key);
      if (it != resource_keys().end()) resource_key = &it->second;
    } else if (section == nullptr) {
      if (in_unknown_section) continue;
      error(n, "\"" + key + "\" is not in a section (e.g. [status])");
      continue;
    } else if (auto it = section->find(key); it != section->end()) {
      setting = &it->second;
    }
    if (resource_key == nullptr && setting == nullptr) {
      error(n, "unknown key \"" + key + "\" in [" + section_name + "]");
      continue;
    }
    if (value.empty()) {
      error(n, key + " needs a value");
      continue;
    }
    const std::string full = section_name + "." + key;
    if (auto seen = result.hb_conf.origins.find(full); seen != result.hb_conf.origins.end()) {
      error(n, key + " is already set in [" + section_name + "] at line " +
                   std::to_string(seen->second.line));
      continue;
    }
    std::string why;
    if (resource_key != nullptr) {
      Millis parsed{};
      why = parse_time_in(value, resource_key->low, resource_key->high, parsed);
      if (why.empty() && resource_token.empty())
        result.hb_conf.resources.*resource_key->field = parsed;
      else if (why.empty())
        result.hb_conf.resource_overrides[resource_token].*resource_key->override_field = parsed;
    } else {
      why = setting->parse(value, result.hb_conf);
    }
    if (!why.empty()) {
      error(n, key + " " + why);
      continue;
    }
    result.hb_conf.origins[full] = Origin{file, n};
  }
  // TLS needs both files: the one given names the line.
  const auto& origins = result.hb_conf.origins;
  const bool certificate = origins.count("status.tls_certificate") > 0;
  const bool key = origins.count("status.tls_key") > 0;
  if (certificate != key) {
    const Origin& where = origins.at(certificate ? "status.tls_certificate" : "status.tls_key");
    error(where.line, certificate ? "tls_certificate needs tls_key too (TLS takes both)"
                                  : "tls_key needs tls_certificate too (TLS takes both)");
  }
  return result;
}

}  // namespace hb::config
