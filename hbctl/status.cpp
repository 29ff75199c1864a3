// hbctl status | nodes [--json[=short|pretty]]: the cluster's members as hb-membershipd sees
// them (heartbeat's `cl_status listnodes/nodestatus/listhblinks` in one table), with each link's
// state and the age of the last heartbeat heard, then the resource groups as hb-resourced sees
// them (owner, state, each resource's unit and its state: `cl_status rscstatus` and more). One
// GetManagedObjects on membership1, one on link1 for per-packet times if hb-linkd is there, one on
// resource1 if hb-resourced is there. Then the Warnings of hb-membershipd and hb-resourced, and
// whether this node can take over its peers' groups: it cannot when hb-resourced, hb-membershipd
// or hb-linkd is missing (a node that would not notice a death must say so, not look healthy).
// Ping nodes are listed with the state hb-membershipd mirrors from ipfaild, their one owner
// ("not monitored" while ipfaild does not run). Blocking sd-bus calls are fine in a CLI;
// render_status draws into any stream, for hbctl watch.
#include <systemd/sd-bus.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bus_reads.hpp"
#include "commands.hpp"
#include "sys/dbus/names.hpp"

namespace hb::hbctl {
namespace {

namespace m1 = hb::dbus::names::membership1;
namespace l1 = hb::dbus::names::link1;
namespace r1 = hb::dbus::names::resource1;
namespace i1 = hb::dbus::names::ipfail1;

constexpr int exit_not_running = 3;  // LSB status: not running

struct NodeRow {
  std::string name, type, state;
  std::uint64_t incarnation = 0;
  std::uint64_t last_heard_usec = 0;
  std::map<std::string, std::string> links;
};

struct GroupRow {
  std::string key, preferred, owner, state;
  struct Resource {
    std::string token, unit, active;
  };
  std::vector<Resource> resources;
};

std::uint64_t now_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::uint64_t(ts.tv_sec) * 1'000'000 + std::uint64_t(ts.tv_nsec) / 1000;
}

// Walks a GetManagedObjects reply: calls `prop(path, interface, property, message)` with the
// message positioned on each property's variant; the callback reads it or returns false to skip.
template <class F>
bool walk_objects(sd_bus_message* m, F prop) {
  if (sd_bus_message_enter_container(m, 'a', "{oa{sa{sv}}}") < 0) return false;
  while (sd_bus_message_enter_container(m, 'e', "oa{sa{sv}}") > 0) {
    const char* path = nullptr;
    if (sd_bus_message_read(m, "o", &path) < 0) return false;
    if (sd_bus_message_enter_container(m, 'a', "{sa{sv}}") < 0) return false;
    while (sd_bus_message_enter_container(m, 'e', "sa{sv}") > 0) {
      const char* iface = nullptr;
      if (sd_bus_message_read(m, "s", &iface) < 0) return false;
      if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0) return false;
      while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
        const char* name = nullptr;
        if (sd_bus_message_read(m, "s", &name) < 0) return false;
        if (!prop(std::string(path), std::string(iface), std::string(name), m) &&
            sd_bus_message_skip(m, "v") < 0)
          return false;
        sd_bus_message_exit_container(m);
      }
      sd_bus_message_exit_container(m);
      sd_bus_message_exit_container(m);
    }
    sd_bus_message_exit_container(m);
    sd_bus_message_exit_container(m);
  }
  sd_bus_message_exit_container(m);
  return true;
}

bool read_string(sd_bus_message* m, std::string& out) {
  const char* s = nullptr;
  if (sd_bus_message_read(m, "v", "s", &s) < 0) return false;
  out = s;
  return true;
}

bool read_links(sd_bus_message* m, std::map<std::string, std::string>& out) {
  if (sd_bus_message_enter_container(m, 'v', "a{ss}") < 0) return false;
  if (sd_bus_message_enter_container(m, 'a', "{ss}") < 0) return false;
  const char *k = nullptr, *v = nullptr;
  while (sd_bus_message_read(m, "{ss}", &k, &v) > 0) out[k] = v;
  sd_bus_message_exit_container(m);
  sd_bus_message_exit_container(m);
  return true;
}

