// The REST API's JSON documents, rendered from a Snapshot (render_json.hpp).
#include "core/status/render_json.hpp"

#include <cstdio>

namespace hb::status {
namespace {

using nlohmann::json;

template <class T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json time_or_null(const std::optional<std::int64_t>& ms) {
  return ms ? json(rfc3339_ms(*ms)) : json(nullptr);
}

json link_json(const Link& l) {
  return json{{"medium", l.medium},
              {"state", l.state},
              {"last_heard", time_or_null(l.last_heard_unix_ms)},
              {"packets_received", or_null(l.packets_received)},
              {"packets_sent", or_null(l.packets_sent)},
              {"rejected", l.rejected}};
}

// Days since 1970-01-01 to a civil date (proleptic Gregorian), without the C library's time zone
// machinery.
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2));
}

}  // namespace

std::string rfc3339_ms(std::int64_t unix_ms) {
  std::int64_t days = unix_ms / 86400000;
  std::int64_t rest = unix_ms % 86400000;
  if (rest < 0) {
    rest += 86400000;
    --days;
  }
  int y = 0;
  unsigned mo = 0, d = 0;
  civil_from_days(days, y, mo, d);
  const auto ms = static_cast<unsigned>(rest % 1000);
  const auto sec = static_cast<unsigned>(rest / 1000);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ", y, mo, d, sec / 3600,
                sec / 60 % 60, sec % 60, ms);
  return buf;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 304:
      return "Not Modified";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 414:
      return "URI Too Long";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Error";
  }
}

json node_json(const Node& n) {
  json links = json::array();
  for (const auto& l : n.links) links.push_back(link_json(l));
  return json{{"name", n.name},
              {"type", n.type},
              {"state", n.state},
              {"reason", n.reason.empty() ? json(nullptr) : json(n.reason)},
              {"incarnation", or_null(n.incarnation)},
              {"last_heard", time_or_null(n.last_heard_unix_ms)},
              {"generation", or_null(n.generation)},
              {"protocol", n.protocol.empty() ? json(nullptr) : json(n.protocol)},
              {"links", std::move(links)}};
}

json group_json(const Group& g) {
  json resources = json::array();
  for (const auto& r : g.resources)
    resources.push_back(json{{"token", r.token},
                             {"unit", r.unit.empty() ? json(nullptr) : json(r.unit)},
                             {"state", r.state}});
  // Null before this node's first takeover of the group, or while hb-resourced is not read.
  json last_takeover = nullptr;
  if (g.takeovers && *g.takeovers > 0 && g.last_takeover_usec)
    last_takeover = static_cast<double>(*g.last_takeover_usec) / 1e6;
  return json{{"key", g.key},
              {"preferred_node", g.preferred_node},
              {"owner", g.owner.empty() ? json(nullptr) : json(g.owner)},
              {"state", g.state},
              {"since", time_or_null(g.since_unix_ms)},
              {"resources", std::move(resources)},
              {"takeovers", or_null(g.takeovers)},
              {"last_takeover_seconds", last_takeover}};
}

json cluster_json(const Snapshot& s) {
  json nodes = json::array();
  for (const auto& n : s.nodes) nodes.push_back(node_json(n));
  json groups = json::array();
  for (const auto& g : s.groups) groups.push_back(group_json(g));
  json pings = json::array();
  for (const auto& p : s.ping_nodes)
    pings.push_back(json{{"address", p.address}, {"state", p.state}});
  json daemons = json::array();
  for (const auto& d : s.daemons) {
    json warnings = json::array();
    for (const auto& w : d.warnings) warnings.push_back(json{{"code", w.code}, {"text", w.text}});
    daemons.push_back(json{{"name", d.name},
                           {"bus_name", d.bus_name},
                           {"expected", d.expected},
                           {"up", d.up},
                           {"read", d.read},
                           {"error", d.error.empty() ? json(nullptr) : json(d.error)},
                           {"warnings", std::move(warnings)}});
  }
  return json{
      {"api_version", api_version},
      {"hb_version", s.version},
      {"local_node", s.local_node},
      {"generated_at", rfc3339_ms(s.built_unix_ms)},
      {"cache", {{"epoch", s.epoch}, {"generation", s.generation}}},
      {"timings",
       {{"keepalive_ms", s.timings.keepalive_ms},
        {"warntime_ms", s.timings.warntime_ms},
        {"deadtime_ms", s.timings.deadtime_ms},
        {"initdead_ms", s.timings.initdead_ms},
        {"deadping_ms", s.timings.deadping_ms}}},
      {"nodes", std::move(nodes)},
      {"groups", std::move(groups)},
      {"ping_nodes", std::move(pings)},
      {"ipfail",
       {{"local_count", or_null(s.ping_local_count)}, {"peer_count", or_null(s.ping_peer_count)}}},
      {"daemons", std::move(daemons)}};
}

json error_json(int status, const std::string& message) {
  return json{
      {"error", {{"status", status}, {"reason", reason_phrase(status)}, {"message", message}}}};
}

}  // namespace hb::status
