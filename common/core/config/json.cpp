#include "core/config/json.hpp"

#include "core/config/authkeys.hpp"
#include "core/config/ha_cf.hpp"
#include "core/config/haresources.hpp"
#include "core/config/hb_conf.hpp"
#include "core/config/watchdog.hpp"

namespace hb::config {
namespace {

using nlohmann::json;

json or_null(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

json medium_json(const Medium& m) {
  json j{{"type", to_string(m.kind)}};
  switch (m.kind) {
    case Medium::Kind::serial:
      j["device"] = m.interface;
      j["baud"] = m.baud;
      break;
    case Medium::Kind::bcast:
      j["interface"] = m.interface;
      j["port"] = m.port;
      break;
    case Medium::Kind::ucast:
    case Medium::Kind::ucast6:
      j["interface"] = m.interface;
      j["peer"] = m.address;
      j["port"] = m.port;
      break;
    case Medium::Kind::mcast:
    case Medium::Kind::mcast6:
      j["interface"] = m.interface;
      j["group"] = m.address;
      j["port"] = m.port;
      j["ttl"] = m.ttl;
      j["loop"] = m.loop;
      break;
  }
  return j;
}

json authkeys_json(const AuthKeys& a) {
  json keys = json::array();
  for (const auto& [index, key] : a.keys) {
    json k{{"index", index}, {"method", to_string(key.method)}};
    if (!key.secret.empty()) k["secret"] = "<hidden>";
    keys.push_back(std::move(k));
  }
  return json{{"active_index", a.active_index}, {"keys", std::move(keys)}};
}

json resource_settings_json(const ResourceSettings& r) {
  return json{{"start_timeout_ms", r.start_timeout.count()},
              {"stop_timeout_ms", r.stop_timeout.count()},
              {"monitor_interval_ms", r.monitor_interval.count()},
              {"monitor_timeout_ms", r.monitor_timeout.count()}};
}

json hb_conf_json(const HbConf& h) {
  const StatusSettings& s = h.status;
  json listen = json::array();
  for (const auto& a : s.listen) listen.push_back(to_string(a));
  return json{{"present", h.present},
              {"status",
               {{"listen", std::move(listen)},
                {"max_event_streams", s.max_event_streams},
                {"request_workers", s.request_workers},
                {"read_timeout_ms", s.read_timeout.count()},
                {"write_timeout_ms", s.write_timeout.count()},
                {"max_request_bytes", s.max_request_bytes},
                {"healthz_max_age_ms", s.healthz_max_age.count()},
                {"refresh_interval_ms", s.refresh_interval.count()},
                {"tls_certificate", s.tls_certificate},
                {"tls_key", s.tls_key},
                {"admin", s.admin}}},
              {"fencing",
               {{"race_delay_ms", h.fencing.race_delay.count()},
                {"retry_ms", h.fencing.retry.count()},
                {"timeout_ms", h.fencing.timeout.count()}}},
              {"resources", resource_settings_json(h.resources)}};
}

}  // namespace

json to_json(const Resource& r) {
  json j{{"token", r.token}, {"kind", to_string(r.kind)}, {"name", r.name}, {"args", r.args}};
  if (r.ip) {
    json ip{{"address", r.ip->address}};
    ip["prefix_length"] = r.ip->prefix_length ? json(*r.ip->prefix_length) : json(nullptr);
    ip["interface"] = or_null(r.ip->interface);
    ip["label"] = or_null(r.ip->label);
    ip["broadcast"] = or_null(r.ip->broadcast);
    j["ip"] = std::move(ip);
  }
  if (r.filesystem) {
    j["filesystem"] = json{{"device", r.filesystem->device},
                           {"mountpoint", r.filesystem->mountpoint},
                           {"fstype", or_null(r.filesystem->fstype)},
                           {"options", or_null(r.filesystem->options)}};
  }
  return j;
}

json to_json(const ResourceGroup& g) {
  json resources = json::array();
  for (const auto& r : g.resources) resources.push_back(to_json(r));
  return json{{"key", g.resources.empty() ? std::string() : g.key()},
              {"preferred_node", g.preferred_node},
              {"resources", std::move(resources)}};
}

json to_json(const Config& c) {
  const HaCf& h = c.ha_cf;
  json media = json::array();
  for (const auto& m : h.media) media.push_back(medium_json(m));
  json ping_groups = json::array();
  for (const auto& g : h.ping_groups) {
    ping_groups.push_back(json{{"name", g.name}, {"addresses", g.addresses}});
  }
  json respawn = json::array();
  for (const auto& r : h.respawns) respawn.push_back(json{{"user", r.user}, {"argv", r.argv}});
  json groups = json::array();
  for (const auto& g : c.groups) groups.push_back(to_json(g));
  // A fence device's parameters usually hold a password: shown only as present or not.
  json stonith = json::array();
  for (const auto& d : h.stonith_devices) {
    stonith.push_back(json{{"from", d.from},
                           {"type", d.type},
                           {"config_file", or_null(d.config_file)},
                           {"params", d.params.empty() ? json(nullptr) : json("<hidden>")}});
  }

  json j;
  j["local_node"] = c.local_node;
  j["nodes"] = h.nodes;
  j["timing"] = json{{"keepalive_ms", h.keepalive.count()},
                     {"deadtime_ms", h.deadtime.count()},
                     {"warntime_ms", h.warntime.count()},
                     {"initdead_ms", h.initdead.count()},
                     {"deadping_ms", h.deadping.count()}};
  j["udpport"] = h.udpport;
  j["media"] = std::move(media);
  j["ping_nodes"] = h.ping_nodes;
  j["ping_groups"] = std::move(ping_groups);
  j["respawn"] = std::move(respawn);
  j["stonith"] = std::move(stonith);
  j["auto_failback"] = to_string(h.auto_failback);
  j["hopfudge"] = h.hopfudge;
  j["logging"] = json{{"logfile", or_null(h.logfile)},
                      {"debugfile", or_null(h.debugfile)},
                      {"logfacility", or_null(h.logfacility)},
                      {"use_logd", h.use_logd},
                      {"debug", h.debug}};
  j["realtime"] = h.realtime;
  j["msgfmt"] = h.msgfmt;
  j["hbgenmethod"] = h.hbgenmethod;
  j["ignored"] = h.ignored;
  j["authkeys"] = c.authkeys ? authkeys_json(*c.authkeys) : json(nullptr);
  j["groups"] = std::move(groups);
  j["watchdog"] = or_null(h.watchdog);
  j["hb_conf"] = hb_conf_json(c.hb_conf);
  // The timeout in force, and where it comes from (hb.conf, or the default rule).
  j["hb_conf"]["watchdog"] =
      json{{"timeout_ms", watchdog_timeout(h, c.hb_conf).count()},
           {"timeout_from", c.hb_conf.watchdog.timeout ? "hb.conf" : "2 x deadtime"}};
  // Each [resource TOKEN] section as the settings in force for that word ([resources] filled in).
  json per_resource = json::object();
  for (const auto& [token, o] : c.hb_conf.resource_overrides)
    per_resource[token] = resource_settings_json(resource_settings(c.hb_conf, token));
  j["hb_conf"]["resource"] = std::move(per_resource);
  return j;
}

}  // namespace hb::config