bool read_resources(sd_bus_message* m, std::vector<GroupRow::Resource>& out) {
  if (sd_bus_message_enter_container(m, 'v', "a(sss)") < 0) return false;
  if (sd_bus_message_enter_container(m, 'a', "(sss)") < 0) return false;
  const char *token = nullptr, *unit = nullptr, *active = nullptr;
  while (sd_bus_message_read(m, "(sss)", &token, &unit, &active) > 0)
    out.push_back({token, unit, active});
  sd_bus_message_exit_container(m);
  sd_bus_message_exit_container(m);
  return true;
}

MsgPtr managed_objects(sd_bus* bus, const char* dest, const char* root, std::string& error) {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(bus, dest, root, "org.freedesktop.DBus.ObjectManager",
                             "GetManagedObjects", &e, &reply, "");
  if (r < 0) error = e.message ? e.message : std::strerror(-r);
  sd_bus_error_free(&e);
  return MsgPtr(r < 0 ? nullptr : reply);
}

struct WarningRow {
  std::string daemon, code, text;
};

// A Manager's Warnings a(ss); false when the daemon is not there to ask.
bool read_warnings(sd_bus* bus, const char* dest, const char* path, const char* iface,
                   const char* daemon, std::vector<WarningRow>& out) {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_get_property(bus, dest, path, iface, "Warnings", &e, &reply, "a(ss)");
  sd_bus_error_free(&e);
  if (r < 0) return false;
  MsgPtr owned(reply);
  if (sd_bus_message_enter_container(reply, 'a', "(ss)") < 0) return true;
  const char *code = nullptr, *text = nullptr;
  while (sd_bus_message_read(reply, "(ss)", &code, &text) > 0) out.push_back({daemon, code, text});
  return true;
}

// An a{ss} property of a daemon's Manager; empty when the daemon is not there, or too old to have
// it. hb-linkd's Configuration (what is in force: the timings, the keys, the digest) and
// hb-resourced's PeerProtocols (each peer's hand-over protocol).
std::map<std::string, std::string> read_string_map(sd_bus* bus, const char* dest, const char* root,
                                                   const char* manager, const char* property) {
  std::map<std::string, std::string> out;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_get_property(bus, dest, root, manager, property, &e, &reply, "a{ss}");
  sd_bus_error_free(&e);
  if (r < 0) return out;
  MsgPtr owned(reply);
  if (sd_bus_message_enter_container(reply, 'a', "{ss}") < 0) return out;
  const char *key = nullptr, *value = nullptr;
  while (sd_bus_message_read(reply, "{ss}", &key, &value) > 0) out[key] = value;
  return out;
}

// "In force: keepalive 100 ms, deadtime 1 s, warntime 500 ms, initdead 2 s; signing with key 2
// (accepting 1 2); configuration digest 3f2a…": what a reload changed, seen applied.
void print_configuration(std::ostream& out, const std::map<std::string, std::string>& c) {
  if (c.empty()) return;
  auto get = [&](const char* k) {
    auto it = c.find(k);
    return it == c.end() ? std::string("?") : it->second;
  };
  out << "In force: keepalive " << get("keepalive") << ", deadtime " << get("deadtime")
      << ", warntime " << get("warntime") << ", initdead " << get("initdead");
  if (c.count("auth"))
    out << "; signing with key " << get("auth") << " (accepting " << get("keys") << ")";
  out << "; configuration digest " << get("digest") << "\n";
}

// hb-resourced's PendingReload: settings a reload accepted that are not in force yet.
std::vector<std::string> read_pending_reload(sd_bus* bus) {
  std::vector<std::string> out;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  char** strv = nullptr;
  int r = sd_bus_get_property_strv(bus, r1::bus, r1::root, r1::manager, "PendingReload", &e, &strv);
  sd_bus_error_free(&e);
  if (r < 0) return out;
  for (char** p = strv; p && *p; ++p) {
    out.emplace_back(*p);
    std::free(*p);
  }
  std::free(strv);
  return out;
}

// "Pending: haresources (in force once this node holds no group)".
void print_pending(std::ostream& out, const std::vector<std::string>& pending) {
  if (pending.empty()) return;
  out << "Pending:";
  for (std::size_t i = 0; i < pending.size(); ++i) out << (i ? ", " : " ") << pending[i];
  out << " (in force once this node holds no group: hbctl standby hands them over)\n";
}

// Why this node cannot take over, one reason per missing daemon or own warning.
std::vector<std::string> takeover_blockers(sd_bus* bus, const std::vector<WarningRow>& warnings) {
  std::vector<std::string> why;
  if (!has_owner(bus, r1::bus)) why.push_back("hb-resourced is not running");
  if (!has_owner(bus, m1::bus)) why.push_back("hb-membershipd is not running");
  if (!has_owner(bus, l1::bus)) why.push_back("hb-linkd is not running");
  for (const auto& w : warnings) {
    // The missing daemons themselves were named above.
    if (w.code == "no-link-source" || w.code == "no-membership" || w.code == "no-link") {
      if (why.empty()) why.push_back(w.text);
    }
  }
  return why;
}

std::string age(std::uint64_t last, std::uint64_t now) {
  if (last == 0) return "never";
  if (last >= now) return "now";
  char buf[32];
  const double s = double(now - last) / 1e6;
  std::snprintf(buf, sizeof buf, s < 10 ? "%.2fs ago" : "%.0fs ago", s);
  return buf;
}

void print_takeover(std::ostream& out, const std::vector<std::string>& why) {
  if (why.empty()) {
    out << "This node can take over its peers' resource groups.\n";
    return;
  }
  out << "This node CANNOT take over its peers' resource groups:";
  for (const auto& w : why) out << "\n  - " << w;
  out << "\n";
}

void print_warnings(std::ostream& out, const std::vector<WarningRow>& warnings) {
  if (warnings.empty()) return;
  out << "\nWarnings:\n";
  for (const auto& w : warnings)
    out << "  " << w.daemon << ": " << w.code << ": " << w.text << "\n";
}

int usage(std::ostream& out, int rc) {
  out << "Usage: hbctl status|nodes [--json[=short|pretty]]\n"
         "Shows every node of ha.cf as hb-membershipd sees it: type, state (init, up, dead),\n"
         "incarnation, when it was last heard and the state of each link; then every resource\n"
         "group of haresources as hb-resourced sees it: owner, state (stopped, starting,\n"
         "running, stopping, failed) and the systemd unit of each resource with its state.\n"
         "Then what puts the cluster at risk (each daemon's Warnings) and whether this node\n"
         "can take over its peers' groups.\n"
         "Exit status 3 when hb-membershipd is not running.\n";
  return rc;
}

}  // namespace

int status(const std::vector<std::string>& args) {
  std::optional<std::string> json;
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") return usage(std::cout, exit_ok);
    if (a == "--json" || a == "--json=short") {
      json = "short";
    } else if (a == "--json=pretty") {
      json = "pretty";
    } else {
      std::cerr << "hbctl status: unknown argument \"" << a << "\"\n";
      return usage(std::cerr, exit_usage);
    }
  }

  sd_bus* raw = nullptr;
  if (int r = sd_bus_open_system(&raw); r < 0) {
    std::cerr << "hbctl: cannot connect to the system bus: " << std::strerror(-r) << "\n";
    return exit_not_running;
  }
  BusPtr bus(raw);
  return render_status(bus.get(), json, std::cout, std::cerr);
}

int render_status(sd_bus* bus_raw, const std::optional<std::string>& json, std::ostream& out,
                  std::ostream& err) {
  struct Borrowed {
    sd_bus* b;
    sd_bus* get() const { return b; }
  } bus{bus_raw};
  std::string error;
  char* local = nullptr;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  std::vector<WarningRow> warnings;
  if (sd_bus_get_property_string(bus.get(), m1::bus, m1::root, m1::manager, "LocalNode", &e,
                                 &local) < 0) {
    err << "hbctl: hb-membershipd is not running (" << (e.message ? e.message : "no reply")
        << ")\n";
    sd_bus_error_free(&e);
    // Still say what hb-linkd and hb-resourced know: that this node cannot take over, what its
    // peers told it, and whether their configuration differs from this node's.
    read_warnings(bus.get(), l1::bus, l1::root, l1::manager, "hb-linkd", warnings);
    read_warnings(bus.get(), r1::bus, r1::root, r1::manager, "hb-resourced", warnings);
    auto why = takeover_blockers(bus.get(), warnings);
    if (json) {
      nlohmann::json j;
      j["membershipd"] = false;
      j["can_take_over"] = false;
      j["cannot_take_over"] = why;
      j["warnings"] = nlohmann::json::array();
      for (const auto& w : warnings)
        j["warnings"].push_back({{"daemon", w.daemon}, {"code", w.code}, {"text", w.text}});
      out << (*json == "pretty" ? j.dump(2) : j.dump()) << "\n";
    } else {
      print_takeover(out, why);
      print_warnings(out, warnings);
    }
    return exit_not_running;
  }
  const std::string local_node = local;
  std::free(local);
  char** names = nullptr;
  std::vector<std::string> order;
  if (sd_bus_get_property_strv(bus.get(), m1::bus, m1::root, m1::manager, "Nodes", &e, &names) >=
      0) {
    for (char** n = names; n && *n; ++n) {
      order.emplace_back(*n);
      std::free(*n);
    }
    std::free(names);
  }
  sd_bus_error_free(&e);

  std::map<std::string, NodeRow> rows;  // by object path
  MsgPtr objs = managed_objects(bus.get(), m1::bus, m1::root, error);
  if (!objs) {
    err << "hbctl: cannot read hb-membershipd's nodes: " << error << "\n";
    return exit_error;
  }
  walk_objects(objs.get(), [&](const std::string& path, const std::string& iface,
                               const std::string& prop, sd_bus_message* m) {
    if (iface != m1::node) return false;
    NodeRow& row = rows[path];
    if (prop == "Name") return read_string(m, row.name);
    if (prop == "Type") return read_string(m, row.type);
    if (prop == "State") return read_string(m, row.state);
    if (prop == "Incarnation") return sd_bus_message_read(m, "v", "t", &row.incarnation) >= 0;
    if (prop == "LastHeardUSec") return sd_bus_message_read(m, "v", "t", &row.last_heard_usec) >= 0;
    if (prop == "Links") return read_links(m, row.links);
    return false;
  });

  // hb-linkd's per-packet times, when it is there: fresher than membership's lower bound.
  std::map<std::string, std::uint64_t> heard;  // node -> newest LastHeardUSec over its links
  std::string linkd_error;
  if (MsgPtr links = managed_objects(bus.get(), l1::bus, l1::root, linkd_error)) {
    std::map<std::string, std::pair<std::string, std::uint64_t>> by_path;
    walk_objects(links.get(), [&](const std::string& path, const std::string& iface,
                                  const std::string& prop, sd_bus_message* m) {
      if (iface != l1::link) return false;
      if (prop == "Node") return read_string(m, by_path[path].first);
      if (prop == "LastHeardUSec")
        return sd_bus_message_read(m, "v", "t", &by_path[path].second) >= 0;
      return false;
    });
    for (const auto& [path, v] : by_path) heard[v.first] = std::max(heard[v.first], v.second);
  }

  // hb-resourced's groups, when it is there.
  std::vector<GroupRow> groups;
  std::string resourced_error;
  if (MsgPtr objs = managed_objects(bus.get(), r1::bus, r1::root, resourced_error)) {
    std::map<std::string, GroupRow> by_path;
    walk_objects(objs.get(), [&](const std::string& path, const std::string& iface,
                                 const std::string& prop, sd_bus_message* m) {
      if (iface != r1::group) return false;
      GroupRow& g = by_path[path];
      if (prop == "Key") return read_string(m, g.key);
      if (prop == "PreferredNode") return read_string(m, g.preferred);
      if (prop == "Owner") return read_string(m, g.owner);
      if (prop == "State") return read_string(m, g.state);
      if (prop == "Resources") return read_resources(m, g.resources);
      return false;
    });
    for (auto& [path, g] : by_path) groups.push_back(std::move(g));
  }

  std::vector<NodeRow> nodes;
  for (const auto& name : order)
    for (const auto& [path, row] : rows)
      if (row.name == name) nodes.push_back(row);
  for (const auto& [path, row] : rows)
    if (std::find(order.begin(), order.end(), row.name) == order.end()) nodes.push_back(row);
  for (auto& n : nodes) n.last_heard_usec = std::max(n.last_heard_usec, heard[n.name]);

  read_warnings(bus.get(), l1::bus, l1::root, l1::manager, "hb-linkd", warnings);
  read_warnings(bus.get(), m1::bus, m1::root, m1::manager, "hb-membershipd", warnings);
  read_warnings(bus.get(), r1::bus, r1::root, r1::manager, "hb-resourced", warnings);
  read_warnings(bus.get(), i1::bus, i1::root, i1::manager, "ipfaild", warnings);
  const auto why = takeover_blockers(bus.get(), warnings);
  const auto configuration =
      read_string_map(bus.get(), l1::bus, l1::root, l1::manager, "Configuration");
  const auto protocols =
      read_string_map(bus.get(), r1::bus, r1::root, r1::manager, "PeerProtocols");
  // What a node speaks in hand-overs: hb here; a peer's as hb-resourced last heard it ("hb" or
  // "heartbeat"), "-" before it said anything in this incarnation; nothing for ping nodes.
  auto protocol_of = [&](const NodeRow& n) -> std::string {
    if (n.type == "ping") return "-";
    if (n.name == local_node) return "hb";
    auto it = protocols.find(n.name);
    return it == protocols.end() || it->second.empty() ? "-" : it->second;
  };
  const auto pending = read_pending_reload(bus.get());

  const std::uint64_t now = now_usec();
  std::size_t normal = 0, up = 0;
  for (const auto& n : nodes) {
    if (n.type == "ping") continue;
    ++normal;
    up += n.state == "up";
  }

  if (json) {
    nlohmann::json j;
    j["local_node"] = local_node;
    j["linkd"] = linkd_error.empty();
    j["nodes"] = nlohmann::json::array();
    for (const auto& n : nodes) {
      nlohmann::json o{{"name", n.name},
                       {"type", n.type},
                       {"state", n.state},
                       {"incarnation", n.incarnation},
                       {"local", n.name == local_node},
                       {"never_heard", n.type != "ping" && n.state == "dead" && n.incarnation == 0},
                       {"links", n.links}};
      if (n.type != "ping") {
        const std::string speaks = protocol_of(n);
        o["protocol"] = speaks == "-" ? nlohmann::json(nullptr) : nlohmann::json(speaks);
      }
      // A ping node's state is ipfaild's (mirrored by hb-membershipd); unknown = not watched.
      if (n.type == "ping") o["monitored"] = n.state != "unknown";
      if (n.last_heard_usec != 0 && n.name != local_node && n.type != "ping") {
        o["last_heard_usec"] = n.last_heard_usec;
        o["last_heard_age_ms"] = n.last_heard_usec >= now ? 0 : (now - n.last_heard_usec) / 1000;
      } else {
        o["last_heard_usec"] = nullptr;
        o["last_heard_age_ms"] = nullptr;
      }
      j["nodes"].push_back(o);
    }
    j["resourced"] = resourced_error.empty();
    j["groups"] = nlohmann::json::array();
    for (const auto& g : groups) {
      nlohmann::json rs = nlohmann::json::array();
      for (const auto& r : g.resources)
        rs.push_back({{"resource", r.token}, {"unit", r.unit}, {"active_state", r.active}});
      j["groups"].push_back(
          {{"key", g.key},
           {"preferred_node", g.preferred},
           {"owner", g.owner.empty() ? nlohmann::json(nullptr) : nlohmann::json(g.owner)},
           {"state", g.state},
           {"resources", rs}});
    }
    j["membershipd"] = true;
    j["configuration"] = configuration;
    j["pending_reload"] = pending;
    j["can_take_over"] = why.empty();
    j["cannot_take_over"] = why;
    j["warnings"] = nlohmann::json::array();
    for (const auto& w : warnings)
      j["warnings"].push_back({{"daemon", w.daemon}, {"code", w.code}, {"text", w.text}});
    out << (*json == "pretty" ? j.dump(2) : j.dump()) << "\n";
    return exit_ok;
  }

  out << "Local node: " << local_node << "; " << up << "/" << normal << " nodes up";
  if (!linkd_error.empty()) out << "; hb-linkd not reachable (" << linkd_error << ")";
  out << "\n";
  print_configuration(out, configuration);
  print_pending(out, pending);
  print_takeover(out, why);
  out << "\n";
  std::size_t w = 4;
  for (const auto& n : nodes) w = std::max(w, n.name.size());
  auto pad = [](const std::string& s, std::size_t width) {
    return s + std::string(width > s.size() ? width - s.size() : 0, ' ');
  };
  out << pad("NODE", w + 2) << pad("TYPE", 8) << pad("SPEAKS", 11) << pad("STATE", 8)
      << pad("INC", 5) << pad("LAST HEARD", 12) << "LINKS\n";
  for (const auto& n : nodes) {
    std::string links;
    for (const auto& [medium, st] : n.links)
      links += (links.empty() ? "" : ", ") + medium + " " + st;
    const bool is_local = n.name == local_node;
    // Listed in ha.cf, declared dead after initdead without ever coming up: heartbeat's
    // "never heard" nodes, told apart from nodes that died.
    const bool is_ping = n.type == "ping";
    if (!is_ping && n.state == "dead" && n.incarnation == 0)
      links += links.empty() ? "never heard" : "; never heard";
    // Ping nodes are ipfaild's: reached (up) or not (dead) by its ICMP probes, which have no
    // heartbeat time; unknown while ipfaild does not run (no `respawn ... ipfail` line).
    if (is_ping)
      links = n.state == "unknown" ? "not monitored (ipfaild is not running)" : "pinged by ipfaild";
    out << pad(n.name, w + 2) << pad(n.type, 8) << pad(protocol_of(n), 11) << pad(n.state, 8)
        << pad(std::to_string(n.incarnation), 5)
        << pad(is_local || is_ping ? "-" : age(n.last_heard_usec, now), 12)
        << (is_local ? "(local node)" : links) << "\n";
  }

  out << "\n";
  if (!resourced_error.empty()) {
    out << "Resource groups: hb-resourced not reachable (" << resourced_error << ")\n";
    print_warnings(out, warnings);
    return exit_ok;
  }
  std::size_t gw = 5;
  for (const auto& g : groups) gw = std::max(gw, g.key.size());
  out << pad("GROUP", gw + 2) << pad("OWNER", w + 2) << pad("STATE", 10)
      << "RESOURCES (unit: its state on this node)\n";
  for (const auto& g : groups) {
    std::string rs;
    for (const auto& r : g.resources)
      rs += (rs.empty() ? "" : ", ") + r.token + " (" + r.unit + ": " + r.active + ")";
    out << pad(g.key, gw + 2) << pad(g.owner.empty() ? "-" : g.owner, w + 2) << pad(g.state, 10)
        << rs << "\n";
  }
  print_warnings(out, warnings);
  return exit_ok;
}

}  // namespace hb::hbctl
